"""End-of-run checks: did this run work, or did the portal change under us?

Plain functions over the run's Scrapy stats and the archive's earlier runs, not Spidermon: the checks
that matter here compare a run with the archive's own history (a channel that used to yield articles
and now yields none), which Spidermon's per-run monitor suites do not model, and five small functions
are easier to read, test and configure than a framework and its dependency tree.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

COVERAGE_FIELDS = ("title", "published_at", "body_text", "reporter", "dateline")
DEFAULTS: dict[str, Any] = {
    "SATUKANAL_CHECK_MAX_ERROR_RATIO": 0.10,
    "SATUKANAL_CHECK_MAX_BLOCKED_RATIO": 0.20,
    "SATUKANAL_CHECK_MIN_COVERAGE": {
        "title": 1.0,
        "published_at": 1.0,
        "body_text": 1.0,
        "reporter": 0.5,
        "dateline": 0.5,
    },
    "SATUKANAL_CHECK_COVERAGE_MIN_ARTICLES": 5,
    "SATUKANAL_CHECK_CHANNEL_HISTORY": 3,
}


@dataclass
class Check:
    name: str
    ok: bool
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _ratio(part: float, whole: float) -> float:
    return part / whole if whole else 0.0


def _responses(stats: dict[str, Any], *statuses: int) -> int:
    return sum(int(stats.get(f"downloader/response_status_count/{s}", 0)) for s in statuses)


def check_fetched(stats: dict[str, Any]) -> Check:
    ok_pages = sum(v for k, v in stats.items() if k.startswith("downloader/response_status_count/2"))
    return Check("pages_fetched", ok_pages > 0, f"{ok_pages} pages fetched with status 2xx")


def check_errors(stats: dict[str, Any], max_ratio: float, min_articles: int = 5) -> Check:
    """Failed article pages (errors after retries, pages the callback or the validation rejected) against the
    article pages requested: discovery requests (sitemaps, channels) would dilute a broken article parser. A
    404/410 is not a failure (the article is gone). Below `min_articles` pages, one transient error would fail
    a quiet cron run: the failed URLs are retried by the next run anyway, and status lists them."""
    requests = int(stats.get("satukanal/article_requests", 0))
    failures = int(stats.get("satukanal/article_failures", 0)) + int(stats.get("satukanal/rejected", 0))
    if 0 < requests < min_articles:
        return Check("error_ratio", True, f"{failures} failed of {requests} article pages: too few to judge")
    if not requests:  # no article was requested: judge every request instead
        requests = int(stats.get("downloader/request_count", 0))
        failures = int(stats.get("satukanal/urls/failed", 0)) + int(stats.get("spider_exceptions/count", 0))
        ratio = _ratio(failures, requests)
        return Check("error_ratio", ratio <= max_ratio,
                     f"{failures} failed of {requests} requests ({ratio:.1%}, max {max_ratio:.0%})")  # fmt: skip
    ratio = _ratio(failures, requests)
    detail = f"{failures} failed of {requests} article pages ({ratio:.1%}, max {max_ratio:.0%})"
    return Check("error_ratio", ratio <= max_ratio, detail)


def check_blocked(stats: dict[str, Any], max_ratio: float) -> Check:
    responses = int(stats.get("downloader/response_count", 0))
    blocked = _responses(stats, 401, 403, 429, 451)
    forbidden = int(stats.get("robotstxt/forbidden", 0))
    requests = int(stats.get("downloader/request_count", 0)) + forbidden
    ratio = max(_ratio(blocked, responses), _ratio(forbidden, requests))
    return Check(
        "not_blocked",
        ratio <= max_ratio,
        f"{blocked} responses 401/403/429/451 of {responses}, {forbidden} requests forbidden by robots.txt",
    )


def check_coverage(stats: dict[str, Any], minimum: dict[str, float], min_articles: int) -> Check:
    seen = int(stats.get("satukanal/fields/seen", 0))
    if seen < min_articles:
        return Check("field_coverage", True, f"{seen} articles parsed: too few to judge coverage (< {min_articles})")
    low = []
    parts = []
    for name in COVERAGE_FIELDS:
        share = 1.0 - _ratio(int(stats.get(f"satukanal/fields/missing/{name}", 0)), seen)
        parts.append(f"{name} {share:.0%}")
        if share < minimum.get(name, 0.0):
            low.append(f"{name} {share:.0%} < {minimum[name]:.0%}")
    detail = f"{seen} articles parsed: " + (", ".join(low) if low else ", ".join(parts))
    return Check("field_coverage", not low, detail)


def check_channels(stats: dict[str, Any], history: list[dict[str, Any]], runs: int) -> Check:
    """A channel whose first page listed articles in each of the last `runs` runs and lists none now."""
    prefix = "satukanal/channel_articles/"
    now = {k[len(prefix) :]: int(v) for k, v in stats.items() if k.startswith(prefix)}
    recent = history[:runs]
    if len(recent) < runs:
        return Check("channels_yield", True, f"{len(now)} channels read; fewer than {runs} earlier runs to compare")
    silent = []
    for channel, count in now.items():
        if count == 0 and all(int(h.get(prefix + channel, 0)) > 0 for h in recent):
            silent.append(channel)
    if silent:
        detail = f"channels that usually list articles list none: {', '.join(sorted(silent))}"
        return Check("channels_yield", False, detail)
    return Check("channels_yield", True, f"{len(now)} channels read, each as productive as usual")


def run_checks(stats: dict[str, Any], history: list[dict[str, Any]], settings: Any = None) -> list[Check]:
    """All checks of one run; `history` holds the stats of earlier finished runs, newest first."""

    def setting(name: str) -> Any:
        if settings is not None and settings.get(name) is not None:
            value = settings.get(name)
            if isinstance(DEFAULTS[name], dict) and not isinstance(value, dict):
                return settings.getdict(name)
            return type(DEFAULTS[name])(value) if not isinstance(DEFAULTS[name], dict) else value
        return DEFAULTS[name]

    return [
        check_fetched(stats),
        check_blocked(stats, setting("SATUKANAL_CHECK_MAX_BLOCKED_RATIO")),
        check_errors(
            stats, setting("SATUKANAL_CHECK_MAX_ERROR_RATIO"), setting("SATUKANAL_CHECK_COVERAGE_MIN_ARTICLES")
        ),
        check_coverage(
            stats, setting("SATUKANAL_CHECK_MIN_COVERAGE"), setting("SATUKANAL_CHECK_COVERAGE_MIN_ARTICLES")
        ),
        check_channels(stats, history, setting("SATUKANAL_CHECK_CHANNEL_HISTORY")),
    ]
