"""Writing articles into the archive: identity, revisions, links, raw pages.

An article is one row however it was reached. Its identity is decided in this order: the canonical URL
or any URL already known as its alias; the WordPress post id (a renamed slug keeps its id); the content
hash of title and body (a re-post of identical text under a new URL). What changes between fetches is
kept as a revision, never overwritten silently.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from satukanal_crawler.archive import Archive
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
_WORD = re.compile(r"\w+")


def content_hash(title: str, body_text: str) -> str:
    """Identity of an article's text, blind to whitespace: a re-post has the same hash."""
    normalised = " ".join(title.split()) + "\n" + " ".join(body_text.split())
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


def slugify(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower().replace("&", " ")).strip("-") or "x"


def _norm(value: Any) -> Any:
    return " ".join(value.split()) if isinstance(value, str) else value


class ArticleStore:
    """The archive's write side, used by the dedupe and storage pipelines and by `reparse`."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive
        self.conn: sqlite3.Connection = archive.conn
        self._term_ids: dict[tuple[str, str], int] = {}
        self._attached: list[str] = []  # URLs that came to lead to the article during the save in progress

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Join the batch transaction in progress, or run a transaction of its own."""
        if self.conn.in_transaction:
            yield
            return
        with self.archive.transaction():
            yield

    # -- identity ---------------------------------------------------------------------------------

    def find_match(self, item: ArticleItem) -> tuple[int | None, str | None]:
        """The archived article this item is, and why; (None, None) for a new article."""
        row = self.conn.execute("SELECT id FROM articles WHERE url = ?", (item.url,)).fetchone()
        if row:
            return row[0], "url"
        row = self.conn.execute("SELECT article_id FROM aliases WHERE url = ?", (item.url,)).fetchone()
        if row:
            return row[0], "alias"
        if item.wp_post_id is not None:
            row = self.conn.execute(
                "SELECT id FROM articles WHERE wp_post_id = ? ORDER BY id LIMIT 1", (item.wp_post_id,)
            ).fetchone()
            if row:
                return row[0], "wp_post_id"
        row = self.conn.execute(
            "SELECT id FROM articles WHERE content_hash = ? ORDER BY published_at LIMIT 1", (item.content_hash,)
        ).fetchone()
        if row:
            return row[0], "repost"
        return None, None

    # -- writing ----------------------------------------------------------------------------------

    def save(self, item: ArticleItem, now: str, *, cause: str = "refetch") -> str:
        """Store one item inside the caller's transaction; returns new | updated | unchanged | alias.

        `cause` is "refetch" for a crawl (the article was seen online: last_seen_at moves) and
        "reparse" for a rebuild from stored pages (nothing was seen: only changed content is written).
        """
        if not item.content_hash:
            item.content_hash = content_hash(item.title, item.body_text)
        if item.article_id is None and not item.matched:
            item.article_id, item.match_reason = self.find_match(item)
        item.matched = False  # a later save of this object (reparse) looks again
        self._attached = []
        if item.article_id is None:
            outcome = "new"
            article_id = self._insert(item, now)
            self._attached.append(item.url)
        else:
            article_id = item.article_id
            outcome = self._update(article_id, item, now, cause)
        item.article_id = article_id
        canonical = self._save_aliases(article_id, item, now)
        if outcome != "unchanged" or self._attached:
            # Only something new can adopt a redirect: an unchanged article had them adopted before.
            self._attached.append(canonical)
            self._adopt_redirects(article_id, now)
        if outcome in ("new", "updated", "replaced"):
            self._save_terms(article_id, item)
            self._save_baca_juga(article_id, item)
        self._resolve_links_to(article_id, self._attached)
        self._save_pages(article_id, item)
        lastmod = item.sitemap_lastmod
        if lastmod is None and cause == "refetch":
            # The fetched page's own time, which the next run compares with this URL's sitemap lastmod (for
            # a re-post URL, the article's dates are those of the other copy).
            lastmod = item.modified_at or item.published_at
        self.mark_url(item.url, "article", status=200, lastmod=lastmod, fetched_at=item.fetched_at,
                      article_id=article_id)
        return "alias" if outcome == "replaced" else outcome

    def _values(self, item: ArticleItem) -> dict[str, Any]:
        values = {name: getattr(item, name) for name in _ARTICLE_COLUMNS if hasattr(item, name)}
        values["word_count"] = len(_WORD.findall(item.body_text))
        return values

    def _insert(self, item: ArticleItem, now: str) -> int:
        values = self._values(item)
        values.update(first_seen_at=now, last_seen_at=now)
        columns = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        cursor = self.conn.execute(f"INSERT INTO articles ({columns}) VALUES ({marks})", tuple(values.values()))
        return cursor.lastrowid

    def _update(self, article_id: int, item: ArticleItem, now: str, cause: str = "refetch") -> str:
        row = self.conn.execute("SELECT * FROM articles WHERE id = ?", (article_id,)).fetchone()
        seen = now if cause == "refetch" else row["last_seen_at"]
        repost = item.match_reason == "repost"
        if item.match_reason == "alias":  # a re-post URL fetched again is still the later copy, not a new URL
            alias = self.conn.execute("SELECT reason FROM aliases WHERE url = ?", (item.url,)).fetchone()
            repost = alias is not None and alias[0] == "repost"
        if repost and item.url != row["url"]:
            if item.published_at >= row["published_at"]:
                self.conn.execute("UPDATE articles SET last_seen_at = ? WHERE id = ?", (seen, article_id))
                return "alias"  # a later copy of an archived article: only its URL is kept, as an alias
            # The item is the earlier copy: it becomes the article, the archived URL its alias. Not a
            # revision: the row held the later copy only because that was fetched first.
            self._add_alias(row["url"], article_id, "repost", now)
            self._attached.append(item.url)
            values = self._values(item)
            values["last_seen_at"] = seen
            assignments = ", ".join(f"{name} = ?" for name in values)
            self.conn.execute(f"UPDATE articles SET {assignments} WHERE id = ?", (*values.values(), article_id))
            return "replaced"
        if item.url != row["url"]:
            self._add_alias(row["url"], article_id, "renamed", now)
            self._attached.append(item.url)
        old_terms = self._terms_of(article_id)
        new_terms = {"categories": sorted(item.categories), "tags": sorted(item.tags)}
        old_links = self._baca_juga_of(article_id)
        new_links = [{"url": b["url"], "title": _norm(b["title"])} for b in item.baca_juga]
        changed = any(
            row[name] != (value := getattr(item, name)) and _norm(row[name]) != _norm(value) for name in REVISED_FIELDS
        )
        changed = changed or old_terms != new_terms or old_links != new_links
        if item.wp_post_id is None:
            item.wp_post_id = row["wp_post_id"]  # an AMP twin never erases a known post id
        if not changed:
            self.conn.execute(
                "UPDATE articles SET url = ?, wp_post_id = ?, last_seen_at = ?, fetched_at = ? WHERE id = ?",
                (item.url, item.wp_post_id, seen, item.fetched_at or row["fetched_at"], article_id),
            )
            return "unchanged"
        self._save_revision(row, old_terms, old_links, now, item.fetched_at, cause)
        values = self._values(item)
        values["last_seen_at"] = seen
        assignments = ", ".join(f"{name} = ?" for name in values)
        self.conn.execute(f"UPDATE articles SET {assignments} WHERE id = ?", (*values.values(), article_id))
        return "updated"

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
        key = (table, name)
        if key not in self._term_ids:
            self.conn.execute(f"INSERT OR IGNORE INTO {table} (name, slug) VALUES (?, ?)", (name, slugify(name)))
            self._term_ids[key] = self.conn.execute(f"SELECT id FROM {table} WHERE name = ?", (name,)).fetchone()[0]
        return self._term_ids[key]

    def _save_terms(self, article_id: int, item: ArticleItem) -> None:
        for table, link_table, column, names in (
            ("categories", "articles_categories", "categories_id", item.categories),
            ("tags", "articles_tags", "tags_id", item.tags),
        ):
            self.conn.execute(f"DELETE FROM {link_table} WHERE articles_id = ?", (article_id,))
            self.conn.executemany(
                f"INSERT OR IGNORE INTO {link_table} (articles_id, {column}) VALUES (?, ?)",
                [(article_id, self._term_id(table, name)) for name in names],
            )

    def _save_baca_juga(self, article_id: int, item: ArticleItem) -> None:
        self.conn.execute("DELETE FROM baca_juga WHERE article_id = ?", (article_id,))
        self.conn.executemany(
            "INSERT INTO baca_juga (article_id, position, url, title, target_url, target_article_id) "
            "VALUES (?1, ?2, ?3, ?4, ?5, (SELECT id FROM articles WHERE url = ?5 "
            "UNION ALL SELECT article_id FROM aliases WHERE url = ?5 LIMIT 1))",
            [
                (article_id, position, link["url"], link["title"], canonicalize_url(link["url"]))
                for position, link in enumerate(item.baca_juga)
            ],
        )

    def _resolve_incoming_links(self, article_id: int) -> None:
        """Point Baca Juga links at this article now that it (or one of its aliases) is archived."""
        self.conn.execute(
            "UPDATE baca_juga SET target_article_id = ? WHERE target_article_id IS NULL AND target_url IN "
            "(SELECT url FROM articles WHERE id = ? UNION SELECT url FROM aliases WHERE article_id = ?)",
            (article_id, article_id, article_id),
        )

    def _resolve_links_to(self, article_id: int, urls: list[str]) -> None:
        """Point unresolved Baca Juga links to these URLs (new to this article) at it: one index probe each.

        Equivalent to _resolve_incoming_links as long as every URL is resolved when it becomes the article's
        (here) and every link when it is written (_save_baca_juga).
        """
        if urls:
            self.conn.executemany(
                "UPDATE baca_juga SET target_article_id = ? WHERE target_url = ? AND target_article_id IS NULL",
                [(article_id, url) for url in dict.fromkeys(urls)],
            )

    def _add_alias(self, url: str, article_id: int, reason: str, now: str) -> None:
        self._attached.append(url)
        self.conn.execute(
            "INSERT INTO aliases (url, article_id, reason, first_seen_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(url) DO UPDATE SET article_id = excluded.article_id",
            (url, article_id, reason, now),
        )

    def _save_aliases(self, article_id: int, item: ArticleItem, now: str) -> str:
        """Record the item's other URLs as aliases; returns the article's canonical URL."""
        canonical = self.conn.execute("SELECT url FROM articles WHERE id = ?", (article_id,)).fetchone()[0]
        if item.url != canonical:
            self._add_alias(item.url, article_id, item.match_reason or "repost", now)
        self.conn.execute("DELETE FROM aliases WHERE url = ?", (canonical,))
        urls = list(item.aliases)
        if item.wp_post_id:
            urls.append(f"{origin_of(canonical)}/?p={item.wp_post_id}")  # WordPress's shortlink for the post
        self.add_aliases(article_id, urls, now, skip=canonical)
        return canonical

    def add_aliases(self, article_id: int, urls: list[str], now: str, skip: str | None = None) -> None:
        added = []
        for url in urls:
            if url != skip and self.conn.execute(
                "INSERT OR IGNORE INTO aliases (url, article_id, reason, first_seen_at) VALUES (?, ?, ?, ?)",
                (url, article_id, _alias_reason(url), now),
            ).rowcount:
                added.append(url)
        if added:
            self._attached.extend(added)
            self._resolve_links_to(article_id, added)

    def _adopt_redirects(self, article_id: int, now: str) -> None:
        """URLs that redirected (possibly in a chain) to this article become its aliases."""
        for _ in range(5):
            cursor = self.conn.execute(
                "INSERT OR IGNORE INTO aliases (url, article_id, reason, first_seen_at) "
                "SELECT s.url, ?, 'redirect', ? FROM url_state s WHERE s.redirect_to IN "
                "(SELECT url FROM articles WHERE id = ? UNION SELECT url FROM aliases WHERE article_id = ?) "
                "AND +s.kind = 'redirect' AND s.url NOT IN (SELECT url FROM articles)",  # +: by redirect_to, not kind
                (article_id, now, article_id, article_id),
            )
            if cursor.rowcount <= 0:
                break
            self._resolve_incoming_links(article_id)

    def resolve_redirect(self, url: str, target: str | None, now: str) -> None:
        """A redirect seen after its target was archived: record it as an alias right away."""
        if not target:
            return
        row = self.conn.execute(
            "SELECT id FROM articles WHERE url = ? UNION ALL SELECT article_id FROM aliases WHERE url = ? LIMIT 1",
            (target, target),
        ).fetchone()
        if row:
            self.add_aliases(row[0], [url], now)

    def _save_pages(self, article_id: int, item: ArticleItem) -> None:
        for page in item.pages:
            self.save_page(page, article_id)

    def save_page(self, page: PageCapture, article_id: int | None) -> None:
        digest = hashlib.sha256(page.body).hexdigest()
        if self.conn.execute(
            "UPDATE pages SET fetched_at = ?, article_id = ?, page_number = ? WHERE url = ? AND body_sha256 = ?",
            (page.fetched_at, article_id, page.page_number, page.url, digest),
        ).rowcount:
            return  # the same bytes again (the usual re-fetch): compressing them is most of the cost
        self.conn.execute(
            "INSERT INTO pages (url, article_id, page_number, status, headers, content_type, fetched_at, "
            "body_sha256, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(url, body_sha256) DO UPDATE SET fetched_at = excluded.fetched_at, "
            "article_id = excluded.article_id, page_number = excluded.page_number",
            (
                page.url, article_id, page.page_number, page.status, json.dumps(page.headers, ensure_ascii=False),
                page.content_type, page.fetched_at, digest, zlib.compress(page.body, 6),
            ),
        )  # fmt: skip

    # -- crawl bookkeeping ------------------------------------------------------------------------

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
        attempts = "attempts + 1" if kind == "failed" else "0"
        self.conn.execute(
            "INSERT INTO url_state (url, kind, status, lastmod, last_fetched_at, error, redirect_to, attempts, "
            "article_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET kind = excluded.kind, "
            "status = excluded.status, lastmod = COALESCE(excluded.lastmod, lastmod), "
            "last_fetched_at = excluded.last_fetched_at, error = excluded.error, "
            f"redirect_to = excluded.redirect_to, attempts = {attempts}, "
            "article_id = COALESCE(excluded.article_id, article_id)",
            (url, kind, status, lastmod, fetched_at, error, redirect_to, 1 if kind == "failed" else 0, article_id),
        )

    def record_reject(self, url: str, reason: str, now: str, run_id: int | None) -> None:
        self.conn.execute(
            "INSERT INTO rejects (url, reason, first_seen_at, last_seen_at, attempts, run_id) "
            "VALUES (?, ?, ?, ?, 1, ?) "
            "ON CONFLICT(url) DO UPDATE SET reason = excluded.reason, last_seen_at = excluded.last_seen_at, "
            "attempts = attempts + 1, run_id = excluded.run_id",
            (url, reason, now, now, run_id),
        )

    def clear_reject(self, url: str) -> None:
        self.conn.execute("DELETE FROM rejects WHERE url = ?", (url,))


def _alias_reason(url: str) -> str:
    if "?p=" in url:
        return "shortlink"
    if url.rstrip("/").endswith("/amp"):
        return "amp"
    if "?" in url or "#" in url:
        return "tracking"
    return "redirect"
