"""Generated pages: the contract's forms in every combination, each with the record it must give.

A page is built from a theme skeleton x a dateline form x a byline form x a Baca Juga form x a date
form x an encoding x where the widgets sit; the expected record is derived from what was put in, not
from the parser. Invented Indonesian text only. Bounded in time: a fixed number of examples, no
deadline per example (parse time is a benchmark's business, not a test's).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from satukanal_crawler.parsers import parse_article

URL = "https://satukanal.com/warga-bersihkan-saluran-irigasi/"
TITLE = "Warga Bersihkan Saluran Irigasi Desa Sukamaju"
LEAD = "Ratusan warga Desa Sukamaju bergotong royong membersihkan saluran irigasi yang tersumbat sampah."
PARAGRAPHS = [
    "Kegiatan dimulai sejak pukul 07.00 dan melibatkan perangkat desa serta relawan dari kecamatan.",
    "Kepala desa mengatakan saluran itu mengairi lebih dari dua ratus hektare sawah warga.",
    "“Kami berharap musim tanam kali ini tidak terganggu banjir,” ujarnya kepada wartawan.",
]


@dataclass
class Page:
    head: list[str] = field(default_factory=list)
    body_class: str = ""
    before: list[str] = field(default_factory=list)  # inside the article, before the text
    lead_html: str = ""
    inline: list[str] = field(default_factory=list)  # inside the text, after the second paragraph
    tail: list[str] = field(default_factory=list)  # inside the text, after the last paragraph
    after: list[str] = field(default_factory=list)  # after the text container
    expected: dict = field(default_factory=dict)


DATELINES = [
    # (markup of the lead's start, expected dateline, expected first paragraph)
    ("", None, LEAD),
    ("KEDIRI – ", "KEDIRI", LEAD),
    ("<strong>KAB. KEDIRI</strong> - ", "KAB. KEDIRI", LEAD),
    ("SATUKANAL.com, KOTA BATU – ", "KOTA BATU", LEAD),
    ("Satukanal.com | BLITAR – ", "BLITAR", LEAD),
    ("KEDIRI, SATUKANAL.com – ", "KEDIRI", LEAD),
    ("TULUNGAGUNG (ANTARA) - ", "TULUNGAGUNG", LEAD),
    ("<b>Kediri</b> | ", "Kediri", LEAD),
    ("NGANJUK -- ", "NGANJUK", LEAD),
]
BYLINES = [
    # (markup, reporter, editor)
    ("", None, None),
    ("<p>Pewarta: Rina Kusumawati<br>Editor: Moch. Fajar Ramadhan</p>", "Rina Kusumawati", "Moch. Fajar Ramadhan"),
    ("<p>Reporter : Rina Kusumawati | Editor : Dr. H. Sukoco Hadi</p>", "Rina Kusumawati", "Dr. H. Sukoco Hadi"),
    ("<p><strong>Penulis</strong>&nbsp;Rina Kusumawati</p>", "Rina Kusumawati", None),
    ("<p><em>Wartawan: Rina Kusumawati</em></p><p><em>Redaktur: Bambang Sutejo</em></p>", "Rina Kusumawati",
     "Bambang Sutejo"),
]  # fmt: skip
BACA_JUGA = [
    # (markup inside the text, [(href, title)])
    ("", []),
    ("<p><strong>Baca Juga:</strong> <a href='/panen-raya-di-pare/'>Panen Raya di Pare</a></p>",
     [("https://satukanal.com/panen-raya-di-pare/", "Panen Raya di Pare")]),
    ("<p>BACA JUGA&nbsp;: <a href='https://lain.example.id/x/'>Pasar &amp; Harga Cabai</a></p>",
     [("https://lain.example.id/x/", "Pasar & Harga Cabai")]),
    ("<div class='baca-juga'><span>Baca juga</span><ul><li><a href='/a/'>Jalan Desa Diperbaiki</a></li>"
     "<li><a href='/b/'>Sekolah Baru Dibuka</a></li></ul></div>",
     [("https://satukanal.com/a/", "Jalan Desa Diperbaiki"), ("https://satukanal.com/b/", "Sekolah Baru Dibuka")]),
    ("<aside><em>Baca Juga - <a href='/c/'>Festival Kopi Digelar</a></em></aside>",
     [("https://satukanal.com/c/", "Festival Kopi Digelar")]),
]  # fmt: skip
DATES = [
    # (kind, expected published_at)
    ("meta", "2021-04-08T14:35:12+07:00"),
    ("jsonld", "2021-04-08T14:35:12+07:00"),
    ("time", "2021-04-08T14:35:12+07:00"),
    ("visible", "2021-04-08T14:35:00+07:00"),
    ("visible-numeric", "2021-04-08T14:35:00+07:00"),
    ("mislabelled-z", "2021-04-08T14:35:12+07:00"),
]
SKELETONS = ["wordpress", "tagdiv", "generic"]
ENCODINGS = ["utf-8", "windows-1252-header", "windows-1252-meta"]
WIDGETS = ["none", "sidebar-before", "related-after"]


def _date(page: Page, kind: str) -> None:
    visible = "<span class='posted-on'>Kamis, 8 April 2021 - 14:35 WIB</span>"
    if kind == "meta":
        page.head.append("<meta property='article:published_time' content='2021-04-08T07:35:12+00:00'>")
    elif kind == "jsonld":
        page.head.append(
            '<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle",'
            f'"headline":"{TITLE}","datePublished":"2021-04-08T07:35:12Z"}}</script>'
        )
    elif kind == "time":
        page.before.append("<time class='entry-date published' datetime='2021-04-08T14:35:12+07:00'>8 April</time>")
    elif kind == "visible":
        page.before.append(visible)
    elif kind == "visible-numeric":
        page.before.append("<span class='date'>08/04/2021 14.35 WIB</span>")
    elif kind == "mislabelled-z":
        page.head.append("<meta property='article:published_time' content='2021-04-08T14:35:12Z'>")
        page.before.append(visible)


def build(skeleton: str, dateline: int, byline: int, baca: int, date: int, encoding: str, widgets: str):
    page = Page()
    prefix, want_dateline, first = DATELINES[dateline]
    page.lead_html = f"<p>{prefix}{LEAD}</p>"
    byline_html, reporter, editor = BYLINES[byline]
    page.tail.append(byline_html)
    baca_html, links = BACA_JUGA[baca]
    page.inline.append(baca_html)
    kind, published = DATES[date]
    _date(page, kind)
    if widgets == "sidebar-before":
        page.before.insert(0, "")  # the sidebar goes before the article element, see below
    if widgets == "related-after":
        page.after.append(
            "<div class='jp-relatedposts'><h3>Baca Juga</h3><ul><li><a href='/lama/'>Berita Lama</a>"
            "<span class='date'>Senin, 1 Maret 2021 09:00 WIB</span></li></ul></div>"
        )
    sidebar = (
        "<div class='sidebar'><div class='widget'><h3>Terpopuler</h3><ul><li><a href='/pop/'>Berita Populer</a>"
        "<span class='date'>Rabu, 7 April 2021 08:00 WIB</span></li></ul></div></div>"
        if widgets == "sidebar-before"
        else ""
    )
    text = page.lead_html + "".join(f"<p>{p}</p>" for p in PARAGRAPHS[:2]) + "".join(page.inline)
    text += f"<p>{PARAGRAPHS[2]}</p>" + "".join(page.tail)
    container, body_class = {
        "wordpress": ("entry-content", "post-template-default single single-post postid-41 single-format-standard"),
        "tagdiv": ("td-post-content", "single-post postid-41 td-standard-pack"),
        "generic": ("isi-berita", ""),
    }[skeleton]
    head = "".join(page.head)
    if skeleton == "generic":
        head += "<meta property='og:type' content='article'>"
    charset = "utf-8" if encoding == "utf-8" else "windows-1252"
    meta_charset = f"<meta charset='{charset}'>" if encoding != "windows-1252-header" else ""
    html = (
        f"<!DOCTYPE html><html lang='id'><head>{meta_charset}<title>{TITLE} | SATUKANAL.COM</title>"
        f"<link rel='canonical' href='{URL}'>{head}</head><body class='{body_class}'>{sidebar}"
        f"<article class='post-41 post type-post'><header class='entry-header'><h1 class='entry-title'>{TITLE}</h1>"
        f"<div class='entry-meta'>{''.join(page.before)}</div></header>"
        f"<div class='{container}'>{text}</div>{''.join(page.after)}</article></body></html>"
    )
    content_type = "text/html; charset=windows-1252" if encoding == "windows-1252-header" else None
    data = html.encode(charset)
    expected = {
        "title": TITLE,
        "dateline": want_dateline,
        "published_at": published,
        "reporter": reporter,
        "editor": editor,
        "body_text": "\n\n".join([first, *PARAGRAPHS]),
        "baca_juga": [{"url": u, "title": t} for u, t in links],
    }
    return data, content_type, expected


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    skeleton=st.sampled_from(SKELETONS),
    dateline=st.integers(0, len(DATELINES) - 1),
    byline=st.integers(0, len(BYLINES) - 1),
    baca=st.integers(0, len(BACA_JUGA) - 1),
    date=st.integers(0, len(DATES) - 1),
    encoding=st.sampled_from(ENCODINGS),
    widgets=st.sampled_from(WIDGETS),
)
def test_generated_page_gives_the_record_it_was_built_from(
    skeleton: str, dateline: int, byline: int, baca: int, date: int, encoding: str, widgets: str
) -> None:
    data, content_type, expected = build(skeleton, dateline, byline, baca, date, encoding, widgets)
    record = parse_article(data, URL, content_type=content_type)
    assert record is not None
    assert {key: record[key] for key in expected} == expected
