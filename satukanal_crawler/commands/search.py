"""`satukanal search`: articles ranked by relevance, each with a snippet, its date, channels and URL.

People type queries, not FTS5 expressions: `covid-19`, `"pasar tradisional"`, `pukul 10:00` or an unbalanced quote
must all search for what they say. So by default the typed text is read as words (a word joined by hyphens or
other punctuation, or a "quoted phrase", is one phrase; a word ending in `*` is a prefix), all of which must be
in the article, and it is searched in the stemmed index: `resmikan` finds `meresmikan`, `diresmikan` and
`peresmian` too. `--exact` searches the same words as written; `--fts` hands the query to FTS5 as it is, for
its full syntax (OR, NOT, NEAR, column filters). Ranking is FTS5's BM25 with a title match worth four in the body.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sqlite3
import sys
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from satukanal_crawler.cli import EXIT_OK, UsageError
from satukanal_crawler.commands.reading import filters, reading
from satukanal_crawler.stemming import WORD, stem

MARK = "**"  # around the matched words of a snippet (Markdown's bold)
SNIPPET_WORDS = 24
TITLE_WEIGHT = 4.0
_CHUNK = re.compile(r'"([^"]*)"|(\S+)')


def fold(word: str) -> str:
    """A word as unicode61 with remove_diacritics compares it: lower case, accents dropped."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@dataclass
class Query:
    """A typed query made into an FTS5 expression on one of the two indexes, and how to see its words in text."""

    expression: str
    index: str
    terms: set[str] = field(default_factory=set)  # the stems (or folded words) it matches
    prefixes: list[str] = field(default_factory=list)
    stemmed: bool = True
    raw: bool = False

    def matches(self, word: str, stemmed: str | None = None) -> bool:
        """Whether a word of the text is one the query found (`stemmed`: its stem, when known already)."""
        key = (stemmed or stem(word)) if self.stemmed else fold(word)
        return key in self.terms or any(key.startswith(p) or fold(word).startswith(p) for p in self.prefixes)


def _quote(words: list[str]) -> str:
    return '"' + " ".join(word.replace('"', '""') for word in words) + '"'


def compile_query(text: str, *, exact: bool = False, fts: bool = False) -> Query:
    """The FTS5 expression for what a person typed (see the module docstring)."""
    if fts:
        if not text.strip():
            raise UsageError("the query is empty")
        return Query(text, "articles_fts", raw=True, stemmed=False)
    parts, terms, prefixes = [], set(), []
    for quoted, bare in _CHUNK.findall(text):
        chunk = quoted if quoted else bare
        words = WORD.findall(chunk)
        if not words:
            continue
        prefix = not quoted and chunk.endswith("*")
        keys = [fold(w) if exact else stem(w) for w in words]
        if prefix:
            keys[-1] = fold(words[-1])
            prefixes.append(keys[-1])
            terms.update(keys[:-1])
        else:
            terms.update(keys)
        parts.append(_quote(keys) + ("*" if prefix else ""))
    if not parts:
        raise UsageError(f"the query {text!r} has no words to search for")
    index = "articles_fts" if exact else "articles_fts_stemmed"
    return Query(" AND ".join(parts), index, terms, prefixes, stemmed=not exact)


def snippet(text: str, matches: Callable[..., bool], width: int = SNIPPET_WORDS, stems: list[str] | None = None) -> str:
    """The passage of `width` words holding most of the matched words, those marked, on one line. `stems` are the
    text's words' stems in order, as the stemmed index holds them: no word of the body is stemmed again here."""
    tokens = list(WORD.finditer(text))
    if not tokens:
        return ""
    if stems is None or len(stems) != len(tokens):
        stems = [None] * len(tokens)
    hits = [i for i, token in enumerate(tokens) if matches(token.group(), stems[i])]
    start = 0
    if hits:
        best = -1
        for hit in hits:
            candidate = max(0, min(hit - 3, len(tokens) - width))
            count = sum(candidate <= h < candidate + width for h in hits)
            if count > best:
                best, start = count, candidate
    end = min(len(tokens), start + width)
    chosen = set(hits)
    out, position = [], tokens[start].start()
    for i in range(start, end):
        token = tokens[i]
        out.append(text[position : token.start()])
        out.append(f"{MARK}{token.group()}{MARK}" if i in chosen else token.group())
        position = token.end()
    passage = " ".join("".join(out).split())
    return ("…" if start > 0 else "") + passage + ("…" if end < len(tokens) else "")


def search(conn: sqlite3.Connection, query: Query, args: argparse.Namespace) -> tuple[list[dict], int]:
    """The matching articles, best first (at most args.limit; 0 for all), and how many match in all.

    Ranked inside FTS5 (`ORDER BY rank`, its bm25 with the title's weight), from the index alone unless a filter
    needs the article's row: SQLite then sorts only ids and scores, not the bodies of every match, which made a
    common word on 100,000 articles take half a second. The details are read for the results only."""
    where = filters(conn, args)
    index = query.index
    join = f" JOIN articles a ON a.id = {index}.rowid" if where.conditions else ""
    base = f"FROM {index}{join} WHERE {index} MATCH ? AND {where.sql}"
    params = [query.expression, *where.params]
    ranked = (f"SELECT {index}.rowid, {index}.rank {base} AND {index}.rank MATCH 'bm25({TITLE_WEIGHT}, 1.0)' "
              f"ORDER BY {index}.rank")  # fmt: skip
    if args.limit:
        ranked += f" LIMIT {int(args.limit)}"
    try:
        hits = conn.execute(ranked, params).fetchall()
        counted = args.limit and len(hits) == args.limit and getattr(args, "count", True)
        total = conn.execute(f"SELECT count(*) {base}", params).fetchone()[0] if counted else len(hits)
    except sqlite3.OperationalError as exc:
        if query.raw and ("fts5" in str(exc) or "no such column" in str(exc) or "unterminated" in str(exc)):
            raise UsageError(f"not a valid FTS5 query ({exc}); without --fts any text is searched as typed") from None
        raise
    details, stems = {}, {}
    for chunk in range(0, len(hits), 500):
        ids = [hit[0] for hit in hits[chunk : chunk + 500]]
        if query.stemmed and not query.raw:
            stems.update(conn.execute(f"SELECT rowid, body_text FROM articles_fts_stemmed WHERE rowid IN "
                                      f"({', '.join('?' * len(ids))})", ids).fetchall())  # fmt: skip
        for row in conn.execute(
            "SELECT a.id, a.url, a.title, a.published_at, a.reporter, a.body_text, "
            "(SELECT json_group_array(name) FROM (SELECT c.name FROM articles_categories ac "
            " JOIN categories c ON c.id = ac.categories_id WHERE ac.articles_id = a.id ORDER BY c.name)) AS channels "
            f"FROM articles a WHERE a.id IN ({', '.join('?' * len(ids))})",
            ids,
        ):
            details[row["id"]] = row
    results = []
    for rank, (article_id, score) in enumerate(hits, 1):
        row = details[article_id]
        if query.raw:
            text = conn.execute(
                f"SELECT snippet({index}, 1, '{MARK}', '{MARK}', '…', {SNIPPET_WORDS // 2}) FROM {index} "
                f"WHERE {index} MATCH ? AND rowid = ?", (query.expression, article_id),
            ).fetchone()[0]  # fmt: skip
        else:
            text = snippet(row["body_text"], query.matches, stems=(stems.get(article_id) or "").split() or None)
        results.append({
            "rank": rank, "score": round(-score, 4), "id": article_id, "published_at": row["published_at"],
            "title": row["title"], "channels": json.loads(row["channels"]), "reporter": row["reporter"],
            "url": row["url"], "snippet": " ".join((text or "").split()),
        })  # fmt: skip
    return results, total


FIELDS = ["rank", "score", "id", "published_at", "title", "channels", "reporter", "url", "snippet"]


def write(results: list[dict], fmt: str, out) -> None:
    if fmt == "jsonl":
        for result in results:
            out.write(json.dumps(result, ensure_ascii=False) + "\n")
    elif fmt == "csv":
        writer = csv.DictWriter(out, FIELDS, lineterminator="\n")
        writer.writeheader()
        for result in results:
            writer.writerow({**result, "channels": json.dumps(result["channels"], ensure_ascii=False)})
    else:
        from tabulate import tabulate

        rows = [[r["rank"], r["published_at"][:16].replace("T", " "), r["title"], ", ".join(r["channels"]),
                 r["snippet"], r["url"]] for r in results]  # fmt: skip
        out.write(tabulate(rows, ["#", "published (WIB)", "title", "channels", "snippet", "url"],
                           maxcolwidths=[None, None, 40, 18, 60, None]) + "\n")  # fmt: skip


def run(args: argparse.Namespace) -> int:
    query = compile_query(args.query, exact=args.exact, fts=args.fts)
    args.count = args.format == "table"  # the total is shown only there
    with reading(Path(args.db)) as conn:
        results, total = search(conn, query, args)
    if args.format == "table":
        if results:
            write(results, "table", sys.stdout)
        shown = f"{len(results)} of {total}" if total > len(results) else f"{total}"
        how = " (exact words)" if args.exact else "" if args.fts else " (any word form)"
        plural = "s match" if total != 1 else " matches"
        print(f"{shown} article{plural} {args.query!r}{how}", file=sys.stderr)
    else:
        write(results, args.format, sys.stdout)
    return EXIT_OK
