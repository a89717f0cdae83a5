"""One short test per contract rule, on the portal's pages: what each field must and must not contain."""

from __future__ import annotations

from functools import cache

import pytest

from satukanal_crawler.parsers import parse_article
from tests.helpers import ORIGIN, portal_html

SEED = "/diskominfo-jatim-upayakan-peran-media-sosial-dalam-pemerintah-daerah/"
FIRE = "/kebakaran-gudang-mebel-di-kota-kediri-kerugian-ditaksir-ratusan-juta/"
NO_JSONLD = "/harga-cabai-rawit-tembus-rp-90-ribu-pedagang-keluhkan-sepi-pembeli/"
TOP_BYLINE = "/turnamen-voli-antar-desa-di-pare-diikuti-32-tim/"
NESTED = "/pesilat-tulungagung-raih-tiga-emas-di-kejuaraan-provinsi/"
LIST_BACA = "/pemkab-kediri-gelar-layanan-adminduk-keliling-di-26-kecamatan/"
CAPTION_FIRST = "/luapan-sungai-rendam-puluhan-rumah-warga-di-gampengrejo/"


@cache
def record(path: str) -> dict:
    return parse_article(portal_html(path), ORIGIN + path)


def test_url_is_canonical_for_tracking_and_amp_urls() -> None:
    tracked = SEED + "?utm_source=satukanal&utm_medium=pilihan_redaksi"
    assert parse_article(portal_html(tracked), ORIGIN + tracked)["url"] == ORIGIN + SEED
    assert parse_article(portal_html(NESTED + "amp/"), ORIGIN + NESTED + "amp/")["url"] == ORIGIN + NESTED


def test_wp_post_id_from_shortlink_and_null_on_amp() -> None:
    assert record(SEED)["wp_post_id"] == 2334
    assert parse_article(portal_html(SEED + "amp/"), ORIGIN + SEED + "amp/")["wp_post_id"] is None


def test_title_is_the_headline_not_the_seo_title_or_breadcrumb() -> None:
    title = record(SEED)["title"]
    assert title == "Diskominfo Jatim Upayakan Peran Media Sosial Dalam Pemerintah Daerah"
    assert "SATUKANAL" not in title
    assert record(LIST_BACA)["title"].startswith("Pemkab Kediri Gelar Layanan Adminduk Keliling")


def test_dateline_is_the_place_only() -> None:
    assert record(SEED)["dateline"] == "KEDIRI"
    assert record(FIRE)["dateline"] == "KOTA KEDIRI"
    assert not record(SEED)["body_text"].startswith("SATUKANAL")


def test_no_dateline_keeps_the_whole_lead() -> None:
    umkm = record("/ratusan-pelaku-umkm-ikuti-pelatihan-pemasaran-digital/")
    assert umkm["dateline"] is None
    assert umkm["body_text"].startswith("Sebanyak 250 pelaku usaha")


def test_dates_are_converted_to_wib_even_across_a_month() -> None:
    # The page states 2021-04-30T23:25:03+00:00.
    assert record(FIRE)["published_at"] == "2021-05-01T06:25:03+07:00"


def test_modified_is_null_without_a_modified_time() -> None:
    assert record(NO_JSONLD)["modified_at"] is None
    assert record(NO_JSONLD)["published_at"] == "2021-02-15T08:05:00+07:00"


def test_byline_from_body_and_from_top_meta() -> None:
    assert (record(SEED)["reporter"], record(SEED)["editor"]) == ("Anis Firmansyah", "Redaksi Satukanal")
    assert record(TOP_BYLINE)["editor"] == "Luluk Maghfiroh"
    assert (record(FIRE)["reporter"], record(FIRE)["editor"]) != (None, None)


def test_author_is_the_cms_author_not_the_reporter() -> None:
    flood = record(CAPTION_FIRST)
    assert flood["author"] == "Rina Kurniasari"
    assert flood["author"] != flood["reporter"]


def test_categories_exclude_breadcrumb_parent_and_decode_entities() -> None:
    assert record(NESTED)["categories"] == ["Olahraga", "Tulungagung"]
    assert (
        "Hukum & Kriminal"
        in record("/penyidikan-kredit-macet-bpr-kota-kediri-kerugian-mencapai-24-milyar/")["categories"]
    )


def test_summary_is_verbatim_with_its_dateline() -> None:
    assert record(SEED)["summary"].startswith("SATUKANAL.com, KEDIRI–")
    assert record("/ssb-putra-brantas-gelar-seleksi-pemain-u-12/")["summary"] is None


def test_image_is_null_when_the_post_has_none() -> None:
    assert record("/dinas-perpustakaan-gelar-lomba-bercerita-tingkat-sd-secara-daring/")["image_url"] is None
    assert record(SEED)["image_url"].endswith("diskominfo-jatim-kopilaborasi.jpg")


@pytest.mark.parametrize(
    "leak",
    [
        "Baca Juga",
        "Pewarta",
        "Editor :",
        "ADVERTISEMENT",
        "Kanal Terkait",
        "Terpopuler",
        "Tinggalkan Balasan",
        "Diskominfo Jatim Upayakan Peran Media Sosial\n",  # the figcaption
        "Bagikan",
        "Tags:",
    ],
)
def test_body_never_contains_widget_byline_or_baca_juga_text(leak: str) -> None:
    assert leak not in record(SEED)["body_text"]


def test_body_keeps_paragraph_order_and_blank_line_joins() -> None:
    body = record(SEED)["body_text"]
    paragraphs = body.split("\n\n")
    assert paragraphs[0].startswith("Dinas Komunikasi dan Informatika")
    assert paragraphs[-1].endswith("pungkasnya.")
    assert all(p == p.strip() and p for p in paragraphs)


def test_caption_before_the_lead_is_not_the_lead() -> None:
    flood = record(CAPTION_FIRST)
    assert flood["dateline"] == "KEDIRI"
    assert flood["body_text"].startswith("Hujan")


def test_comments_do_not_leak_into_body_or_byline() -> None:
    fire = record(FIRE)
    assert "Baca juga" not in fire["body_text"]
    assert all("comment" not in link["url"] for link in fire["baca_juga"])


def test_baca_juga_links_in_order_with_titles_as_printed() -> None:
    assert [b["title"] for b in record(SEED)["baca_juga"]] == [
        "Penyidikan Kredit Macet BPR Kota Kediri, Kerugian Mencapai 2,4 Milyar",
        "BKD Kabupaten Kediri, Siapkan 893 Usulan Guru PPPK 2021",
    ]
    assert len(record(LIST_BACA)["baca_juga"]) == 2


def test_related_widgets_are_not_baca_juga() -> None:
    urls = {b["url"] for b in record(SEED)["baca_juga"]}
    assert ORIGIN + "/dinas-perpustakaan-gelar-lomba-bercerita-tingkat-sd-secara-daring/" not in urls


@pytest.mark.parametrize("path", ["/", "/redaksi/", "/category/straight-news/", "/tag/kediri/", "/author/redaksi/"])
def test_non_articles_are_none(path: str) -> None:
    assert parse_article(portal_html(path), ORIGIN + path) is None
