"""Indonesian newsroom conventions in text: bylines and datelines.

These are the only fields with no standard markup; they are recognised from the text itself, with
patterns strict enough that ordinary sentences ("Penulis buku itu ...", a later mention of the outlet)
never match.
"""

from __future__ import annotations

import re

from satukanal_crawler.parsers.text import clean

REPORTER_LABELS = ("pewarta", "reporter", "penulis", "wartawan", "jurnalis")
EDITOR_LABELS = ("editor", "redaktur")
# `Red:` (Republika) abbreviates Redaktur, and only with its colon: "Red" alone is a word.
_LABEL = r"(?P<label>pewarta|reporter|penulis|wartawan|jurnalis|editor|redaktur|red(?=[ \t\u00a0]*[:：]))"
# The label, then a colon (spaces optional) or a non-breaking space.
_LABEL_SEP = _LABEL + r"(?:[ \t\u00a0]*[:：][ \t\u00a0]*|[ \t]*\u00a0[ \t\u00a0]*)"
_LINE_BYLINE = re.compile(r"^[\s(\[]*" + _LABEL_SEP, re.IGNORECASE)
_ANY_LABEL = re.compile(r"(?:^|(?<=[\s|·•/,;(\[]))" + _LABEL_SEP, re.IGNORECASE)
# Searched, so a match may only start where a run of spaces starts: otherwise every space of a long run
# would start its own scan to the run's end (quadratic). The leftmost match is the same either way.
_NAME_END = re.compile(r"(?<!\s)(?:\s*[|·•/;\u2028]\s*|\s+[-–—]\s+)")
_NOT_WORD = re.compile(r"[\W_]+")
_NAME_OK = re.compile(r"^[^\W\d_](?:[^\W\d_]|[.,'’`()\- ])*$")  # letters and name punctuation, no digits


def _name(raw: str) -> str | None:
    name = clean(raw).strip(" ,;:-–—)]")
    if not name or len(name) > 60 or len(name.split()) > 7 or not _NAME_OK.match(name):
        return None
    return name


def _segments(text: str) -> list[tuple[str, str]] | None:
    """(label, name) pairs when `text` consists of byline segments only, else None."""
    matches = list(_ANY_LABEL.finditer(text))
    if not matches:
        return None
    out = []
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        chunk = text[m.end() : end]
        cut = _NAME_END.search(chunk)
        if cut:
            if _NOT_WORD.sub("", chunk[cut.end() :]):
                return None  # more than a name follows: a sentence, not a byline
            chunk = chunk[: cut.start()]
        name = _name(chunk)
        if name is None:
            return None
        out.append((m["label"].lower(), name))
    return out


def parse_byline_block(raw: str) -> dict[str, str] | None:
    """{'reporter'/'editor': name} when every line of a paragraph is a byline, else None."""
    found: dict[str, str] = {}
    lines = [line for line in raw.split("\u2028") if clean(line)]
    if not lines:
        return None
    for line in lines:
        if not _LINE_BYLINE.match(line):
            return None
        segments = _segments(line.strip(" \t([)]"))
        if not segments:
            return None
        for label, name in segments:
            found.setdefault(_key(label), name)
    return found


def _key(label: str) -> str:
    return "reporter" if label.lower() in REPORTER_LABELS else "editor"


# A label standing alone (its own table cell or span, the name in the next or previous one), and a
# label after the name ("Rina Kusumawati / Jurnalis").
_BARE_LABEL = re.compile(
    r"^[\s(\[/|]*(?P<label>pewarta|reporter|penulis|wartawan|jurnalis|editor|redaktur|red(?=[ \t\u00a0]*[:：]))"
    r"[ \t\u00a0]*+[:：]?[\s)\]]*$",
    re.IGNORECASE,
)
_LABEL_AFTER = re.compile(
    r"^(?P<name>[^/|:：]{2,60}?)[ \t\u00a0]*[/|][ \t\u00a0]*"
    r"(?P<label>pewarta|reporter|penulis|wartawan|jurnalis|editor|redaktur)[ \t\u00a0]*+$",
    re.IGNORECASE,
)


def bare_label(text: str) -> str | None:
    """'reporter' or 'editor' when `text` is a byline label and nothing else ("Penulis", "Editor :")."""
    m = _BARE_LABEL.match(text) if len(text) <= 20 else None
    return _key(m["label"]) if m else None


def name_for_label(text: str) -> str | None:
    """The name in the cell or element beside a bare label (": Ervan Hardoko" -> "Ervan Hardoko")."""
    return _name(text.lstrip(" \t\u00a0:："))


def label_after_name(text: str) -> dict[str, str] | None:
    """{'reporter'/'editor': name} for a line of the form "Name / Label"."""
    m = _LABEL_AFTER.match(clean(text)) if len(text) <= 90 else None
    if not m:
        return None
    name = _name(m["name"])
    return {_key(m["label"]): name} if name else None


def find_bylines(text: str) -> dict[str, str]:
    """Byline names anywhere in a short meta text ("Oleh X · Reporter: Y · Editor: Z")."""
    found: dict[str, str] = {}
    for m in _ANY_LABEL.finditer(text):
        chunk = text[m.end() :]
        nxt = _ANY_LABEL.search(chunk)
        if nxt:
            chunk = chunk[: nxt.start()]
        cut = _NAME_END.search(chunk)
        if cut:
            chunk = chunk[: cut.start()]
        name = _name(chunk)
        if name:
            found.setdefault(_key(m["label"]), name)
    return found


_OUTLET = r"(?i:satukanal(?:\s*\.\s*com)?|[a-z][\w-]*(?:\.[a-z][\w-]*)*\.(?:com|co\.id|id|net|org|news|tv|info))"
_PLACE = r"(?P<place>[A-Z][\w.'’]*(?:[ \u00a0]+(?:[A-Z][\w.'’]*|dan|&)){0,3})"
_PLACE_CAPS = r"(?P<place>[A-Z][A-Z.'’]*(?:[ \u00a0]+[A-Z][A-Z.'’]*){0,3})"
_DASH = r"[\s\u00a0]*(?:[–—|]|-{1,2})[\s\u00a0]*"
_SPACED_DASH = r"(?:[\s\u00a0]*[–—|][\s\u00a0]*|[\s\u00a0]+-{1,2}[\s\u00a0]+)"
# An outlet-only prefix ("Merdeka.com -") names no place. Anchored: searched unanchored, the outlet's
# `[\w-]*` would rescan the rest of a long word from every position.
_IS_OUTLET = re.compile(r"^(?:" + _OUTLET + r")$")
_DATELINES = [
    re.compile(r"^[\W_]{0,3}" + _OUTLET + r"[\s\u00a0]*[,|][\s\u00a0]*" + _PLACE + _DASH),
    re.compile(r"^" + _PLACE + r"[\s\u00a0]*,[\s\u00a0]*" + _OUTLET + _DASH),
    # An outlet, an agency or a date in parentheses after the place: "KEDIRI (ANTARA) -", "BATU (8/4) –".
    re.compile(r"^" + _PLACE + r"[\s\u00a0]*\([^()\n]{1,40}\)" + _DASH),
    re.compile(r"^" + _PLACE_CAPS + _SPACED_DASH + r"(?=[\w\"“‘'])"),
    # A mixed-case place ("Jakarta - ", detik) only before a dash with a space on each side: prose
    # does not start with a capitalised word and a spaced dash.
    re.compile(r"^" + _PLACE + r"(?:[\s\u00a0]+[–—|-]{1,2}[\s\u00a0]+)(?=[\w\"“‘'])"),
]


def split_dateline(lead: str) -> tuple[str | None, str]:
    """(place, lead without its dateline prefix); (None, lead) when the lead has no dateline."""
    for pattern in _DATELINES:
        m = pattern.match(lead)
        if m and m.end() < len(lead):
            place = clean(m["place"])
            if place and len(place) <= 40 and not _IS_OUTLET.match(place):
                return place, lead[m.end() :]
    return None, lead


_SPACED = re.compile(
    r"^(?P<label>pewarta|reporter|penulis|wartawan|jurnalis|editor|redaktur) "
    r"(?P<name>[A-Z][^\s]*(?: [A-Z][^\s]*){0,5})$",
    re.IGNORECASE,
)


def spaced_byline(text: str) -> dict[str, str] | None:
    """ "Penulis Rina Kusumawati": a label and a capitalised name with only a space between, as the
    fallback extractor renders "Penulis&nbsp;Rina" (it turns the no-break space into a space). Only
    read at the end of a fallback text, where a sentence ("Penulis buku itu ...") does not fit."""
    m = _SPACED.match(text) if len(text) <= 80 else None
    if not m or not all(word[0].isupper() for word in m["name"].split()):
        return None
    name = _name(m["name"])
    return {_key(m["label"]): name} if name else None
