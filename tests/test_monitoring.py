"""The end-of-run checks as plain functions of a run's stats and the archive's history."""

from __future__ import annotations

from satukanal_crawler.monitoring import run_checks

GOOD = {
    "downloader/request_count": 40,
    "downloader/response_count": 40,
    "downloader/response_status_count/200": 38,
    "downloader/response_status_count/404": 2,
    "satukanal/fields/seen": 10,
    "satukanal/channel_articles//category/olahraga/": 4,
}


def failed(stats: dict, history: list[dict] | None = None) -> list[str]:
    return [c.name for c in run_checks(stats, history or []) if not c.ok]


def test_a_good_run_passes_every_check() -> None:
    assert failed(GOOD, [GOOD, GOOD, GOOD]) == []


def test_nothing_fetched() -> None:
    assert "pages_fetched" in failed({"downloader/request_count": 3})


def test_error_ratio_over_threshold() -> None:
    assert failed({**GOOD, "satukanal/urls/failed": 5}) == ["error_ratio"]
    assert failed({**GOOD, "satukanal/urls/failed": 4}) == []


def test_error_ratio_counts_failed_article_pages_against_article_pages() -> None:
    """3 of 14 articles failing is a broken run, however many sitemaps and channel pages were fetched beside them."""
    run = {**GOOD, "downloader/request_count": 60, "satukanal/article_requests": 14}
    assert failed({**run, "satukanal/article_failures": 3}) == ["error_ratio"]
    assert failed({**run, "satukanal/article_failures": 1, "satukanal/rejected": 2}) == ["error_ratio"]
    assert failed({**run, "satukanal/article_failures": 1}) == []


def test_blocked_by_403_storm_or_robots() -> None:
    assert "not_blocked" in failed({**GOOD, "downloader/response_status_count/403": 20})
    assert "not_blocked" in failed({**GOOD, "robotstxt/forbidden": 30})


def test_coverage_of_fields() -> None:
    assert failed({**GOOD, "satukanal/fields/missing/reporter": 6}) == ["field_coverage"]
    assert failed({**GOOD, "satukanal/fields/missing/title": 1}) == ["field_coverage"]
    assert failed({**GOOD, "satukanal/fields/missing/reporter": 5}) == []
    few = {**GOOD, "satukanal/fields/seen": 3, "satukanal/fields/missing/reporter": 3}
    assert failed(few) == [], "too few articles to judge"


def test_silent_channel_compared_with_history() -> None:
    silent = {**GOOD, "satukanal/channel_articles//category/olahraga/": 0}
    assert failed(silent, [GOOD, GOOD, GOOD]) == ["channels_yield"]
    assert failed(silent, [GOOD, GOOD]) == [], "not enough history yet"
    quiet_before = {**GOOD, "satukanal/channel_articles//category/olahraga/": 0}
    assert failed(silent, [GOOD, quiet_before, GOOD]) == [], "a channel that was already quiet is not news"
