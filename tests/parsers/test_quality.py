"""The extraction quality check: clean records pass, each kind of leak is flagged as its own kind."""

from __future__ import annotations

import pytest

from satukanal_crawler.parsers import parse_article
from satukanal_crawler.parsers.quality import FLAGS, quality_flags
from tests.helpers import ORIGIN, article_paths, portal_html

GOOD = {
    "title": "Warga Bersihkan Saluran Irigasi",
    "published_at": "2021-04-08T14:35:00+07:00",
    "body_text": "Ratusan warga bergotong royong membersihkan saluran.\n\nKepala desa mengapresiasi kegiatan itu.",
}


def test_every_portal_record_passes() -> None:
    for path in article_paths():
        record = parse_article(portal_html(path), ORIGIN + path)
        assert quality_flags(record) == [], path


@pytest.mark.parametrize(
    ("extra", "flag"),
    [
        ("Baca Juga: Panen Raya di Pare", "baca_juga_in_body"),
        ("Pewarta: Rina Kusumawati | Editor: Bambang Sutejo", "byline_in_body"),
        ("Rina Kusumawati / Jurnalis", "byline_in_body"),
        ("Berita Terkait", "widget_heading_in_body"),
        ("Terpopuler", "widget_heading_in_body"),
        ("Bagikan: Facebook Twitter WhatsApp", "share_labels_in_body"),
    ],
)
def test_a_leaked_line_is_flagged_by_kind(extra: str, flag: str) -> None:
    record = dict(GOOD, body_text=GOOD["body_text"] + "\n\n" + extra)
    assert quality_flags(record) == [flag]


def test_a_dateline_left_in_the_lead_is_flagged() -> None:
    record = dict(GOOD, body_text="KEDIRI – " + GOOD["body_text"])
    assert quality_flags(record) == ["dateline_in_body"]


def test_missing_title_and_date() -> None:
    assert quality_flags(dict(GOOD, title="", published_at="")) == ["missing_title", "missing_date"]


def test_prose_mentioning_the_words_is_not_flagged() -> None:
    body = (
        "Penulis buku itu hadir di Kediri.\n\nIa membagikan pengalamannya di Facebook dan Twitter kepada "
        "ratusan pembaca yang datang sejak pagi."
    )
    assert quality_flags(dict(GOOD, body_text=body)) == []


def test_flags_are_the_documented_kinds() -> None:
    assert len(FLAGS) == len(set(FLAGS)) == 7
