"""Item pipelines: validate, normalise, deduplicate and store articles, one concern per module.

They run in the order of ITEM_PIPELINES in satukanal_crawler/settings.py (README: "Pipelines").
"""

from collections import Counter


def tally(crawler) -> Counter:
    """The counts of the crawl's stages not yet in its stats (one per crawl, shared by the stages)."""
    counts = getattr(crawler, "_satukanal_tally", None)
    if counts is None:
        counts = crawler._satukanal_tally = Counter()
    return counts


def publish(crawler) -> None:
    """Add the stages' counts to the crawl's stats: at every batch commit and when the spider closes."""
    counts = tally(crawler)
    for name, value in counts.items():
        crawler.stats.inc_value(name, value)
    counts.clear()


class CrawlerPipeline:
    """What every stage needs from the crawl: its settings and its stats (where each counts its work).

    Counting goes to a plain Counter that `publish` adds to Scrapy's stats once per batch: a call to the
    stats collector costs ~2 us (it wraps its methods on every access), as much as a whole stage's work
    on an unchanged article. The stats are behind by at most one batch (SATUKANAL_BATCH_SECONDS)."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.counts = tally(crawler)

    def count(self, name: str, value: int = 1) -> None:
        self.counts[name] += value

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def close_spider(self) -> None:
        publish(self.crawler)
