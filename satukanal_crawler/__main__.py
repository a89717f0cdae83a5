"""`python -m satukanal_crawler` is the `satukanal` command."""

import sys

from satukanal_crawler.cli import main

if __name__ == "__main__":  # not when a parser worker process imports it (spawn)
    sys.exit(main())
