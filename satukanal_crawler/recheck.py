"""When to look again at a URL that once answered with something that was not an article.

A 200 "server busy" page, a maintenance notice or a half-rendered theme page parses as "not an article",
and the archive remembers it (url_state kind `non_article`) so later runs do not fetch every menu page
again. But a URL that a sitemap or the feed still lists as a post is probably an article that had a bad
moment: it is fetched again after `after_days`, then after twice that, four times that ... at most
`max_times` times, after which it is left alone (a listing that names a non-article for ever costs a few
requests, never one per run). A pure decision: the caller (the crawl frontier) keeps the counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class RecheckPolicy:
    """`SATUKANAL_RECHECK_NON_ARTICLE_DAYS` (default 7; 0 turns re-checks off) and
    `SATUKANAL_RECHECK_NON_ARTICLE_TIMES` (default 3)."""

    after_days: float = 7.0
    max_times: int = 3

    @classmethod
    def from_settings(cls, settings) -> RecheckPolicy:
        return cls(settings.getfloat("SATUKANAL_RECHECK_NON_ARTICLE_DAYS", 7.0),
                   settings.getint("SATUKANAL_RECHECK_NON_ARTICLE_TIMES", 3))  # fmt: skip

    def due(self, *, listed_as_article: bool, fetched_at: str | None, rechecks: int, now: str) -> bool:
        """Whether a URL recorded as non_article should be fetched again `now`.

        `listed_as_article`: a sitemap of posts or the feed names it in this run (a listing saying "this is
        a post"); `fetched_at`: when it was last fetched (ISO 8601 with offset, as the archive stores it;
        None when unknown: due); `rechecks`: how many times it has been re-checked already."""
        if not listed_as_article or self.after_days <= 0 or rechecks >= self.max_times:
            return False
        if fetched_at is None:
            return True
        try:
            waited = datetime.fromisoformat(now) - datetime.fromisoformat(fetched_at)
        except (TypeError, ValueError):
            return True  # an unreadable time is no reason to write the URL off
        return waited.total_seconds() >= self.after_days * 86400 * 2 ** max(0, rechecks)
