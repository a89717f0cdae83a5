"""A stand-in parser that takes as long as it is told: the parse budget tested without relying on any real
parser being slow (the real ones are bounded by their own tests)."""

from __future__ import annotations

import time


def sleepy(seconds: float) -> float:
    """Busy for `seconds` (in the worker), then its argument back."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass
    return seconds
