"""`satukanal report`: one self-contained HTML file of charts about the archive, each with its numbers.

The file needs no server and no network to be read (it can be mailed, or archived with the data): the charts
are inline SVG drawn by pygal with its scripts left out, the styles are inline, and nothing is linked. Every
chart is followed by the table of the numbers it draws, so a reader can quote them, a screen reader can read
them, and the report is still true where the SVG is not shown. The same filters as search and export choose
the articles; the crawl-run chart covers the archive's runs in that date range.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import sqlite3
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from satukanal_crawler import dates
from satukanal_crawler.cli import EXIT_OK, UsageError
from satukanal_crawler.commands.reading import Filters, filters, on_terminal, reading

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
TOP = 15  # bars in a ranking
CHANNELS_DRAWN = 8  # channels drawn one by one in the monthly chart; the others are summed as "other channels"


@dataclass
class Chart:
    """One chart: what it shows, and the numbers (a header and rows) it is drawn from."""

    key: str
    title: str
    note: str
    header: list[str]
    rows: list[list]
    svg: str = ""


def _pygal_config(**extra):
    import pygal
    from pygal.style import DefaultStyle

    return pygal.Config(js=[], disable_xml_declaration=True, width=900, height=420, style=DefaultStyle,
                        legend_at_bottom=True, truncate_legend=40, truncate_label=30, print_values=False,
                        **extra)  # fmt: skip


def _bar(chart: Chart, labels: list[str], series: dict[str, list], *, horizontal=False, stacked=False, **kw) -> str:
    import pygal

    kind = (pygal.HorizontalStackedBar if stacked else pygal.HorizontalBar) if horizontal else \
        (pygal.StackedBar if stacked else pygal.Bar)  # fmt: skip
    drawing = kind(_pygal_config(x_label_rotation=0 if horizontal else 45, show_legend=len(series) > 1, **kw))
    drawing.title = chart.title
    drawing.x_labels = labels
    for name, values in series.items():
        drawing.add(name, values)
    return _static(drawing.render(is_unicode=True))


def _line(chart: Chart, labels: list[str], series: dict[str, list]) -> str:
    import pygal

    drawing = pygal.Line(_pygal_config(x_label_rotation=45, show_legend=len(series) > 1, dots_size=2))
    drawing.title = chart.title
    drawing.x_labels = labels
    for name, values in series.items():
        drawing.add(name, values)
    return _static(drawing.render(is_unicode=True))


_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)


def _static(svg: str) -> str:
    """The SVG without the inline script pygal writes even without its JavaScript (the config of its tooltips)."""
    return _SCRIPT.sub("", svg)


def _where(f: Filters) -> tuple[str, list]:
    return f.sql, list(f.params)


def per_channel_month(conn: sqlite3.Connection, f: Filters) -> Chart:
    sql, params = _where(f)
    rows = conn.execute(
        "SELECT substr(a.published_at, 1, 7) AS month, c.name, count(*) FROM articles a "
        "JOIN articles_categories ac ON ac.articles_id = a.id JOIN categories c ON c.id = ac.categories_id "
        f"WHERE {sql} GROUP BY month, c.name ORDER BY month, c.name",
        params,
    ).fetchall()
    months = sorted({r[0] for r in rows})
    totals: dict[str, int] = {}
    for _, name, n in rows:
        totals[name] = totals.get(name, 0) + n
    drawn = sorted(totals, key=lambda name: (-totals[name], name))[:CHANNELS_DRAWN]
    counts = {(m, name): n for m, name, n in rows}
    series = {name: [counts.get((m, name), 0) for m in months] for name in drawn}
    others = [name for name in totals if name not in drawn]
    if others:
        series["other channels"] = [sum(counts.get((m, name), 0) for name in others) for m in months]
    chart = Chart("channels", "Articles per channel per month",
                  "An article in two channels counts in both.", ["month", *series],
                  [[m, *(series[name][i] for name in series)] for i, m in enumerate(months)])  # fmt: skip
    chart.svg = _bar(chart, months, series, stacked=True)
    return chart


def per_weekday_hour(conn: sqlite3.Connection, f: Filters) -> list[Chart]:
    sql, params = _where(f)
    stamps = [r[0] for r in conn.execute(f"SELECT a.published_at FROM articles a WHERE {sql}", params)]
    weekday = [0] * 7
    hour = [0] * 24
    for stamp in stamps:
        moment = datetime.fromisoformat(stamp)  # WIB, as stored
        weekday[moment.weekday()] += 1
        hour[moment.hour] += 1
    day = Chart("weekday", "Articles per weekday (WIB)", "Publication time as the article states it.",
                ["weekday", "articles"], [[d, n] for d, n in zip(WEEKDAYS, weekday, strict=True)])  # fmt: skip
    day.svg = _bar(day, list(WEEKDAYS), {"articles": weekday})
    hours = [f"{h:02d}" for h in range(24)]
    by_hour = Chart("hour", "Articles per hour of the day (WIB)", "Hour of the publication time.",
                    ["hour", "articles"], [[h, n] for h, n in zip(hours, hour, strict=True)])  # fmt: skip
    by_hour.svg = _bar(by_hour, hours, {"articles": hour})
    return [day, by_hour]


def ranking(conn: sqlite3.Connection, f: Filters, column: str, key: str, title: str, note: str) -> Chart:
    sql, params = _where(f)
    rows = conn.execute(
        f"SELECT a.{column}, count(*) AS n FROM articles a WHERE {sql} AND a.{column} IS NOT NULL "
        f"GROUP BY a.{column} ORDER BY n DESC, a.{column} LIMIT {TOP}",
        params,
    ).fetchall()
    chart = Chart(key, title, note, [column, "articles"], [[r[0], r[1]] for r in rows])
    chart.svg = _bar(chart, [r[0] for r in rows][::-1], {"articles": [r[1] for r in rows][::-1]}, horizontal=True)
    return chart


def most_linked(conn: sqlite3.Connection, f: Filters) -> Chart:
    sql, params = _where(f)
    rows = conn.execute(
        "SELECT t.title, t.published_at, count(*) AS links, count(DISTINCT g.source_id) AS sources "
        "FROM link_graph g JOIN articles a ON a.id = g.source_id JOIN articles t ON t.id = g.target_id "
        f"WHERE {sql} GROUP BY g.target_id ORDER BY links DESC, t.published_at DESC LIMIT {TOP}",
        params,
    ).fetchall()
    total, resolved = conn.execute(
        "SELECT count(*), count(g.target_id) FROM link_graph g JOIN articles a ON a.id = g.source_id "
        f"WHERE {sql}", params,
    ).fetchone()  # fmt: skip
    chart = Chart("links", "Most linked articles (Baca Juga)",
                  f"{total} Baca Juga links from these articles, {resolved} to archived articles. "
                  "The whole graph: `satukanal export --links`.",
                  ["article", "published", "incoming links", "linking articles"],
                  [[r[0], r[1][:10], r[2], r[3]] for r in rows])  # fmt: skip
    chart.svg = _bar(chart, [r[0] for r in rows][::-1], {"incoming links": [r[2] for r in rows][::-1]},
                     horizontal=True)  # fmt: skip
    return chart


def links_between_channels(conn: sqlite3.Connection, f: Filters) -> Chart:
    """The link graph at the scale of channels: from which channel's articles to which channel's."""
    sql, params = _where(f)
    rows = conn.execute(
        "SELECT cs.name, ct.name, count(*) FROM link_graph g JOIN articles a ON a.id = g.source_id "
        "JOIN articles_categories s ON s.articles_id = g.source_id JOIN categories cs ON cs.id = s.categories_id "
        "JOIN articles_categories t ON t.articles_id = g.target_id JOIN categories ct ON ct.id = t.categories_id "
        f"WHERE {sql} GROUP BY cs.name, ct.name ORDER BY cs.name, ct.name",
        params,
    ).fetchall()
    sources = sorted({r[0] for r in rows})
    targets = sorted({r[1] for r in rows})
    counts = {(r[0], r[1]): r[2] for r in rows}
    series = {target: [counts.get((source, target), 0) for source in sources] for target in targets}
    chart = Chart("channel-links", "Baca Juga links between channels",
                  "Links from the articles of a channel (rows) to archived articles of a channel (columns); a link "
                  "between articles in two channels counts for each.",
                  ["from \\ to", *targets],
                  [[s, *(counts.get((s, t), 0) for t in targets)] for s in sources])  # fmt: skip
    chart.svg = _bar(chart, sources, series, horizontal=True, stacked=True)
    return chart


def edits(conn: sqlite3.Connection, f: Filters) -> Chart:
    sql, params = _where(f)
    rows = conn.execute(
        "SELECT substr(r.superseded_at, 1, 7) AS month, r.cause, count(*) FROM revisions r "
        f"JOIN articles a ON a.id = r.article_id WHERE {sql} GROUP BY month, r.cause ORDER BY month",
        params,
    ).fetchall()
    months = sorted({r[0] for r in rows})
    causes = sorted({r[1] for r in rows}) or ["refetch"]
    counts = {(m, c): n for m, c, n in rows}
    series = {cause: [counts.get((m, cause), 0) for m in months] for cause in causes}
    edited = conn.execute(f"SELECT count(DISTINCT r.article_id) FROM revisions r JOIN articles a ON a.id = "
                          f"r.article_id WHERE {sql}", params).fetchone()[0]  # fmt: skip
    chart = Chart("edits", "Edits found per month", f"{edited} articles have earlier versions "
                  "(`satukanal history` shows them). A month is when the change was found; `refetch`: the portal "
                  "changed the page, `reparse`: a newer parser read it differently.",
                  ["month", *causes], [[m, *(series[c][i] for c in causes)] for i, m in enumerate(months)])  # fmt: skip
    chart.svg = _bar(chart, months, series, stacked=True)
    return chart


def edited_articles(conn: sqlite3.Connection, f: Filters) -> Chart:
    """The articles most recently found changed: a list, not a chart."""
    sql, params = _where(f)
    rows = conn.execute(
        "SELECT a.title, a.published_at, count(r.id) + 1 AS versions, max(r.superseded_at) AS changed, "
        "(SELECT cause FROM revisions WHERE article_id = a.id ORDER BY id DESC LIMIT 1) AS cause, a.url "
        f"FROM articles a JOIN revisions r ON r.article_id = a.id WHERE {sql} GROUP BY a.id "
        f"ORDER BY changed DESC, a.id DESC LIMIT {TOP * 2}",
        params,
    ).fetchall()
    return Chart("edited", f"Recently edited articles (latest {TOP * 2})",
                 "Articles whose stored text changed after they were first archived, the latest change first; "
                 "`satukanal history URL` shows each change word by word.",
                 ["article", "published", "versions", "last change found", "cause", "url"],
                 [[r[0], r[1][:10], r[2], r[3][:16].replace("T", " "), r[4], r[5]] for r in rows])  # fmt: skip


def crawl_runs(conn: sqlite3.Connection, args: argparse.Namespace) -> Chart:
    conditions, params = ["1"], []
    if args.since:
        conditions.append("started_at >= ?")
        params.append(args.since)
    if args.until:
        conditions.append("started_at < date(?, '+1 day')")
        params.append(args.until)
    runs = conn.execute(f"SELECT id, started_at, finished_at, outcome, stats FROM crawl_runs WHERE "
                        f"{' AND '.join(conditions)} ORDER BY id", params).fetchall()  # fmt: skip
    rows = []
    for run in runs:
        stats = json.loads(run["stats"] or "{}")
        seconds = None
        if run["finished_at"]:
            seconds = round((datetime.fromisoformat(run["finished_at"]) -
                             datetime.fromisoformat(run["started_at"])).total_seconds())  # fmt: skip
        rows.append([run["id"], run["started_at"][:16].replace("T", " "), stats.get("downloader/response_count", 0),
                     stats.get("satukanal/articles/new", 0), stats.get("satukanal/urls/failed", 0), seconds,
                     run["outcome"]])  # fmt: skip
    chart = Chart("runs", "Crawl runs: pages, new articles, errors and duration",
                  "Pages fetched, articles new in the run, URLs that failed, and the run's duration in seconds "
                  "(empty for a run that did not finish).",
                  ["run", "started (WIB)", "pages", "new articles", "failed URLs", "seconds", "outcome"],
                  rows)  # fmt: skip
    labels = [f"#{r[0]}" for r in rows]
    drawn = {name: [r[column] for r in rows] for name, column in
             (("pages", 2), ("new articles", 3), ("failed URLs", 4), ("seconds", 5))}  # fmt: skip
    chart.svg = _line(chart, labels, drawn)
    return chart


DATELINE_NOTE = "As printed; KEDIRI and Kediri are counted apart."


def charts(conn: sqlite3.Connection, args: argparse.Namespace) -> list[Callable[[], Chart | list[Chart]]]:
    f = filters(conn, args)
    return [
        lambda: per_channel_month(conn, f),
        lambda: per_weekday_hour(conn, f),
        lambda: ranking(conn, f, "reporter", "reporters", f"Top {TOP} reporters", "By number of articles."),
        lambda: ranking(conn, f, "editor", "editors", f"Top {TOP} editors", "By number of articles."),
        lambda: ranking(conn, f, "dateline", "datelines", f"Top {TOP} datelines", DATELINE_NOTE),
        lambda: most_linked(conn, f),
        lambda: links_between_channels(conn, f),
        lambda: edits(conn, f),
        lambda: edited_articles(conn, f),
        lambda: crawl_runs(conn, args),
    ]


STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 960px; color: #222; }
h1 { font-size: 1.6em; } h2 { margin-top: 2.5em; border-top: 1px solid #ccc; padding-top: 1em; }
figure { margin: 0; } figure svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.2em 0.6em; text-align: left; } td.n { text-align: right; }
details summary { cursor: pointer; color: #555; } .note { color: #555; }
"""


def _table(chart: Chart) -> str:
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in chart.header)
    body = []
    for row in chart.rows:
        cells = "".join(f'<td class="n">{v:,}</td>' if isinstance(v, int) else
                        f"<td>{html.escape('' if v is None else str(v))}</td>" for v in row)  # fmt: skip
        body.append(f"<tr>{cells}</tr>")
    if not body:
        body.append(f'<tr><td colspan="{len(chart.header)}">(nothing in this archive)</td></tr>')
    rows = "".join(body)
    return (
        f'<table class="numbers" id="numbers-{chart.key}"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'
    )


def render(done: list[Chart], title: str, summary: str) -> str:
    sections = []
    for chart in done:
        sections.append(
            f'<section id="{chart.key}"><h2>{html.escape(chart.title)}</h2>'
            f'<p class="note">{html.escape(chart.note)}</p>'
            + (f'<figure aria-label="{html.escape(chart.title)}">{chart.svg}</figure>' if chart.svg else "")
            + f"<details open><summary>{'The numbers' if chart.svg else 'The list'}</summary>{_table(chart)}"
            "</details></section>"
        )
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"<style>{STYLE}</style></head><body><h1>{html.escape(title)}</h1><p>{html.escape(summary)}</p>"
            f'{"".join(sections)}</body></html>\n')  # fmt: skip


def run(args: argparse.Namespace) -> int:
    target = Path(args.out)
    if not target.parent.is_dir():
        raise UsageError(f"--out {args.out}: no folder {target.parent}")
    started = time.monotonic()
    progress = on_terminal()
    with reading(Path(args.db)) as conn:
        steps = charts(conn, args)
        done: list[Chart] = []
        for number, step in enumerate(steps, 1):
            if progress:
                sys.stderr.write(f"\rreport: step {number} of {len(steps)}")
                sys.stderr.flush()
            made = step()
            done += made if isinstance(made, list) else [made]
        drawn = sum(1 for chart in done if chart.svg)
        f = filters(conn, args)
        count, first, last = conn.execute(f"SELECT count(*), min(a.published_at), max(a.published_at) FROM articles a "
                                          f"WHERE {f.sql}", f.params).fetchone()  # fmt: skip
    if progress:
        sys.stderr.write("\n")
    chosen = ", ".join(f"{name} {value}" for name, value in (("since", args.since), ("until", args.until),
                       ("site", args.site), ("reporter", args.reporter),
                       ("channel", " or ".join(args.channel) or None)) if value)  # fmt: skip
    summary = (f"{count:,} articles published {(first or '-')[:10]} to {(last or '-')[:10]} in {Path(args.db).name}"
               f"{' (' + chosen + ')' if chosen else ''}; made {dates.now_wib()}"
               " by satukanal report.")  # fmt: skip
    page = render(done, "SATUKANAL.COM archive report", summary)
    partial = target.with_name(f".{target.name}.part")
    try:
        partial.write_text(page, encoding="utf-8")
        os.replace(partial, target)
    except OSError as exc:
        raise UsageError(f"--out {args.out}: cannot write it ({exc.strerror or exc})") from None
    print(f"satukanal: wrote {drawn} charts about {count:,} articles to {target} "
          f"in {time.monotonic() - started:.1f}s", file=sys.stderr)  # fmt: skip
    return EXIT_OK
