"""When an archived article is worth fetching again to catch a silent edit: often while it is young, rarely later.

Portals correct articles mostly in the first hours (a name, a number, a photo caption), some in the first days,
few after a month, and a correction does not always change the sitemap's lastmod. NewsDiffs, which tracked
edits of news sites for years, re-checked on this kind of decaying schedule; the steps here are its own, counted
from publication: every 15 minutes for the first 3 hours, hourly for the rest of the first day, every 3 hours in
the first week, every 3 days in the first month, every 30 days in the first year, then twice a year.

This module is only the schedule, a pure function of four values, so it is tested alone and any caller (the crawl's
frontier) can apply it within its own per-run request budget: `overdue` orders the due articles, most overdue
first. `checks_so_far` guards the schedule against a wrong publication date: an article already checked
MAX_CHECKS times is treated as old (a misparsed date that keeps it "young" would otherwise cost a fetch every 15
minutes forever).
"""

from __future__ import annotations

from datetime import datetime, timedelta

# (age below which, interval between checks), from publication
STEPS: tuple[tuple[timedelta, timedelta], ...] = (
    (timedelta(hours=3), timedelta(minutes=15)),
    (timedelta(days=1), timedelta(hours=1)),
    (timedelta(days=7), timedelta(hours=3)),
    (timedelta(days=30), timedelta(days=3)),
    (timedelta(days=365), timedelta(days=30)),
)
RARELY = timedelta(days=182)
# What the schedule spends in its first year: 12 + 21 + 48 + 8 + 11 checks; past this, the date is suspect.
MAX_CHECKS = 120


def _aware(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must carry its offset (the archive stores +07:00), got {value.isoformat()}")
    return value


def interval(age: timedelta, checks_so_far: int = 0) -> timedelta:
    """How long to wait between two checks of an article of this age."""
    if checks_so_far >= MAX_CHECKS:
        return RARELY
    for below, every in STEPS:
        if age < below:
            return every
    return RARELY


def next_check_at(published_at: datetime, last_checked_at: datetime | None, checks_so_far: int) -> datetime:
    """When the article is next due: at once (its publication time) if it was never checked, else one interval
    after the last check, the interval chosen by the article's age at that check."""
    published_at = _aware(published_at, "published_at")
    if last_checked_at is None:
        return published_at
    last_checked_at = _aware(last_checked_at, "last_checked_at")
    age = max(last_checked_at - published_at, timedelta(0))  # a date in the future counts as just published
    return last_checked_at + interval(age, checks_so_far)


def due(published_at: datetime, last_checked_at: datetime | None, now: datetime, checks_so_far: int) -> bool:
    """Whether the article should be fetched again now."""
    return _aware(now, "now") >= next_check_at(published_at, last_checked_at, checks_so_far)


def overdue(published_at: datetime, last_checked_at: datetime | None, now: datetime, checks_so_far: int) -> float:
    """How late the check is, in intervals (0 when just due, negative when not yet): a per-run budget fetches the
    most overdue first, so a young article late by 2 of its 15-minute intervals goes before an old one late by a
    day of its 30."""
    now = _aware(now, "now")
    at = next_check_at(published_at, last_checked_at, checks_so_far)
    if last_checked_at is None:
        return float("inf")
    step = at - _aware(last_checked_at, "last_checked_at")
    return (now - at) / step
