"""Subcommands of `satukanal`, one module each."""
