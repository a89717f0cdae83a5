"""The decaying re-check schedule: often while an article is young, rarely later, never looser than its steps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from satukanal_crawler.dates import WIB
from satukanal_crawler.recheck_schedule import MAX_CHECKS, RARELY, due, interval, next_check_at, overdue

PUBLISHED = datetime(2021, 4, 8, 14, 35, 12, tzinfo=WIB)


@pytest.mark.parametrize(("age", "every"), [
    (timedelta(0), timedelta(minutes=15)), (timedelta(hours=2, minutes=59), timedelta(minutes=15)),
    (timedelta(hours=3), timedelta(hours=1)), (timedelta(hours=23), timedelta(hours=1)),
    (timedelta(days=1), timedelta(hours=3)), (timedelta(days=6), timedelta(hours=3)),
    (timedelta(days=7), timedelta(days=3)), (timedelta(days=29), timedelta(days=3)),
    (timedelta(days=30), timedelta(days=30)), (timedelta(days=364), timedelta(days=30)),
    (timedelta(days=365), RARELY), (timedelta(days=3650), RARELY),
])  # fmt: skip
def test_the_steps(age: timedelta, every: timedelta) -> None:
    assert interval(age) == every


def test_never_checked_is_due_at_once() -> None:
    assert due(PUBLISHED, None, PUBLISHED, 0)
    assert due(PUBLISHED, None, PUBLISHED + timedelta(days=900), 0)
    assert overdue(PUBLISHED, None, PUBLISHED, 0) == float("inf")


def test_a_young_article_is_due_after_15_minutes_an_old_one_after_months() -> None:
    checked = PUBLISHED + timedelta(minutes=30)
    assert next_check_at(PUBLISHED, checked, 2) == checked + timedelta(minutes=15)
    assert not due(PUBLISHED, checked, checked + timedelta(minutes=14), 2)
    assert due(PUBLISHED, checked, checked + timedelta(minutes=15), 2)
    old = PUBLISHED + timedelta(days=400)
    assert not due(PUBLISHED, old, old + timedelta(days=100), 60)
    assert due(PUBLISHED, old, old + RARELY, 60)


def test_offsets_are_compared_as_instants() -> None:
    checked_utc = (PUBLISHED + timedelta(hours=1)).astimezone(UTC)
    assert next_check_at(PUBLISHED, checked_utc, 5) == PUBLISHED + timedelta(hours=1, minutes=15)


def test_a_date_in_the_future_counts_as_just_published() -> None:
    checked = PUBLISHED - timedelta(days=2)  # checked "before" publication: a wrong or shifted date
    assert next_check_at(PUBLISHED, checked, 1) == checked + timedelta(minutes=15)


def test_too_many_checks_mean_a_suspect_date() -> None:
    checked = PUBLISHED + timedelta(minutes=30)
    assert next_check_at(PUBLISHED, checked, MAX_CHECKS) == checked + RARELY


def test_dates_without_an_offset_are_refused() -> None:
    with pytest.raises(ValueError, match="offset"):
        due(PUBLISHED.replace(tzinfo=None), None, PUBLISHED, 0)


def test_the_most_overdue_come_first() -> None:
    now = PUBLISHED + timedelta(days=500)
    young_published = now - timedelta(hours=1)
    young = overdue(young_published, now - timedelta(minutes=45), now, 3)  # due 30 min ago: 2 intervals late
    old = overdue(now - timedelta(days=1000), now - timedelta(days=183), now, 40)  # a day late: 1/182 of its interval
    assert young == pytest.approx(2.0) and 0 < old < 0.01
    assert overdue(young_published, now, now, 4) == pytest.approx(-1.0)


ages = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=4000))


@given(ages, ages)
def test_the_interval_never_shrinks_with_age(a: timedelta, b: timedelta) -> None:
    younger, older = sorted((a, b))
    assert interval(younger) <= interval(older)


@given(ages, st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=400)), st.integers(0, 500))
def test_due_exactly_from_the_next_check(age: timedelta, wait: timedelta, checks: int) -> None:
    checked = PUBLISHED + age
    at = next_check_at(PUBLISHED, checked, checks)
    assert at > checked
    assert due(PUBLISHED, checked, checked + wait, checks) == (checked + wait >= at)
    assert (overdue(PUBLISHED, checked, checked + wait, checks) >= 0) == (checked + wait >= at)


def test_a_first_year_costs_about_max_checks() -> None:
    checked, checks = PUBLISHED, 0
    while checked < PUBLISHED + timedelta(days=365):
        checked = next_check_at(PUBLISHED, checked, checks)
        checks += 1
    assert 100 <= checks <= MAX_CHECKS
