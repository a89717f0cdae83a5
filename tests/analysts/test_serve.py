"""`satukanal serve`: Datasette with the project's metadata on an archive of any name, as a browser sees it."""

from __future__ import annotations

import json
import shutil
import socket
import sqlite3
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from satukanal_crawler.commands.serve import MAX_ROWS, TRUNCATE
from tests.analysts.browser import needs_chromium, rendered_dom
from tests.cli import command, environment


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def served(demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo archive under another name (Datasette calls it `kediri-2021`), served on a free port."""
    db = tmp_path_factory.mktemp("serve") / "kediri-2021.db"
    shutil.copy(demo, db)
    port = free_port()
    log = db.with_suffix(".log").open("w")
    process = subprocess.Popen(command("serve", "--db", str(db), "--port", str(port)), env=environment(),
                               stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                get(base + "/-/versions.json")
                break
            except OSError:
                assert process.poll() is None, db.with_suffix(".log").read_text()
                time.sleep(0.1)
        yield base + "/kediri-2021"
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read()


def get_json(url: str) -> dict:
    return json.loads(get(url))


def test_the_metadata_applies_to_any_file_name(served: str) -> None:
    table = get_json(served + "/articles.json?_size=1")
    assert table["source"] == "SATUKANAL.COM" and table["human_description_en"]
    metadata = get_json(served.rsplit("/", 1)[0] + "/-/metadata.json")
    assert list(metadata["databases"]) == ["kediri-2021"]
    assert "articles" in metadata["databases"]["kediri-2021"]["tables"]


def test_channels_and_tags_are_facets(served: str) -> None:
    facets = get_json(served + "/articles_overview.json?_size=1")["facet_results"]
    facets = facets.get("results", facets)
    channels = {item["value"]: item["count"] for item in facets["channels"]["results"]}
    assert channels["Peristiwa"] == 3 and channels["Straight News"] == 9
    assert {"Kediri", "Tulungagung"} <= {item["value"] for item in facets["tags"]["results"]}
    peristiwa = get_json(served + "/articles_overview.json?_facet_array=channels&channels__arraycontains=Peristiwa")
    assert len(peristiwa["rows"]) == 3


def test_the_link_graph_streams_every_row(served: str, demo: Path) -> None:
    rows = get(served + "/link_graph.csv?_stream=on&_size=max").decode().strip().splitlines()
    conn = sqlite3.connect(demo)
    assert len(rows) - 1 == conn.execute("SELECT count(*) FROM baca_juga").fetchone()[0]
    conn.close()
    assert MAX_ROWS > 1_000


def test_canned_query_with_parameters(served: str) -> None:
    rows = get_json(served + "/articles_in_channel.json?channel=olahraga&since=&until=&reporter=&_shape=array")
    assert len(rows) == 3
    dimas = get_json(served + "/articles_in_channel.json?channel=Olahraga&since=2021-01-01&until=2021-12-31"
                     "&reporter=Dimas+Prasetyo&_shape=array")  # fmt: skip
    assert {row["reporter"] for row in dimas} == {"Dimas Prasetyo"} and len(dimas) == 2


@needs_chromium
def test_a_browser_sees_truncated_bodies_and_the_facets(served: str) -> None:
    dom = rendered_dom(served + "/articles_overview")
    assert 'class="facet-info' in dom and "channels (array)" in dom and "Peristiwa" in dom
    articles = rendered_dom(served + "/articles?_size=3")
    cells = articles.split('<td class="col-body_text')[1:]
    assert len(cells) == 3
    text = [cell.split(">", 1)[1].split("</td>", 1)[0] for cell in cells]
    assert all(t.endswith("…") and len(t) <= TRUNCATE + 40 for t in text), text
