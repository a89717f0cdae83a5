"""The exit statuses cron acts on (README "Exit statuses") and the one error every layer may raise for bad input.

At the bottom of the package: the command line, the run's owner and the commands all name them, and none of those
has to import another for it.
"""

from __future__ import annotations

import signal

EXIT_OK = 0
EXIT_CRAWL_ERROR = 1  # unexpected failure inside the crawl (a bug): details in the log
EXIT_USAGE = 2  # bad arguments or configuration
EXIT_LOCKED = 3  # another run holds the archive's lock
EXIT_UNREACHABLE = 4  # the site was unreachable or blocked: nothing fetched
EXIT_CHECK_FAILED = 5  # the run finished but a monitoring check failed
EXIT_ARCHIVE = 6  # the archive is unusable (corrupt, unwritable, too new), or what was fetched could not be stored
# Stopped by a signal, cleanly (what was fetched is stored, what was not stays pending): 128 + the signal, as a shell
# reports a process that the signal ended.
EXIT_SIGINT = 128 + signal.SIGINT  # 130: Ctrl-C
EXIT_SIGTERM = 128 + signal.SIGTERM  # 143: `kill`, systemd, a cron wrapper's timeout
EXIT_PIPE = 128 + signal.SIGPIPE  # 141: the reader of the output went away (`satukanal status | head`)


class UsageError(Exception):
    """Bad arguments or configuration; the message is one line."""
