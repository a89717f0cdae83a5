"""Pages the snapshot does not show (other themes, AMP, encodings, broken markup), each with its record.

Each variant is `tests/fixtures/variants/NAME.html` (bytes as served) and `NAME.json` with the fetch URL,
the Content-Type header if any, and the expected record (or null). tests/fixtures/variants/README.md
lists what each one tests.
"""

from __future__ import annotations

import json

import pytest

from satukanal_crawler.parsers import parse_article
from tests.helpers import FIXTURES

VARIANTS = FIXTURES / "variants"
CASES = sorted(p.stem for p in VARIANTS.glob("*.json"))


def load(name: str) -> tuple[bytes, dict]:
    return (VARIANTS / f"{name}.html").read_bytes(), json.loads((VARIANTS / f"{name}.json").read_text("utf-8"))


def test_there_are_at_least_twenty_variants() -> None:
    assert len(CASES) >= 20


@pytest.mark.parametrize("name", CASES)
def test_variant_gives_its_expected_record(name: str) -> None:
    html, case = load(name)
    got = parse_article(html, case["url"], assume_article=case.get("assume_article", False),
                        content_type=case.get("content_type"))  # fmt: skip
    want = case["expected"]
    if want is not None and got is not None:  # CONTRACT rule 9: the order of terms does not matter
        for key in ("categories", "tags"):
            got[key], want[key] = sorted(got[key]), sorted(want[key])
    assert got == want, case["description"]


@pytest.mark.parametrize("name", [n for n in CASES if load(n)[1]["expected"]])
def test_variant_body_has_no_byline_or_baca_juga_text(name: str) -> None:
    html, case = load(name)
    body = parse_article(html, case["url"], assume_article=case.get("assume_article", False),
                         content_type=case.get("content_type"))["body_text"]  # fmt: skip
    for leak in ("Baca Juga", "BACA JUGA", "Pewarta :", "Editor :", "Redaktur :", "Berita Terkait", "ADVERTISEMENT"):
        assert leak not in body
