"""Body-extraction quality on the Article Extraction Benchmark (AEB), with its published metric.

    .venv/bin/python bench/aeb.py [--data bench/data/aeb] [--compare-trafilatura] [--worst N]

181 real news pages from many sites (bench/data/aeb, MIT licence, from scrapinghub's
article-extraction-benchmark) go through `parse_article(html, url, assume_article=True)` and its
body_text is scored against the human-written body. The metric is AEB's own: `\\w+` tokens, 4-token
shingles with multiplicity, per-page tp/fp/fn normalised to sum 1, precision and recall averaged over
pages, F1 the harmonic mean of the two means. Published F1: AutoExtract 0.970, rs-trafilatura 0.970,
trafilatura 0.958, newspaper4k 0.949, news-please 0.948, readability-lxml 0.922.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from satukanal_crawler.parsers import parse_article

DEFAULT_DATA = Path(__file__).resolve().parent / "data" / "aeb"
_TOKEN = re.compile(r"\w+")


def shingles(text: str, n: int = 4) -> Counter[str]:
    tokens = _TOKEN.findall(text or "")
    return Counter(" ".join(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i : i + n])


def page_scores(truth: str, prediction: str) -> tuple[float, float, float]:
    t, p = shingles(truth), shingles(prediction)
    tp = sum((t & p).values())
    fp = sum(p.values()) - tp
    fn = sum(t.values()) - tp
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def evaluate(predictions: dict[str, str], truth: dict[str, dict]) -> tuple[float, float, float, dict]:
    precisions, recalls, per_page = [], [], {}
    for key, item in truth.items():
        tp, fp, fn = page_scores(item["articleBody"], predictions.get(key, ""))
        if tp + fp > 0:
            precisions.append(tp / (tp + fp))
        if tp + fn > 0:
            recalls.append(tp / (tp + fn))
        per_page[key] = tp
    precision = sum(precisions) / len(precisions)
    recall = sum(recalls) / len(recalls)
    return precision, recall, 2 * precision * recall / (precision + recall), per_page


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder with html/ and ground-truth.json")
    parser.add_argument("--compare-trafilatura", action="store_true", help="also score trafilatura alone")
    parser.add_argument("--worst", type=int, default=0, help="list the N pages scoring lowest")
    args = parser.parse_args(argv)
    truth_file = args.data / "ground-truth.json"
    if not truth_file.exists():
        print(f"error: {truth_file} not found", file=sys.stderr)
        return 2
    truth = json.loads(truth_file.read_text(encoding="utf-8"))
    pages = {key: gzip.decompress((args.data / "html" / f"{key}.html.gz").read_bytes()) for key in truth}

    start = time.perf_counter()
    ours = {}
    for key, html in pages.items():
        record = parse_article(html, truth[key]["url"], assume_article=True)
        ours[key] = record["body_text"] if record else ""
    elapsed = time.perf_counter() - start
    precision, recall, f1, per_page = evaluate(ours, truth)
    print(f"pages: {len(truth)}")
    print(
        f"satukanal parse_article  precision {precision:.4f}  recall {recall:.4f}  F1 {f1:.4f}  "
        f"({elapsed / len(pages) * 1000:.1f} ms/page)"
    )
    if args.compare_trafilatura:
        import trafilatura

        theirs = {
            key: trafilatura.extract(html.decode("utf-8", "replace"), url=truth[key]["url"]) or ""
            for key, html in pages.items()
        }
        tp_, tr_, tf_, _ = evaluate(theirs, truth)
        print(f"trafilatura defaults     precision {tp_:.4f}  recall {tr_:.4f}  F1 {tf_:.4f}")
    print("published F1: AutoExtract 0.970, rs-trafilatura 0.970, trafilatura 0.958, readability 0.922")
    print(f"target F1 >= 0.958: {'met' if f1 >= 0.958 else 'NOT met'}")
    for key in sorted(per_page, key=per_page.get)[: args.worst]:
        print(f"  {per_page[key]:.3f}  {key[:16]}  {truth[key]['url'][:90]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
