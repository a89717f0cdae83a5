"""Rules 1 and 6 on markup that is not WordPress: small invented pages in the shapes real outlets use
(a detik-like meta `pubdate`, a Kompas-like page with no machine date, an index page with og:type=article).
"""

from __future__ import annotations

import pytest

from satukanal_crawler.parsers import parse_article

URL = "https://berita.example.co.id/read/2019/03/07/120000/warga-gotong-royong"
BODY = (
    "<p>Warga Desa Sukamaju bergotong royong membersihkan saluran irigasi yang tersumbat sampah sejak pekan lalu, "
    "dibantu petugas kecamatan dan relawan.</p>"
    "<p>Kepala desa mengatakan kegiatan serupa akan digelar setiap bulan menjelang musim tanam.</p>"
)


def page(head: str = "", meta_line: str = "", og_type: str = "article", h1: str = "Warga Gotong Royong") -> str:
    return (
        f"<html><head><meta property='og:type' content='{og_type}'>"
        f"<meta property='og:title' content='{h1} - Berita Contoh'>{head}</head><body>"
        "<div class='top'>Kamis, 7 Maret 2019</div>"
        "<div class='side'><span class='tgl'>Rabu, 06/03/2019 08:15 WIB</span><a href='/lain/'>Berita lain</a></div>"
        f"<div class='isi'><h1>{h1}</h1>{meta_line}<div class='teks'>{BODY}</div></div></body></html>"
    )


def test_og_type_article_with_only_a_visible_date_is_an_article() -> None:
    record = parse_article(page(meta_line="<div class='kecil abu'>Kamis, 7 Maret 2019 | 12:00 WIB</div>"), URL)
    assert record is not None
    assert record["published_at"] == "2019-03-07T12:00:00+07:00"  # next to the headline, not the side widget


def test_og_type_article_without_any_date_is_not_an_article() -> None:
    html = page().replace("Rabu, 06/03/2019 08:15 WIB", "").replace("Kamis, 7 Maret 2019", "")
    assert parse_article(html, "https://berita.example.co.id/read/warga-gotong-royong") is None


@pytest.mark.parametrize("og_type", ["Article", "ARTICLE"])
def test_og_type_is_read_in_any_case(og_type: str) -> None:
    assert parse_article(page(meta_line="<div>07/03/2019 12:00 WIB</div>", og_type=og_type), URL) is not None


def test_microdata_article_type_counts() -> None:
    html = page(og_type="website").replace(
        "<div class='isi'>", "<div class='isi' itemscope itemtype='https://schema.org/NewsArticle'>"
    )
    html = html.replace("</h1>", "</h1><div>Kamis, 7 Maret 2019 12:00 WIB</div>")
    assert parse_article(html, URL) is not None


@pytest.mark.parametrize(
    ("machine", "visible", "expected"),
    [
        # a WIB wall time labelled Z: the visible time shows it, the seconds are kept
        ("2019-03-07T12:00:41Z", "Kamis, 07/03/2019 12:00 WIB", "2019-03-07T12:00:41+07:00"),
        # a sound value that agrees with the visible date is converted as stated
        ("2019-03-07T05:00:41Z", "Kamis, 07/03/2019 12:00 WIB", "2019-03-07T12:00:41+07:00"),
        # malformed (a space before T, dashes in the time): the wall time, when the visible date agrees
        ("2019-03-07 T12-00-41Z", "Kamis, 07/03/2019 12:00 WIB", "2019-03-07T12:00:41+07:00"),
        ("2019-03-07T12:00:41+07:00Z", "", "2019-03-07T12:00:41+07:00"),
        # zone-less and contradicted by the visible date: the visible date decides
        ("2019-03-07 09:30:00", "Kamis, 07/03/2019 12:00 WIB", "2019-03-07T12:00:00+07:00"),
        # zone-less and alone: read as WIB
        ("2019-03-07 09:30:00", "", "2019-03-07T09:30:00+07:00"),
    ],
)
def test_unsound_machine_values_yield_to_the_visible_date(machine: str, visible: str, expected: str) -> None:
    head = f"<meta name='pubdate' content='{machine}'>"
    html = page(head=head, meta_line=f"<div class='date'>{visible}</div>" if visible else "")
    assert parse_article(html, URL)["published_at"] == expected


def test_an_index_page_with_article_signals_is_not_an_article() -> None:
    cards = "".join(
        f"<article class='item'><h3><a href='/read/2019/03/07/{n}/judul-{n}'>Judul berita nomor {n}</a></h3>"
        f"<span>Kamis, 7 Maret 2019 1{n}:00 WIB</span><p>Ringkasan berita nomor {n} yang cukup panjang.</p></article>"
        for n in range(8)
    )
    html = (
        "<html><head><meta property='og:type' content='article'>"
        "<meta property='article:published_time' content='2019-03-07T12:00:00+07:00'></head>"
        f"<body><h1>Indeks Berita</h1><div class='daftar'>{cards}</div></body></html>"
    )
    assert parse_article(html, "https://berita.example.co.id/indeks/") is None


def test_an_article_with_a_labelled_more_news_list_stays_an_article() -> None:
    more = "".join(f"<h3><a href='/read/{n}/lain-{n}'>Berita lain nomor {n}</a></h3>" for n in range(8))
    html = page(meta_line="<div>07/03/2019 12:00 WIB</div>").replace(
        "</body>", f"<div class='kotak'><div class='kop'>Berita Lainnya</div>{more}</div></body>"
    )
    assert parse_article(html, URL) is not None


def test_title_is_the_headline_heading_when_the_h1_names_the_channel() -> None:
    html = page(h1="Regional").replace(
        "<div class='teks'>", "<h2>Warga Gotong Royong Bersihkan Saluran Irigasi</h2><div class='teks'>"
    )
    html = html.replace("Regional - Berita Contoh", "Warga Gotong Royong Bersihkan Saluran Irigasi - Berita Contoh")
    html = html.replace("</h2>", "</h2><div>07/03/2019 12:00 WIB</div>")
    assert parse_article(html, URL)["title"] == "Warga Gotong Royong Bersihkan Saluran Irigasi"


@pytest.mark.parametrize(
    ("byline", "reporter", "editor"),
    [
        # a table whose cells hold the label and ": name" (Kompas)
        (
            "<table><tr><td>Penulis</td><td>: Kontributor Kediri, Sri Wahyuni</td></tr>"
            "<tr><td>Editor</td><td>: Bambang Sutejo</td></tr></table>",
            "Kontributor Kediri, Sri Wahyuni",
            "Bambang Sutejo",
        ),
        # the name first, the label in its own span (Okezone)
        ("<div class='nm'><div>Sri Wahyuni</div><span>Jurnalis</span></div>", "Sri Wahyuni", None),
        ("<div>Sri Wahyuni / Jurnalis</div>", "Sri Wahyuni", None),
        # Red: abbreviates Redaktur (Republika), a label in <strong> inside a cell (Ihram)
        ("<div class='red'><span></span> Red: Bambang Sutejo</div>", None, "Bambang Sutejo"),
        ("<table><tr><td><strong>Redaktur :</strong>  Bambang Sutejo</td></tr></table>", None, "Bambang Sutejo"),
    ],
)
def test_bylines_outside_the_text_in_unlabelled_markup(byline: str, reporter: str | None, editor: str | None) -> None:
    html = page(meta_line="<div>07/03/2019 12:00 WIB</div>").replace("</body>", byline + "</body>")
    record = parse_article(html, URL)
    assert (record["reporter"], record["editor"]) == (reporter, editor)
    assert "Jurnalis" not in record["body_text"] and "Red:" not in record["body_text"]


def test_a_red_word_without_colon_is_not_a_byline() -> None:
    html = page(meta_line="<div>07/03/2019 12:00 WIB</div>").replace("</body>", "<div>Red Velvet</div></body>")
    assert parse_article(html, URL)["editor"] is None


@pytest.mark.parametrize(
    ("lead", "dateline", "starts"),
    [
        ("Jakarta - Warga berkumpul di balai desa.", "Jakarta", "Warga berkumpul"),
        ("Berita.com - Warga berkumpul di balai desa.", None, "Berita.com - Warga"),  # outlet only
        ("BERITA.CO.ID, BANJARMASIN -- Warga berkumpul di balai desa.", "BANJARMASIN", "Warga berkumpul"),
        ("Pemerintah desa - yang baru dilantik - mengumpulkan warga.", None, "Pemerintah desa"),
    ],
)
def test_dateline_forms(lead: str, dateline: str | None, starts: str) -> None:
    html = page(meta_line="<div>07/03/2019 12:00 WIB</div>").replace(BODY, f"<p>{lead}</p>{BODY}")
    record = parse_article(html, URL)
    assert record["dateline"] == dateline
    assert record["body_text"].startswith(starts)


def test_fallback_text_starts_at_the_lead_and_keeps_baca_juga_inside_the_text_only() -> None:
    """No known container: what the generic extractor keeps above the lead goes; Baca Juga inside the
    text is a link, a Baca Juga box after the text is a widget."""
    paragraphs = "".join(
        f"<p>Paragraf ke-{n} tentang gotong royong warga desa yang membersihkan saluran irigasi bersama.</p>"
        for n in range(6)
    )
    html = (
        "<html><head><meta property='og:type' content='article'><meta property='og:title' content='Judul Berita Desa'>"
        "</head><body><div class='wrap'><div class='crumb'>Home &gt; Berita</div><h1>Judul Berita Desa</h1>"
        "<div class='tgl'>Kamis, 07/03/2019 12:00 WIB</div><div class='isi'>"
        "<p>Sukamaju - Warga bergotong royong sejak pagi di saluran irigasi desa yang tersumbat sampah.</p>"
        f"{paragraphs[:200]}<p>Baca juga: <a href='/read/1/lain'>Panen Raya di Desa Tetangga</a></p>{paragraphs[200:]}"
        "</div><div class='box'><p>Baca Juga</p><ul><li><a href='/read/2/widget'>Berita Widget</a></li></ul></div>"
        "</div></body></html>"
    )
    record = parse_article(html, URL)
    assert record["dateline"] == "Sukamaju"
    assert record["body_text"].startswith("Warga bergotong royong")
    assert "Baca juga" not in record["body_text"] and "Panen Raya" not in record["body_text"]
    assert [b["url"] for b in record["baca_juga"]] == ["https://berita.example.co.id/read/1/lain"]


def _no_container_page(text: str) -> str:
    paragraphs = "".join(
        f"<p>Paragraf ke-{n} tentang gotong royong warga yang membersihkan saluran irigasi dusun nomor {n}.</p>"
        for n in range(6)
    )
    return (
        "<html><head><meta property='og:type' content='article'><meta property='og:title' content='Judul Berita Desa'>"
        "</head><body><div class='wrap'><h1>Judul Berita Desa</h1><div class='tgl'>Kamis, 07/03/2019 12:00 WIB</div>"
        f"<div class='isi'>{text}{paragraphs}</div></div></body></html>"
    )


def test_dateline_printed_just_before_the_leads_paragraph() -> None:
    """detik: `<strong>Jakarta</strong> - <p>lead`: the generic extractor drops the loose prefix."""
    html = _no_container_page(
        "<strong>Sukamaju</strong> - <p>Warga bergotong royong sejak pagi di saluran irigasi desa.</p>"
    )
    record = parse_article(html, URL)
    assert record["dateline"] == "Sukamaju"
    assert record["body_text"].startswith("Warga bergotong royong")


def test_lead_written_straight_into_the_box_before_the_first_paragraph() -> None:
    """KapanLagi: the lead is loose text before `<p><p>`; it stays the first paragraph."""
    html = _no_container_page(
        "<b>Berita.com</b> - Apa yang terjadi ketika seluruh warga turun ke saluran irigasi pada hari yang sama? "
        "Jawabannya terlihat di Desa Sukamaju pekan ini.<p><p>"
    )
    record = parse_article(html, URL)
    assert record["dateline"] is None  # an outlet-only prefix names no place
    assert record["body_text"].startswith("Berita.com - Apa yang terjadi")
