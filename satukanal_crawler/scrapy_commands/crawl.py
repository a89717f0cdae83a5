"""`scrapy crawl satukanal`: Scrapy's crawl command, with the run's refusals and exit statuses of `satukanal crawl`.

Scrapy finds a project by walking up from the current folder to a scrapy.cfg, while the archive's default path is
relative to the current folder: run from `data/`, it would crawl the live portal into `data/data/`. So a relative
archive path is refused unless the command runs in the project's own folder.
"""

from __future__ import annotations

import sys
from pathlib import Path

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError as ScrapyUsageError
from scrapy.utils.conf import closest_scrapy_cfg

from satukanal_crawler.config import check_settings
from satukanal_crawler.exits import EXIT_USAGE, UsageError
from satukanal_crawler.run import refusal_status, refusals


class Command(ScrapyCrawl):
    def run(self, args: list[str], opts) -> None:
        if len(args) != 1:
            raise ScrapyUsageError("running 'scrapy crawl' with more than one spider is not supported")
        try:
            self._check_folder()
            check_settings(self.settings)
        except UsageError as exc:
            print(f"scrapy crawl: error: {exc}", file=sys.stderr)
            self.exitcode = EXIT_USAGE
            return
        assert self.crawler_process is not None
        crawler = self.crawler_process.create_crawler(args[0])
        refused = refusals(self.crawler_process.crawl(crawler, **opts.spargs))
        self.crawler_process.start()
        if refused:
            status = refusal_status(refused[0])
            if status is None:
                raise refused[0]
            print(f"scrapy crawl: {refused[0]}", file=sys.stderr)
            self.exitcode = status
            return
        owner = getattr(crawler, "satukanal_run", None)
        self.exitcode = owner.finish() if owner is not None else 1

    def _check_folder(self) -> None:
        cfg = closest_scrapy_cfg()
        db = Path(self.settings.get("SATUKANAL_DB"))
        if cfg and not db.is_absolute() and Path(cfg).resolve().parent != Path.cwd().resolve():
            raise UsageError(
                f"run `scrapy crawl` in the project's folder ({Path(cfg).parent}), or give the archive as an "
                f"absolute path (-s SATUKANAL_DB=/path/to/archive.db): {db} here would be a new archive"
            )
