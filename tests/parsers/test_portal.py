"""Every page of the portal snapshot gives exactly its expected record; every other page gives None."""

from __future__ import annotations

import pytest

from satukanal_crawler.parsers import FIELDS, parse_article
from tests.helpers import ORIGIN, article_paths, expected_record, html_paths, portal_html


@pytest.mark.parametrize("path", html_paths())
def test_page_gives_its_expected_record(path: str) -> None:
    assert parse_article(portal_html(path), ORIGIN + path) == expected_record(path)


def test_snapshot_has_the_articles_and_non_articles_it_should() -> None:
    articles = article_paths()
    assert len([p for p in articles if "/amp/" in p]) == 2
    assert len([p for p in articles if "?" not in p and "/amp/" not in p]) == 14
    assert len(html_paths()) - len(articles) >= 40


@pytest.mark.parametrize("path", [p for p in article_paths() if "?" not in p])
def test_record_has_contract_fields_in_order(path: str) -> None:
    record = parse_article(portal_html(path), ORIGIN + path)
    assert tuple(record) == FIELDS


@pytest.mark.parametrize("path", [p for p in article_paths() if "?" not in p and "/amp/" not in p])
def test_assume_article_gives_the_same_record(path: str) -> None:
    assert parse_article(portal_html(path), ORIGIN + path, assume_article=True) == expected_record(path)


def test_text_input_equals_bytes_input() -> None:
    path = article_paths()[0]
    html = portal_html(path)
    assert parse_article(html.decode("utf-8"), ORIGIN + path) == parse_article(html, ORIGIN + path)
