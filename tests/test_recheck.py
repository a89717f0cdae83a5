"""A URL that once looked like a non-article is re-checked while a listing says it is a post: later and
later, a bounded number of times."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st
from scrapy.settings import Settings

from satukanal_crawler.recheck import RecheckPolicy

BUSY = "2026-11-02T08:00:00+07:00"  # the day the portal answered "server sedang sibuk"


def days_later(days: float, start: str = BUSY) -> str:
    return (datetime.fromisoformat(start) + timedelta(days=days)).isoformat()


def test_a_listed_non_article_is_due_after_the_delay_and_then_later_and_later() -> None:
    policy = RecheckPolicy(after_days=7, max_times=3)
    assert not policy.due(listed_as_article=True, fetched_at=BUSY, rechecks=0, now=days_later(6.9))
    assert policy.due(listed_as_article=True, fetched_at=BUSY, rechecks=0, now=days_later(7))
    assert not policy.due(listed_as_article=True, fetched_at=BUSY, rechecks=1, now=days_later(13))
    assert policy.due(listed_as_article=True, fetched_at=BUSY, rechecks=1, now=days_later(14))
    assert policy.due(listed_as_article=True, fetched_at=BUSY, rechecks=2, now=days_later(28))


def test_it_is_bounded_and_only_for_urls_a_listing_calls_posts() -> None:
    policy = RecheckPolicy(after_days=7, max_times=3)
    assert not policy.due(listed_as_article=True, fetched_at=BUSY, rechecks=3, now=days_later(3650))
    assert not policy.due(listed_as_article=False, fetched_at=BUSY, rechecks=0, now=days_later(3650))
    assert not RecheckPolicy(after_days=0).due(listed_as_article=True, fetched_at=BUSY, rechecks=0,
                                               now=days_later(3650))  # fmt: skip


def test_an_unknown_or_unreadable_time_is_due() -> None:
    policy = RecheckPolicy()
    assert policy.due(listed_as_article=True, fetched_at=None, rechecks=0, now=BUSY)
    assert policy.due(listed_as_article=True, fetched_at="kemarin", rechecks=0, now=BUSY)


def test_the_policy_comes_from_the_settings() -> None:
    settings = Settings({"SATUKANAL_RECHECK_NON_ARTICLE_DAYS": "2.5", "SATUKANAL_RECHECK_NON_ARTICLE_TIMES": "5"})
    assert RecheckPolicy.from_settings(settings) == RecheckPolicy(after_days=2.5, max_times=5)
    assert RecheckPolicy.from_settings(Settings()) == RecheckPolicy(after_days=7.0, max_times=3)


@given(st.floats(0.5, 30), st.integers(1, 6), st.integers(0, 8))
def test_never_more_than_max_times_however_long_the_wait(after: float, times: int, rechecks: int) -> None:
    policy = RecheckPolicy(after_days=after, max_times=times)
    due = policy.due(listed_as_article=True, fetched_at=BUSY, rechecks=rechecks, now=days_later(100_000))
    assert due == (rechecks < times)
