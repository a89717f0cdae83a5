"""Writing articles into the archive: identity, revisions, links, raw pages.

An article is one row however it was reached. Its identity is decided in this order: the canonical URL
or any URL already known as its alias; the WordPress post id (a renamed slug keeps its id); the content
hash of title and body (a re-post of identical text under a new URL). What changes between fetches is
kept as a revision, never overwritten silently.

Speed comes from two things. An in-memory index of the archive's identities and of each article's
fingerprint (a hash of everything a revision compares) decides most items without a query: an unchanged
re-fetch is a dictionary lookup and a queued UPDATE. And rows that nothing reads back before the commit
(articles, terms, links, aliases, URL state, raw pages) are queued and written with one `executemany` per
table at commit time, while a worker thread hashes and compresses raw pages (zlib and hashlib release the
GIL, so this uses the core the crawl leaves idle). New articles and terms get their ids here, from the
index, so that a batch of new articles needs no statement until its commit, which a crawl runs in the
background (Archive.commit). Anything unusual (a revision, a renamed slug, a re-post) flushes the queues
and takes the careful path through SQL.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import zlib
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from functools import partial
from operator import attrgetter
from typing import Any

from satukanal_crawler.archive import Archive
from satukanal_crawler.archive.writer import Write, write_rows
from satukanal_crawler.items import ArticleItem, PageCapture
from satukanal_crawler.urls import canonicalize_url, origin_of

# Fields whose change (beyond whitespace) makes a revision.
REVISED_FIELDS = (
    "title", "dateline", "published_at", "modified_at", "reporter", "editor", "author", "summary", "body_text",
    "image_url",
)  # fmt: skip
_ARTICLE_COLUMNS = (
    "url", "wp_post_id", "title", "dateline", "published_at", "modified_at", "reporter", "editor", "author",
    "summary", "body_text", "image_url", "body_html", "word_count", "page_count", "content_hash", "fetched_at",
)  # fmt: skip
_WORD_COUNT = _ARTICLE_COLUMNS.index("word_count")
_INSERT_ARTICLE = (
    f"INSERT INTO articles (id, {', '.join(_ARTICLE_COLUMNS)}, fingerprint, first_seen_at, last_seen_at) "
    f"VALUES (?, {', '.join('?' for _ in _ARTICLE_COLUMNS)}, ?, ?, ?)"
)
_UPSERT_URL_STATE = (
    "INSERT INTO url_state (url, kind, status, lastmod, last_fetched_at, error, redirect_to, attempts, article_id, "
    "gone_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, CASE WHEN ?2 = 'failed' THEN 1 ELSE 0 END, ?8, "
    "CASE WHEN ?2 = 'gone' THEN ?5 END) "
    "ON CONFLICT(url) DO UPDATE SET kind = excluded.kind, status = excluded.status, "
    "lastmod = COALESCE(excluded.lastmod, lastmod), "
    "last_fetched_at = COALESCE(excluded.last_fetched_at, last_fetched_at), "
    "error = excluded.error, redirect_to = excluded.redirect_to, "
    "attempts = CASE WHEN excluded.kind = 'failed' THEN attempts + 1 WHEN excluded.kind = 'pending' THEN attempts "
    "WHEN excluded.kind = 'non_article' AND kind = 'non_article' THEN attempts + 1 ELSE 0 END, "
    "article_id = COALESCE(excluded.article_id, article_id), "
    "gone_at = CASE WHEN excluded.kind = 'gone' THEN COALESCE(gone_at, excluded.gone_at) END"
)
# A URL a page listed and the archive does not hold: a pending entry of the frontier. Listed again, a pending or
# failed entry learns the newer hints. A sitemap's listing is remembered for settled URLs too (found_in): the sitemap
# that lists an archived article is where its disappearance shows.
_UPSERT_DISCOVERED = (
    "INSERT INTO url_state (url, kind, source, found_in, discovered_at, lastmod, published_hint, attempts) "
    "VALUES (?, 'pending', ?, ?, ?, ?, ?, 0) "
    "ON CONFLICT(url) DO UPDATE SET "
    "lastmod = CASE WHEN kind IN ('pending', 'failed') THEN COALESCE(excluded.lastmod, lastmod) ELSE lastmod END, "
    "published_hint = CASE WHEN kind IN ('pending', 'failed') THEN COALESCE(excluded.published_hint, published_hint) "
    "ELSE published_hint END, "
    "source = CASE WHEN excluded.source = 'sitemap' THEN 'sitemap' ELSE COALESCE(source, excluded.source) END, "
    "found_in = CASE WHEN excluded.source = 'sitemap' THEN excluded.found_in "
    "ELSE COALESCE(found_in, excluded.found_in) END, discovered_at = COALESCE(discovered_at, excluded.discovered_at) "
    "WHERE kind IN ('pending', 'failed') OR excluded.source = 'sitemap'"
)
_INSERT_PAGE = (
    "INSERT INTO pages (url, article_id, page_number, status, headers, content_type, fetched_at, body_sha256, "
    "body_size, body_crc32, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT(url, body_sha256) DO UPDATE SET fetched_at = excluded.fetched_at, "
    "article_id = excluded.article_id, page_number = excluded.page_number"
)


def content_hash(title: str, body_text: str) -> str:
    """Identity of an article's text, blind to whitespace: a re-post has the same hash."""
    normalised = " ".join(title.split()) + "\n" + " ".join(body_text.split())
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


# Frontier states of a URL that still has to be fetched (a failed one, until it has used its attempts).
_UNSETTLED = frozenset({"pending", "failed"})

# What the parser produced that the store writes: the article columns but those derived from others or
# from the fetch.
_PRINTED_FIELDS = tuple(c for c in _ARTICLE_COLUMNS if c not in ("word_count", "content_hash", "fetched_at"))
_printed = attrgetter(*_PRINTED_FIELDS)


def fingerprint(item: ArticleItem) -> str:
    """A hash of the item as the parser produced it: every field the store writes, its terms and its
    Baca Juga links, but not the fetch time. Taken before normalisation (`pipelines/unchanged.py`,
    `reparse`), so that a re-fetch identical to the stored one is recognised before any work is done on
    it: normalisation is deterministic, so the same parse means the same row. Any other difference, even
    of whitespace only, takes the careful path, which decides whether it is a revision."""
    parts = [v if v.__class__ is str else "\x00" if v is None else str(v) for v in _printed(item)]
    parts.append("\x1e".join(item.categories))
    parts.append("\x1e".join(item.tags))
    parts.extend(f"{b['url']}\x1d{b['title']}" for b in item.baca_juga)
    return hashlib.sha1("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def slugify(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower().replace("&", " ")).strip("-") or "x"


def _norm(value: Any) -> Any:
    return " ".join(value.split()) if isinstance(value, str) else value


# zlib, not a faster codec: any language's standard library reads `pages.body`, for as long as the archive lives.
PAGE_ZLIB_LEVEL = 6


def _pack_page(body: bytes) -> tuple[str, bytes, int]:
    """sha256, zlib body and CRC-32 of a raw page: run in the worker thread (all three release the GIL)."""
    return hashlib.sha256(body).hexdigest(), zlib.compress(body, PAGE_ZLIB_LEVEL), zlib.crc32(body)


# What each queue writes, in this order: terms and articles first (the other rows refer to them), then
# the rows that refer to articles.
_QUEUED_SQL = (
    ("categories", "INSERT INTO categories (id, name, slug) VALUES (?, ?, ?)"),
    ("tags", "INSERT INTO tags (id, name, slug) VALUES (?, ?, ?)"),
    ("articles", _INSERT_ARTICLE),
    ("articles_categories", "INSERT OR IGNORE INTO articles_categories (articles_id, categories_id) VALUES (?, ?)"),
    ("articles_tags", "INSERT OR IGNORE INTO articles_tags (articles_id, tags_id) VALUES (?, ?)"),
    ("baca_juga", "INSERT INTO baca_juga (article_id, position, url, title, target_url, target_article_id) "
                  "VALUES (?, ?, ?, ?, ?, ?)"),
    ("aliases", "INSERT INTO aliases (url, article_id, reason, first_seen_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(url) DO UPDATE SET article_id = excluded.article_id"),
    ("resolve", "UPDATE baca_juga SET target_article_id = ? WHERE target_url = ? AND target_article_id IS NULL"),
    ("touch", "UPDATE articles SET last_seen_at = ?, fetched_at = ?, gone_at = NULL WHERE id = ?"),
    ("discovered", _UPSERT_DISCOVERED),
    ("url_state", _UPSERT_URL_STATE),
    ("gone", "UPDATE articles SET gone_at = COALESCE(gone_at, ?) WHERE id = ?"),
    ("pages", _INSERT_PAGE),
    ("touch_page", "UPDATE pages SET fetched_at = ?, article_id = ?, page_number = ? WHERE url = ? AND id = "
                   "(SELECT id FROM pages WHERE url = ? ORDER BY fetched_at DESC, id DESC LIMIT 1)"),
)  # fmt: skip


class _Index:
    """What the store needs to know about the archive without asking it: identities and fingerprints."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        cursor = conn.cursor()
        cursor.row_factory = None  # plain tuples: loading is a large part of a short run's work
        rows = cursor.execute(
            "SELECT id, url, wp_post_id, content_hash, published_at, fingerprint FROM articles ORDER BY id"
        ).fetchall()
        self.by_url: dict[str, int] = {row[1]: row[0] for row in rows}
        self.canonical: dict[int, str] = {row[0]: row[1] for row in rows}
        self.published: dict[int, str] = {row[0]: row[4] for row in rows}
        self.fingerprint: dict[int, str | None] = {row[0]: row[5] for row in rows}
        # The lowest id keeps a post id; the earliest published (then the lowest id) keeps a text.
        self.by_post_id: dict[int, int] = {row[2]: row[0] for row in reversed(rows) if row[2] is not None}
        self.by_hash: dict[str, int] = {}
        published = self.published
        for article_id, _url, _post_id, text_hash, when, _print in rows:
            known = self.by_hash.get(text_hash)
            if known is None or when < published[known]:
                self.by_hash[text_hash] = article_id
        self.aliases: dict[str, tuple[int, str]] = {
            row[0]: (row[1], row[2]) for row in cursor.execute("SELECT url, article_id, reason FROM aliases")
        }
        self.redirects: defaultdict[str, list[str]] = defaultdict(list)
        self.url_state: dict[str, tuple[str, str | None, int | None]] = {}
        for url, kind, lastmod, article_id, target in cursor.execute(
            "SELECT url, kind, lastmod, article_id, redirect_to FROM url_state"
        ):
            self.url_state[url] = (kind, lastmod, article_id)
            if kind == "redirect" and target:
                self.redirects[target].append(url)
        unresolved = "SELECT DISTINCT target_url FROM baca_juga WHERE target_article_id IS NULL"
        self.unresolved: set[str] = {row[0] for row in cursor.execute(unresolved)}
        self.rejects: set[str] = {row[0] for row in cursor.execute("SELECT url FROM rejects")}
        # Categories and tags by name, and the next id of each table (new terms get theirs here).
        self.terms: dict[str, dict[str, int]] = {}
        self.next_term: dict[str, int] = {}
        for table in ("categories", "tags"):
            names = self.terms[table] = {row[1]: row[0] for row in cursor.execute(f"SELECT id, name FROM {table}")}
            self.next_term[table] = max(names.values(), default=0) + 1
        self.pages: dict[str, tuple[int | None, int | None, str]] = {}
        for url, size, crc, sha in cursor.execute(
            "SELECT url, body_size, body_crc32, body_sha256 FROM pages ORDER BY fetched_at, id"
        ):
            self.pages[url] = (size, crc, sha)  # the newest capture of each URL wins

    def add_article(self, article_id: int, url: str, post_id: int | None, text_hash: str, published: str,
                    print_: str | None) -> None:  # fmt: skip
        self.by_url[url] = article_id
        self.canonical[article_id] = url
        self.published[article_id] = published
        self.fingerprint[article_id] = print_
        if post_id is not None:
            self.by_post_id.setdefault(post_id, article_id)
        known = self.by_hash.get(text_hash)
        if known is None or published < self.published.get(known, published):
            self.by_hash[text_hash] = article_id

    def article_for(self, url: str) -> int | None:
        found = self.by_url.get(url)
        if found is None and url in self.aliases:
            found = self.aliases[url][0]
        return found


class ArticleStore:
    """The archive's write side, used by the dedupe and storage pipelines and by `reparse`."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive
        self._index: _Index | None = None
        self._queues: defaultdict[str, list[tuple]] = defaultdict(list)
        # Baca Juga targets of queued links that lead to no article yet -> those links' places in the queue.
        self._pending_links: defaultdict[str, list[int]] = defaultdict(list)
        # Raw pages being hashed and compressed: (the worker's future, the rest of the page's row, its size). The
        # body is not kept here: holding a batch of raw bodies until the commit would be most of a crawl's memory.
        self._pages: list[tuple[Future, tuple, int]] = []
        self._next_id: int | None = None
        self._item_open = False
        self._in_savepoint = False
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="satukanal-pages")
        archive.before_commit.append(self.take)
        archive.on_rollback.append(self.discard)

    @property
    def conn(self) -> sqlite3.Connection:
        return self.archive.conn

    @property
    def index(self) -> _Index:
        if self._index is None:
            self.flush()
            self._index = _Index(self.conn)
        return self._index

    def close(self) -> None:
        self._worker.shutdown(wait=True)

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Join the batch in progress (its transaction, or the rows queued for it), or run a transaction of
        its own."""
        if self.conn.in_transaction or self._pages or any(self._queues.values()):
            self.archive.begin()
            yield
            return
        with self.archive.transaction():
            yield

    # -- the write queues -------------------------------------------------------------------------

    def take(self) -> Write | None:
        """Hand over every queued row: what writes them, given the connection (Archive.commit)."""
        queues, self._queues = self._queues, defaultdict(list)
        pages, self._pages = self._pages, []
        if self._pending_links:
            if self._index is not None:
                self._index.unresolved.update(self._pending_links)
            self._pending_links = defaultdict(list)
        for future, row, size in pages:  # checksums and compressed bodies from the worker thread
            sha, packed, crc = future.result()
            queues["pages"].append((*row, sha, size, crc, packed))
        if not any(queues.values()):
            return None
        # New articles and terms got their ids from the index: the write checks no other program took one since.
        fresh = [(table, queues[table][0][0]) for table in ("articles", "categories", "tags") if queues.get(table)]
        statements = [(sql, queues[name]) for name, sql in _QUEUED_SQL if queues.get(name)]
        return partial(write_rows, fresh, statements)

    def flush(self) -> None:
        """Write every queued row now, inside the batch's transaction (begun if need be)."""
        write = self.take()
        if write is not None:
            write(self.archive.begin())

    def discard(self) -> None:
        """The transaction was rolled back: forget what was queued and what the index learned from it."""
        self._queues = defaultdict(list)
        self._pending_links = defaultdict(list)
        for future, *_ in self._pages:
            future.cancel()
        self._pages = []
        self._index = None
        self._next_id = None

    def checkpoint(self) -> tuple[dict[str, int], int]:
        """Where the queues stand before an item, so a failed item can be taken back (see `recover`)."""
        return {name: len(rows) for name, rows in self._queues.items()}, len(self._pages)

    def recover(self, mark: tuple[dict[str, int], int]) -> None:
        """After `ROLLBACK TO` one item: drop what it queued, keep the batch's earlier rows, re-learn the index."""
        lengths, pages = mark
        for name, rows in self._queues.items():
            del rows[lengths.get(name, 0) :]
        for future, *_ in self._pages[pages:]:
            future.cancel()
        del self._pages[pages:]
        # The index is rebuilt from the database (after a flush of the earlier rows) when next needed, and
        # learns the batch's unresolved links there.
        self._index = None
        self._pending_links = defaultdict(list)
        self._next_id = None

    def begin_item(self) -> tuple[dict[str, int], int]:
        """The storage pipeline starts an item inside its batch; returns the mark for `abort_item`."""
        self._item_open = True
        return self.checkpoint()

    def _savepoint(self) -> None:
        """Before an item's first direct statement: `abort_item` can then take back exactly its writes.
        Items that only queue rows (the usual new or unchanged article) never pay for one."""
        if self._item_open and not self._in_savepoint:
            self.archive.begin().execute("SAVEPOINT item")
            self._in_savepoint = True

    def end_item(self) -> None:
        if self._in_savepoint:
            self.conn.execute("RELEASE item")
            self._in_savepoint = False
        self._item_open = False

    def abort_item(self, mark: tuple[dict[str, int], int]) -> None:
        """An item failed: undo its direct statements and its queued rows, keep the rest of the batch."""
        if self._in_savepoint:
            self.conn.execute("ROLLBACK TO item")
            self.conn.execute("RELEASE item")
            self._in_savepoint = False
        self._item_open = False
        self.recover(mark)

    # -- identity ---------------------------------------------------------------------------------

    def unchanged_article(self, url: str, print_: str) -> int | None:
        """The article `url` leads to, when it was last stored from a parse with this fingerprint."""
        index = self.index
        article_id = index.by_url.get(canonicalize_url(url))
        if article_id is not None and index.fingerprint.get(article_id) == print_:
            return article_id
        return None

    def find_match(self, item: ArticleItem) -> tuple[int | None, str | None]:
        """The archived article this item is, and why; (None, None) for a new article."""
        index = self.index
        found = index.by_url.get(item.url)
        if found is not None:
            return found, "url"
        if item.url in index.aliases:
            return index.aliases[item.url][0], "alias"
        if item.wp_post_id is not None and item.wp_post_id in index.by_post_id:
            return index.by_post_id[item.wp_post_id], "wp_post_id"
        if item.content_hash and item.content_hash in index.by_hash:
            return index.by_hash[item.content_hash], "repost"
        return None, None

    # -- writing ----------------------------------------------------------------------------------

    def save(self, item: ArticleItem, now: str, *, cause: str = "refetch") -> str:
        """Store one item inside the caller's transaction; returns new | updated | unchanged | alias.

        `cause` is "refetch" for a crawl (the article was seen online: last_seen_at moves) and
        "reparse" for a rebuild from stored pages (nothing was seen: only changed content is written).
        """
        index = self.index
        print_ = item.fingerprint or fingerprint(item)
        if item.article_id is None and not item.matched:
            if not item.content_hash:
                item.content_hash = content_hash(item.title, item.body_text)
            item.article_id, item.match_reason = self.find_match(item)
        item.matched = False  # a later save of this object (reparse) looks again
        if (
            item.match_reason == "url"
            and item.article_id is not None
            and index.fingerprint.get(item.article_id) == print_
            and (item.wp_post_id is None or item.wp_post_id in index.by_post_id)
        ):
            article_id = item.article_id  # the usual re-fetch: nothing changed
            outcome = "unchanged"
            seen_again = True
            if cause == "refetch":
                self._queues["touch"].append((now, item.fetched_at, article_id))
        else:
            seen_again = False
            if not item.content_hash:
                item.content_hash = content_hash(item.title, item.body_text)
            if item.article_id is None:
                outcome = "new"
                article_id = self._insert(item, print_, now)
            else:
                article_id = item.article_id
                self.flush()  # the careful path reads the database: it must see everything
                self._savepoint()
                outcome = self._update(article_id, item, print_, now, cause)
        item.article_id = article_id
        if not seen_again:
            self._save_aliases(article_id, item, now)
        elif item.aliases:  # the article's own URL and shortlink were recorded when this parse was stored
            self.add_aliases(article_id, item.aliases, now, skip=index.canonical[article_id])
        if outcome in ("new", "updated", "replaced"):
            self._queue_terms(article_id, item)
            self._queue_baca_juga(article_id, item, now)
        for page in item.pages:
            self.save_page(page, article_id)
        lastmod = item.sitemap_lastmod
        if lastmod is None and cause == "refetch":
            # The fetched page's own time, which the next run compares with this URL's sitemap lastmod (for
            # a re-post URL, the article's dates are those of the other copy).
            lastmod = item.modified_at or item.published_at
        if cause == "refetch" or item.url not in index.by_url:
            self._mark_article_url(item, article_id, lastmod)
            self._settle(item, article_id)
        return "alias" if outcome == "replaced" else outcome

    def _values(self, item: ArticleItem) -> list[Any]:
        values = [getattr(item, name, None) for name in _ARTICLE_COLUMNS]
        if values[_WORD_COUNT] is None:  # normalisation counts them for most items
            values[_WORD_COUNT] = len(item.body_text.split())
        return values

    def _allocate_id(self) -> int:
        """The next article id. Another program that adds articles while a crawl runs would take the same
        ids: the batch's write checks that none is taken (`writer.write_rows`) and fails whole if one is."""
        if self._next_id is None:
            stored = self.conn.execute("SELECT max(id) FROM articles").fetchone()[0] or 0
            self._next_id = max(stored, max(self.index.canonical, default=0)) + 1
        article_id = self._next_id
        self._next_id += 1
        return article_id

    def _insert(self, item: ArticleItem, print_: str, now: str) -> int:
        article_id = self._allocate_id()
        self._queues["articles"].append((article_id, *self._values(item), print_, now, now))
        self.index.add_article(article_id, item.url, item.wp_post_id, item.content_hash, item.published_at, print_)
        self._attach(article_id, item.url, now)
        return article_id

    def _set_canonical(self, article_id: int, old_url: str, new_url: str) -> None:
        index = self.index
        index.by_url.pop(old_url, None)
        index.by_url[new_url] = article_id
        index.canonical[article_id] = new_url

    def _update(self, article_id: int, item: ArticleItem, print_: str, now: str, cause: str) -> str:
        index = self.index
        row = self.conn.execute("SELECT * FROM articles WHERE id = ?", (article_id,)).fetchone()
        seen = now if cause == "refetch" else row["last_seen_at"]
        repost = item.match_reason == "repost"
        if item.match_reason == "alias":  # a re-post URL fetched again is still the later copy, not a new URL
            repost = index.aliases.get(item.url, (0, ""))[1] == "repost"
        if repost and item.url != row["url"]:
            if item.published_at >= row["published_at"]:
                self.conn.execute("UPDATE articles SET last_seen_at = ? WHERE id = ?", (seen, article_id))
                return "alias"  # a later copy of an archived article: only its URL is kept, as an alias
            # The item is the earlier copy: it becomes the article, the archived URL its alias. Not a
            # revision: the row held the later copy only because that was fetched first.
            self._write_row(article_id, item, print_, seen)
            self._set_canonical(article_id, row["url"], item.url)
            index.published[article_id] = item.published_at
            self._add_alias(row["url"], article_id, "repost", now)
            if row["url"] not in index.url_state:  # its own time, for the next run: the row's is no longer it
                self.mark_url(row["url"], "article", status=200, lastmod=row["modified_at"] or row["published_at"],
                              fetched_at=row["fetched_at"], article_id=article_id)  # fmt: skip
            self._attach(article_id, item.url, now)
            self._clear_links(article_id)
            return "replaced"
        if item.url != row["url"]:
            self._set_canonical(article_id, row["url"], item.url)
            self._add_alias(row["url"], article_id, "renamed", now)
            self._attach(article_id, item.url, now)
        if item.wp_post_id is None:
            item.wp_post_id = row["wp_post_id"]  # an AMP twin never erases a known post id
        elif item.wp_post_id not in index.by_post_id:
            index.by_post_id[item.wp_post_id] = article_id
        old_terms = self._terms_of(article_id)
        old_links = self._baca_juga_of(article_id)
        new_terms = {"categories": sorted(item.categories), "tags": sorted(item.tags)}
        new_links = [{"url": b["url"], "title": _norm(b["title"])} for b in item.baca_juga]
        changed = any(
            row[name] != (value := getattr(item, name)) and _norm(row[name]) != _norm(value) for name in REVISED_FIELDS
        )
        changed = changed or old_terms != new_terms or old_links != new_links
        if not changed:
            self.conn.execute(
                "UPDATE articles SET url = ?, wp_post_id = ?, last_seen_at = ?, fetched_at = ?, fingerprint = ?, "
                "gone_at = NULL WHERE id = ?",
                (item.url, item.wp_post_id, seen, item.fetched_at or row["fetched_at"], print_, article_id),
            )
            index.fingerprint[article_id] = print_
            return "unchanged"
        self._save_revision(row, old_terms, old_links, now, item.fetched_at, cause)
        self._write_row(article_id, item, print_, seen)
        self._clear_links(article_id)
        return "updated"

    def _write_row(self, article_id: int, item: ArticleItem, print_: str, seen: str) -> None:
        assignments = ", ".join(f"{name} = ?" for name in _ARTICLE_COLUMNS)
        self.conn.execute(
            f"UPDATE articles SET {assignments}, fingerprint = ?, last_seen_at = ?, gone_at = NULL WHERE id = ?",
            (*self._values(item), print_, seen, article_id),
        )
        self.index.fingerprint[article_id] = print_

    def _clear_links(self, article_id: int) -> None:
        """Before terms and Baca Juga links are queued again for an article whose content changed."""
        self.conn.execute("DELETE FROM articles_categories WHERE articles_id = ?", (article_id,))
        self.conn.execute("DELETE FROM articles_tags WHERE articles_id = ?", (article_id,))
        self.conn.execute("DELETE FROM baca_juga WHERE article_id = ?", (article_id,))

    def _save_revision(
        self, row: sqlite3.Row, terms: dict, links: list, now: str, fetched_at: str, cause: str = "refetch"
    ) -> None:
        self.conn.execute(
            "INSERT INTO revisions (article_id, superseded_at, fetched_at, title, dateline, published_at, "
            "modified_at, reporter, editor, author, summary, body_text, image_url, categories, tags, baca_juga, "
            "content_hash, cause) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                row["id"], fetched_at or now, row["fetched_at"], row["title"], row["dateline"], row["published_at"],
                row["modified_at"], row["reporter"], row["editor"], row["author"], row["summary"], row["body_text"],
                row["image_url"], json.dumps(terms["categories"], ensure_ascii=False),
                json.dumps(terms["tags"], ensure_ascii=False), json.dumps(links, ensure_ascii=False),
                row["content_hash"], cause,
            ),
        )  # fmt: skip

    def _terms_of(self, article_id: int) -> dict[str, list[str]]:
        cats = self.conn.execute(
            "SELECT c.name FROM articles_categories ac JOIN categories c ON c.id = ac.categories_id "
            "WHERE ac.articles_id = ?",
            (article_id,),
        ).fetchall()
        tags = self.conn.execute(
            "SELECT t.name FROM articles_tags at JOIN tags t ON t.id = at.tags_id WHERE at.articles_id = ?",
            (article_id,),
        ).fetchall()
        return {"categories": sorted(r[0] for r in cats), "tags": sorted(r[0] for r in tags)}

    def _baca_juga_of(self, article_id: int) -> list[dict[str, str]]:
        rows = self.conn.execute(
            "SELECT url, title FROM baca_juga WHERE article_id = ? ORDER BY position", (article_id,)
        ).fetchall()
        return [{"url": r[0], "title": r[1]} for r in rows]

    def _term_id(self, table: str, name: str) -> int:
        """A category's or tag's id; a new one is queued with the batch (see `_allocate_id`)."""
        index = self.index
        found = index.terms[table].get(name)
        if found is None:
            found = index.terms[table][name] = index.next_term[table]
            index.next_term[table] += 1
            self._queues[table].append((found, name, slugify(name)))
        return found

    def _queue_terms(self, article_id: int, item: ArticleItem) -> None:
        terms = self.index.terms
        for table, names in (("categories", item.categories), ("tags", item.tags)):
            known, queue = terms[table], self._queues[f"articles_{table}"]
            for name in names:
                term = known.get(name)
                queue.append((article_id, term if term is not None else self._term_id(table, name)))

    def _queue_baca_juga(self, article_id: int, item: ArticleItem, now: str) -> None:
        """The article's links, and (in the same transaction) the frontier entries of the targets on its own site
        that lead to no article yet: a stop between storing an article and following its links loses neither."""
        index = self.index
        site = origin_of(item.url)
        unknown = []
        for position, link in enumerate(item.baca_juga):
            target_url = canonicalize_url(link["url"])
            target = index.article_for(target_url)
            queue = self._queues["baca_juga"]
            if target is None:  # resolved in the queue if the target arrives before the commit (_attach)
                self._pending_links[target_url].append(len(queue))
                if origin_of(target_url) == site:
                    unknown.append((target_url, None, None))
            queue.append((article_id, position, link["url"], link["title"], target_url, target))
        if unknown:
            self.discover(unknown, "link", item.url, now)

    # -- aliases and links to the article ---------------------------------------------------------

    def _attach(self, article_id: int, url: str, now: str) -> None:
        """`url` now leads to the article: resolve Baca Juga links to it, adopt redirects to it."""
        index = self.index
        pending = self._pending_links.pop(url, None)
        if pending:
            queue = self._queues["baca_juga"]
            for position in pending:
                queue[position] = (*queue[position][:5], article_id)
        if url in index.unresolved:  # links stored by earlier batches
            index.unresolved.discard(url)
            self._queues["resolve"].append((article_id, url))
        for source in index.redirects.get(url, ()):
            if index.by_url.get(source) is None and source not in index.aliases:
                self._add_alias(source, article_id, "redirect", now)

    def _add_alias(self, url: str, article_id: int, reason: str, now: str) -> None:
        index = self.index
        current = index.aliases.get(url)
        index.aliases[url] = (article_id, current[1] if current and current[0] == article_id else reason)
        if current is None or current[0] != article_id:
            self._queues["aliases"].append((url, article_id, reason, now))
        if current is None:
            self._attach(article_id, url, now)

    def _save_aliases(self, article_id: int, item: ArticleItem, now: str) -> None:
        index = self.index
        canonical = index.canonical[article_id]
        if item.wp_post_id:  # WordPress's shortlink for the post
            shortlink = f"{canonical[: canonical.find('/', canonical.find('//') + 2)]}/?p={item.wp_post_id}"
        if item.url != canonical and item.url not in index.aliases:
            self._add_alias(item.url, article_id, item.match_reason or "repost", now)
        if canonical in index.aliases:
            del index.aliases[canonical]
            self.flush()
            self._savepoint()
            self.conn.execute("DELETE FROM aliases WHERE url = ?", (canonical,))
        urls = list(item.aliases)
        if item.wp_post_id:
            urls.append(shortlink)
        self.add_aliases(article_id, urls, now, skip=canonical)

    def add_aliases(self, article_id: int, urls: list[str], now: str, skip: str | None = None) -> None:
        index = self.index
        for url in urls:
            if url != skip and url not in index.aliases and url not in index.by_url:
                self._add_alias(url, article_id, _alias_reason(url), now)

    def resolve_redirect(self, url: str, target: str | None, now: str) -> None:
        """A redirect: its target's article, once archived, gets the URL as an alias."""
        if not target:
            return
        index = self.index
        if url not in index.redirects[target]:
            index.redirects[target].append(url)
        article_id = index.article_for(target)
        if article_id is not None:
            self.add_aliases(article_id, [url], now)

    # -- raw pages and crawl bookkeeping ----------------------------------------------------------

    def save_page(self, page: PageCapture, article_id: int | None) -> None:
        """Keep a raw response; the same bytes again only move the stored capture's fetch time."""
        size = len(page.body)
        known = self.index.pages.get(page.url)
        if known is not None and (
            known[0] == size and known[1] == zlib.crc32(page.body)
            if known[1] is not None
            else known[2] == hashlib.sha256(page.body).hexdigest()
        ):
            self._queues["touch_page"].append((page.fetched_at, article_id, page.page_number, page.url, page.url))
            return
        # A new capture: its checksums are taken in the worker thread, not on the crawl's. Until the commit the
        # index knows only that the URL has one (a second copy in the same batch is stored by the upsert).
        self.index.pages[page.url] = (size, None, "")
        row = (page.url, article_id, page.page_number, page.status, json.dumps(page.headers, ensure_ascii=False),
               page.content_type, page.fetched_at)  # fmt: skip
        self._pages.append((self._worker.submit(_pack_page, page.body), row, size))

    def mark_url(
        self,
        url: str,
        kind: str,
        *,
        status: int | None = None,
        lastmod: str | None = None,
        fetched_at: str | None = None,
        error: str | None = None,
        article_id: int | None = None,
        redirect_to: str | None = None,
    ) -> None:
        """Remember what a URL turned out to be, for the next run's decisions."""
        if self._index is not None:
            known = self._index.url_state.get(url)
            if lastmod is None and known is not None:
                lastmod = known[1]  # as the upsert keeps it
            if article_id is None and known is not None:
                article_id = known[2]
            self._index.url_state[url] = (kind, lastmod, article_id)
        self._queues["url_state"].append((url, kind, status, lastmod, fetched_at, error, redirect_to, article_id))
        if kind == "gone":
            target = article_id if article_id is not None else self.index.article_for(url)
            if target is not None:
                self._queues["gone"].append((fetched_at, target))

    def _mark_article_url(self, item: ArticleItem, article_id: int, lastmod: str | None) -> None:
        """The state of an article's URL for the next run, unless the archive already holds it: an article's
        own URL whose time is the article's (modified_at, else published_at) needs no row, and a row that
        already says the same keeps it (articles.fetched_at has the time of the latest fetch)."""
        index = self.index
        known = index.url_state.get(item.url)
        if known == ("article", lastmod, article_id):
            return
        if (
            known is None
            and lastmod == (item.modified_at or item.published_at)
            and index.canonical.get(article_id) == item.url
        ):
            return
        self.mark_url(item.url, "article", status=200, lastmod=lastmod, fetched_at=item.fetched_at,
                      article_id=article_id)  # fmt: skip

    def _settle(self, item: ArticleItem, article_id: int) -> None:
        """The other URLs that reached the article (the one requested, the redirects on the way) leave the
        frontier: an entry still pending under a URL that is not the canonical one would be fetched forever."""
        states = self.index.url_state
        for url in item.aliases:
            known = states.get(url)
            if url != item.url and known is not None and known[0] in _UNSETTLED:
                self.mark_url(url, "article", status=200, fetched_at=item.fetched_at, article_id=article_id)

    def discover(self, entries: list[tuple[str, str | None, str | None]], source: str, found_in: str | None,
                 now: str) -> int:  # fmt: skip
        """Record what a page listed, (url, lastmod, published_hint) each, as pending entries of the frontier;
        returns how many are new. URLs that lead to an archived article are not entries."""
        if not entries:
            return 0  # (a sitemap of channels only: no reason to load the index)
        index = self.index
        states = index.url_state
        queue = self._queues["discovered"]
        new = 0
        for url, lastmod, published in entries:
            known = states.get(url)
            if known is None:
                if index.article_for(url) is not None:
                    continue
                new += 1
                states[url] = ("pending", lastmod, None)
            elif known[0] not in _UNSETTLED and source != "sitemap":
                continue
            queue.append((url, source, found_in, now, lastmod, published))
        return new

    def record_reject(self, url: str, reason: str, now: str, run_id: int | None) -> None:
        self.index.rejects.add(url)
        self._savepoint()
        self.conn.execute(
            "INSERT INTO rejects (url, reason, first_seen_at, last_seen_at, attempts, run_id) "
            "VALUES (?, ?, ?, ?, 1, ?) "
            "ON CONFLICT(url) DO UPDATE SET reason = excluded.reason, last_seen_at = excluded.last_seen_at, "
            "attempts = attempts + 1, run_id = excluded.run_id",
            (url, reason, now, now, run_id),
        )

    def clear_reject(self, url: str) -> None:
        if url in self.index.rejects:
            self.index.rejects.discard(url)
            self._savepoint()
            self.conn.execute("DELETE FROM rejects WHERE url = ?", (url,))


def _alias_reason(url: str) -> str:
    if "?p=" in url:
        return "shortlink"
    if url.rstrip("/").endswith("/amp"):
        return "amp"
    if "?" in url or "#" in url:
        return "tracking"
    return "redirect"
