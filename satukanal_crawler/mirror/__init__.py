"""Offline mirrors of the portal: a replay server, the bundled snapshot and a synthetic generator.

The live portal is not always reachable (tests, demos, benchmarks), so every crawl feature is exercised
against a loopback server that replays captured pages exactly as the portal would serve them.
"""
