"""The project's one date normaliser.

Every timestamp the archive stores is ISO 8601 with seconds and an explicit offset. Article dates are
always expressed in WIB (UTC+07:00, the portal's zone), whatever zone the page states them in, so a
reader sees the date printed on the article. Machine values (ISO 8601, RFC 822) take the fast path;
visible Indonesian dates have an exact regex path for the formats news themes print; dateparser is kept
for free-form text only, because it is slow (hundreds of ms on bad input).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

WIB = timezone(timedelta(hours=7), "WIB")
_ZONES = {"WIB": 7, "WITA": 8, "WIT": 9, "UTC": 0, "GMT": 0}

MONTHS = {
    "januari": 1, "jan": 1, "january": 1,
    "februari": 2, "feb": 2, "pebruari": 2, "peb": 2, "february": 2,
    "maret": 3, "mar": 3, "march": 3,
    "april": 4, "apr": 4,
    "mei": 5, "may": 5,
    "juni": 6, "jun": 6, "june": 6,
    "juli": 7, "jul": 7, "july": 7,
    "agustus": 8, "agu": 8, "agt": 8, "ags": 8, "agus": 8, "aug": 8, "august": 8,
    "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "oct": 10, "october": 10,
    "november": 11, "nov": 11, "nop": 11, "nopember": 11,
    "desember": 12, "des": 12, "dec": 12, "december": 12,
}  # fmt: skip

# Every pattern here runs on page text an attacker may write, so none may backtrack more than linearly:
# repeated groups have alternatives that cannot start alike, and a run of spaces is taken possessively
# (`*+`) where a later part could take the same spaces (see tests/test_dates.py, bounded work).
_ISO = re.compile(
    r"^\s*+(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d++)?)?\s*+(Z|[+-]\d{2}:?\d{2})?\s*$",
    re.IGNORECASE,
)
_TIME = r"(?P<H>[01]?\d|2[0-3])[:.](?P<M>[0-5]\d)(?:[:.](?P<S>[0-5]\d))?(?:\s*+(?P<tz>WIB|WITA|WIT|UTC|GMT)\b)?"
# Separators between a date and its time, in any mix and number ("- 14:05", ", pukul 14.05", " | 14:05").
# One token per repetition, no two alternatives starting alike: the old `(?:\s*X\s*|\s+)+` could split
# a run of spaces between its parts in exponentially many ways.
_SEP = r"(?:[\s|,\-–—•·@]|pukul|jam|pkl\.?|at)+"
_TEXT_DATE = re.compile(
    r"(?P<d>[0-3]?\d)\s+(?P<mon>[A-Za-z]{3,9})\.?,?\s+(?P<y>(?:19|20)\d{2})(?:" + _SEP + _TIME + r")?",
    re.IGNORECASE,
)
_NUM_DATE = re.compile(
    r"(?<![\d/.-])(?P<d>[0-3]?\d)[/.-](?P<m>[01]?\d)[/.-](?P<y>(?:19|20)\d{2})(?:" + _SEP + _TIME + r")?",
    re.IGNORECASE,
)
_ISO_DATE_TEXT = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d{2})-(?P<m>[01]\d)-(?P<d>[0-3]\d)(?:" + _SEP + _TIME + r")?",
    re.IGNORECASE,
)
_W3C_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DIGIT = re.compile(r"\d")
_RELATIVE = re.compile(r"\b(lalu|yang lalu|ago|kemarin|hari ini|baru saja|just now)\b", re.IGNORECASE)
_HAS_MONTH_WORD = re.compile("|".join(sorted(MONTHS, key=len, reverse=True)), re.IGNORECASE)


def format_wib(dt: datetime) -> str:
    """ISO 8601 in WIB with seconds; a naive value is taken to be WIB already."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=WIB)
    return dt.astimezone(WIB).replace(microsecond=0).isoformat()


_now_cache: tuple[int, str] = (-1, "")


def now_wib() -> str:
    """The current time, formatted like every other stored timestamp (to the second, so one formatting
    per second serves every item stored in it)."""
    global _now_cache
    second = int(time.time())
    if _now_cache[0] != second:
        _now_cache = (second, format_wib(datetime.fromtimestamp(second, UTC)))
    return _now_cache[1]


def parse_iso(value: str | None) -> str | None:
    """A machine-readable ISO 8601 date-time in WIB, or None for date-only or malformed values."""
    if not value:
        return None
    m = _ISO.match(value)
    if not m:
        return None
    y, mo, d, hh, mm, ss, tz = m.groups()
    try:
        dt = datetime(int(y), int(mo), int(d), int(hh), int(mm), int(ss or 0))
    except ValueError:
        return None
    if tz:
        if tz.upper() == "Z":
            offset = timedelta(0)
        else:
            sign = -1 if tz[0] == "-" else 1
            digits = tz[1:].replace(":", "")
            hours, minutes = int(digits[:2]), int(digits[2:])
            if hours > 23 or minutes > 59:  # no zone is a day or more from UTC: a malformed value
                return None
            offset = sign * timedelta(hours=hours, minutes=minutes)
        dt = dt.replace(tzinfo=timezone(offset))
    return _format_or_none(dt)


def _format_or_none(dt: datetime) -> str | None:
    """`format_wib`, or None when the instant has no WIB date (year 1 or 9999 shifted out of range)."""
    try:
        return format_wib(dt)
    except OverflowError:
        return None


# What CMSes write when they get ISO 8601 wrong: a space before the T, dashes in the time, a zone
# followed by a stray Z, no zone at all. The wall time is still there; its zone is not to be trusted.
_LOOSE_ISO = re.compile(
    r"^\s*+(\d{4})-(\d{2})-(\d{2})(?:\s*+T\s*+|\s++)(\d{2})[:.\-](\d{2})(?:[:.\-](\d{2})(?:[.,]\d++)?)?"
    r"\s*+(?:Z|[+-]\d{2}:?\d{2})?\s*+Z?\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class MachineDate:
    """A machine-readable date-time as the page wrote it: sound (well-formed, with a zone) or not."""

    wib: str  # the value in WIB when sound; the wall time read as WIB when not
    wall: datetime  # the date-time as written, without its zone
    sound: bool


def parse_machine(value: str | None) -> MachineDate | None:
    """A page's machine-readable date-time, sound or not (CONTRACT rule 6 decides which to trust)."""
    if not value or len(value) > 100:
        return None
    m = _LOOSE_ISO.match(value)
    if not m:
        return None
    y, mo, d, hh, mm, ss = m.groups()
    try:
        wall = datetime(int(y), int(mo), int(d), int(hh), int(mm), int(ss or 0))
    except ValueError:
        return None
    strict = parse_iso(value)
    if strict is not None and _ISO.match(value).group(7):
        return MachineDate(strict, wall, True)
    as_wib = _format_or_none(wall.replace(tzinfo=WIB))
    return MachineDate(as_wib, wall, False) if as_wib else None


def parse_rfc822(value: str | None) -> str | None:
    """An RSS `pubDate` (RFC 822) in WIB, or None."""
    if not value:
        return None
    try:
        return format_wib(parsedate_to_datetime(value.strip()))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def parse_w3c(value: str | None) -> str | None:
    """A sitemap `lastmod` (W3C datetime, possibly date-only) in WIB, or None."""
    if not value:
        return None
    value = value.strip()
    iso = parse_iso(value)
    if iso:
        return iso
    m = _W3C_DATE.fullmatch(value)
    if m:
        try:
            return _format_or_none(datetime(*map(int, m.groups())))
        except ValueError:
            return None
    return None


def _build(y: str, mon: int, d: str, m: re.Match[str]) -> str | None:
    try:
        dt = datetime(int(y), mon, int(d), int(m["H"] or 0), int(m["M"] or 0), int(m["S"] or 0))
    except ValueError:
        return None
    hours = _ZONES.get((m["tz"] or "WIB").upper(), 7)
    return _format_or_none(dt.replace(tzinfo=timezone(timedelta(hours=hours))))


def parse_visible_date(text: str | None, *, free_form: bool = True) -> str | None:
    """A date printed on a page ("Kamis, 8 April 2021 - 14:35 WIB", "09/04/2021 08.30") in WIB.

    Relative texts ("3 minggu yang lalu") give None: resolving them needs a clock, and a parser has none.
    Time defaults to 00:00:00 when only a date is printed.
    """
    if not text:
        return None
    text = text.replace("\xa0", " ")
    if _RELATIVE.search(text):
        return None
    for m in _TEXT_DATE.finditer(text):
        mon = MONTHS.get(m["mon"].lower())
        if mon:
            return _build(m["y"], mon, m["d"], m)
    for pattern in (_ISO_DATE_TEXT, _NUM_DATE):
        m = pattern.search(text)
        if m:
            return _build(m["y"], int(m["m"]), m["d"], m)
    if free_form and len(text) <= 80 and _HAS_MONTH_WORD.search(text) and _DIGIT.search(text):
        return _dateparser(text)
    return None


def _dateparser(text: str) -> str | None:
    import dateparser  # imported lazily: costly to import, and only free-form text needs it

    dt = dateparser.parse(
        text,
        languages=["id", "en"],
        settings={"TIMEZONE": "Asia/Jakarta", "RETURN_AS_TIMEZONE_AWARE": True, "STRICT_PARSING": True},
    )
    return _format_or_none(dt) if dt else None
