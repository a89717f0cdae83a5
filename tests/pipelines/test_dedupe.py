"""Stage 3: one article row however it was reached."""

from __future__ import annotations

import pytest
from scrapy.exceptions import DropItem

from pipelines.dedupe import DeduplicationPipeline
from tests.helpers import ORIGIN
from tests.pipelines.conftest import BKD, CABAI, Chain, article


def test_the_same_url_twice_in_a_run_is_dropped_and_keeps_its_urls(chain: Chain) -> None:
    assert chain.push(article(BKD)) is not None
    again = article(BKD)
    again.aliases = [f"{ORIGIN}/bkd-siapkan-usulan-guru-pppk/"]  # e.g. reached through a redirect this time
    assert chain.push(again) is None
    assert chain.stats()["duplicates/in_run"] == 1
    assert chain.query("SELECT count(*) FROM articles") == [(1,)]
    assert (f"{ORIGIN}/bkd-siapkan-usulan-guru-pppk/", 1) in chain.query("SELECT url, article_id FROM aliases")


def test_the_second_copy_is_dropped_even_before_the_first_is_stored(chain: Chain) -> None:
    dedupe = chain.stage(DeduplicationPipeline)
    first, second = article(BKD), article(BKD)
    assert dedupe.process_item(first) is first
    with pytest.raises(DropItem):
        dedupe.process_item(second)


def test_a_renamed_slug_matches_by_wordpress_post_id(chain: Chain) -> None:
    chain.push(article(BKD))
    renamed = article(BKD, url=f"{ORIGIN}/bkd-kab-kediri-siapkan-usulan-guru-pppk/")
    renamed = chain.push_through(renamed, DeduplicationPipeline)
    assert (renamed.article_id, renamed.match_reason) == (1, "wp_post_id")
    assert chain.stats()["duplicates/wp_post_id"] == 1


def test_a_repost_matches_by_its_text(chain: Chain) -> None:
    chain.push(article(CABAI))
    repost = article(CABAI, url=f"{ORIGIN}/harga-cabai-rawit-tembus-rp-90-ribu/", wp_post_id=9999,
                     published_at="2021-02-20T08:00:00+07:00")  # fmt: skip
    repost.body_text = repost.body_text.replace(". ", ".  ")  # whitespace does not make it another text
    repost = chain.push_through(repost, DeduplicationPipeline)
    assert (repost.article_id, repost.match_reason) == (1, "repost")
    assert chain.stats()["duplicates/repost"] == 1


def test_a_known_alias_matches(chain: Chain) -> None:
    chain.push(article(BKD))
    via_shortlink = article(BKD, url=f"{ORIGIN}/?p=2263", wp_post_id=None)
    via_shortlink = chain.push_through(via_shortlink, DeduplicationPipeline)
    assert (via_shortlink.article_id, via_shortlink.match_reason) == (1, "alias")


def test_a_new_article_has_no_match(chain: Chain) -> None:
    chain.push(article(BKD))
    other = article(CABAI)
    other = chain.push_through(other, DeduplicationPipeline)
    assert (other.article_id, other.match_reason) == (None, None)
    assert not any(key.startswith("duplicates/") for key in chain.stats())
