"""Our parser on the two peers' own evaluation sets, with the peers' own metrics, against the peers.

    .venv/bin/python bench/peers.py --htmldate DIR --trafilatura DIR [--limit N] [--no-peers]

DIR is a clone of github.com/adbar/htmldate (resp. github.com/adbar/trafilatura), or any folder in
their layout: `tests/eval_default.json` + `tests/eval_mediacloud_2020.json` (URL -> {file, date}) with the
pages under `tests/eval/`, `tests/test_set/` or `tests/cache/`; `tests/evaldata.json` (URL -> {file, with,
without}) with the pages under `tests/eval/` or `tests/cache/`. Nothing is downloaded.

Dates, as htmldate's tests/evaluation.py counts them: per page tp = right day, fp = wrong day (or any date
for an unlabelled page), fn = no date; P = tp/(tp+fp), R = tp/(tp+fn), accuracy = tp/N, F = 2tp/(2tp+fp+fn).
Our published_at is in WIB, which moves an evening in Europe to the next day, so a match is also counted
when its UTC day is the label ("WIB or UTC day"); the WIB-day-only figure is printed too.
Text, as trafilatura's tests/eval_common.py counts it: whitespace-normalised substring test of every
"with" snippet (tp found, fn missing) and "without" snippet (fp found, tn missing), summed over pages.
Time per page: our `parse_article(assume_article=True)` (the whole record), trafilatura 2.3.1's
`bare_extraction(with_metadata=True)` and htmldate's `find_date(extensive_search=True)`, same pages,
same process, one after the other; medians and totals. Figures only: this is not a test.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from satukanal_crawler.parsers import parse_article

logging.disable(logging.WARNING)  # the peers log every odd page
_CANONICAL = re.compile(
    rb"""<link[^>]{0,200}?rel=["']?canonical["']?[^>]{0,200}?href=["']([^"'>]{1,500})"""
    rb"""|<meta[^>]{0,200}?property=["']og:url["'][^>]{0,200}?content=["']([^"'>]{1,500})""",
    re.IGNORECASE,
)
_SPACES = re.compile(r"\s+")


def read_page(path: Path) -> bytes:
    """A page's bytes; a copy that turned the sets' shared pages (symbolic links from trafilatura's
    folder to htmldate's) into small files holding the link's target is followed like the link."""
    data = path.read_bytes()
    if len(data) < 300 and data.strip().endswith((b".html", b".htm")) and b"<" not in data:
        target = (path.parent / data.strip().decode("utf-8", "replace")).resolve()
        if target.is_file():
            return target.read_bytes()
    return data


def _find(root: Path, name: str, folders: tuple[str, ...]) -> Path | None:
    for folder in folders:
        path = root / "tests" / folder / name
        if path.exists():
            return path
    return None


def date_cases(root: Path) -> list[tuple[str, Path, str | None]]:
    """(url, page, label day or None) for htmldate's 1,000-page comparison set."""
    cases = []
    for name, folders in (("eval_default.json", ("eval", "cache")), ("eval_mediacloud_2020.json", ("test_set",))):
        for url, entry in json.loads((root / "tests" / name).read_text(encoding="utf-8")).items():
            path = _find(root, entry["file"], folders)
            if path is None:
                continue
            label = entry.get("date")
            if not isinstance(label, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", label):
                label = None  # htmldate's NaN labels: any date found is a false positive
            cases.append((url, path, label))
    return cases


def text_cases(root: Path) -> list[tuple[str, Path, list[str], list[str]]]:
    cases = []
    data = json.loads((root / "tests" / "evaldata.json").read_text(encoding="utf-8"))
    for key, entry in data.items():
        path = _find(root, entry["file"], ("eval", "cache"))
        if path is not None:
            cases.append((key, path, entry.get("with") or [], entry.get("without") or []))
    return cases


def page_url(key: str, html: bytes) -> str:
    """The key when it is a URL, else the page's canonical link or og:url (as trafilatura's set needs)."""
    if key.startswith(("http://", "https://")):
        return key
    m = _CANONICAL.search(html)
    if m:
        found = (m.group(1) or m.group(2)).decode("utf-8", "replace")
        if found.startswith(("http://", "https://")):
            return found
    return "https://example.invalid/"


def _timed(fn, *args, **kwargs):
    start = time.perf_counter()
    try:
        result = fn(*args, **kwargs)
    except Exception:  # a peer's crash on one page is an empty answer, as in their own evaluations
        result = None
    return result, time.perf_counter() - start


def _days(value: str | None) -> set[str]:
    """The WIB day of our value and its UTC day."""
    if not value:
        return set()
    dt = datetime.fromisoformat(value)
    return {dt.date().isoformat(), dt.astimezone(UTC).date().isoformat()}


def _date_metrics(answers: list[tuple[str | None, set[str]]]) -> dict[str, float]:
    tp = fp = fn = 0
    for label, days in answers:
        if not days:
            fn += 1 if label else 0
        elif label and label in days:
            tp += 1
        else:
            fp += 1
    n = len(answers)
    return {
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "P": tp / (tp + fp) if tp + fp else 0.0,
        "R": tp / (tp + fn) if tp + fn else 0.0,
        "accuracy": tp / n if n else 0.0,
        "F": 2 * tp / (2 * tp + fp + fn) if tp else 0.0,
    }


def _text_metrics(counts: list[tuple[int, int, int, int]]) -> dict[str, float]:
    tp, fn, fp, tn = (sum(c[i] for c in counts) for i in range(4))
    return {
        "P": tp / (tp + fp) if tp + fp else 0.0,
        "R": tp / (tp + fn) if tp + fn else 0.0,
        "F": 2 * tp / (2 * tp + fp + fn) if tp else 0.0,
        "accuracy": (tp + tn) / (tp + fn + fp + tn) if tp + fn + fp + tn else 0.0,
    }


def _count(text: str | None, with_: list[str], without: list[str]) -> tuple[int, int, int, int]:
    norm = _SPACES.sub(" ", text or "")
    found_with = sum(1 for s in with_ if _SPACES.sub(" ", s) in norm)
    found_without = sum(1 for s in without if _SPACES.sub(" ", s) in norm)
    return found_with, len(with_) - found_with, found_without, len(without) - found_without


def _times(label: str, values: list[float]) -> str:
    if not values:
        return f"  {label:<34} -"
    return f"  {label:<34} median {statistics.median(values) * 1000:7.2f} ms   total {sum(values):7.1f} s"


def run_dates(root: Path, limit: int | None, peers: bool) -> None:
    import htmldate

    cases = date_cases(root)[:limit]
    ours: list[tuple[str | None, set[str]]] = []
    ours_wib: list[tuple[str | None, set[str]]] = []
    theirs: list[tuple[str | None, set[str]]] = []
    t_ours: list[float] = []
    t_theirs: list[float] = []
    for url, path, label in cases:
        html = read_page(path)
        record, dt = _timed(parse_article, html, url, assume_article=True)
        t_ours.append(dt)
        value = (record or {}).get("published_at") or None
        ours.append((label, _days(value)))
        ours_wib.append((label, {value[:10]} if value else set()))
        if peers:
            found, dt = _timed(htmldate.find_date, html, url=url, extensive_search=True, original_date=True)
            t_theirs.append(dt)
            theirs.append((label, {found} if found else set()))
    print(f"htmldate's set: {len(cases)} pages ({sum(1 for _, _, label in cases if label)} labelled), publication day")
    for name, answers in (("ours (WIB or UTC day)", ours), ("ours (WIB day only)", ours_wib), ("htmldate", theirs)):
        if answers:
            m = _date_metrics(answers)
            print(
                f"  {name:<24} accuracy {m['accuracy']:.3f}  P {m['P']:.3f}  R {m['R']:.3f}  F {m['F']:.3f}"
                f"  (tp {m['tp']}, fp {m['fp']}, fn {m['fn']})"
            )
    print(_times("ours parse_article (whole record)", t_ours))
    print(_times("htmldate find_date (extensive)", t_theirs))


def run_texts(root: Path, limit: int | None, peers: bool) -> None:
    import trafilatura

    cases = text_cases(root)[:limit]
    ours: list[tuple[int, int, int, int]] = []
    theirs: list[tuple[int, int, int, int]] = []
    t_ours: list[float] = []
    t_bare: list[float] = []
    for key, path, with_, without in cases:
        html = read_page(path)
        url = page_url(key, html)
        record, dt = _timed(parse_article, html, url, assume_article=True)
        t_ours.append(dt)
        ours.append(_count((record or {}).get("body_text"), with_, without))
        if peers:
            text = html.decode("utf-8", "replace")
            extracted, _ = _timed(trafilatura.extract, text, url=url, include_comments=False, include_tables=True)
            theirs.append(_count(extracted, with_, without))
            _, dt = _timed(trafilatura.bare_extraction, text, url=url, with_metadata=True)
            t_bare.append(dt)
    print(f"trafilatura's set: {len(cases)} pages, body text")
    for name, counts in (("ours", ours), ("trafilatura (its eval settings)", theirs)):
        if counts:
            m = _text_metrics(counts)
            print(f"  {name:<32} F {m['F']:.3f}  P {m['P']:.3f}  R {m['R']:.3f}  accuracy {m['accuracy']:.3f}")
    print(_times("ours parse_article (whole record)", t_ours))
    print(_times("trafilatura bare_extraction+meta", t_bare))
    if t_ours and t_bare:
        ratio = statistics.median(t_ours) / statistics.median(t_bare)
        print(f"  median time ours / trafilatura: {ratio:.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--htmldate", type=Path, help="htmldate checkout (or a folder in its layout)")
    parser.add_argument("--trafilatura", type=Path, help="trafilatura checkout (or a folder in its layout)")
    parser.add_argument("--limit", type=int, help="only the first N pages of each set")
    parser.add_argument("--no-peers", action="store_true", help="our figures only (no peer runs, no peer times)")
    args = parser.parse_args(argv)
    if not args.htmldate and not args.trafilatura:
        parser.error("give --htmldate DIR, --trafilatura DIR or both")
    for root, name in ((args.htmldate, "eval_default.json"), (args.trafilatura, "evaldata.json")):
        if root is not None and not (root / "tests" / name).is_file():
            print(f"error: {root} has no tests/{name}: not a checkout in the peer's layout", file=sys.stderr)
            return 2
    if args.htmldate:
        run_dates(args.htmldate, args.limit, not args.no_peers)
    if args.trafilatura:
        run_texts(args.trafilatura, args.limit, not args.no_peers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
