"""One archive connection per crawl, shared by the pipelines and the run recorder.

SQLite allows one writer at a time; sharing the connection lets the dedupe stage see what the storage
stage wrote earlier in the same (still uncommitted) batch.
"""

from __future__ import annotations

from satukanal_crawler.archive import Archive
from satukanal_crawler.archive.store import ArticleStore


def store_for(crawler) -> ArticleStore:
    store = getattr(crawler, "_satukanal_store", None)
    if store is None:
        store = ArticleStore(Archive(crawler.settings.get("SATUKANAL_DB")))
        crawler._satukanal_store = store
    return store


def close_store(crawler) -> None:
    store = getattr(crawler, "_satukanal_store", None)
    if store is not None:
        store.archive.commit()  # whatever is still queued or in progress (nothing, after the storage stage)
        store.close()
        store.archive.close()
        crawler._satukanal_store = None
