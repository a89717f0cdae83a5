"""The one date normaliser: every stored timestamp is ISO 8601 in WIB with seconds."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from satukanal_crawler import dates
from satukanal_crawler.dates import parse_iso, parse_rfc822, parse_visible_date, parse_w3c


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2021-04-08T07:35:12+00:00", "2021-04-08T14:35:12+07:00"),
        ("2021-04-30T23:25:03Z", "2021-05-01T06:25:03+07:00"),
        ("2020-12-31T20:30:00+0000", "2021-01-01T03:30:00+07:00"),
        ("2021-04-08T14:35:12+07:00", "2021-04-08T14:35:12+07:00"),
        ("2021-04-08T14:35:12.123456+07:00", "2021-04-08T14:35:12+07:00"),
        ("2021-04-08 14:35", "2021-04-08T14:35:00+07:00"),
        ("2021-04-08T09:35:12+02:00", "2021-04-08T14:35:12+07:00"),
    ],
)
def test_machine_values_convert_to_wib(value: str, expected: str) -> None:
    assert parse_iso(value) == expected


@pytest.mark.parametrize("value", ["2021-04-08", "", None, "kemarin", "2021-13-45T10:00:00Z", "not a date"])
def test_date_only_and_malformed_machine_values_are_none(value: str | None) -> None:
    assert parse_iso(value) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Kamis, 8 April 2021 - 14:35 WIB", "2021-04-08T14:35:00+07:00"),
        ("Jum’at, 9 Apr 2021 | 14.05 WIB", "2021-04-09T14:05:00+07:00"),
        ("Senin, 2 Agu 2021 08:00", "2021-08-02T08:00:00+07:00"),
        ("12 Okt 2021, 19.30", "2021-10-12T19:30:00+07:00"),
        ("24 Des 2020 pukul 21:15 WIB", "2020-12-24T21:15:00+07:00"),
        ("5 Mei 2021", "2021-05-05T00:00:00+07:00"),
        ("09/04/2021 - 08:30", "2021-04-09T08:30:00+07:00"),
        ("Rabu, 14 Juli 2021 10:00 WITA", "2021-07-14T09:00:00+07:00"),
        ("Diperbarui: Selasa, 4 Mei 2021 - 09:12 WIB", "2021-05-04T09:12:00+07:00"),
    ],
)
def test_visible_indonesian_dates(text: str, expected: str) -> None:
    assert parse_visible_date(text) == expected


@pytest.mark.parametrize("text", ["3 minggu yang lalu", "7 hari yang lalu", "baru saja", "", "Komentar (3)"])
def test_relative_or_dateless_texts_are_none(text: str) -> None:
    assert parse_visible_date(text) is None


def test_feed_and_sitemap_dates() -> None:
    assert parse_rfc822("Fri, 30 Apr 2021 23:25:03 +0000") == "2021-05-01T06:25:03+07:00"
    assert parse_rfc822("garbage") is None
    assert parse_w3c("2021-04-09T01:10:00+00:00") == "2021-04-09T08:10:00+07:00"
    assert parse_w3c("2021-04-09") == "2021-04-09T00:00:00+07:00"


def test_now_is_wib_to_the_second() -> None:
    before = dates.format_wib(datetime.now(UTC))
    now = dates.now_wib()
    after = dates.format_wib(datetime.now(UTC))
    assert before <= now <= after
    assert now.endswith("+07:00") and len(now) == len("2026-01-05T08:00:00+07:00")


@pytest.mark.parametrize(
    "value",
    [
        "9999-12-31T23:59:59-05:00",  # WIB would be in year 10000
        "0001-01-01T00:00:00+14:00",  # WIB would be in year 0
        "2021-04-08T07:35:12+24:00",  # no zone is a day from UTC
        "2021-04-08T07:35:12-99:00",
        "2021-04-08T07:35:12+07:60",
    ],
)
def test_absurd_machine_values_are_rejected_not_raised(value: str) -> None:
    """#17: one such `<time datetime>` on a listing card stopped a crawl; a sitemap `lastmod` lost an article."""
    assert parse_iso(value) is None
    assert parse_w3c(value) is None


def test_absurd_rfc822_dates_are_rejected() -> None:
    assert parse_rfc822("Fri, 31 Dec 9999 23:25:03 -1200") is None
    assert parse_rfc822("Fri, 30 Apr 2021 23:25:03 +9900") is None


def test_extreme_but_real_instants_still_convert() -> None:
    assert parse_iso("2021-04-08T07:35:12+23:59") == "2021-04-07T14:36:12+07:00"
    assert parse_iso("9999-12-31T10:00:00+07:00") == "9999-12-31T10:00:00+07:00"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Kamis, 8 April 2021 - - | 14:35 WIB", "2021-04-08T14:35:00+07:00"),
        ("09/04/2021 , , pukul 08.30", "2021-04-09T08:30:00+07:00"),
        ("8 April 2021" + " - " * 5000, "2021-04-08T00:00:00+07:00"),
    ],
)
def test_separators_in_any_number(text: str, expected: str) -> None:
    assert parse_visible_date(text) == expected
