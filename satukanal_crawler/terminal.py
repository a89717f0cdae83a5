"""What the crawler prints to a terminal is never raw page text: a title or an error message taken from a
page could otherwise carry escape sequences that recolour, retitle or rewrite the reader's terminal
(ANSI CSI, OSC 8 hyperlinks, backspaces, bidirectional overrides)."""

from __future__ import annotations


def safe(text: object) -> str:
    """`text` as one printable line: every character that is not printable (controls, line breaks, format
    characters such as bidi overrides) shown as a Python escape (`\\x1b`, `\\n`, `\\u202e`)."""
    text = str(text)
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)
