"""`python -m satukanal_crawler` is the `satukanal` command."""

import sys

from satukanal_crawler.cli import main

sys.exit(main())
