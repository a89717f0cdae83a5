"""Parsers: pure functions from page bytes to plain data, no I/O and no clock.

`parse_article` is the one article parser: the spider, the re-parse command and the tests all call it.
"""

from satukanal_crawler.parsers.article import FIELDS, ParsedPage, is_article, parse_article, parse_page

__all__ = ["FIELDS", "ParsedPage", "is_article", "parse_article", "parse_page"]
