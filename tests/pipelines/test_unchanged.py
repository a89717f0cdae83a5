"""Stage 2: a re-fetch identical to what the archive holds is recognised before any work is done on it."""

from __future__ import annotations

from pathlib import Path

from pipelines.normalize import NormalizationPipeline
from pipelines.unchanged import UnchangedPipeline
from satukanal_crawler.archive.store import fingerprint
from tests.helpers import ORIGIN
from tests.pipelines.conftest import BKD, CABAI, Chain, article


def test_an_identical_refetch_is_recognised_and_only_seen_again(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    first = Chain(db)
    first.push(article(BKD))
    first.close()
    [(seen_before,)] = first.query("SELECT last_seen_at FROM articles")
    chain = Chain(db)
    item = chain.push_through(article(BKD), UnchangedPipeline)
    assert item.unchanged and (item.article_id, item.match_reason) == (1, "url")
    for stage in chain.stages[chain.stages.index(chain.stage(UnchangedPipeline)) + 1 :]:
        item = stage.process_item(item)
    chain.close()
    assert chain.stats()["articles/unchanged"] == 1
    assert "normalized" not in chain.stats()
    assert chain.query("SELECT count(*) FROM revisions") == [(0,)]
    [(seen_now,)] = chain.query("SELECT last_seen_at FROM articles")
    assert seen_now >= seen_before


def test_a_first_fetch_and_a_changed_one_are_not_unchanged(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    chain = Chain(db)
    assert not chain.push_through(article(BKD), UnchangedPipeline).unchanged  # nothing archived yet
    chain.close()
    run = Chain(db)
    run.push(article(BKD))
    run.close()
    chain = Chain(db)
    edited = article(BKD, title="Formasi Guru Honorer Diumumkan")
    assert not chain.push_through(edited, UnchangedPipeline).unchanged
    chain.close()


def spaced_bkd():
    """BKD as a parser that doubles the spaces after full stops would give it."""
    spaced = article(BKD)
    spaced.body_text = spaced.body_text.replace(". ", ".  ")
    return spaced


def test_whitespace_only_differences_take_the_careful_path_once(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    run = Chain(db)
    run.push(article(BKD))
    run.close()
    chain = Chain(db)
    assert not chain.push_through(spaced_bkd(), UnchangedPipeline).unchanged
    chain.close()
    chain = Chain(db)
    assert chain.push(spaced_bkd()) is not None
    chain.close()
    assert chain.stats()["articles/unchanged"] == 1  # compared with the row: not a revision
    assert chain.query("SELECT count(*) FROM revisions") == [(0,)]
    again = Chain(db)  # the stored fingerprint is now this parse's
    assert again.push_through(spaced_bkd(), UnchangedPipeline).unchanged
    again.close()


def test_new_urls_of_an_unchanged_article_are_still_kept(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    run = Chain(db)
    run.push(article(BKD))
    run.close()
    chain = Chain(db)
    item = article(BKD)
    item.aliases = [f"{ORIGIN}/bkd-siapkan-usulan-guru-pppk/?utm_source=wa"]  # reached through an old slug
    assert chain.push(item).unchanged
    chain.close()
    assert (f"{ORIGIN}/bkd-siapkan-usulan-guru-pppk/", 1) in chain.query("SELECT url, article_id FROM aliases")


def test_the_fingerprint_covers_every_stored_field() -> None:
    base = fingerprint(article(CABAI))
    for name, value in [("title", "x"), ("body_text", "x"), ("body_html", "<p>x</p>"), ("reporter", "x"),
                        ("modified_at", "2026-01-01T00:00:00+07:00"), ("image_url", None), ("wp_post_id", 1),
                        ("page_count", 2), ("categories", ["x"]), ("tags", []), ("url", f"{ORIGIN}/x/"),
                        ("baca_juga", [{"url": f"{ORIGIN}/y/", "title": "y"}])]:  # fmt: skip
        changed = article(CABAI)
        setattr(changed, name, value)
        assert fingerprint(changed) != base, name
    later = article(CABAI)
    later.fetched_at = "2026-02-01T00:00:00+07:00"
    assert fingerprint(later) == base  # when it was fetched is not what it says


def test_normalisation_is_skipped_for_unchanged_items_but_not_their_urls(tmp_path: Path) -> None:
    chain = Chain(tmp_path / "a.db")
    item = article(BKD)
    item.unchanged = True
    item.aliases = [f"{ORIGIN}/?p=2263&utm_source=x", item.url]
    chain.stage(NormalizationPipeline).process_item(item)
    assert item.aliases == [f"{ORIGIN}/?p=2263"]
    chain.close()
