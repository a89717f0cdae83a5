"""Archives the analysts' commands are tested on: the demo crawl of the bundled snapshot, as a new user makes it,
and one where the snapshot's articles are edited the way the portal edits them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.cli import satukanal
from tests.pipelines.conftest import BKD, CABAI, Chain, article


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`satukanal crawl --demo --db ...`: the snapshot's 14 articles, as README's first step makes them."""
    db = tmp_path_factory.mktemp("demo") / "demo.db"
    result = satukanal("crawl", "--demo", "--db", str(db), "-q", cwd=db.parent)
    assert result.returncode == 0, result.stderr
    return db


@pytest.fixture
def demo_copy(demo: Path, tmp_path: Path) -> Path:
    """A copy of the demo archive a test may change."""
    copy = tmp_path / "copy.db"
    shutil.copy(demo, copy)
    return copy


@pytest.fixture(scope="session")
def edited(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """BKD stored, then fetched again with a corrected headline and a paragraph added (a refetch revision),
    then again with a corrected number; CABAI stored once."""
    db = tmp_path_factory.mktemp("edited") / "satukanal.db"
    chain = Chain(db)
    first = article(BKD)
    assert chain.push(first) is not None
    assert chain.push(article(CABAI)) is not None
    chain.close()
    body = first.body_text
    chain = Chain(db)
    chain.push(article(BKD, title="BKD Kab. Kediri Siapkan 893 Usulan Guru PPPK 2021",
                       body_text=body + "\n\nUsulan itu diresmikan bupati pekan depan."))  # fmt: skip
    chain.close()
    chain = Chain(db)
    added = "\n\nUsulan itu diresmikan bupati pekan depan."
    chain.push(article(BKD, title="BKD Kab. Kediri Siapkan 894 Usulan Guru PPPK 2021",
                       body_text=body.replace("893", "894") + added))  # fmt: skip
    chain.close()
    return db
