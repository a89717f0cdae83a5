"""Body text for pages whose theme uses no content container we know.

trafilatura is the best-kept general extractor and, with comments excluded and precision favoured,
scores above its published F1 on the Article Extraction Benchmark (see bench/aeb.py). It is only called
when `content.find_container` finds nothing, so the portal's own pages stay on the fast path.
"""

from __future__ import annotations

import logging

from satukanal_crawler.parsers.patterns import bare_label

logging.getLogger("trafilatura").setLevel(logging.ERROR)


def extract_paragraphs(html: str, url: str) -> list[str]:
    """Article paragraphs of a page by trafilatura's generic extraction, or [] when it finds none."""
    import trafilatura  # here, not at the top: two thirds of the parser's import time, needed only here

    try:
        text = trafilatura.extract(
            html,
            url=url,
            include_comments=False,
            favor_precision=True,
            include_tables=True,
            include_images=False,
            deduplicate=False,
            with_metadata=False,
        )
    except (ValueError, TypeError, AttributeError, RecursionError):  # trafilatura's own bugs on odd markup
        return []
    if not text:
        return []
    return [_untable(line) for line in (part.strip() for part in text.split("\n")) if line]


def _untable(line: str) -> str:
    """A byline table row as trafilatura renders it ("| Penulis | : Name |") back to its line."""
    if not (line.startswith("|") and line.endswith("|")):
        return line
    cells = [cell.strip() for cell in line.strip("|").split("|")]
    if len(cells) == 2 and bare_label(cells[0]):
        return f"{cells[0]} {cells[1]}"
    return line


def find_date(html: str, url: str) -> str | None:
    """The publication date htmldate's extensive search finds on a page that follows none of the
    conventions the parser reads (rule 6's signals all absent), in WIB, or None.

    htmldate returns a date; a time only when the page gives one in a form it reads. A day found
    this way is written at 00:00:00 WIB, like a visible date printed without a time.
    """
    from htmldate import find_date as htmldate_find_date  # lazily, like trafilatura: only such pages

    from satukanal_crawler import dates

    try:
        found = htmldate_find_date(  # the text, not our tree: htmldate cleans the tree it is given
            html, url=url, extensive_search=True, original_date=True, outputformat="%Y-%m-%dT%H:%M:%S"
        )
    except Exception:  # htmldate's own bugs on odd markup must not cost the record
        return None
    if not found:
        return None
    return dates.parse_visible_date(found.replace("T", " "), free_form=False) or dates.parse_w3c(found[:10])
