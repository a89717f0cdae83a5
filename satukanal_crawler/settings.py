"""Scrapy settings of the SATUKANAL crawler: polite by default, overridable with `-s NAME=value`.

`SATUKANAL_BASE_URL` and `SATUKANAL_DB` are also read from the environment, so cron jobs and the offline
mirror need no command-line changes.
"""

import os

from satukanal_crawler import __version__

BOT_NAME = "satukanal_crawler"
SPIDER_MODULES = ["satukanal_crawler.spiders"]
NEWSPIDER_MODULE = "satukanal_crawler.spiders"

# -- the portal and the archive ----------------------------------------------------------------------
SATUKANAL_BASE_URL = os.environ.get("SATUKANAL_BASE_URL", "https://satukanal.com")
SATUKANAL_DB = os.environ.get("SATUKANAL_DB", "data/satukanal.db")
SATUKANAL_HOMEPAGE = "https://github.com/satukanal-archive/satukanal-crawler"

# -- incremental runs ----------------------------------------------------------------------------------
# Stop paging a channel after this many consecutive pages whose articles are all archived already.
SATUKANAL_STOP_AFTER_KNOWN_PAGES = 1
# Hard bound on pages per channel (a trap guard: endless or out-of-range pagination).
SATUKANAL_MAX_CHANNEL_PAGES = 5000
# Trap bounds (a run that hits one says so in its summary and record: stats satukanal/bounds/*). A channel's
# pagination stops after this many consecutive pages that list only articles this run has already seen; at most
# this many channels a run, found at most this many channel pages away from the home page or a sitemap; at most
# this many sitemaps a run, nested at most this deep below the sitemap index.
SATUKANAL_STOP_AFTER_BARREN_PAGES = 5
SATUKANAL_MAX_CHANNELS = 1000
SATUKANAL_MAX_CHANNEL_DEPTH = 3
SATUKANAL_MAX_SITEMAPS = 2000
SATUKANAL_MAX_SITEMAP_DEPTH = 3
# A URL that failed is retried by later runs until it has failed this many runs in a row.
SATUKANAL_MAX_URL_ATTEMPTS = 5
# A URL once answered with a non-article (a "server busy" page) that a post sitemap or the feed still lists
# is fetched again after this many days, then after twice that ..., at most this many times
# (satukanal_crawler/recheck.py; the frontier counts the re-checks in url_state.attempts).
SATUKANAL_RECHECK_NON_ARTICLE_DAYS = 7.0
SATUKANAL_RECHECK_NON_ARTICLE_TIMES = 3
# Items per write transaction, and the longest an uncommitted item may wait (seconds).
SATUKANAL_BATCH_SIZE = 1000
SATUKANAL_BATCH_SECONDS = 5.0
# Commit a full batch in the archive's writer process while the next is gathered (pipelines/store.py): SQLite's work
# overlaps the pipelines'. A crash then loses at most two batches (the one being committed and the one
# being gathered) instead of one; never anything committed before.
SATUKANAL_COMMIT_IN_BACKGROUND = True
# Processes that parse article pages beside the crawl (satukanal_crawler/parse_pool.py): None is one when
# the machine has two cores or more, 0 parses in the crawl's own process.
SATUKANAL_PARSE_PROCESSES = None
# Time budget per page in a parser worker (seconds; 0: none): a page over it is a failed URL, the worker is
# restarted, the crawl goes on. Parsing in the crawl's own process (SATUKANAL_PARSE_PROCESSES=0) has none.
SATUKANAL_PARSE_TIMEOUT = 20.0
# A sitemap (a .xml.gz inflated) larger than this is refused as invalid: the protocol's cap is 50 MB.
SATUKANAL_SITEMAP_MAX_BYTES = 64 * 1024 * 1024
# Backoff for 429/5xx: Retry-After when the server gives one (capped), else base * 2**retry.
SATUKANAL_BACKOFF_BASE = 2.0
SATUKANAL_BACKOFF_MAX = 120.0
# Monitoring: a run whose checks fail exits with status 5 (README "Exit statuses").
SATUKANAL_CHECK_MAX_ERROR_RATIO = 0.10  # failed URLs / requests
SATUKANAL_CHECK_MAX_BLOCKED_RATIO = 0.20  # 401/403/429/451 responses, or robots.txt refusals
SATUKANAL_CHECK_MIN_COVERAGE = {"title": 1.0, "published_at": 1.0, "body_text": 1.0, "reporter": 0.5, "dateline": 0.5}
SATUKANAL_CHECK_COVERAGE_MIN_ARTICLES = 5  # fewer parsed articles than this: coverage is not judged
SATUKANAL_CHECK_CHANNEL_HISTORY = 3  # a channel silent now but productive in this many earlier runs fails
# Logs kept under data/logs/ (older ones are pruned).
SATUKANAL_KEEP_LOGS = 60
# Write every response, as received, to gzip WARC files in warc/ next to the archive (off by default;
# pipelines/warc.py). A new file starts once the current one exceeds SATUKANAL_WARC_MAX_BYTES.
SATUKANAL_WARC = False
SATUKANAL_WARC_MAX_BYTES = 1024**3

# -- politeness ----------------------------------------------------------------------------------------
USER_AGENT = f"satukanal-crawler/{__version__} (+{SATUKANAL_HOMEPAGE}; news archive research)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
# Items and requests of one callback handled at a time. The pipelines are synchronous, so a higher number
# buys nothing, and Scrapy starts that many asyncio tasks for every callback's output (the default, 100,
# cost ~1.5 ms per response in bench/crawl.py).
CONCURRENT_ITEMS = 16
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
REDIRECT_MAX_TIMES = 5
COOKIES_ENABLED = False
# No listening port, ever (README "Safety"): neither the telnet console nor Scrapy 2.19's remote-control
# HTTP server (it runs any Python code POSTed to it, on a loopback port, and writes a job file with its
# token to the user's profile directory), both on by default in Scrapy.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "id,en;q=0.8",
}

# Our own (satukanal_crawler/middlewares.py, README "Safety"): nothing leaves the portal's origin, robots.txt
# is read before anything else and obeyed as RFC 9309 says, Crawl-delay and Retry-After pause the whole site.
DOWNLOADER_MIDDLEWARES = {
    "satukanal_crawler.middlewares.OriginGuardMiddleware": 20,
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "satukanal_crawler.middlewares.RobotsTxtMiddleware": 100,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "satukanal_crawler.middlewares.BackoffRetryMiddleware": 550,
    "satukanal_crawler.middlewares.OffsiteRedirectMiddleware": 650,  # sees a 3xx before RedirectMiddleware (600)
    "satukanal_crawler.middlewares.SitePacingMiddleware": 950,  # the last stop before the downloader
}
# The longest robots.txt Crawl-delay obeyed (seconds); a larger one is read as this.
SATUKANAL_MAX_CRAWL_DELAY = 60.0

SPIDER_MIDDLEWARES = {
    "satukanal_crawler.failures.CallbackFailures": 10,  # a page over its parse budget, or any crash: a failed URL
}

# Pipelines, one concern each, in this order (docs: README "Pipelines").
ITEM_PIPELINES = {
    "pipelines.validate.ValidationPipeline": 100,
    "pipelines.unchanged.UnchangedPipeline": 150,
    "pipelines.normalize.NormalizationPipeline": 200,
    "pipelines.dedupe.DeduplicationPipeline": 300,
    "pipelines.store.StoragePipeline": 400,
    "pipelines.warc.WarcPipeline": 500,  # only with SATUKANAL_WARC; items pass through untouched
}

EXTENSIONS = {
    "scrapy.extensions.telnet.TelnetConsole": None,
    "scrapy.extensions.remote_control.RemoteControl": None,
    "satukanal_crawler.run.RunOwner": 100,  # the lock, the run record, the log, the outcome (run.py)
    "satukanal_crawler.extensions.ProgressLine": 200,
}
SATUKANAL_PROGRESS = False  # the live progress line; `satukanal crawl` turns it on for a terminal
SATUKANAL_RUN_ARGUMENTS = None  # the command line of `satukanal crawl`, for the run record (set by the command)
# `scrapy crawl` is the project's own (scrapy_commands/crawl.py): same refusals and exit statuses as `satukanal crawl`.
COMMANDS_MODULE = "satukanal_crawler.scrapy_commands"

# Breadth-first-ish: articles (priority 10) before deeper listing pages; FIFO queues.
DEPTH_PRIORITY = 0
# Scrapy's check for `return value` in generator callbacks re-reads and re-parses the spider's source
# whenever its weak cache misses (bound methods are new objects): ~3% of a crawl's CPU (bench/crawl.py).
WARN_ON_GENERATOR_RETURN_VALUE = False
LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"
