"""Stage 3: deduplication. One article row however it was reached: the same canonical URL twice in a
run, an alias, the same WordPress post id under a renamed slug, or a re-post of identical text."""

from __future__ import annotations

from scrapy.exceptions import DropItem

from pipelines import CrawlerPipeline
from satukanal_crawler import dates
from satukanal_crawler.archive.session import store_for
from satukanal_crawler.items import ArticleItem


class DeduplicationPipeline(CrawlerPipeline):
    def __init__(self, crawler) -> None:
        super().__init__(crawler)
        self.seen: set[str] = set()

    def process_item(self, item):
        if not isinstance(item, ArticleItem):
            return item
        store = store_for(self.crawler)
        if item.url in self.seen:
            # Reached twice in one run (e.g. a redirect and a listing link): keep only its URLs.
            with store.writing():
                article_id, _reason = store.find_match(item)
                if article_id is not None:
                    store.add_aliases(article_id, item.aliases, dates.now_wib())
            self.count("satukanal/duplicates/in_run")
            raise DropItem(f"duplicate in this run: {item.url}")
        self.seen.add(item.url)
        if item.unchanged:
            return item  # matched by its URL already (pipelines/unchanged.py)
        item.article_id, item.match_reason = store.find_match(item)
        item.matched = True  # nothing is stored between here and the storage stage: it need not look again
        if item.match_reason in ("wp_post_id", "repost", "alias"):
            self.count(f"satukanal/duplicates/{item.match_reason}")
        return item
