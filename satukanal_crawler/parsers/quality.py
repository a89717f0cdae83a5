"""Signs that extraction went wrong on a stored record (issue #13: a markup change must show on the
first run after it, not in a researcher's analysis a year later).

A pure function of the record: the crawl counts the flags per kind and a monitoring check compares
them with a threshold. Each flag names something the contract excludes from body_text that is there
anyway, or a field every article has that is missing, so a theme change that breaks a rule shows as
a jump in one kind.
"""

from __future__ import annotations

import re
from typing import Any

from satukanal_crawler.parsers.blocks import BACA_JUGA, RELATED
from satukanal_crawler.parsers.patterns import label_after_name, parse_byline_block, split_dateline

FLAGS = (
    "baca_juga_in_body",  # a "Baca Juga" label line left in body_text (rule 12/13)
    "byline_in_body",  # a Pewarta/Editor line left in body_text (rule 7)
    "dateline_in_body",  # the lead still starts with its dateline (rule 5)
    "widget_heading_in_body",  # "Berita Terkait", "Terpopuler", "Tags:" ... as a paragraph
    "share_labels_in_body",  # share buttons' labels as a paragraph
    "missing_title",
    "missing_date",
)
_WIDGET_HEADING = re.compile(
    r"^(?:terpopuler|populer|berita populer|terkini|berita terkini|trending|tags?\s*:?|topik\s*:?|"
    r"komentar|tinggalkan komentar|leave a (?:reply|comment))\W*$",
    re.IGNORECASE,
)
_SHARE_WORDS = frozenset(
    {"bagikan", "share", "facebook", "twitter", "whatsapp", "telegram", "linkedin", "email", "e-mail", "x",
     "salin", "copy", "link", "tautan", "print", "cetak", "line", "pinterest"}
)  # fmt: skip
_WORD = re.compile(r"[\w-]+")


def quality_flags(record: dict[str, Any]) -> list[str]:
    """The FLAGS that apply to a contract record, in FLAGS order; [] for a record that looks right."""
    found: set[str] = set()
    paragraphs = [p for p in (record.get("body_text") or "").split("\n\n") if p]
    for i, paragraph in enumerate(paragraphs):
        if BACA_JUGA.match(paragraph):
            found.add("baca_juga_in_body")
        if len(paragraph) <= 200 and (parse_byline_block(paragraph) or label_after_name(paragraph)):
            found.add("byline_in_body")
        if _WIDGET_HEADING.match(paragraph) or (len(paragraph) <= 60 and RELATED.fullmatch(paragraph)):
            found.add("widget_heading_in_body")
        words = [w.lower() for w in _WORD.findall(paragraph)]
        if words and len(words) <= 12 and sum(w in _SHARE_WORDS for w in words) >= max(2, len(words) - 1):
            found.add("share_labels_in_body")
        if i == 0 and split_dateline(paragraph)[0]:
            found.add("dateline_in_body")
    if not (record.get("title") or "").strip():
        found.add("missing_title")
    if not record.get("published_at"):
        found.add("missing_date")
    return [flag for flag in FLAGS if flag in found]
