"""bench/peers.py runs on a folder in the peers' own layout and prints every figure (not a timed test)."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.helpers import ROOT

PAGE = (
    "<html><head><meta property='og:type' content='article'>"
    "<meta property='article:published_time' content='2021-04-08T07:35:12+00:00'></head><body>"
    "<article><h1>Judul</h1><div class='entry-content'><p>{text}</p><p>Paragraf kedua yang cukup panjang "
    "untuk dianggap isi berita oleh pengekstrak mana pun di sini.</p></div></article></body></html>"
)


def test_prints_dates_texts_and_times_for_both_sets(tmp_path) -> None:
    hd, tr = tmp_path / "htmldate", tmp_path / "trafilatura"
    for folder in (hd / "tests" / "eval", hd / "tests" / "test_set", tr / "tests" / "eval"):
        folder.mkdir(parents=True)
    (hd / "tests" / "eval" / "a.html").write_text(PAGE.format(text="Warga berkumpul di balai desa."), "utf-8")
    (hd / "tests" / "test_set" / "b.html").write_text(PAGE.format(text="Harga cabai naik lagi."), "utf-8")
    (hd / "tests" / "eval_default.json").write_text(
        json.dumps({"https://a.example/x": {"file": "a.html", "date": "2021-04-08"}}), "utf-8"
    )
    (hd / "tests" / "eval_mediacloud_2020.json").write_text(
        json.dumps({"https://b.example/y": {"file": "b.html", "date": "NaN"}}), "utf-8"
    )
    # a copy that dropped the link from trafilatura's folder to htmldate's: a stub holding the target
    (tr / "tests" / "eval" / "a.html").write_text("../../../htmldate/tests/eval/a.html", "utf-8")
    (tr / "tests" / "evaldata.json").write_text(
        json.dumps({"https://a.example/x": {"file": "a.html", "with": ["Warga berkumpul"], "without": ["Judul"]}}),
        "utf-8",
    )
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "peers.py"), "--htmldate", str(hd), "--trafilatura", str(tr)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "htmldate's set: 2 pages (1 labelled)" in out
    assert "ours (WIB or UTC day)    accuracy 0.500  P 0.500  R 1.000" in out  # the NaN page's date is an fp
    assert "trafilatura's set: 1 pages" in out
    assert "ours                             F 1.000  P 1.000  R 1.000" in out
    for label in ("htmldate find_date", "trafilatura bare_extraction", "median time ours / trafilatura"):
        assert label in out


def test_a_folder_not_in_the_layout_is_one_line_and_status_2(tmp_path) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "peers.py"), "--htmldate", str(tmp_path)], capture_output=True, text=True
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
