"""Whitespace and entity rules shared by every field.

The contract compares text exactly, so there is one definition of "normalised text": entities decoded
(lxml does that), every run of whitespace including U+00A0 collapsed to one space, trimmed.
"""

from __future__ import annotations

import html
import re

# str.split() already splits on every Unicode space (U+00A0, U+2028 ...); zero-width marks are deleted.
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\u00ad\ufeff]")


def clean(text: str | None) -> str:
    """Collapse whitespace (incl. non-breaking and zero-width spaces) and trim."""
    if not text:
        return ""
    if _ZERO_WIDTH.search(text):
        text = _ZERO_WIDTH.sub("", text)
    return " ".join(text.split())


def text_of(el) -> str:
    """All text below an element, like a browser's textContent (lxml.html's text_content, for etree)."""
    return "".join(el.itertext())


def unescape_clean(text: str | None) -> str:
    """For values that arrive still entity-encoded (JSON-LD strings, attribute double-escapes)."""
    if not text:
        return ""
    return clean(html.unescape(text))
