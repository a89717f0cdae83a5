"""Stage 1: an article without its required fields is rejected, and its URL is remembered for a retry."""

from __future__ import annotations

import pytest
from scrapy.exceptions import DropItem

from pipelines.validate import ValidationPipeline, problems
from tests.pipelines.conftest import BKD, FETCHED, Chain, article


def test_a_valid_item_passes_untouched(chain: Chain) -> None:
    item = article(BKD)
    before = item.record()
    assert chain.stages[0].process_item(item) is item
    assert item.record() == before
    assert problems(item) == []
    assert chain.query("SELECT count(*) FROM rejects") == [(0,)]


def test_an_invalid_item_is_dropped_with_its_reasons(chain: Chain) -> None:
    item = article(BKD, title="  ", published_at="22/03/2021 09:12")
    with pytest.raises(DropItem):
        chain.stages[0].process_item(item)
    [(url, reason, attempts)] = chain.query("SELECT url, reason, attempts FROM rejects")
    assert url == item.pages[0].url
    assert "title is empty" in reason
    assert "published_at is not ISO 8601" in reason
    assert attempts == 1
    [(kind, error, tries, fetched)] = chain.query(
        "SELECT kind, error, attempts, last_fetched_at FROM url_state WHERE url = ?", url
    )
    assert (kind, tries, fetched) == ("failed", 1, FETCHED)
    assert error.startswith("rejected: ") and "title is empty" in error
    assert chain.query("SELECT count(*) FROM articles") == [(0,)]
    assert chain.stats()["rejected"] == 1


def test_a_rejected_url_counts_its_attempts_and_is_cleared_once_stored(chain: Chain) -> None:
    for _ in range(2):
        assert chain.push(article(BKD, body_text="")) is None
    assert chain.query("SELECT attempts FROM rejects") == [(2,)]
    assert chain.query("SELECT kind, attempts FROM url_state") == [("failed", 2)]
    assert chain.push(article(BKD)) is not None
    assert chain.query("SELECT count(*) FROM rejects") == [(0,)]
    state = "SELECT kind, attempts, article_id FROM url_state WHERE kind != 'pending'"  # not its links' targets
    assert chain.query(state) == [("article", 0, 1)]


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"url": "/relative/path/"}, "url is not an absolute http(s) URL"),
        ({"body_text": " \n\n "}, "body_text is empty"),
        ({"published_at": "2021-03-22T09:12:07"}, "published_at is not ISO 8601 with an offset"),
        ({"modified_at": "kemarin"}, "modified_at is not ISO 8601 with an offset"),
        ({"wp_post_id": 0}, "wp_post_id is not a positive integer"),
        ({"wp_post_id": "2263"}, "wp_post_id is not a positive integer"),
    ],
)
def test_each_required_field_is_checked(changes: dict, reason: str) -> None:
    found = problems(article(BKD, **changes))
    assert len(found) == 1 and found[0].startswith(reason)


def test_other_items_pass_through(chain: Chain) -> None:
    other = {"not": "an article"}
    assert ValidationPipeline.from_crawler(chain.crawler).process_item(other) is other
