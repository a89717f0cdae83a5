"""Item pipelines: validate, normalise, deduplicate and store articles, one concern per module.

They run in the order of ITEM_PIPELINES in satukanal_crawler/settings.py (README: "Pipelines").
"""


class CrawlerPipeline:
    """What every stage needs from the crawl: its settings and its stats (where each counts its work)."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        # Looked up once: Scrapy's stats collector wraps its methods on every attribute access, which costs
        # more than the counting itself at thousands of items per second.
        self.count = crawler.stats.inc_value

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)
