"""`satukanal history`: every stored version of an article, oldest first, with what changed between each two.

The archive keeps the replaced versions in `revisions` (each with the cause of its replacement: a re-fetch
that found the page changed, or a reparse by a newer parser) and the current one in `articles`. Changes are
shown word by word, the way `git diff --word-diff` shows them (`[-old-]{+new+}`), with a few words of context:
an edit of a news article is usually a corrected name or number in a long body, which a line diff would hide in
a paragraph-long line.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sqlite3
import sys
from pathlib import Path

from satukanal_crawler.cli import EXIT_OK
from satukanal_crawler.commands.reading import find_article, reading

FIELDS = ("title", "dateline", "published_at", "modified_at", "reporter", "editor", "author", "summary",
          "body_text", "image_url", "categories", "tags", "baca_juga")  # fmt: skip
CAUSES = {
    "refetch": "a crawl fetched the page again and it had changed",
    "reparse": "`satukanal reparse` read the stored pages differently",
}
CONTEXT = 6  # words of context around a change
_TOKEN = re.compile(r"\S+|\s+")


def versions(conn: sqlite3.Connection, article: sqlite3.Row) -> list[dict]:
    """Each version's fields, oldest first, with when it was fetched and what brought it in."""
    out = []
    previous_cause, since = None, None
    for row in conn.execute("SELECT * FROM revisions WHERE article_id = ? ORDER BY id", (article["id"],)):
        version = {name: row[name] for name in FIELDS}
        for name in ("categories", "tags", "baca_juga"):
            version[name] = json.loads(row[name])
        out.append({"fetched_at": row["fetched_at"], "cause": previous_cause, "since": since, "fields": version})
        previous_cause, since = row["cause"], row["superseded_at"]
    current = {name: article[name] for name in FIELDS if name not in ("categories", "tags", "baca_juga")}
    for table, name in (("categories", "categories"), ("tags", "tags")):
        current[name] = sorted(r[0] for r in conn.execute(
            f"SELECT t.name FROM articles_{table} x JOIN {table} t ON t.id = x.{table}_id WHERE x.articles_id = ?",
            (article["id"],)))  # fmt: skip
    current["baca_juga"] = [{"url": r[0], "title": r[1]} for r in conn.execute(
        "SELECT url, title FROM baca_juga WHERE article_id = ? ORDER BY position", (article["id"],))]  # fmt: skip
    out.append({"fetched_at": article["fetched_at"], "cause": previous_cause, "since": since, "fields": current})
    for number, version in enumerate(out, 1):
        version["version"] = number
    return out


def word_diff(old: str, new: str, context: int = CONTEXT) -> str:
    """`[-removed-]{+added+}` between two texts, unchanged stretches cut to `context` words each side."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    parts = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            parts.append(("=", a[i1:i2]))
            continue
        if i2 > i1:
            parts.append(("-", a[i1:i2]))
        if j2 > j1:
            parts.append(("+", b[j1:j2]))
    out = []
    for index, (tag, tokens) in enumerate(parts):
        text = "".join(tokens)
        if tag != "=":
            out.append(f" [-{text.strip()}-] " if tag == "-" else f" {{+{text.strip()}+}} ")
            continue
        words = text.split()
        first, last = index == 0, index == len(parts) - 1
        if first and last:
            out.append(text)
        elif first:
            out.append(("… " if len(words) > context else "") + " ".join(words[-context:]))
        elif last:
            out.append(" ".join(words[:context]) + (" …" if len(words) > context else ""))
        elif len(words) > 2 * context:
            out.append(" ".join(words[:context]) + " … " + " ".join(words[-context:]))
        else:
            out.append(" ".join(words))
        if text[:1].isspace() and not first:
            out[-1] = " " + out[-1]
        if text[-1:].isspace() and not last:
            out[-1] += " "
    return " ".join("".join(out).split())


def _show(value) -> str:
    if isinstance(value, list):
        return "; ".join(v["title"] + " <" + v["url"] + ">" if isinstance(v, dict) else v for v in value) or "(none)"
    return "(none)" if value is None else str(value)


def changes(old: dict, new: dict) -> dict[str, str]:
    """Field -> how it changed, for the fields that did."""
    out = {}
    for name in FIELDS:
        before, after = old.get(name), new.get(name)
        if before == after:
            continue
        if isinstance(before, list):
            removed = [v for v in before if v not in after]
            added = [v for v in after if v not in before]
            out[name] = " ".join([*(f"[-{_show([v])}-]" for v in removed), *(f"{{+{_show([v])}+}}" for v in added)]) \
                or "(reordered)"  # fmt: skip
        elif isinstance(before, str) and isinstance(after, str):
            out[name] = word_diff(before, after)
        else:
            out[name] = f"[-{_show(before)}-] {{+{_show(after)}+}}"
    return out


def render(article: sqlite3.Row, history: list[dict]) -> str:
    lines = [f"article {article['id']}: {article['title']}", article["url"],
             f"{len(history)} version{'s' if len(history) != 1 else ''} (oldest first)"]  # fmt: skip
    for previous, version in zip([None, *history], history, strict=False):
        lines.append("")
        head = f"version {version['version']}, fetched {version['fetched_at']}"
        if previous is None:
            lines.append(head + " (as first archived)")
            continue
        cause = version["cause"]
        lines.append(f"{head}, current from {version['since']}: {cause} ({CAUSES.get(cause, cause)})")
        found = changes(previous["fields"], version["fields"])
        for name, diff in found.items():
            lines.append(f"  {name}: {diff}")
        if not found:
            lines.append("  (no field differs)")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    with reading(Path(args.db)) as conn:
        article = find_article(conn, args.article)
        history = versions(conn, article)
    if args.format == "json":
        for previous, version in zip([None, *history], history, strict=False):
            version["changed"] = list(changes(previous["fields"], version["fields"])) if previous else []
        json.dump({"id": article["id"], "url": article["url"], "versions": history}, sys.stdout, ensure_ascii=False,
                  indent=1)  # fmt: skip
        sys.stdout.write("\n")
    else:
        print(render(article, history))
    return EXIT_OK
