"""Checking a run's settings before anything starts: a bad `-s` is one line and status 2, never a traceback mid-crawl.

The project's settings module is the one home of each default; a `SATUKANAL_*` name it does not define is a typo
(a cron line that sets `SATUKANAL_BATCH_SIZ` would otherwise run with the default and nobody would know). A value is
checked against the type of its default, the project's or Scrapy's.
"""

from __future__ import annotations

import json
from typing import Any

from scrapy.settings import BaseSettings, default_settings

from satukanal_crawler import settings as project
from satukanal_crawler.exits import UsageError

PREFIX = "SATUKANAL_"
_TRUE_FALSE = {"1", "0", "true", "false", "True", "False", "yes", "no"}


def project_defaults() -> dict[str, Any]:
    return {name: getattr(project, name) for name in dir(project) if name.isupper()}


def _default(name: str, defaults: dict[str, Any]) -> Any:
    if name in defaults:
        return defaults[name]
    return getattr(default_settings, name, None)


def _problem(value: Any, default: Any) -> str | None:
    """What is wrong with `value` for a setting whose default is `default`, or None."""
    if default is None or not isinstance(value, str):
        return None
    if isinstance(default, bool):
        return None if value in _TRUE_FALSE else "expected true or false"
    if isinstance(default, int):
        try:
            int(value)
        except ValueError:
            return "expected a whole number"
        return None
    if isinstance(default, float):
        try:
            float(value)
        except ValueError:
            return "expected a number"
        return None
    if isinstance(default, dict):
        try:
            return None if isinstance(json.loads(value), dict) else "expected a JSON object"
        except ValueError:
            return "expected a JSON object"
    return None


def check_settings(settings: BaseSettings) -> None:
    """Raise UsageError, naming the setting, for an unknown project setting or a value of the wrong type."""
    defaults = project_defaults()
    for name in list(settings):
        if name.startswith(PREFIX) and name not in defaults:
            raise UsageError(f"unknown setting {name} (the project's settings are in satukanal_crawler/settings.py)")
        problem = _problem(settings[name], _default(name, defaults))
        if problem is not None:
            raise UsageError(f"setting {name}={settings[name]!r}: {problem}")
