"""JSON-LD (schema.org) reading: the strongest signal a WordPress SEO plugin leaves on a page.

Yoast and RankMath emit one `@graph` whose nodes refer to each other by `@id`; other themes emit plain
objects or lists. `Graph` flattens all of them into one list of nodes and resolves references, so field
code asks for "the article node" and "its author's name" without caring which plugin wrote the page.
Malformed blocks are skipped, not fatal: a broken script must not cost the rest of the page.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from satukanal_crawler.parsers.text import unescape_clean

ARTICLE_TYPES = frozenset(
    {
        "Article", "NewsArticle", "BlogPosting", "ReportageNewsArticle", "AnalysisNewsArticle",
        "OpinionNewsArticle", "BackgroundNewsArticle", "ReviewNewsArticle", "LiveBlogPosting",
        "SatiricalArticle", "TechArticle", "Report", "AdvertiserContentArticle", "SocialMediaPosting",
    }
)  # fmt: skip
_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_CDATA = re.compile(r"^\s*(?://\s*)?<!\[CDATA\[|(?://\s*)?\]\]>\s*$")


def _types(node: dict[str, Any]) -> set[str]:
    value = node.get("@type")
    if isinstance(value, str):
        return {value.rsplit("/", 1)[-1]}
    if isinstance(value, list):
        return {v.rsplit("/", 1)[-1] for v in value if isinstance(v, str)}
    return set()


def _load(script: str) -> Any:
    text = script.strip()
    if "CDATA" in text:
        text = _CDATA.sub("", text)
    if not text:
        return None
    for candidate in (text, _TRAILING_COMMA.sub(r"\1", text)):
        try:
            return json.loads(candidate, strict=False)
        except ValueError:
            continue
    return None


class Graph:
    """All JSON-LD nodes of a page, with `@id` references resolvable."""

    def __init__(self, nodes: list[dict[str, Any]]) -> None:
        self.nodes = nodes
        self.by_id = {n["@id"]: n for n in nodes if isinstance(n.get("@id"), str)}

    @classmethod
    def from_scripts(cls, scripts: Iterable[str]) -> Graph:
        nodes: list[dict[str, Any]] = []
        for script in scripts:
            nodes.extend(_flatten(_load(script)))
        return cls(nodes)

    def of_type(self, types: Iterable[str]) -> list[dict[str, Any]]:
        wanted = set(types)
        return [n for n in self.nodes if _types(n) & wanted]

    @property
    def types(self) -> set[str]:
        found: set[str] = set()
        for n in self.nodes:
            found |= _types(n)
        return found

    def article(self) -> dict[str, Any] | None:
        """The article node: the first Article-like node (Yoast puts exactly one in its graph)."""
        found = self.of_type(ARTICLE_TYPES)
        return found[0] if found else None

    def webpage(self) -> dict[str, Any] | None:
        found = self.of_type({"WebPage", "ItemPage"})
        return found[0] if found else None

    def resolve(self, value: Any) -> Any:
        """Follow an `{"@id": ...}` reference to its node when the graph has it."""
        if isinstance(value, dict) and set(value) <= {"@id", "@type"} and value.get("@id") in self.by_id:
            return self.by_id[value["@id"]]
        return value

    def names(self, value: Any) -> list[str]:
        """Names of a string, a node, or a list of either (e.g. `author`, `articleSection`)."""
        value = self.resolve(value)
        if isinstance(value, str):
            return [unescape_clean(value)] if unescape_clean(value) else []
        if isinstance(value, dict):
            name = value.get("name")
            return [unescape_clean(name)] if isinstance(name, str) and unescape_clean(name) else []
        if isinstance(value, list):
            out: list[str] = []
            for item in value:
                out.extend(self.names(item))
            return out
        return []

    def image_url(self, value: Any) -> str | None:
        """URL of an `image` value: a string, an ImageObject (url/contentUrl), a reference, or a list."""
        value = self.resolve(value)
        if isinstance(value, str):
            return value.strip() or None
        if isinstance(value, dict):
            for key in ("url", "contentUrl"):
                if isinstance(value.get(key), str) and value[key].strip():
                    return value[key].strip()
            return None
        if isinstance(value, list):
            for item in value:
                found = self.image_url(item)
                if found:
                    return found
        return None


def _flatten(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for item in data:
            yield from _flatten(item)
    elif isinstance(data, dict):
        graph = data.get("@graph")
        if isinstance(graph, list):
            yield from _flatten(graph)
            return
        yield data
