"""Synthetic mirrors of the portal: thousands of articles in the portal's theme, with exact expected records.

The bundled snapshot (``mirror/portal``) has 14 articles: enough to pin the parser down, far too few to
test a crawl (pagination depth, sitemap splits, politeness over many requests, incremental runs,
deduplication of aliases) or to benchmark one. This module writes a mirror of any size in the same
format (``site/`` + ``manifest.json``, absolute ``https://satukanal.com`` links, served by
:class:`satukanal_crawler.mirror.replay.ReplayServer`) and, for every article page, the exact record
:func:`parse_article` must return (``expected/{slug}.json``), computed from the generator's own data,
never by parsing its output.

What the mirror models, and why:

* the snapshot's theme and signals (canonical, ``?p=`` shortlink, ``postid-N``, Yoast JSON-LD graph in
  UTC, ``article:published_time``, ``h1.entry-title``, dateline leads, inline Baca Juga, byline
  paragraphs, category/tag links, Kanal Terkait and sidebar widgets, ads and share blocks inside the
  content), with the same variations of datelines, Baca Juga labels and bylines as the snapshot;
* nested channels (``/category/daerah/tulungagung/``; a parent lists its children's posts), paginated
  with ``/page/N/`` and WordPress' elided page links (deep pages are reachable only by following
  "next"), ``/page/1/`` 301s, tag and author archives, the home page, RSS feeds, Yoast sitemaps split at
  ``sitemap_size``, robots.txt;
* the aliases the archive must fold into one row: ``?p=ID`` shortlinks, AMP twins, renamed slugs
  (old slug 301s), and one re-post (same title and body under a new URL, published later);
* legacy posts that only the sitemap leads to (a hidden "Arsip" category outside the menu and the
  category sitemap), as imported archives on the real site are;
* the "next day" (:func:`advance_mirror`): new posts, edited posts, everything else untouched.

Pages are "page-cached": an article page keeps the widgets (Terbaru, Terpopuler, Kanal Terkait, the
top-bar date) of the day it was rendered, so an untouched article stays byte-identical on the next day
while home, archives, feeds and sitemaps are rebuilt, as a caching WordPress does after publishing.

Only the standard library is used, output is deterministic for a seed, and files are written as they
are rendered (memory holds post metadata only).
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import html
import json
import math
import os
import random
import re
import shutil
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote

__all__ = [
    "MIRROR_INFO_FILE",
    "ORIGIN",
    "RECORD_KEYS",
    "MirrorInfo",
    "advance_mirror",
    "generate_mirror",
    "main",
]

ORIGIN = "https://satukanal.com"
SITE_NAME = "SATUKANAL.COM"
TAGLINE = "Satu Kanal Berita Kediri Raya"
WIB = timezone(timedelta(hours=7))
#: The contract's record fields, in the order the expected files list them.
RECORD_KEYS = (
    "url",
    "wp_post_id",
    "title",
    "dateline",
    "published_at",
    "modified_at",
    "reporter",
    "editor",
    "author",
    "categories",
    "tags",
    "summary",
    "image_url",
    "body_text",
    "baca_juga",
)
MIRROR_INFO_FILE = "mirror.json"
_STATE_FILE = "synth_state.json"
_STATE_VERSION = 1
FEED_SIZE = 10
CT_HTML = "text/html; charset=UTF-8"
CT_RSS = "application/rss+xml; charset=UTF-8"
CT_XML = "text/xml; charset=UTF-8"
CT_TEXT = "text/plain; charset=UTF-8"
NOT_FOUND_FILE = "site/_errors/404.html"
DEFAULT_START = datetime(2021, 1, 4, 7, 12, 5, tzinfo=WIB)
UTM_QUERY = "utm_source=satukanal&utm_medium=pilihan_redaksi"

# ---------------------------------------------------------------------------------------------------
# Site model: channels, users, vocabulary
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Channel:
    slug: str
    name: str
    term_id: int
    parent: str | None = None
    hidden: bool = False  # not in menus nor the category sitemap: reachable via its posts only

    @property
    def path(self) -> str:
        return f"/category/{self.parent}/{self.slug}/" if self.parent else f"/category/{self.slug}/"


_CHANNELS = (
    _Channel("straight-news", "Straight News", 5),
    _Channel("peristiwa", "Peristiwa", 7),
    _Channel("pemerintahan", "Pemerintahan", 9),
    _Channel("hukum-kriminal", "Hukum & Kriminal", 13),
    _Channel("olahraga", "Olahraga", 11),
    _Channel("daerah", "Daerah", 15),
    _Channel("tulungagung", "Tulungagung", 17, parent="daerah"),
    _Channel("blitar", "Blitar", 19, parent="daerah"),
    _Channel("nganjuk", "Nganjuk", 21, parent="daerah"),
    _Channel("advertorial", "Advertorial", 3),
    _Channel("arsip", "Arsip", 25, hidden=True),
)
_CH = {c.slug: c for c in _CHANNELS}
_TOPICS = ("peristiwa", "pemerintahan", "hukum-kriminal", "olahraga")
_TOPIC_WEIGHTS = (3, 3, 2, 2)
_REGIONS = ("tulungagung", "blitar", "nganjuk")

# CMS users: login -> (display name, user id). "arsip" owns the imported legacy posts only.
_USERS = {
    "redaksi": ("Redaksi Satukanal", 1),
    "rina": ("Rina Kurniasari", 6),
    "dimas": ("Dimas Prasetyo", 7),
    "bagus": ("Bagus Wicaksono", 9),
    "arsip": ("Arsip Satukanal", 11),
}
_ACTIVE_USERS = ("redaksi", "redaksi", "rina", "dimas", "bagus")
_REPORTERS = (
    "Siti Khoiriyah",
    "Yuli Astutik",
    "Moch. Arif Setiawan",
    "Rina Kurniasari",
    "Dimas Prasetyo",
    "Bagus Wicaksono",
    "Nur Hidayati",
    "Eko Prasetya",
    "Fajar Nugroho",
)
_EDITORS = ("Luluk Maghfiroh", "Hendra Saputra", "Redaksi Satukanal", "Drs. Wahyu Hidayat")
_TAGS = (
    "Kediri",
    "Kota Kediri",
    "Tulungagung",
    "Covid-19",
    "Vaksinasi",
    "UMKM",
    "Pendidikan",
    "Banjir",
    "Kebakaran",
    "Pertanian",
    "Sepak Bola",
    "Pencak Silat",
    "Bola Voli",
    "Infrastruktur",
    "Kesehatan",
    "Pariwisata",
    "Budaya",
    "Lalu Lintas",
    "Pilkades",
    "Bansos",
    "Literasi",
    "Pasar",
    "Cuaca Ekstrem",
    "Pemuda",
    "Desa Wisata",
    "Blitar",
    "Nganjuk",
    "Pelajar",
)
_PLACES_GENERAL = ("KEDIRI", "KEDIRI", "KEDIRI", "KOTA KEDIRI", "KABUPATEN KEDIRI", "KAB. KEDIRI")

# (title form, body form)
_SUBJECTS = (
    ("Pemkab Kediri", "Pemerintah Kabupaten (Pemkab) Kediri"),
    ("Pemkot Kediri", "Pemerintah Kota (Pemkot) Kediri"),
    ("Dinkes", "Dinas Kesehatan (Dinkes)"),
    ("Disdik", "Dinas Pendidikan (Disdik)"),
    ("BPBD", "Badan Penanggulangan Bencana Daerah (BPBD)"),
    ("Polres Kediri Kota", "Kepolisian Resor (Polres) Kediri Kota"),
    ("Kejari", "Kejaksaan Negeri (Kejari)"),
    ("Satpol PP", "Satuan Polisi Pamong Praja (Satpol PP)"),
    ("Warga", "Puluhan warga"),
    ("Pelajar", "Ratusan pelajar"),
    ("Kelompok Tani", "Kelompok tani"),
    ("Karang Taruna", "Pengurus karang taruna"),
    ("Pelaku UMKM", "Para pelaku usaha mikro, kecil, dan menengah (UMKM)"),
    ("Tim Gabungan", "Tim gabungan"),
    ("DPRD", "Dewan Perwakilan Rakyat Daerah (DPRD)"),
    ("Dishub", "Dinas Perhubungan (Dishub)"),
    ("Petugas Puskesmas", "Petugas puskesmas"),
    ("PMI", "Palang Merah Indonesia (PMI)"),
)
_VERBS = (
    ("Gelar", "menggelar"),
    ("Siapkan", "menyiapkan"),
    ("Tinjau", "meninjau"),
    ("Resmikan", "meresmikan"),
    ("Bagikan", "membagikan"),
    ("Evaluasi", "mengevaluasi"),
    ("Salurkan", "menyalurkan"),
    ("Perbaiki", "memperbaiki"),
    ("Bahas", "membahas"),
    ("Percepat", "mempercepat"),
    ("Dukung", "mendukung"),
    ("Tingkatkan", "meningkatkan"),
    ("Awasi", "mengawasi"),
    ("Sosialisasikan", "menyosialisasikan"),
)
_OBJECTS = (
    "Program Vaksinasi",
    "Bantuan Sosial Tunai",
    "Pelatihan Pemasaran Digital",
    "Perbaikan Jalan Desa",
    "Lomba Kebersihan Lingkungan",
    "Operasi Pasar Murah",
    "Pendataan Penduduk",
    "Sosialisasi Protokol Kesehatan",
    "Pembangunan Jembatan",
    "Festival Budaya",
    "Turnamen Sepak Bola",
    "Penyuluhan Pertanian",
    "Donor Darah",
    "Razia Kendaraan",
    "Pemeriksaan Kesehatan Gratis",
    "Normalisasi Saluran Air",
    "Pasar Takjil",
    "Gerakan Literasi Sekolah",
    "Pelatihan Kerja",
    "Penanaman Pohon",
    "Patroli Malam",
    "Rehabilitasi Rumah Tidak Layak Huni",
    "Pembagian Bibit Padi",
    "Vaksinasi Hewan Ternak",
    "Seleksi Atlet Muda",
)
_LOCATIONS = (
    "Kecamatan Pare",
    "Kecamatan Mojoroto",
    "Kecamatan Gampengrejo",
    "Kecamatan Ngadiluwih",
    "Kecamatan Kandat",
    "Kecamatan Wates",
    "Kecamatan Plemahan",
    "Kecamatan Kras",
    "Kecamatan Ngasem",
    "Kecamatan Gurah",
    "Kecamatan Papar",
    "Kecamatan Kunjang",
    "Kecamatan Boyolangu",
    "Desa Sumberejo",
    "Desa Tegalrejo",
    "Kelurahan Bandar Lor",
    "Kelurahan Semampir",
    "Simpang Lima Gumul",
    "26 Kecamatan",
)
_TIME_PHRASES = (
    "pada Senin pagi",
    "sejak pekan lalu",
    "selama tiga hari",
    "hingga akhir bulan ini",
    "pada Kamis siang",
    "mulai hari ini",
    "sepanjang pekan ini",
    "pada akhir pekan",
)
_FIRST_NAMES = (
    "Agus",
    "Budi",
    "Dewi",
    "Siti",
    "Rizky",
    "Nadia",
    "Hendra",
    "Yuli",
    "Bambang",
    "Anik",
    "Fajar",
    "Sri",
    "Eko",
    "Wahyu",
    "Ahmad",
    "Nur",
    "Lestari",
    "Joko",
)
_LAST_NAMES = (
    "Santoso",
    "Wibowo",
    "Lestari",
    "Pratama",
    "Rahayu",
    "Susanto",
    "Hidayat",
    "Maharani",
    "Purwanto",
    "Kurniawan",
    "Setiawati",
    "Nugroho",
    "Wijayanti",
    "Saputra",
)
_ROLES = (
    "Kepala Dinas",
    "camat setempat",
    "ketua panitia",
    "kepala desa",
    "koordinator lapangan",
    "Sekretaris Daerah",
    "salah satu warga",
    "Kepala Bidang",
)
_CLAUSES = (
    "program ini menjadi prioritas pemerintah daerah tahun ini",
    "partisipasi warga sangat menentukan keberhasilan program",
    "persiapan sudah dilakukan sejak bulan lalu",
    "jumlah peserta melebihi target awal",
    "koordinasi dengan pemerintah desa terus diperkuat",
    "anggaran kegiatan berasal dari dana alokasi khusus",
    "pelaksanaan kegiatan tetap mengikuti aturan yang berlaku",
)
_QUOTES = (
    "Kami ingin manfaatnya benar-benar dirasakan oleh masyarakat",
    "Semua sudah kami siapkan sejak jauh hari",
    "Harapannya kegiatan ini bisa berkelanjutan",
    "Kami terus berkoordinasi dengan pihak terkait agar tidak ada kendala di lapangan",
    "Antusiasme warga sangat tinggi, bahkan ada yang datang sejak pagi",
    "Kalau ada kekurangan, akan kami evaluasi bersama",
)
_FILLERS = (
    "Kegiatan tersebut diikuti sekitar {n} peserta dari berbagai desa.",
    "Anggaran yang disiapkan untuk kegiatan ini mencapai Rp {n} juta.",
    "Pihaknya berharap kegiatan serupa dapat digelar secara rutin setiap tahun.",
    "Petugas juga mengingatkan warga agar tetap mematuhi protokol kesehatan.",
    "Sejumlah perangkat desa turut hadir dan memantau jalannya kegiatan.",
    "Hingga berita ini diturunkan, proses pendataan masih terus berlangsung.",
    "Warga menyambut baik langkah tersebut karena dinilai sangat membantu.",
    "Kegiatan dimulai sejak pukul {h}.00 WIB dan berakhir menjelang sore.",
    "Menurut {person}, {clause}.",
    "Sebelumnya, kegiatan serupa juga pernah digelar di {location}.",
    "Selain itu, panitia menyediakan layanan konsultasi bagi warga yang membutuhkan.",
    "Tahun ini, jumlah penerima manfaat meningkat dibanding tahun sebelumnya.",
    "Evaluasi akan dilakukan setelah seluruh rangkaian kegiatan selesai.",
    "{person} menambahkan, pihaknya akan berkoordinasi dengan pemerintah desa setempat.",
    "Total ada {n} titik yang menjadi sasaran kegiatan pada tahap pertama.",
    "Ia menjelaskan, {clause}.",
)
_CAPTIONS = (
    "Suasana kegiatan di lokasi.",
    "Petugas memberikan penjelasan kepada warga.",
    "Peserta mengikuti rangkaian acara.",
)
_DAYS_ID = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
_MONTHS_ID = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
_DAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

_STATIC_PAGES = (
    # slug, title, page id, published (UTC), modified (UTC)
    ("redaksi", "Redaksi", 12, "2020-06-02T02:00:11", "2021-01-11T06:40:02"),
    ("pedoman-media-siber", "Pedoman Media Siber", 14, "2020-06-02T02:05:40", "2020-06-02T02:05:40"),
    ("kontak", "Kontak", 16, "2020-06-02T02:10:27", "2020-11-20T01:12:09"),
)
_STATIC_BODIES = {
    "redaksi": (
        "<p><strong>SATUKANAL.COM</strong> adalah media siber yang menyajikan berita seputar Kediri Raya.</p>\n"
        "<p>Pemimpin Redaksi : Hendra Saputra<br />\nRedaktur Pelaksana : Luluk Maghfiroh<br />\n"
        "Editor : Redaksi Satukanal</p>\n"
        "<p>Wartawan :<br />\n" + ", ".join(_REPORTERS) + "</p>\n"
        "<p>Alamat Redaksi :<br />\nKota Kediri, Jawa Timur</p>"
    ),
    "pedoman-media-siber": (
        "<p>Kemerdekaan berpendapat, kemerdekaan berekspresi, dan kemerdekaan pers adalah hak asasi "
        "manusia yang dilindungi Pancasila dan Undang-Undang Dasar 1945.</p>\n"
        "<p>Media siber wajib tunduk pada Undang-Undang Pers dan Kode Etik Jurnalistik.</p>"
    ),
    "kontak": (
        "<p>Untuk informasi, kerja sama, dan hak jawab, silakan hubungi redaksi melalui surel "
        "redaksi@satukanal.com.</p>\n<p>Penulis tamu dapat mengirim naskah opini ke alamat yang sama.</p>"
    ),
}

# ---------------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------------


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _text_html(text: str) -> str:
    """Body text as WordPress stores it: escaped, curly quotes as numeric entities (wptexturize)."""
    return html.escape(text, quote=False).replace("“", "&#8220;").replace("”", "&#8221;")


def _slugify(title: str) -> str:
    """WordPress' sanitize_title for ASCII titles: '2,4 Milyar' -> '24-milyar'."""
    slug = re.sub(r"[^a-z0-9\s-]", "", title.lower())
    return re.sub(r"[\s-]+", "-", slug).strip("-")


def _md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()  # gravatar-style ids


def _iso_utc(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def _iso_wib(dt: datetime) -> str:
    return dt.astimezone(WIB).strftime("%Y-%m-%dT%H:%M:%S+07:00")


def _rfc822(dt: datetime) -> str:
    u = dt.astimezone(UTC)
    return f"{_DAYS_EN[u.weekday()]}, {u.day:02d} {_MONTHS_EN[u.month - 1]} {u.year} {u:%H:%M:%S} +0000"


def _id_date(dt: datetime) -> str:
    w = dt.astimezone(WIB)
    return f"{w.day} {_MONTHS_ID[w.month - 1]} {w.year}"


def _id_day_date(dt: datetime) -> str:
    w = dt.astimezone(WIB)
    return f"{_DAYS_ID[w.weekday()]}, {_id_date(w)}"


def _id_datetime(dt: datetime) -> str:
    w = dt.astimezone(WIB)
    return f"{_id_day_date(w)} - {w:%H:%M} WIB"


def _quote_date(dt: datetime) -> str:
    w = dt.astimezone(WIB)
    return f"{_DAYS_ID[w.weekday()]} ({w.day}/{w.month}/{w.year})"


def _parse_dt(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _abs(path: str) -> str:
    return ORIGIN + path


def _page_path(base: str, page: int) -> str:
    return base if page == 1 else f"{base}page/{page}/"


def _tag_slug(name: str) -> str:
    return _slugify(name)


def _tag_id(name: str) -> int:
    return 40 + 2 * _TAGS.index(name) if name in _TAGS else 99


def _person(rng: random.Random) -> str:
    return f"{rng.choice(_FIRST_NAMES)} {rng.choice(_LAST_NAMES)}"


def _image_variant(url: str, size: str) -> str:
    stem, dot, ext = url.rpartition(".")
    return f"{stem}-{size}.{ext}" if dot else url


# ---------------------------------------------------------------------------------------------------
# Posts
# ---------------------------------------------------------------------------------------------------


@dataclass
class _Post:
    """Everything needed to render one post and its expected record (JSON-serialisable state)."""

    pid: int
    slug: str
    title: str
    published: datetime
    modified: datetime
    seed: int  # drives the body text
    written: datetime  # date quoted in the body (the original's, for a re-post)
    revision: int
    cats: list[str]
    primary: str
    tags: list[str]
    author: str
    reporter: str | None
    editor: str | None
    place: str | None
    dateline_style: int
    byline_style: int
    schema_style: int
    summary_mode: int  # 0 meta+og, 1 none, 2 og only, 3 meta+og with the dateline prefix
    image: str | None
    figure: bool
    baca_juga: list[tuple[str, str, int]] = field(default_factory=list)  # (path as printed, title, style)
    amp: bool = False
    old_slug: str | None = None
    old_title: str | None = None
    repost_of: int | None = None
    legacy: bool = False

    @property
    def path(self) -> str:
        return f"/{self.slug}/"

    @property
    def url(self) -> str:
        return _abs(self.path)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("published", "modified", "written"):
            data[key] = getattr(self, key).isoformat()
        data["baca_juga"] = [list(item) for item in self.baca_juga]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> _Post:
        data = dict(data)
        for key in ("published", "modified", "written"):
            data[key] = _parse_dt(data[key])
        data["baca_juga"] = [tuple(item) for item in data["baca_juga"]]
        return cls(**data)


@dataclass(frozen=True)
class _Text:
    title: str
    old_title: str
    lead: str
    paragraphs: tuple[str, ...]  # after the lead
    summary: str


@functools.lru_cache(maxsize=4096)
def _compose(seed: int, written_iso: str) -> _Text:
    """Title, lead and body paragraphs for a post seed: a pure function, so pages, feeds and expected
    records (rendered at different times) always agree, and a re-post reproduces its original."""
    rng = random.Random(seed)
    written = _parse_dt(written_iso)
    subj_t, subj_b = rng.choice(_SUBJECTS)
    verb_t, verb_b = rng.choice(_VERBS)
    alt_verb_t = rng.choice([v for v, _ in _VERBS if v != verb_t])
    obj = rng.choice(_OBJECTS)
    loc = rng.choice(_LOCATIONS)
    form = rng.randrange(3)
    n = rng.randint(12, 480)
    if form == 0:
        title = f"{subj_t} {verb_t} {obj} di {loc}"
        old_title = f"{subj_t} {alt_verb_t} {obj} di {loc}"
    elif form == 1:
        title = f"{obj} di {loc}, {subj_t} Libatkan {n} Relawan"
        old_title = f"{subj_t} {alt_verb_t} {obj} di {loc}"
    else:
        title = f"{subj_t} {verb_t} {obj} Tahun {written.year}"
        old_title = f"{subj_t} {alt_verb_t} {obj} Tahun {written.year}"
    first = f"{subj_b} {verb_b} {obj.lower()} di {loc} {rng.choice(_TIME_PHRASES)}."
    lead = f"{first} {rng.choice(_FILLERS[:8]).format(n=n, h=rng.randint(7, 10))}"
    if form == 1:
        lead += f" Sebanyak {n} relawan dilibatkan dalam kegiatan tersebut."
    spokesperson = _person(rng)
    role = rng.choice(_ROLES)

    deck: list[str] = []

    def filler() -> str:
        # Dealt from a shuffled deck so a paragraph never repeats a sentence.
        if not deck:
            deck.extend(rng.sample(_FILLERS, len(_FILLERS)))
        return deck.pop().format(
            n=rng.randint(5, 900),
            h=rng.randint(7, 10),
            person=spokesperson,
            clause=rng.choice(_CLAUSES),
            location=rng.choice(_LOCATIONS),
        )

    paragraphs = [f"{filler()} {filler()}"]
    paragraphs.append(f"“{rng.choice(_QUOTES)},” kata {spokesperson}, {role}, {_quote_date(written)}.")
    for _ in range(rng.randint(2, 5)):
        paragraphs.append(" ".join(filler() for _ in range(rng.randint(1, 3))))
    return _Text(title, old_title, lead, tuple(paragraphs), first)


def _body(post: _Post) -> tuple[str, list[tuple[str, str]]]:
    """(lead, [(kind, text)...]) for the post's current revision; kind is 'p', 'strong' or 'em'.

    An edit (revision > 0) rewrites the second paragraph and appends the editor's update note, which
    is body text (like the snapshot's updated article)."""
    text = _compose(post.seed, post.written.isoformat())
    paragraphs: list[tuple[str, str]] = [("p", p) for p in text.paragraphs]
    paragraphs[0] = ("strong", paragraphs[0][1])
    if post.revision > 0:
        rng = random.Random(post.seed * 1009 + post.revision)
        paragraphs[0] = (
            "p",
            f"Hingga {_id_day_date(post.modified)}, tercatat {rng.randint(20, 990)} warga telah "
            f"memanfaatkan layanan tersebut. {rng.choice(_CLAUSES).capitalize()}.",
        )
        paragraphs.append(
            (
                "em",
                f"Artikel ini telah diperbarui pada {_quote_date(post.modified)} dengan menambahkan "
                f"data terbaru (revisi {post.revision}).",
            )
        )
    return text.lead, paragraphs


def _dateline(style: int, place: str | None) -> tuple[str, str]:
    """(HTML prefix, plain-text prefix) of the lead; the contract's dateline is ``place`` itself."""
    if place is None:
        return "", ""
    p = _esc(place)
    variants = (
        (f"SATUKANAL.com, {p} – ", f"SATUKANAL.com, {place} – "),
        (f"SATUKANAL.com, {p}– ", f"SATUKANAL.com, {place}– "),
        (f"SATUKANAL.COM, {p}—", f"SATUKANAL.COM, {place}—"),
        (f"<strong>SATUKANAL.com, {p}</strong> &#8211; ", f"SATUKANAL.com, {place} – "),
        (f"SATUKANAL.com, {p} &#8211; ", f"SATUKANAL.com, {place} – "),
        (f"Satukanal.com, {p}-", f"Satukanal.com, {place}-"),
        (f"<strong>SATUKANAL.COM, {p} –</strong> ", f"SATUKANAL.COM, {place} – "),
    )
    return variants[style % len(variants)]


def _baca_juga_html(path: str, title: str, style: int) -> str:
    href = _esc(_abs(path) if path.startswith("/") else path)
    t = _esc(title)
    variants = (
        f'<p>Baca Juga: <a href="{href}">{t}</a></p>',
        f'<p><strong>Baca Juga:</strong> <a href="{href}">{t}</a></p>',
        f'<p>BACA JUGA: <a href="{href}">{t}</a></p>',
        f'<p>Baca juga - <a href="{href}">{t}</a></p>',
        f'<div class="baca-juga">Baca Juga: <a href="{href}">{t}</a></div>',
        f'<p><em>Baca Juga : <a href="{href}">{t}</a></em></p>',
        f'<p>Baca Juga:&nbsp;<a href="{href}" target="_blank" rel="noopener">{t}</a></p>',
    )
    return variants[style % len(variants)]


def _byline_html(post: _Post) -> str:
    r, e = post.reporter, post.editor
    if r is None:
        return ""
    if e is None:
        return f"<p>Pewarta : {_esc(r)}</p>"
    variants = (
        f"<p>Pewarta : {_esc(r)}<br />\nEditor : {_esc(e)}</p>",
        f"<p>Reporter : {_esc(r)}<br />\nEditor : {_esc(e)}</p>",
        f"<p>Penulis : {_esc(r)}</p>\n<p>Editor : {_esc(e)}</p>",
        f"<p><strong>Pewarta</strong> : {_esc(r)}<br />\n<strong>Editor</strong> : {_esc(e)}</p>",
        f"<p>Pewarta: {_esc(r)} | Editor: {_esc(e)}</p>",
        f"<p>Wartawan : {_esc(r)}<br />\nRedaktur : {_esc(e)}&nbsp;</p>",
    )
    return variants[post.byline_style % len(variants)]


def _content_html(post: _Post, mode: str) -> str:
    """The post content: 'web' (with ad block and share buttons), 'amp' (amp-ad, amp-img) or 'feed'
    (the stored content, as in content:encoded)."""
    lead, paragraphs = _body(post)
    prefix_html, _ = _dateline(post.dateline_style, post.place)
    out = [f"<p>{prefix_html}{_text_html(lead)}</p>"]
    bj = list(post.baca_juga)
    for index, (kind, text) in enumerate(paragraphs):
        if kind == "strong":
            head, _, rest = text.partition(" ")
            out.append(f"<p><strong>{_text_html(head)}</strong> {_text_html(rest)}</p>")
        elif kind == "em":
            out.append(f"<p><em>{_text_html(text)}</em></p>")
        else:
            out.append(f"<p>{_text_html(text)}</p>")
        if index == 0 and mode == "web":
            out.append(
                "<div class='code-block code-block-1' style='margin: 8px auto; text-align: center; "
                "display: block; clear: both;'>\n"
                '<p style="font-size:10px;color:#999;margin:0">ADVERTISEMENT</p>\n'
                '<ins class="adsbygoogle" style="display:block; text-align:center;" '
                'data-ad-layout="in-article" data-ad-format="fluid" '
                'data-ad-client="ca-pub-0000000000000000" data-ad-slot="4444444444"></ins>\n'
                "<script>\n     (adsbygoogle = window.adsbygoogle || []).push({});\n</script></div>"
            )
        elif index == 0 and mode == "amp":
            out.append(
                '<amp-ad width="300" height="250" type="adsense" data-ad-client="ca-pub-0000000000000000" '
                'data-ad-slot="5555555555"></amp-ad>'
            )
        if index in (1, 3) and bj:
            out.append(_baca_juga_html(*bj.pop(0)))
        if index == 2 and post.figure:
            img = f"{ORIGIN}/wp-content/uploads/{post.published:%Y/%m}/{post.slug[:40].rstrip('-')}-2.jpg"
            caption = random.Random(post.seed).choice(_CAPTIONS)
            tag = (
                f'<amp-img src="{img}" alt="" width="1024" height="683" layout="intrinsic"></amp-img>'
                if mode == "amp"
                else f'<img width="1024" height="683" src="{img}" alt="" class="wp-image-{post.pid + 1}" />'
            )
            out.append(
                f'<figure class="wp-block-image size-large">{tag}<figcaption>{_esc(caption)} '
                f"(Foto: {_esc(post.reporter or 'Dok')}/Satukanal)</figcaption></figure>"
            )
    for item in bj:  # short bodies: remaining Baca Juga go before the byline
        out.append(_baca_juga_html(*item))
    byline = _byline_html(post)
    if byline:
        out.append(byline)
    return "\n".join(out)


def _summary(post: _Post) -> tuple[str | None, str | None]:
    """(meta description, og:description) as printed."""
    first = _compose(post.seed, post.written.isoformat()).summary
    if post.summary_mode == 1:
        return None, None
    if post.summary_mode == 2:
        return None, first
    if post.summary_mode == 3 and post.place is not None:
        text = _dateline(post.dateline_style, post.place)[1] + first
        text = " ".join(text.split())
        return text, text
    return first, first


def _categories(post: _Post) -> list[_Channel]:
    """Assigned categories in the order WordPress lists them: by name."""
    return sorted((_CH[c] for c in post.cats), key=lambda c: c.name.lower())


def _record(post: _Post, *, amp: bool = False) -> dict[str, Any]:
    """The exact parse_article() record of the post's page (the AMP twin has no post id)."""
    lead, paragraphs = _body(post)
    meta, og = _summary(post)
    body = "\n\n".join([lead, *(text for _, text in paragraphs)])
    record: dict[str, Any] = {
        "url": post.url,
        "wp_post_id": None if amp else post.pid,
        "title": post.title,
        "dateline": post.place,
        "published_at": _iso_wib(post.published),
        "modified_at": _iso_wib(post.modified),
        "reporter": post.reporter,
        "editor": post.editor if post.reporter is not None else None,
        "author": _USERS[post.author][0],
        "categories": [c.name for c in _categories(post)],
        "tags": list(post.tags),
        "summary": meta if meta is not None else og,
        "image_url": post.image,
        "body_text": body,
        "baca_juga": [
            {"url": _abs(path) if path.startswith("/") else path, "title": title} for path, title, _ in post.baca_juga
        ],
    }
    assert tuple(record) == RECORD_KEYS
    return record


# ---------------------------------------------------------------------------------------------------
# State and the public summary
# ---------------------------------------------------------------------------------------------------


@dataclass
class MirrorInfo:
    """What a crawler test needs to know about a generated mirror (also written to ``mirror.json``).

    URLs use the ``https://satukanal.com`` origin, like the expected records; map a replay server's
    URLs back with :meth:`ReplayServer.to_origin` before comparing.
    """

    root: str
    origin: str
    seed: int
    day: int  # 0 after generate_mirror, +1 per advance_mirror
    captured_at: str  # the mirror's "now", ISO 8601 WIB
    articles: int  # distinct articles: the rows the archive must end up with
    article_urls: list[str]  # canonical URLs of the distinct articles, oldest first
    post_urls: list[str]  # every post page, including re-posts
    reposts: dict[str, str]  # re-post URL -> URL of the first published copy (an alias)
    renamed: dict[str, str]  # old slug URL (301) -> current URL
    amp: dict[str, str]  # AMP twin URL -> canonical URL
    shortlinks: dict[str, str]  # ?p=ID URL (301) -> canonical URL
    sitemap_only: list[str]  # articles no menu, channel page in the menu, feed or home page leads to
    deleted: list[str]  # article URLs that answer 404 (still linked from a Baca Juga)
    channels: list[str]  # channel URLs of the main menu
    new_urls: list[str]  # articles added by the last advance_mirror
    modified_urls: list[str]  # articles edited by the last advance_mirror
    manifest_entries: int
    files_written: int  # files (re)written by the call that returned this info

    @property
    def path(self) -> Path:
        return Path(self.root)

    def expected_path(self, url: str) -> Path:
        """expected/{slug}.json (or expected/amp/{slug}.json) for an article or AMP URL."""
        slug = url.removeprefix(self.origin).strip("/")
        if slug.endswith("/amp"):
            return self.path / "expected" / "amp" / f"{slug.removesuffix('/amp')}.json"
        return self.path / "expected" / f"{slug}.json"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def load(cls, out_dir: Path | str) -> MirrorInfo:
        """Read ``mirror.json`` of a generated mirror."""
        with (Path(out_dir) / MIRROR_INFO_FILE).open(encoding="utf-8") as fh:
            return cls(**json.load(fh))


@dataclass
class _State:
    seed: int
    day: int
    now: datetime
    posts_per_page: int
    sitemap_size: int
    posts: list[_Post]
    pilihan: int | None  # post id of the home page's "Pilihan Redaksi" (linked with utm_* parameters)
    deleted: list[str]
    new_pids: list[int]
    modified_pids: list[int]

    def to_json(self) -> dict[str, Any]:
        return {
            "version": _STATE_VERSION,
            "seed": self.seed,
            "day": self.day,
            "now": self.now.isoformat(),
            "posts_per_page": self.posts_per_page,
            "sitemap_size": self.sitemap_size,
            "pilihan": self.pilihan,
            "deleted": self.deleted,
            "new_pids": self.new_pids,
            "modified_pids": self.modified_pids,
            "posts": [p.to_json() for p in self.posts],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> _State:
        if data.get("version") != _STATE_VERSION:
            raise ValueError(f"unsupported synthetic mirror state version {data.get('version')!r}")
        return cls(
            seed=data["seed"],
            day=data["day"],
            now=_parse_dt(data["now"]),
            posts_per_page=data["posts_per_page"],
            sitemap_size=data["sitemap_size"],
            posts=[_Post.from_json(p) for p in data["posts"]],
            pilihan=data["pilihan"],
            deleted=list(data["deleted"]),
            new_pids=list(data["new_pids"]),
            modified_pids=list(data["modified_pids"]),
        )


# ---------------------------------------------------------------------------------------------------
# Building posts
# ---------------------------------------------------------------------------------------------------


class _PostFactory:
    """Draws new posts; keeps titles and slugs unique across the whole mirror."""

    def __init__(self, rng: random.Random, posts: list[_Post]) -> None:
        self.rng = rng
        self.titles = {p.title for p in posts}
        self.slugs = {p.slug for p in posts} | {p.old_slug for p in posts if p.old_slug}
        self.slugs |= {s for s, *_ in _STATIC_PAGES} | {"category", "tag", "author", "feed", "page"}
        self.next_pid = max((p.pid for p in posts), default=2000) + self.rng.randint(2, 6)

    def _fresh_text(self, written: datetime) -> tuple[int, _Text]:
        for _ in range(200):
            seed = self.rng.getrandbits(40)
            text = _compose(seed, written.isoformat())
            if text.title not in self.titles and _slugify(text.title) not in self.slugs:
                return seed, text
        raise RuntimeError("could not draw a unique title; the vocabulary is exhausted")

    def reserve_slug(self, slug: str) -> str:
        base, n = slug, 2
        while slug in self.slugs:
            slug, n = f"{base}-{n}", n + 1
        self.slugs.add(slug)
        return slug

    def new(self, published: datetime, *, legacy: bool = False) -> _Post:
        rng = self.rng
        seed, text = self._fresh_text(published)
        self.titles.add(text.title)
        slug = self.reserve_slug(_slugify(text.title))
        pid, self.next_pid = self.next_pid, self.next_pid + rng.randint(2, 9)
        if legacy:
            cats, primary, tags, author = ["arsip"], "arsip", [], "arsip"
            place = rng.choice(_PLACES_GENERAL)
        else:
            topic = rng.choices(_TOPICS, _TOPIC_WEIGHTS)[0]
            cats, primary = [topic], topic
            place = rng.choice(_PLACES_GENERAL)
            if rng.random() < 0.25:
                region = rng.choice(_REGIONS)
                cats.append(region)
                primary = region
                place = _CH[region].name.upper()
            if rng.random() < 0.6:
                cats.append("straight-news")
            if rng.random() < 0.15:
                cats.append("advertorial")
            tags = rng.sample(_TAGS, rng.randint(1, 4))
            author = rng.choice(_ACTIVE_USERS)
        dateline_style = rng.choices(range(8), (40, 10, 8, 10, 12, 8, 7, 5))[0]
        if dateline_style == 7:
            place = None
        byline_style = rng.choices(range(8), (45, 10, 10, 10, 10, 5, 5, 5))[0]
        reporter: str | None = rng.choice(_REPORTERS)
        editor: str | None = rng.choice(_EDITORS)
        if byline_style == 6:
            editor = None
        elif byline_style == 7:
            reporter, editor = None, None
        image = None
        if rng.random() < 0.9:
            image = f"{ORIGIN}/wp-content/uploads/{published:%Y/%m}/{slug[:40].rstrip('-')}.jpg"
        return _Post(
            pid=pid,
            slug=slug,
            title=text.title,
            published=published,
            modified=published,
            seed=seed,
            written=published,
            revision=0,
            cats=cats,
            primary=primary,
            tags=tags,
            author=author,
            reporter=reporter,
            editor=editor,
            place=place,
            dateline_style=dateline_style % 7,
            byline_style=byline_style % 6,
            schema_style=rng.choices(range(3), (85, 10, 5))[0],
            summary_mode=rng.choices(range(4), (70, 8, 7, 15))[0],
            image=image,
            figure=rng.random() < 0.3,
            legacy=legacy,
        )

    def repost(self, original: _Post, published: datetime) -> _Post:
        """Same title, body, bylines and taxonomy; new id and date; WordPress' '-2' slug."""
        pid, self.next_pid = self.next_pid, self.next_pid + self.rng.randint(2, 9)
        return _Post(
            **{
                **asdict(original),
                "pid": pid,
                "slug": self.reserve_slug(original.slug),
                "published": published,
                "modified": published,
                "amp": False,
                "old_slug": None,
                "old_title": None,
                "repost_of": original.pid,
                "baca_juga": list(original.baca_juga),
            }
        )

    def pick_baca_juga(self, post: _Post, earlier: list[_Post]) -> None:
        pool: list[_Post] = []  # the 200 most recent eligible posts, scanning back from the newest
        for candidate in reversed(earlier):
            if not candidate.legacy and candidate.repost_of is None:
                pool.append(candidate)
                if len(pool) == 200:
                    break
        if not pool:
            return
        pool.reverse()
        count = self.rng.choices((0, 1, 2), (25, 50, 25))[0]
        for target in self.rng.sample(pool, min(count, len(pool))):
            post.baca_juga.append((target.path, target.title, self.rng.randrange(7)))


def _make_posts(rng: random.Random, n_articles: int, start: datetime) -> _State:
    factory = _PostFactory(rng, [])
    legacy = max(1, n_articles // 30) if n_articles >= 15 else 0
    with_specials = n_articles >= 10
    total = n_articles + (1 if with_specials else 0)
    repost_slot = total - max(2, total // 5) if with_specials else -1
    posts: list[_Post] = []
    published = start
    for i in range(total):
        if i:
            published += timedelta(minutes=rng.randint(35, 600), seconds=rng.randint(0, 59))
        if i == repost_slot:
            original = posts[max(legacy, repost_slot - 3)]
            posts.append(factory.repost(original, published))
            continue
        post = factory.new(published, legacy=i < legacy)
        if not post.legacy:
            factory.pick_baca_juga(post, posts)
        posts.append(post)
    now = (posts[-1].published + timedelta(days=1)).replace(hour=6, minute=0, second=0)
    reposted = {p.repost_of for p in posts if p.repost_of}
    plain = [p for p in posts if not p.legacy and p.repost_of is None and p.pid not in reposted]
    for index, post in enumerate(plain):
        if index % 7 == 3:
            post.amp = True
        if rng.random() < 0.1:
            edited = post.published + timedelta(minutes=rng.randint(30, 3000), seconds=rng.randint(0, 59))
            if edited < now - timedelta(minutes=10):
                post.modified, post.revision = edited, 1
    deleted: list[str] = []
    if with_specials:
        # A few renamed slugs; the post right after one links to its old slug with the old title.
        renamed = [p for i, p in enumerate(plain) if i % 25 == 7]
        for post in renamed:
            text = _compose(post.seed, post.written.isoformat())
            post.old_title = text.old_title
            post.old_slug = factory.reserve_slug(_slugify(text.old_title))
            later = [p for p in plain if p.published > post.published]
            if later:
                later[0].baca_juga.insert(0, (f"/{post.old_slug}/", text.old_title, 0))
        # One deleted article, still linked from a Baca Juga.
        gone = factory.reserve_slug("jadwal-pemadaman-listrik-kediri-pekan-ini")
        deleted.append(f"/{gone}/")
        holder = plain[len(plain) // 3]
        holder.baca_juga.append((f"/{gone}/", "Jadwal Pemadaman Listrik Kediri Pekan Ini", 5))
        # Keep the re-post's body identical to its original's (links included).
        for post in posts:
            if post.repost_of is not None:
                post.baca_juga = list(next(p for p in posts if p.pid == post.repost_of).baca_juga)
    pilihan = plain[rng.randrange(len(plain))].pid if plain else None
    return _State(
        seed=0,
        day=0,
        now=now,
        posts_per_page=10,
        sitemap_size=1000,
        posts=posts,
        pilihan=pilihan,
        deleted=deleted,
        new_pids=[],
        modified_pids=[],
    )


# ---------------------------------------------------------------------------------------------------
# The rendering day: everything that depends on "what is newest today"
# ---------------------------------------------------------------------------------------------------

_THUMB_PLACEHOLDER = (
    "data:image/svg+xml,%3Csvg%20xmlns='http://www.w3.org/2000/svg'%20viewBox='0%200%20{w}%20{h}'%3E%3C/svg%3E"
)
_NO_IMAGE = f"{ORIGIN}/wp-content/themes/satukanal/images/no-image.png"


class _View:
    """The site as of one day: listings, widgets and the shared page chrome, computed once."""

    def __init__(self, state: _State) -> None:
        self.state = state
        self.now = state.now
        self.posts = state.posts  # chronological
        self.by_pid = {p.pid: p for p in self.posts}
        self.newest = list(reversed(self.posts))
        self.visible = [p for p in self.newest if not p.legacy]
        self.channel_posts: dict[str, list[_Post]] = {c.slug: [] for c in _CHANNELS}
        self.tag_posts: dict[str, list[_Post]] = {}
        self.tag_names: dict[str, str] = {}
        self.author_posts: dict[str, list[_Post]] = {}
        for post in self.newest:
            seen: set[str] = set()
            for slug in post.cats:
                chan = _CH[slug]
                seen.add(slug)
                if chan.parent:
                    seen.add(chan.parent)
            for slug in (c.slug for c in _CHANNELS if c.slug in seen):
                self.channel_posts[slug].append(post)
            for name in post.tags:
                self.tag_posts.setdefault(_tag_slug(name), []).append(post)
                self.tag_names[_tag_slug(name)] = name
            self.author_posts.setdefault(post.author, []).append(post)
        rng = random.Random(state.seed * 7919 + state.day)
        pool = self.visible[:40]
        self.popular = rng.sample(pool, min(5, len(pool)))
        self.popular_views = sorted((rng.randint(800, 5000) for _ in self.popular), reverse=True)
        self._cards: dict[int, tuple[str, str]] = {}
        self.chrome_top = self._chrome_top()
        self.sidebar = self._sidebar()
        self.footer = _FOOTER

    # -- listings --------------------------------------------------------------------------------

    def pages(self, posts: list[_Post]) -> int:
        return max(1, math.ceil(len(posts) / self.state.posts_per_page))

    def page_slice(self, posts: list[_Post], page: int) -> list[_Post]:
        ppp = self.state.posts_per_page
        return posts[(page - 1) * ppp : page * ppp]

    def archives(self) -> Iterator[tuple[str, str, list[_Post]]]:
        """(kind, key, posts newest first) of every paginated archive the site serves."""
        for chan in _CHANNELS:
            yield "category", chan.slug, self.channel_posts[chan.slug]
        for slug in sorted(self.tag_posts):
            yield "tag", slug, self.tag_posts[slug]
        for login in sorted(self.author_posts):
            yield "author", login, self.author_posts[login]

    # -- shared chrome -----------------------------------------------------------------------------

    def _chrome_top(self) -> str:
        ticker = "".join(f'<li><a href="{p.url}">{_esc(p.title)}</a></li>' for p in self.visible[:5])
        return (
            _TOP_BAR.format(today=_id_day_date(self.now))
            + _HEADER
            + _NAV
            + '<div class="breaking-news"><div class="container"><span class="bn-label">Terkini</span>'
            + f'<ul class="bn-ticker">{ticker}</ul></div></div>\n'
        )

    def _sidebar(self) -> str:
        items = []
        for rank, (post, views) in enumerate(zip(self.popular, self.popular_views, strict=True), start=1):
            thumb = _image_variant(post.image, "100x75") if post.image else _NO_IMAGE
            items.append(
                f'<li class="popular-item"><span class="rank">{rank}</span><a href="{post.url}" class="thumb">'
                f'<img width="100" height="75" src="{thumb}" alt="" loading="lazy" /></a>'
                f'<div class="popular-content"><h3 class="popular-title"><a href="{post.url}">'
                f"{_esc(post.title)}</a></h3>"
                f'<span class="views">{views:,} kali dibaca</span></div></li>'.replace(",", ".")
            )
        latest = "".join(
            f'<li><a href="{p.url}">{_esc(p.title)}</a><span class="post-date">{_id_date(p.published)}</span></li>'
            for p in self.visible[:5]
        )
        months: dict[tuple[int, int], int] = {}
        for post in self.posts:
            w = post.published.astimezone(WIB)
            months[(w.year, w.month)] = months.get((w.year, w.month), 0) + 1
        options = "".join(
            f"\n\t<option value='{ORIGIN}/{y}/{m:02d}/'> {_MONTHS_ID[m - 1]} {y} &nbsp;({count})</option>"
            for (y, m), count in sorted(months.items(), reverse=True)
        )
        return (
            '<aside id="secondary" class="widget-area">\n'
            '<section id="custom_html-2" class="widget_text widget widget_custom_html"><div class="textwidget '
            'custom-html-widget"><div class="ads ads-sidebar"><ins class="adsbygoogle" style="display:block" '
            'data-ad-client="ca-pub-0000000000000000" data-ad-slot="2222222222" data-ad-format="rectangle" '
            'data-full-width-responsive="true"></ins>\n<script>\n     (adsbygoogle = window.adsbygoogle || [])'
            ".push({});\n</script></div></div></section>\n"
            '<section id="satukanal_popular-2" class="widget widget-popular"><h2 class="widget-title">'
            f'<span>Terpopuler</span></h2><ul class="popular-posts">{"".join(items)}</ul></section>\n'
            '<section id="recent-posts-2" class="widget widget_recent_entries"><h2 class="widget-title">'
            f"<span>Terbaru</span></h2><ul>{latest}</ul></section>\n"
            '<section id="archives-2" class="widget widget_archive"><h2 class="widget-title"><span>Arsip</span>'
            '</h2>\n\t\t<label class="screen-reader-text" for="archives-dropdown-2">Arsip</label>\n'
            '\t\t<select id="archives-dropdown-2" name="archive-dropdown">\n'
            f'\t\t\t<option value="">Pilih Bulan</option>{options}\n\t\t</select>\n'
            '<script type="text/javascript">\n(function(){var d=document.getElementById("archives-dropdown-2");'
            'd.onchange=function(){if(this.value!==""){document.location.href=this.value;}};})();\n</script>\n'
            "</section>\n</aside><!-- #secondary -->\n"
        )

    # -- cards -------------------------------------------------------------------------------------

    def card(self, post: _Post, label: _Channel | None, heading: str = "h2") -> str:
        """A listing card; ``label`` is the listed channel (else the post's primary category)."""
        parts = self._cards.get(post.pid)
        if parts is None:
            lead, _ = _body(post)
            words = (_dateline(post.dateline_style, post.place)[1] + lead).split()
            excerpt = " ".join(words[:20])
            thumb = _image_variant(post.image, "300x200") if post.image else _NO_IMAGE
            prefix = (
                f'<article id="post-{post.pid}" class="{_post_classes(post)}">\n'
                f'<div class="post-thumb"><a href="{post.url}" aria-hidden="true" tabindex="-1"><img width="300" '
                f'height="200" src="{_THUMB_PLACEHOLDER.format(w=300, h=200)}" data-lazy-src="{thumb}" '
                f'class="attachment-thumb size-thumb wp-post-image lazyload" alt="" /></a></div>\n'
                '<div class="post-content"><span class="cat-links">'
            )
            user, _uid = _USERS[post.author]
            suffix = (
                "</span>\n"
                f'<{{h}} class="entry-title"><a href="{post.url}" rel="bookmark">{_esc(post.title)}</a></{{h}}>\n'
                '<div class="entry-meta"><span class="posted-on"><time class="entry-date published" '
                f'datetime="{_iso_wib(post.published)}">{_id_date(post.published)}</time></span> '
                f'<span class="byline">Oleh <a class="url fn n" href="{ORIGIN}/author/{post.author}/">'
                f"{_esc(user)}</a></span></div>\n"
                f'<div class="entry-summary"><p>{_text_html(excerpt)}&hellip;</p></div></div>\n</article>'
            )
            parts = (prefix, suffix)
            self._cards[post.pid] = parts
        chan = label or _CH[post.primary]
        link = f'<a href="{_abs(chan.path)}" rel="category tag">{_esc(chan.name)}</a>'
        return parts[0] + link + parts[1].replace("{h}", heading)


def _post_classes(post: _Post) -> str:
    cats = " ".join(f"category-{c.slug}" for c in _categories(post))
    tags = " ".join(f"tag-{_tag_slug(t)}" for t in post.tags)
    thumb = " has-post-thumbnail" if post.image else ""
    return f"post-{post.pid} post type-post status-publish format-standard{thumb} hentry {cats}" + (
        f" {tags}" if tags else ""
    )


# ---------------------------------------------------------------------------------------------------
# Page templates (modeled on the reference snapshot's theme)
# ---------------------------------------------------------------------------------------------------

_HEAD_START = (
    "<!doctype html>\n"
    '<html lang="id-ID">\n'
    "<head>\n"
    '<meta charset="UTF-8">\n'
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
    '<link rel="profile" href="https://gmpg.org/xfn/11">\n'
    '<script data-ad-client="ca-pub-0000000000000000" async '
    'src="https://pagead2.googlesyndication.com/pagead/js/adsbygoogle.js"></script>\n'
    "\n"
    "\t<!-- This site is optimized with the Yoast SEO plugin v16.2 - https://yoast.com/wordpress/plugins/seo/ -->\n"
)

_HEAD_ASSETS = """<link rel='dns-prefetch' href='//fonts.googleapis.com' />
<link rel='dns-prefetch' href='//s.w.org' />
<link rel="alternate" type="application/rss+xml" title="SATUKANAL.COM &raquo; Feed" href="https://satukanal.com/feed/" />
<link rel="alternate" type="application/rss+xml" title="SATUKANAL.COM &raquo; Umpan Komentar" href="https://satukanal.com/comments/feed/" />
{extra_alternate}<script type="text/javascript">
window._wpemojiSettings = {{"baseUrl":"https:\\/\\/s.w.org\\/images\\/core\\/emoji\\/13.0.1\\/72x72\\/","ext":".png","svgUrl":"https:\\/\\/s.w.org\\/images\\/core\\/emoji\\/13.0.1\\/svg\\/","svgExt":".svg","source":{{"concatemoji":"https:\\/\\/satukanal.com\\/wp-includes\\/js\\/wp-emoji-release.min.js?ver=5.7.1"}}}};
</script>
<link rel='stylesheet' id='wp-block-library-css'  href='https://satukanal.com/wp-includes/css/dist/block-library/style.min.css?ver=5.7.1' type='text/css' media='all' />
<link rel='stylesheet' id='satukanal-fonts-css'  href='https://fonts.googleapis.com/css?family=Roboto%3A400%2C400i%2C700%7CRoboto+Condensed%3A700&#038;display=swap' type='text/css' media='all' />
<link rel='stylesheet' id='satukanal-style-css'  href='https://satukanal.com/wp-content/themes/satukanal/style.css?ver=1.4.2' type='text/css' media='all' />
<link rel='stylesheet' id='addtoany-css'  href='https://satukanal.com/wp-content/plugins/add-to-any/addtoany.min.css?ver=1.15' type='text/css' media='all' />
<style id='satukanal-style-inline-css' type='text/css'>
:root{{--sk-primary:#c4161c;--sk-dark:#1d1d1f}}.cat-links a{{background:var(--sk-primary);color:#fff;text-transform:uppercase;font-size:11px;padding:2px 6px;margin-right:4px}}.entry-title{{font-family:'Roboto Condensed',sans-serif}}
</style>
<script type='text/javascript' src='https://satukanal.com/wp-includes/js/jquery/jquery.min.js?ver=3.5.1' id='jquery-core-js'></script>
<script type='text/javascript' async src='https://satukanal.com/wp-content/plugins/add-to-any/addtoany.min.js?ver=1.1' id='addtoany-js'></script>
<link rel="https://api.w.org/" href="https://satukanal.com/wp-json/" />{rest_link}<link rel="EditURI" type="application/rsd+xml" title="RSD" href="https://satukanal.com/xmlrpc.php?rsd" />
<meta name="generator" content="WordPress 5.7.1" />
{shortlink}<!-- Global site tag (gtag.js) - Google Analytics -->
<script async src="https://www.googletagmanager.com/gtag/js?id=G-0000000000"></script>
<script>
  window.dataLayer = window.dataLayer || [];
  function gtag(){{dataLayer.push(arguments);}}
  gtag('js', new Date());
  gtag('config', 'G-0000000000');
</script>
<link rel="icon" href="https://satukanal.com/wp-content/uploads/2020/06/cropped-favicon-32x32.png" sizes="32x32" />
<link rel="icon" href="https://satukanal.com/wp-content/uploads/2020/06/cropped-favicon-192x192.png" sizes="192x192" />
<style type="text/css" id="wp-custom-css">
\t\t\t.entry-content p{{font-size:17px;line-height:1.7}}.baca-juga{{border-left:4px solid #c4161c;padding:6px 10px;margin:12px 0;background:#fafafa}}\t\t</style>
</head>
"""  # noqa: E501 (verbatim theme markup)

_TOP_BAR = """<div id="page" class="site">
<a class="skip-link screen-reader-text" href="#content">Langsung ke konten</a>
<div class="top-bar"><div class="container">
<span class="top-date">{today}</span>
<ul id="top-menu" class="top-menu"><li class="menu-item"><a href="https://satukanal.com/redaksi/">Redaksi</a></li><li class="menu-item"><a href="https://satukanal.com/pedoman-media-siber/">Pedoman Media Siber</a></li><li class="menu-item"><a href="https://satukanal.com/kontak/">Kontak</a></li></ul>
<div class="social-links"><a href="https://www.facebook.com/satukanal" target="_blank" rel="noopener" class="fb" aria-label="Facebook"><i class="icon-facebook"></i></a><a href="https://twitter.com/satukanal" target="_blank" rel="noopener" class="tw" aria-label="Twitter"><i class="icon-twitter"></i></a><a href="https://www.instagram.com/satukanal" target="_blank" rel="noopener" class="ig" aria-label="Instagram"><i class="icon-instagram"></i></a></div>
</div></div>
"""  # noqa: E501 (verbatim theme markup)

_HEADER = """<header id="masthead" class="site-header">
<div class="container header-inner">
<div class="site-branding"><a href="https://satukanal.com/" class="custom-logo-link" rel="home"><img width="300" height="80" src="https://satukanal.com/wp-content/uploads/2020/06/logo-satukanal.png" class="custom-logo" alt="SATUKANAL.COM" /></a><p class="site-title screen-reader-text"><a href="https://satukanal.com/" rel="home">SATUKANAL.COM</a></p><p class="site-description screen-reader-text">Satu Kanal Berita Kediri Raya</p></div>
<div class="header-ads"><div class="ads ads-728"><ins class="adsbygoogle" style="display:block" data-ad-client="ca-pub-0000000000000000" data-ad-slot="1111111111" data-ad-format="horizontal" data-full-width-responsive="true"></ins>
<script>
     (adsbygoogle = window.adsbygoogle || []).push({});
</script></div></div>
</div>
"""  # noqa: E501 (verbatim theme markup)


def _nav_html() -> str:
    items = [
        '<li id="menu-item-101" class="menu-item menu-item-type-custom menu-item-object-custom menu-item-home '
        'menu-item-101"><a href="https://satukanal.com/">Home</a></li>'
    ]
    menu_id = 102
    for chan in _CHANNELS:
        if chan.hidden or chan.parent:
            continue
        children = [c for c in _CHANNELS if c.parent == chan.slug]
        classes = "menu-item menu-item-type-taxonomy menu-item-object-category"
        if children:
            sub = "".join(
                f'\n\t\t<li id="menu-item-{menu_id * 10 + i}" class="{classes} menu-item-{menu_id * 10 + i}">'
                f'<a href="{_abs(c.path)}">{_esc(c.name)}</a></li>'
                for i, c in enumerate(children)
            )
            items.append(
                f'<li id="menu-item-{menu_id}" class="{classes} menu-item-has-children menu-item-{menu_id}">'
                f'<a href="{_abs(chan.path)}">{_esc(chan.name)}</a>\n\t<ul class="sub-menu">{sub}\n\t</ul>\n</li>'
            )
        else:
            items.append(
                f'<li id="menu-item-{menu_id}" class="{classes} menu-item-{menu_id}">'
                f'<a href="{_abs(chan.path)}">{_esc(chan.name)}</a></li>'
            )
        menu_id += 1
    return (
        '<nav id="site-navigation" class="main-navigation" aria-label="Menu Utama"><div class="container">\n'
        '<button class="menu-toggle" aria-controls="primary-menu" aria-expanded="false"><span class="bar">'
        '</span><span class="screen-reader-text">Menu</span></button>\n'
        '<div class="menu-menu-utama-container"><ul id="primary-menu" class="menu nav-menu">\n'
        + "\n".join(items)
        + "\n</ul></div>\n"
        '<div class="header-search"><form role="search" method="get" class="search-form" '
        'action="https://satukanal.com/">\n\t\t\t\t<label>\n\t\t\t\t\t<span class="screen-reader-text">Cari untuk:'
        '</span>\n\t\t\t\t\t<input type="search" class="search-field" placeholder="Cari &hellip;" value="" '
        'name="s" />\n\t\t\t\t</label>\n\t\t\t\t<input type="submit" class="search-submit" value="Cari" />\n'
        "\t\t\t</form></div>\n</div></nav>\n</header>\n"
    )


_NAV = _nav_html()


def _footer_html() -> str:
    cats = "".join(
        f'<li class="cat-item cat-item-{c.term_id}"><a href="{_abs(c.path)}">{_esc(c.name)}</a></li>'
        for c in sorted((c for c in _CHANNELS if not c.hidden), key=lambda c: c.name.lower())
    )
    return (
        '<footer id="colophon" class="site-footer">\n<div class="footer-widgets"><div class="container">\n'
        '<section id="text-2" class="widget widget_text"><h2 class="widget-title">Tentang Kami</h2>'
        '<div class="textwidget"><p>SATUKANAL.COM menyajikan berita seputar Kediri Raya: Kota Kediri, '
        "Kabupaten Kediri, Tulungagung, dan sekitarnya.</p>\n</div></section>\n"
        '<section id="categories-2" class="widget widget_categories"><h2 class="widget-title">Kanal</h2>'
        f"<ul>{cats}</ul></section>\n"
        '<section id="nav_menu-2" class="widget widget_nav_menu"><h2 class="widget-title">Informasi</h2>'
        '<div class="menu-footer-container"><ul id="menu-footer" class="menu"><li class="menu-item"><a '
        'href="https://satukanal.com/redaksi/">Redaksi</a></li><li class="menu-item"><a '
        'href="https://satukanal.com/pedoman-media-siber/">Pedoman Media Siber</a></li><li class="menu-item">'
        '<a href="https://satukanal.com/kontak/">Kontak</a></li><li class="menu-item"><a '
        'href="https://satukanal.com/sitemap_index.xml">Sitemap</a></li></ul></div></section>\n'
        "</div></div>\n"
        '<div class="site-info"><div class="container">&copy; 2021 <a href="https://satukanal.com/">'
        "SATUKANAL.COM</a>. All Rights Reserved.</div></div>\n</footer><!-- #colophon -->\n</div><!-- #page -->\n"
        '<a href="#page" class="back-to-top" aria-label="Kembali ke atas">&uarr;</a>\n'
        "<script type='text/javascript' src='https://satukanal.com/wp-content/themes/satukanal/js/navigation.js"
        "?ver=1.4.2' id='satukanal-navigation-js'></script>\n"
        "<script type='text/javascript' src='https://satukanal.com/wp-content/themes/satukanal/js/lazyload.min.js"
        "?ver=1.4.2' id='satukanal-lazyload-js'></script>\n</body>\n</html>\n"
    )


_FOOTER = _footer_html()

_ORG_NODES = [
    {
        "@type": "Organization",
        "@id": f"{ORIGIN}/#organization",
        "name": SITE_NAME,
        "url": f"{ORIGIN}/",
        "sameAs": ["https://www.facebook.com/satukanal", "https://www.instagram.com/satukanal"],
        "logo": {
            "@type": "ImageObject",
            "@id": f"{ORIGIN}/#logo",
            "inLanguage": "id-ID",
            "url": f"{ORIGIN}/wp-content/uploads/2020/06/logo-satukanal.png",
            "width": 300,
            "height": 80,
            "caption": SITE_NAME,
        },
        "image": {"@id": f"{ORIGIN}/#logo"},
    },
    {
        "@type": "WebSite",
        "@id": f"{ORIGIN}/#website",
        "url": f"{ORIGIN}/",
        "name": SITE_NAME,
        "description": TAGLINE,
        "publisher": {"@id": f"{ORIGIN}/#organization"},
        "potentialAction": [
            {
                "@type": "SearchAction",
                "target": {"@type": "EntryPoint", "urlTemplate": f"{ORIGIN}/?s={{search_term_string}}"},
                "query-input": "required name=search_term_string",
            }
        ],
        "inLanguage": "id-ID",
    },
]


def _jsonld(nodes: list[dict[str, Any]]) -> str:
    data = {"@context": "https://schema.org", "@graph": [*_ORG_NODES, *nodes]}
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    return f'\t<script type="application/ld+json" class="yoast-schema-graph">{text}</script>\n'


def _breadcrumb_node(url: str, items: list[tuple[str, str | None]]) -> dict[str, Any]:
    elements = []
    for position, (name, item) in enumerate(items, start=1):
        element: dict[str, Any] = {"@type": "ListItem", "position": position, "name": name}
        if item:
            element["item"] = item
        elements.append(element)
    return {"@type": "BreadcrumbList", "@id": f"{url}#breadcrumb", "itemListElement": elements}


def _breadcrumbs_html(items: list[tuple[str, str | None]]) -> str:
    out = ""
    for name, link in reversed(items):
        if link is None:
            out = f'<span class="breadcrumb_last" aria-current="page">{_esc(name)}</span>'
        else:
            out = f'<span><a href="{link}">{_esc(name)}</a> &raquo; {out}</span>'
    return f'<nav class="breadcrumbs" aria-label="breadcrumbs"><span>{out}</span></nav>\n'


def _head(
    *,
    title: str,
    yoast: list[str],
    nodes: list[dict[str, Any]],
    extra_alternate: str = "",
    rest_link: str = "",
    shortlink: str = "",
) -> str:
    return (
        _HEAD_START
        + f"\t<title>{_esc(title)}</title>\n"
        + "".join(f"\t{line}\n" for line in yoast)
        + _jsonld(nodes)
        + "\t<!-- / Yoast SEO plugin. -->\n\n\n"
        + _HEAD_ASSETS.format(extra_alternate=extra_alternate, rest_link=rest_link, shortlink=shortlink)
    )


def _layout(view: _View, head: str, body_class: str, main: str, breadcrumbs: str = "") -> str:
    return (
        head
        + f'\n<body class="{body_class} wp-embed-responsive satukanal-theme">\n'
        + view.chrome_top
        + '<div id="content" class="site-content"><div class="container">\n'
        + breadcrumbs
        + '<div id="primary" class="content-area">\n<main id="main" class="site-main">\n'
        + main
        + "</main><!-- #main -->\n</div><!-- #primary -->\n"
        + view.sidebar
        + "</div></div><!-- #content -->\n"
        + view.footer
    )


def _share_block(post: _Post) -> str:
    u = quote(post.url, safe="")
    t = quote(post.title, safe="")
    buttons = "".join(
        f'<a class="a2a_button_{net}" href="https://www.addtoany.com/add_to/{net}?linkurl={u}&amp;linkname={t}" '
        f'title="{label}" rel="nofollow noopener" target="_blank"></a>'
        for net, label in (("facebook", "Facebook"), ("twitter", "Twitter"), ("whatsapp", "WhatsApp"))
    )
    return (
        '<div class="addtoany_share_save_container addtoany_content addtoany_content_bottom">'
        f'<div class="a2a_kit a2a_kit_size_32 addtoany_list" data-a2a-url="{post.url}" '
        f'data-a2a-title="{_esc(post.title)}">{buttons}<a class="a2a_dd addtoany_share_save addtoany_share" '
        'href="https://www.addtoany.com/share"></a></div></div>'
    )


def _render_article(view: _View, post: _Post) -> str:
    url = post.url
    user, _uid = _USERS[post.author]
    person_id = f"{ORIGIN}/#/schema/person/{_md5(post.author)}"
    cats = _categories(post)
    meta, og = _summary(post)
    primary = _CH[post.primary]
    crumbs: list[tuple[str, str | None]] = [("Home", f"{ORIGIN}/")]
    if primary.parent:
        crumbs.append((_CH[primary.parent].name, _abs(_CH[primary.parent].path)))
    crumbs += [(primary.name, _abs(primary.path)), (post.title, None)]
    edited = post.modified > post.published
    yoast = []
    if meta is not None:
        yoast.append(f'<meta name="description" content="{_esc(meta)}" />')
    yoast += [
        '<meta name="robots" content="index, follow, max-snippet:-1, max-image-preview:large, max-video-preview:-1" />',
        f'<link rel="canonical" href="{url}" />',
    ]
    if post.amp:
        yoast.append(f'<link rel="amphtml" href="{url}amp/" />')
    yoast += [
        '<meta property="og:locale" content="id_ID" />',
        '<meta property="og:type" content="article" />',
        f'<meta property="og:title" content="{_esc(post.title)} | {SITE_NAME}" />',
    ]
    if og is not None:
        yoast.append(f'<meta property="og:description" content="{_esc(og)}" />')
    yoast += [
        f'<meta property="og:url" content="{url}" />',
        f'<meta property="og:site_name" content="{SITE_NAME}" />',
        '<meta property="article:publisher" content="https://www.facebook.com/satukanal" />',
    ]
    yoast += [f'<meta property="article:tag" content="{_esc(t)}" />' for t in post.tags]
    yoast += [
        f'<meta property="article:section" content="{_esc(primary.name)}" />',
        f'<meta property="article:published_time" content="{_iso_utc(post.published)}" />',
    ]
    if edited:
        yoast.append(f'<meta property="article:modified_time" content="{_iso_utc(post.modified)}" />')
        yoast.append(f'<meta property="og:updated_time" content="{_iso_utc(post.modified)}" />')
    if post.image:
        yoast += [
            f'<meta property="og:image" content="{post.image}" />',
            '<meta property="og:image:width" content="1280" />',
            '<meta property="og:image:height" content="720" />',
        ]
    yoast += [
        '<meta name="twitter:card" content="summary_large_image" />',
        '<meta name="twitter:label1" content="Ditulis oleh" />',
        f'<meta name="twitter:data1" content="{_esc(user)}" />',
    ]
    webpage: dict[str, Any] = {
        "@type": "WebPage",
        "@id": f"{url}#webpage",
        "url": url,
        "name": f"{post.title} | {SITE_NAME}",
        "isPartOf": {"@id": f"{ORIGIN}/#website"},
        "datePublished": _iso_utc(post.published),
        "dateModified": _iso_utc(post.modified),
        "breadcrumb": {"@id": f"{url}#breadcrumb"},
        "inLanguage": "id-ID",
    }
    if meta is not None:
        webpage["description"] = meta
    article_type: Any = ("NewsArticle", "Article", ["Article", "NewsArticle"])[post.schema_style]
    lead, paragraphs = _body(post)
    article: dict[str, Any] = {
        "@type": article_type,
        "@id": f"{url}#article",
        "isPartOf": {"@id": f"{url}#webpage"},
        "author": {"name": user, "@id": person_id},
        "headline": post.title,
        "datePublished": _iso_utc(post.published),
        "dateModified": _iso_utc(post.modified),
        "mainEntityOfPage": {"@id": f"{url}#webpage"},
        "wordCount": len(lead.split()) + sum(len(t.split()) for _, t in paragraphs),
        "commentCount": 0,
        "publisher": {"@id": f"{ORIGIN}/#organization"},
    }
    nodes: list[dict[str, Any]] = []
    if post.image:
        nodes.append(
            {
                "@type": "ImageObject",
                "@id": f"{url}#primaryimage",
                "inLanguage": "id-ID",
                "url": post.image,
                "contentUrl": post.image,
                "width": 1280,
                "height": 720,
            }
        )
        webpage["primaryImageOfPage"] = {"@id": f"{url}#primaryimage"}
        article["image"] = {"@id": f"{url}#primaryimage"}
        article["thumbnailUrl"] = post.image
    if post.tags:
        article["keywords"] = [_esc(t) for t in post.tags]
    article["articleSection"] = [_esc(c.name) for c in cats]
    article["inLanguage"] = "id-ID"
    nodes += [
        webpage,
        _breadcrumb_node(url, crumbs),
        article,
        {"@type": "Person", "@id": person_id, "name": user, "url": f"{ORIGIN}/author/{post.author}/"},
    ]
    head = _head(
        title=f"{post.title} | {SITE_NAME}",
        yoast=yoast,
        nodes=nodes,
        extra_alternate=(
            f'<link rel="alternate" type="application/rss+xml" title="SATUKANAL.COM &raquo; {_esc(post.title)} '
            f'Umpan Komentar" href="{url}feed/" />\n'
        ),
        rest_link=f'<link rel="alternate" type="application/json" href="{ORIGIN}/wp-json/wp/v2/posts/{post.pid}" />',
        shortlink=f"<link rel='shortlink' href='{ORIGIN}/?p={post.pid}' />\n",
    )
    cat_links = "".join(f'<a href="{_abs(c.path)}" rel="category tag">{_esc(c.name)}</a>' for c in cats)
    updated = f' <span class="updated-on">Diperbarui: {_id_datetime(post.modified)}</span>' if edited else ""
    if post.image:
        thumb = (
            f'<div class="post-thumbnail"><img width="1280" height="720" '
            f'src="{_THUMB_PLACEHOLDER.format(w=1280, h=720)}" class="attachment-full size-full wp-post-image" '
            f'alt="{_esc(post.title)}" data-lazy-src="{post.image}" /><noscript><img width="1280" height="720" '
            f'src="{post.image}" class="attachment-full size-full wp-post-image" alt="{_esc(post.title)}" />'
            "</noscript></div>\n"
        )
    else:
        thumb = ""
    tags = " ".join(f'<a href="{ORIGIN}/tag/{_tag_slug(t)}/" rel="tag">{_esc(t)}</a>' for t in post.tags)
    tags_box = f'<div class="tags-box"><span class="tags-title">Tags:</span> {tags}</div>\n' if tags else ""
    related = [p for p in view.channel_posts[primary.slug][:5] if p.pid != post.pid][:4]
    related_html = "".join(
        f'<article class="related-item"><a href="{p.url}" class="related-thumb"><img width="300" height="200" '
        f'src="{_image_variant(p.image, "300x200") if p.image else _NO_IMAGE}" alt="" loading="lazy" /></a>'
        f'<h4 class="entry-title"><a href="{p.url}" rel="bookmark">{_esc(p.title)}</a></h4>'
        f'<span class="related-date">{_id_date(p.published)}</span></article>\n'
        for p in related
    )
    u = quote(url, safe="")
    main = (
        f'<article id="post-{post.pid}" class="{_post_classes(post)}">\n'
        '<header class="entry-header">\n'
        f'<div class="entry-category"><span class="cat-links">{cat_links}</span></div>\n'
        f'<h1 class="entry-title">{_esc(post.title)}</h1>\n'
        '<div class="entry-meta"><span class="byline"><span class="author vcard">Oleh <a class="url fn n" '
        f'href="{ORIGIN}/author/{post.author}/">{_esc(user)}</a></span></span> <span class="sep">&bull;</span> '
        f'<span class="posted-on">{_id_datetime(post.published)}</span>{updated} <span class="comments-link">'
        f'<a href="{url}#respond">0 Komentar</a></span></div>\n'
        "</header>\n" + thumb + '<div class="ads ads-before-content"><ins class="adsbygoogle" style="display:block" '
        'data-ad-client="ca-pub-0000000000000000" data-ad-slot="3333333333" data-ad-format="auto" '
        'data-full-width-responsive="true"></ins>\n<script>\n     (adsbygoogle = window.adsbygoogle || [])'
        ".push({});\n</script></div>\n"
        '<div class="entry-content">\n'
        + _content_html(post, "web")
        + "\n"
        + _share_block(post)
        + "</div><!-- .entry-content -->\n"
        '<footer class="entry-footer">\n'
        + tags_box
        + '<div class="share-box"><span class="share-title">Bagikan:</span> <a class="share-facebook" '
        f'href="https://www.facebook.com/sharer/sharer.php?u={u}" target="_blank" rel="nofollow noopener">'
        f'Facebook</a> <a class="share-whatsapp" href="https://api.whatsapp.com/send?text={u}" '
        'target="_blank" rel="nofollow noopener">WhatsApp</a></div>\n'
        "</footer>\n</article><!-- #post -->\n"
        + (
            '<section class="related-posts">\n<h3 class="related-title"><span>Kanal Terkait</span></h3>\n'
            f'<div class="related-grid">\n{related_html}</div>\n</section>\n'
            if related
            else ""
        )
        + '<div id="comments" class="comments-area">\n\t<div id="respond" class="comment-respond">\n'
        '\t\t<h3 id="reply-title" class="comment-reply-title">Tinggalkan Balasan</h3>'
        f'<form action="{ORIGIN}/wp-comments-post.php" method="post" id="commentform" class="comment-form" '
        'novalidate><p class="comment-notes"><span id="email-notes">Alamat email Anda tidak akan '
        'dipublikasikan.</span></p><p class="comment-form-comment"><label for="comment">Komentar</label> '
        '<textarea id="comment" name="comment" cols="45" rows="8" maxlength="65525" required="required">'
        '</textarea></p><p class="form-submit"><input name="submit" type="submit" id="submit" class="submit" '
        f"value=\"Kirim Komentar\" /> <input type='hidden' name='comment_post_ID' value='{post.pid}' "
        "id='comment_post_ID' /></p></form>\t</div><!-- #respond -->\n\t</div><!-- #comments -->\n"
    )
    body_class = f"post-template-default single single-post postid-{post.pid} single-format-standard"
    return _layout(view, head, body_class, main, _breadcrumbs_html(crumbs))


def _relative_id(delta: timedelta) -> str:
    days = delta.days
    if days >= 7:
        return f"{days // 7} minggu yang lalu"
    if days >= 1:
        return f"{days} hari yang lalu"
    return f"{max(1, delta.seconds // 3600)} jam yang lalu"


def _render_amp(view: _View, post: _Post) -> str:
    url = post.url
    user, _uid = _USERS[post.author]
    meta, og = _summary(post)
    ld: dict[str, Any] = {
        "@context": "http://schema.org",
        "publisher": {
            "@type": "Organization",
            "name": SITE_NAME,
            "logo": {"@type": "ImageObject", "url": f"{ORIGIN}/wp-content/uploads/2020/06/logo-satukanal.png"},
        },
        "@type": "BlogPosting",
        "mainEntityOfPage": url,
        "headline": post.title,
        "datePublished": _iso_wib(post.published),
        "dateModified": _iso_wib(post.modified),
        "author": {"@type": "Person", "name": user},
    }
    if post.image:
        ld["image"] = {"@type": "ImageObject", "url": post.image, "width": 1280, "height": 720}
    ld_text = json.dumps(ld, ensure_ascii=False, separators=(",", ":")).replace("/", "\\/")
    lines = [
        f'<link rel="canonical" href="{url}">',
    ]
    if meta is not None:
        lines.append(f'<meta name="description" content="{_esc(meta)}" />')
    lines += [
        '<meta property="og:locale" content="id_ID" />',
        '<meta property="og:type" content="article" />',
        f'<meta property="og:title" content="{_esc(post.title)} | {SITE_NAME}" />',
    ]
    if og is not None:
        lines.append(f'<meta property="og:description" content="{_esc(og)}" />')
    lines += [
        f'<meta property="og:url" content="{url}" />',
        f'<meta property="og:site_name" content="{SITE_NAME}" />',
        f'<meta property="article:published_time" content="{_iso_utc(post.published)}" />',
    ]
    if post.image:
        lines.append(f'<meta property="og:image" content="{post.image}" />')
    featured = (
        f'<figure class="amp-wp-article-featured-image wp-caption"><amp-img width="1280" height="720" '
        f'src="{post.image}" class="attachment-large size-large wp-post-image amp-wp-enforced-sizes" '
        f'alt="{_esc(post.title)}" layout="intrinsic"></amp-img></figure>\n'
        if post.image
        else ""
    )
    cats = ", ".join(f'<a href="{_abs(c.path)}" rel="category tag">{_esc(c.name)}</a>' for c in _categories(post))
    tags = ", ".join(f'<a href="{ORIGIN}/tag/{_tag_slug(t)}/" rel="tag">{_esc(t)}</a>' for t in post.tags)
    tag_block = f'\n\t<div class="amp-wp-meta amp-wp-tax-tag">\n\t\tTag: {tags}\t</div>' if tags else ""
    return (
        '<!doctype html>\n<html amp lang="id-ID">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width,minimum-scale=1,initial-scale=1">\n'
        '<script async src="https://cdn.ampproject.org/v0.js"></script>\n'
        '<script async custom-element="amp-ad" src="https://cdn.ampproject.org/v0/amp-ad-0.1.js"></script>\n'
        f"<title>{_esc(post.title)} | {SITE_NAME}</title>\n"
        + "\n".join(lines)
        + f'\n<script type="application/ld+json">{ld_text}</script>\n'
        "<style amp-custom>body{background:#fff;color:#353535;font-family:Georgia,serif}"
        ".amp-wp-header{background-color:#c4161c}</style>\n"
        "<style amp-boilerplate>body{-webkit-animation:-amp-start 8s steps(1,end) 0s 1 normal both;"
        "animation:-amp-start 8s steps(1,end) 0s 1 normal both}</style>\n</head>\n\n"
        '<body class="">\n<header id="top" class="amp-wp-header">\n\t<div>\n'
        f'\t\t<a href="{ORIGIN}/">\n\t\t\t<span class="amp-site-title">\n\t\t\t\t{SITE_NAME}\t\t\t</span>\n'
        "\t\t</a>\n\t</div>\n</header>\n\n"
        '<article class="amp-wp-article">\n\t<header class="amp-wp-article-header">\n'
        f'\t\t<h1 class="amp-wp-title">{_esc(post.title)}</h1>\n'
        '\t\t\t<div class="amp-wp-meta amp-wp-byline">\n'
        f'\t\t\t\t<span class="amp-wp-author author vcard">{_esc(user)}</span>\n\t</div>\n'
        f'<div class="amp-wp-meta amp-wp-posted-on">\n\t<time datetime="{_iso_utc(post.published)}">\n'
        f"\t\t{_relative_id(view.now - post.published)}\t</time>\n</div>\n\t</header>\n\n"
        f"\t{featured}\n"
        '\t<div class="amp-wp-article-content">\n\t\t' + _content_html(post, "amp") + "\n\t</div>\n\n"
        '\t<footer class="amp-wp-article-footer">\n'
        f'\t\t\t<div class="amp-wp-meta amp-wp-tax-category">\n\t\tKategori: {cats}\t</div>\n'
        + tag_block
        + f'\n<div class="amp-wp-meta amp-wp-comments-link">\n\t<a href="{url}#respond">\n'
        "\t\tTinggalkan Komentar\t</a>\n</div>\n\t</footer>\n</article>\n\n"
        f'<footer class="amp-wp-footer">\n\t<div>\n\t\t<h2>{SITE_NAME}</h2>\n'
        '\t\t<a href="#top" class="back-to-top">Kembali ke atas</a>\n\t</div>\n</footer>\n</body>\n</html>\n'
    )


def _pagination(base: str, page: int, pages: int) -> str:
    """WordPress paginate_links (end_size 1, mid_size 2): deep pages only via prev/next chains."""
    if pages <= 1:
        return ""
    shown = sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)})
    links = []
    if page > 1:
        links.append(f'<a class="prev page-numbers" href="{_abs(_page_path(base, page - 1))}">&laquo; Sebelumnya</a>')
    previous = 0
    for n in shown:
        if n - previous > 1:
            links.append('<span class="page-numbers dots">&hellip;</span>')
        if n == page:
            links.append(f'<span aria-current="page" class="page-numbers current">{n}</span>')
        else:
            links.append(f'<a class="page-numbers" href="{_abs(_page_path(base, n))}">{n}</a>')
        previous = n
    if page < pages:
        links.append(f'<a class="next page-numbers" href="{_abs(_page_path(base, page + 1))}">Berikutnya &raquo;</a>')
    return (
        '\t<nav class="navigation pagination" role="navigation" aria-label="Pos">\n'
        '\t\t<h2 class="screen-reader-text">Navigasi pos</h2>\n'
        f'\t\t<div class="nav-links">{chr(10).join(links)}</div>\n\t</nav>\n'
    )


def _archive_meta(kind: str, key: str, view: _View) -> tuple[str, str, str, _Channel | None]:
    """(base path, display name, title stem, label channel) of an archive."""
    if kind == "category":
        chan = _CH[key]
        return chan.path, chan.name, chan.name, chan
    if kind == "tag":
        name = view.tag_names[key]
        return f"/tag/{key}/", name, f"Arsip {name}", None
    name = _USERS[key][0]
    return f"/author/{key}/", name, f"{name}, Penulis di", None


def _render_archive(view: _View, kind: str, key: str, posts: list[_Post], page: int) -> str:
    base, name, stem, label = _archive_meta(kind, key, view)
    pages = view.pages(posts)
    url = _abs(_page_path(base, page))
    suffix = f" | Halaman {page} dari {pages}" if page > 1 else ""
    title = f"{stem} {SITE_NAME}{suffix}" if kind == "author" else f"{stem}{suffix} | {SITE_NAME}"
    robots = (
        "noindex, follow"
        if kind != "category" or _CH[key].hidden
        else "index, follow, max-snippet:-1, max-image-preview:large, max-video-preview:-1"
    )
    yoast = [f'<meta name="robots" content="{robots}" />', f'<link rel="canonical" href="{url}" />']
    if page > 1:
        yoast.append(f'<link rel="prev" href="{_abs(_page_path(base, page - 1))}" />')
    if page < pages:
        yoast.append(f'<link rel="next" href="{_abs(_page_path(base, page + 1))}" />')
    yoast += [
        '<meta property="og:locale" content="id_ID" />',
        f'<meta property="og:type" content="{"profile" if kind == "author" else "article"}" />',
        f'<meta property="og:title" content="{_esc(title)}" />',
        f'<meta property="og:url" content="{url}" />',
        f'<meta property="og:site_name" content="{SITE_NAME}" />',
    ]
    crumbs: list[tuple[str, str | None]] = [("Home", f"{ORIGIN}/")]
    if kind == "category" and _CH[key].parent:
        parent = _CH[_CH[key].parent or ""]
        crumbs.append((parent.name, _abs(parent.path)))
    crumbs.append((name if kind != "author" else f"Arsip untuk {name}", None))
    nodes: list[dict[str, Any]] = [
        {
            "@type": "ProfilePage" if kind == "author" else "CollectionPage",
            "@id": f"{url}#webpage",
            "url": url,
            "name": title,
            "isPartOf": {"@id": f"{ORIGIN}/#website"},
            "breadcrumb": {"@id": f"{url}#breadcrumb"},
            "inLanguage": "id-ID",
        },
        _breadcrumb_node(url, crumbs),
    ]
    if kind == "author":
        nodes.append({"@type": "Person", "@id": f"{ORIGIN}/#/schema/person/{_md5(key)}", "name": name})
    alternate = ""
    if kind == "category":
        alternate = (
            f'<link rel="alternate" type="application/rss+xml" title="SATUKANAL.COM &raquo; {_esc(name)} '
            f'Umpan Kategori" href="{_abs(base)}feed/" />\n'
        )
    head = _head(title=title, yoast=yoast, nodes=nodes, extra_alternate=alternate)
    if kind == "category":
        chan = _CH[key]
        h1 = f'<h1 class="page-title">{_esc(name)}</h1>'
        body_class = f"archive category category-{chan.slug} category-{chan.term_id}"
    elif kind == "tag":
        h1 = f'<h1 class="page-title">Tag: <span>{_esc(name)}</span></h1>'
        body_class = f"archive tag tag-{key} tag-{_tag_id(name)}"
    else:
        h1 = f'<h1 class="page-title">Penulis: <span class="vcard">{_esc(name)}</span></h1>'
        body_class = f"archive author author-{key} author-{_USERS[key][1]}"
    if page > 1:
        body_class += f" paged paged-{page} {kind}-paged-{page}"
    cards = "\n".join(view.card(p, label) for p in view.page_slice(posts, page))
    if not cards:
        cards = '<p class="no-results">Maaf, belum ada berita di kanal ini.</p>'
    main = (
        f'<header class="page-header">\n{h1}\n</header><!-- .page-header -->\n'
        f'<div class="posts-list">\n{cards}\n</div>\n' + _pagination(base, page, pages)
    )
    return _layout(view, head, body_class, main, _breadcrumbs_html(crumbs))


def _render_home(view: _View) -> str:
    url = f"{ORIGIN}/"
    yoast = [
        f'<meta name="description" content="{TAGLINE}" />',
        '<meta name="robots" content="index, follow, max-snippet:-1, max-image-preview:large, max-video-preview:-1" />',
        f'<link rel="canonical" href="{url}" />',
        '<meta property="og:locale" content="id_ID" />',
        '<meta property="og:type" content="website" />',
        f'<meta property="og:title" content="{SITE_NAME} | {TAGLINE}" />',
        f'<meta property="og:url" content="{url}" />',
        f'<meta property="og:site_name" content="{SITE_NAME}" />',
    ]
    nodes: list[dict[str, Any]] = [
        {
            "@type": "WebPage",
            "@id": f"{url}#webpage",
            "url": url,
            "name": f"{SITE_NAME} | {TAGLINE}",
            "isPartOf": {"@id": f"{ORIGIN}/#website"},
            "about": {"@id": f"{ORIGIN}/#organization"},
            "inLanguage": "id-ID",
        }
    ]
    head = _head(
        title=f"{SITE_NAME} | {TAGLINE}",
        yoast=yoast,
        nodes=nodes,
        shortlink=f"<link rel='shortlink' href='{ORIGIN}/' />\n",
    )
    visible = view.visible
    headline = visible[:1]
    side = visible[1:3]
    latest = visible[3:11]
    parts = ['<h1 class="screen-reader-text">SATUKANAL.COM</h1>\n<section class="headline-block">\n']
    parts.append('<div class="headline-main">' + "".join(view.card(p, None) for p in headline) + "\n</div>\n")
    parts.append('<div class="headline-side">' + "\n".join(view.card(p, None, "h3") for p in side) + "\n</div>\n")
    parts.append("</section>\n")
    parts.append(
        '<section class="home-latest"><h2 class="block-title"><span>Berita Terkini</span></h2>\n'
        '<div class="posts-list">\n' + "\n".join(view.card(p, None, "h3") for p in latest) + "\n</div></section>\n"
    )
    pilihan = view.by_pid.get(view.state.pilihan or -1)
    if pilihan is not None:
        parts.append(
            '<section class="home-pilihan"><h2 class="block-title"><span>Pilihan Redaksi</span></h2><ul><li>'
            f'<a href="{pilihan.url}?{UTM_QUERY.replace("&", "&amp;")}">{_esc(pilihan.title)}</a></li></ul>'
            "</section>\n"
        )
    for chan in _CHANNELS:
        if chan.hidden or chan.parent:
            continue
        posts = view.channel_posts[chan.slug][:3]
        if not posts:
            continue
        items = "\n".join(
            f'<li class="mini-post"><a href="{p.url}" class="thumb"><img width="100" height="75" '
            f'src="{_image_variant(p.image, "100x75") if p.image else _NO_IMAGE}" alt="" loading="lazy" /></a>'
            f'<h3 class="entry-title"><a href="{p.url}">{_esc(p.title)}</a></h3>'
            f'<time datetime="{_iso_wib(p.published)}">{_id_date(p.published)}</time></li>'
            for p in posts
        )
        parts.append(
            f'<section class="home-block block-{chan.slug}"><h2 class="block-title"><a href="{_abs(chan.path)}">'
            f'{_esc(chan.name)}</a></h2>\n<ul class="mini-posts">{items}\n</ul><a class="block-more" '
            f'href="{_abs(chan.path)}">Indeks {_esc(chan.name)} &raquo;</a></section>\n'
        )
    body_class = "home page-template page-template-template-homepage page page-id-2"
    return _layout(view, head, body_class, "".join(parts))


def _render_static(view: _View, slug: str, title: str, page_id: int, published: str, modified: str) -> str:
    url = _abs(f"/{slug}/")
    pub = datetime.fromisoformat(published).replace(tzinfo=UTC)
    mod = datetime.fromisoformat(modified).replace(tzinfo=UTC)
    yoast = [
        '<meta name="robots" content="index, follow, max-snippet:-1, max-image-preview:large, max-video-preview:-1" />',
        f'<link rel="canonical" href="{url}" />',
        '<meta property="og:locale" content="id_ID" />',
        '<meta property="og:type" content="article" />',
        f'<meta property="og:title" content="{_esc(title)} | {SITE_NAME}" />',
        f'<meta property="og:url" content="{url}" />',
        f'<meta property="og:site_name" content="{SITE_NAME}" />',
    ]
    if mod > pub:
        yoast.append(f'<meta property="article:modified_time" content="{_iso_utc(mod)}" />')
    crumbs: list[tuple[str, str | None]] = [("Home", f"{ORIGIN}/"), (title, None)]
    nodes = [
        {
            "@type": "WebPage",
            "@id": f"{url}#webpage",
            "url": url,
            "name": f"{title} | {SITE_NAME}",
            "isPartOf": {"@id": f"{ORIGIN}/#website"},
            "datePublished": _iso_utc(pub),
            "dateModified": _iso_utc(mod),
            "breadcrumb": {"@id": f"{url}#breadcrumb"},
            "inLanguage": "id-ID",
        },
        _breadcrumb_node(url, crumbs),
    ]
    head = _head(
        title=f"{title} | {SITE_NAME}",
        yoast=yoast,
        nodes=nodes,
        rest_link=f'<link rel="alternate" type="application/json" href="{ORIGIN}/wp-json/wp/v2/pages/{page_id}" />',
        shortlink=f"<link rel='shortlink' href='{ORIGIN}/?p={page_id}' />\n",
    )
    main = (
        f'<article id="post-{page_id}" class="post-{page_id} page type-page status-publish hentry">\n'
        f'<header class="entry-header"><h1 class="entry-title">{_esc(title)}</h1></header>\n'
        f'<div class="entry-content">\n{_STATIC_BODIES[slug]}\n</div><!-- .entry-content -->\n</article>\n'
    )
    return _layout(view, head, f"page-template-default page page-id-{page_id}", main, _breadcrumbs_html(crumbs))


def _render_404(view: _View) -> str:
    yoast = [
        '<meta name="robots" content="noindex, follow" />',
        '<meta property="og:locale" content="id_ID" />',
        '<meta property="og:type" content="website" />',
        f'<meta property="og:title" content="Halaman tidak ditemukan | {SITE_NAME}" />',
        f'<meta property="og:site_name" content="{SITE_NAME}" />',
    ]
    head = _head(title=f"Halaman tidak ditemukan | {SITE_NAME}", yoast=yoast, nodes=[])
    recent = "".join(f'<li><a href="{p.url}">{_esc(p.title)}</a></li>' for p in view.visible[:5])
    main = (
        '<section class="error-404 not-found">\n<header class="page-header"><h1 class="page-title">Oops! '
        'Halaman tidak ditemukan.</h1></header>\n<div class="page-content"><p>Sepertinya tidak ada yang '
        "ditemukan di lokasi ini. Mungkin coba pencarian atau lihat berita terbaru di bawah?</p>\n"
        f'<div class="widget widget_recent_entries"><h2 class="widget-title">Berita Terbaru</h2><ul>{recent}'
        "</ul></div></div>\n</section>\n"
    )
    return _layout(view, head, "error404", main)


# -- feeds, sitemaps, robots ------------------------------------------------------------------------


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _render_feed(view: _View, chan: _Channel | None) -> str:
    posts = (view.channel_posts[chan.slug] if chan else view.newest)[:FEED_SIZE]
    title = f"{_esc(chan.name)} &#8211; {SITE_NAME}" if chan else SITE_NAME
    link = _abs(chan.path) if chan else ORIGIN
    self_url = _abs(f"{chan.path}feed/") if chan else f"{ORIGIN}/feed/"
    build = max((max(p.published, p.modified) for p in posts), default=view.now)
    items = []
    for post in posts:
        user, _uid = _USERS[post.author]
        content = _content_html(post, "feed")
        lead, paragraphs = _body(post)
        words = _dateline(post.dateline_style, post.place)[1] + lead + " " + " ".join(t for _, t in paragraphs)
        excerpt = " ".join(words.split()[:55]) + " [&#8230;]"
        categories = "".join(
            f"\t\t<category>{_cdata(html.unescape(c.name))}</category>\n" for c in _categories(post)
        ) + "".join(f"\t\t<category>{_cdata(t)}</category>\n" for t in post.tags)
        items.append(
            "\t<item>\n"
            f"\t\t<title>{_esc(post.title)}</title>\n"
            f"\t\t<link>{post.url}</link>\n"
            f"\t\t\t\t\t<comments>{post.url}#respond</comments>\n\t\t\n"
            f"\t\t<dc:creator>{_cdata(user)}</dc:creator>\n"
            f"\t\t<pubDate>{_rfc822(post.published)}</pubDate>\n"
            + categories
            + f'\t\t<guid isPermaLink="false">{ORIGIN}/?p={post.pid}</guid>\n\n'
            f"\t\t\t\t\t<description>{_cdata(excerpt)}</description>\n"
            f"\t\t\t\t\t\t\t\t\t\t<content:encoded>{_cdata(content)}</content:encoded>\n"
            f"\t\t\t\t\t\n\t\t\t<wfw:commentRss>{post.url}feed/</wfw:commentRss>\n"
            "\t\t\t<slash:comments>0</slash:comments>\n\t\t\n\t\t\n\t\t\t</item>\n"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"\n'
        '\txmlns:content="http://purl.org/rss/1.0/modules/content/"\n'
        '\txmlns:wfw="http://wellformedweb.org/CommentAPI/"\n'
        '\txmlns:dc="http://purl.org/dc/elements/1.1/"\n'
        '\txmlns:atom="http://www.w3.org/2005/Atom"\n'
        '\txmlns:sy="http://purl.org/rss/1.0/modules/syndication/"\n'
        '\txmlns:slash="http://purl.org/rss/1.0/modules/slash/"\n\t>\n\n<channel>\n'
        f"\t<title>{title}</title>\n"
        f'\t<atom:link href="{self_url}" rel="self" type="application/rss+xml" />\n'
        f"\t<link>{link}</link>\n\t<description>{TAGLINE}</description>\n"
        f"\t<lastBuildDate>{_rfc822(build)}</lastBuildDate>\n\t<language>id-ID</language>\n"
        "\t<sy:updatePeriod>\n\thourly\t</sy:updatePeriod>\n\t<sy:updateFrequency>\n\t1\t</sy:updateFrequency>\n"
        "\t<generator>https://wordpress.org/?v=5.7.1</generator>\n\n"
        f"<image>\n\t<url>{ORIGIN}/wp-content/uploads/2020/06/cropped-favicon-32x32.png</url>\n"
        f"\t<title>{title}</title>\n\t<link>{link}</link>\n\t<width>32</width>\n\t<height>32</height>\n</image> \n"
        + "".join(items)
        + "\t</channel>\n</rss>\n"
    )


_SITEMAP_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?><?xml-stylesheet type="text/xsl" href="//satukanal.com/main-sitemap.xsl"?>\n'
)
_URLSET_OPEN = (
    '<urlset xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xmlns:image="http://www.google.com/schemas/sitemap-image/1.1" '
    'xsi:schemaLocation="http://www.sitemaps.org/schemas/sitemap/0.9 '
    "http://www.sitemaps.org/schemas/sitemap/0.9/sitemap.xsd "
    "http://www.google.com/schemas/sitemap-image/1.1 "
    'http://www.google.com/schemas/sitemap-image/1.1/sitemap-image.xsd" '
    'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
)


def _urlset(entries: Iterable[tuple[str, datetime, str | None]]) -> str:
    out = [_SITEMAP_HEAD, _URLSET_OPEN]
    for loc, lastmod, image in entries:
        out.append(f"\t<url>\n\t\t<loc>{_esc(loc)}</loc>\n\t\t<lastmod>{_iso_utc(lastmod)}</lastmod>\n")
        if image:
            out.append(f"\t\t<image:image>\n\t\t\t<image:loc>{_esc(image)}</image:loc>\n\t\t</image:image>\n")
        out.append("\t</url>\n")
    out.append("</urlset>\n<!-- XML Sitemap generated by Yoast SEO -->")
    return "".join(out)


def _sitemap_files(view: _View) -> list[tuple[str, str, datetime]]:
    """(path, XML, lastmod) of every sitemap except the index."""
    size = view.state.sitemap_size
    posts = view.posts  # oldest first: the existing sitemaps only grow at the end
    files = []
    for index in range(max(1, math.ceil(len(posts) / size))):
        chunk = posts[index * size : (index + 1) * size]
        name = "/post-sitemap.xml" if index == 0 else f"/post-sitemap{index + 1}.xml"
        lastmod = max((p.modified for p in chunk), default=view.now)
        files.append((name, _urlset((p.url, p.modified, p.image) for p in chunk), lastmod))
    newest = max((p.modified for p in posts), default=view.now)
    pages = [(f"{ORIGIN}/", newest, None)] + [
        (_abs(f"/{slug}/"), datetime.fromisoformat(mod).replace(tzinfo=UTC), None)
        for slug, _t, _i, _p, mod in _STATIC_PAGES
    ]
    files.append(("/page-sitemap.xml", _urlset(pages), max(m for _, m, _ in pages)))
    cats = []
    for chan in _CHANNELS:
        listed = view.channel_posts[chan.slug]
        if chan.hidden or not listed:
            continue
        cats.append((_abs(chan.path), max(p.modified for p in listed), None))
    files.append(("/category-sitemap.xml", _urlset(cats), max((m for _, m, _ in cats), default=newest)))
    return files


def _sitemap_index(files: list[tuple[str, str, datetime]]) -> str:
    out = [_SITEMAP_HEAD, '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n']
    for path, _xml, lastmod in files:
        out.append(
            f"\t<sitemap>\n\t\t<loc>{ORIGIN}{path}</loc>\n\t\t<lastmod>{_iso_utc(lastmod)}</lastmod>\n\t</sitemap>\n"
        )
    out.append("</sitemapindex>\n<!-- XML Sitemap generated by Yoast SEO -->")
    return "".join(out)


_ROBOTS = f"""User-agent: *
Disallow: /wp-admin/
Disallow: /?s=
Disallow: /search/
Disallow: /*?replytocom=
Allow: /wp-admin/admin-ajax.php

Sitemap: {ORIGIN}/sitemap_index.xml
"""

# ---------------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------------


class _Writer:
    """Writes files under the mirror root; atomically (temp file + rename) when a server may be
    reading the mirror concurrently (advance_mirror)."""

    def __init__(self, root: Path, *, atomic: bool) -> None:
        self.root = root
        self.atomic = atomic
        self.count = 0
        self._dirs: set[Path] = set()

    def write(self, rel: str, text: str) -> None:
        path = self.root / rel
        parent = path.parent
        if parent not in self._dirs:
            parent.mkdir(parents=True, exist_ok=True)
            self._dirs.add(parent)
        data = text.encode("utf-8")
        if self.atomic:
            tmp = path.with_name(f".{path.name}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, path)
        else:
            path.write_bytes(data)
        self.count += 1

    def write_json(self, rel: str, data: Any, *, indent: int = 2, sort_keys: bool = False) -> None:
        self.write(rel, json.dumps(data, ensure_ascii=False, indent=indent, sort_keys=sort_keys) + "\n")


def _site_file(path: str, ext: str = "index.html") -> str:
    """site/ file for a URL path: '/a/b/' -> 'site/a/b/index.html'."""
    return "site" + path + ext if path.endswith("/") else "site" + path


def _file_entry(path: str, content_type: str = CT_HTML, status: int = 200, ext: str = "index.html") -> dict[str, Any]:
    return {"file": _site_file(path, ext), "status": status, "content_type": content_type}


def _redirect(path: str) -> dict[str, Any]:
    return {"status": 301, "location": _abs(path)}


def _manifest(view: _View) -> dict[str, dict[str, Any]]:
    """Every URL the mirror answers, computed from the state (not from the files written)."""
    m: dict[str, dict[str, Any]] = {"/": _file_entry("/")}
    for post in view.posts:
        m[post.path] = _file_entry(post.path)
        m[f"/?p={post.pid}"] = _redirect(post.path)
        if post.amp:
            m[f"{post.path}amp/"] = _file_entry(f"{post.path}amp/")
        if post.old_slug:
            m[f"/{post.old_slug}/"] = _redirect(post.path)
    pilihan = view.by_pid.get(view.state.pilihan or -1)
    if pilihan is not None:
        m[f"{pilihan.path}?{UTM_QUERY}"] = _file_entry(pilihan.path)
    for slug, _title, page_id, _pub, _mod in _STATIC_PAGES:
        m[f"/{slug}/"] = _file_entry(f"/{slug}/")
        m[f"/{slug}"] = _redirect(f"/{slug}/")
        m[f"/?p={page_id}"] = _redirect(f"/{slug}/")
    for path in view.state.deleted:
        m[path] = {"file": NOT_FOUND_FILE, "status": 404, "content_type": CT_HTML}
    for kind, key, posts in view.archives():
        base = _archive_meta(kind, key, view)[0]
        for page in range(1, view.pages(posts) + 1):
            m[_page_path(base, page)] = _file_entry(_page_path(base, page))
        m[f"{base}page/1/"] = _redirect(base)
        if kind == "category":
            m[f"{base}feed/"] = _file_entry(f"{base}feed/", CT_RSS, ext="index.xml")
    m["/feed/"] = _file_entry("/feed/", CT_RSS, ext="index.xml")
    m["/robots.txt"] = _file_entry("/robots.txt", CT_TEXT)
    m["/sitemap_index.xml"] = _file_entry("/sitemap_index.xml", CT_XML)
    for path, _xml, _lastmod in _sitemap_files(view):
        m[path] = _file_entry(path, CT_XML)
    return dict(sorted(m.items()))


def _write_post(writer: _Writer, view: _View, post: _Post) -> None:
    writer.write(_site_file(post.path), _render_article(view, post))
    writer.write_json(f"expected/{post.slug}.json", _record(post))
    if post.amp:
        writer.write(_site_file(f"{post.path}amp/"), _render_amp(view, post))
        writer.write_json(f"expected/amp/{post.slug}.json", _record(post, amp=True))


def _write_indexes(writer: _Writer, view: _View) -> None:
    """Everything that lists posts: rebuilt whenever a post is published or edited."""
    writer.write("site/index.html", _render_home(view))
    for kind, key, posts in view.archives():
        base = _archive_meta(kind, key, view)[0]
        for page in range(1, view.pages(posts) + 1):
            writer.write(_site_file(_page_path(base, page)), _render_archive(view, kind, key, posts, page))
        if kind == "category":
            writer.write(_site_file(f"{base}feed/", "index.xml"), _render_feed(view, _CH[key]))
    writer.write("site/feed/index.xml", _render_feed(view, None))
    files = _sitemap_files(view)
    for path, xml, _lastmod in files:
        writer.write("site" + path, xml)
    writer.write("site/sitemap_index.xml", _sitemap_index(files))
    writer.write("site/robots.txt", _ROBOTS)


def _info(out_dir: Path, view: _View, manifest_size: int, written: int) -> MirrorInfo:
    state = view.state
    by_pid = view.by_pid
    return MirrorInfo(
        root=str(out_dir),
        origin=ORIGIN,
        seed=state.seed,
        day=state.day,
        captured_at=_iso_wib(state.now),
        articles=sum(1 for p in view.posts if p.repost_of is None),
        article_urls=[p.url for p in view.posts if p.repost_of is None],
        post_urls=[p.url for p in view.posts],
        reposts={p.url: by_pid[p.repost_of].url for p in view.posts if p.repost_of is not None},
        renamed={_abs(f"/{p.old_slug}/"): p.url for p in view.posts if p.old_slug},
        amp={f"{p.url}amp/": p.url for p in view.posts if p.amp},
        shortlinks={f"{ORIGIN}/?p={p.pid}": p.url for p in view.posts},
        sitemap_only=[p.url for p in view.posts if p.legacy],
        deleted=[_abs(path) for path in state.deleted],
        channels=[_abs(c.path) for c in _CHANNELS if not c.hidden],
        new_urls=[by_pid[pid].url for pid in state.new_pids],
        modified_urls=[by_pid[pid].url for pid in state.modified_pids],
        manifest_entries=manifest_size,
        files_written=written,
    )


def _finish(writer: _Writer, out_dir: Path, view: _View) -> MirrorInfo:
    manifest = _manifest(view)
    writer.write_json("manifest.json", manifest, indent=1)
    writer.write_json(_STATE_FILE, view.state.to_json(), indent=None)
    info = _info(out_dir, view, len(manifest), writer.count + 1)
    writer.write_json(MIRROR_INFO_FILE, info.to_json())
    return info


def _prepare_out_dir(out_dir: Path) -> None:
    """Refuse to clobber a directory that is not a previous synthetic mirror."""
    if out_dir.exists():
        if not out_dir.is_dir():
            raise NotADirectoryError(f"{out_dir} is not a directory")
        entries = list(out_dir.iterdir())
        if entries and not (out_dir / _STATE_FILE).is_file():
            raise FileExistsError(f"{out_dir} is not empty and is not a synthetic mirror; refusing to overwrite")
        for name in ("site", "expected"):
            if (out_dir / name).exists():
                shutil.rmtree(out_dir / name)
    out_dir.mkdir(parents=True, exist_ok=True)


def generate_mirror(
    out_dir: Path | str,
    n_articles: int,
    *,
    seed: int = 0,
    start: datetime | None = None,
    posts_per_page: int = 10,
    sitemap_size: int = 1000,
) -> MirrorInfo:
    """Write a synthetic mirror of ``n_articles`` distinct articles to ``out_dir``.

    Layout: ``site/`` (pages), ``manifest.json`` (replay format), ``expected/{slug}.json`` and
    ``expected/amp/{slug}.json`` (exact records), ``mirror.json`` (the returned :class:`MirrorInfo`)
    and an internal state file used by :func:`advance_mirror`. ``start`` is the first publication
    time (default 4 January 2021, WIB; naive values are taken as WIB). With 10 or more articles the
    mirror also has one re-post (an extra post page), renamed slugs and a deleted article; with 15 or
    more, legacy posts that only the sitemap leads to. An existing synthetic mirror in ``out_dir`` is
    replaced; any other non-empty directory is refused.
    """
    if n_articles < 1:
        raise ValueError("n_articles must be at least 1")
    if posts_per_page < 1 or sitemap_size < 1:
        raise ValueError("posts_per_page and sitemap_size must be at least 1")
    out = Path(out_dir)
    begin = start or DEFAULT_START
    if begin.tzinfo is None:
        begin = begin.replace(tzinfo=WIB)
    rng = random.Random(seed)
    state = _make_posts(rng, n_articles, begin)
    state.seed = seed
    state.posts_per_page = posts_per_page
    state.sitemap_size = sitemap_size
    _prepare_out_dir(out)
    writer = _Writer(out, atomic=False)
    view = _View(state)
    for post in state.posts:
        _write_post(writer, view, post)
    for slug, title, page_id, pub, mod in _STATIC_PAGES:
        writer.write(_site_file(f"/{slug}/"), _render_static(view, slug, title, page_id, pub, mod))
    writer.write(NOT_FOUND_FILE, _render_404(view))
    _write_indexes(writer, view)
    return _finish(writer, out, view)


def advance_mirror(out_dir: Path | str, *, new: int, modified: int, seed: int = 1) -> MirrorInfo:
    """Rewrite a generated mirror in place into its next day's state.

    ``new`` posts are published during the day (newest first in channels, home and feeds, appended to
    the last post sitemap); ``modified`` existing articles get a new body and a new
    dateModified/article:modified_time/sitemap lastmod. Their pages and expected records are
    rewritten, so are home, archives, feeds, sitemaps and the manifest; every other file (the pages
    of untouched articles, AMP twins, static pages, the 404 page) stays byte-identical. Files are
    replaced atomically, so a running :class:`ReplayServer` may keep serving; call its ``load()``
    afterwards to pick up the new manifest.
    """
    if new < 0 or modified < 0:
        raise ValueError("new and modified must be >= 0")
    out = Path(out_dir)
    state_path = out / _STATE_FILE
    if not state_path.is_file():
        raise FileNotFoundError(f"{out} is not a synthetic mirror (no {_STATE_FILE})")
    with state_path.open(encoding="utf-8") as fh:
        state = _State.from_json(json.load(fh))
    rng = random.Random(seed * 1_000_003 + state.day + 1)
    reposted = {p.repost_of for p in state.posts if p.repost_of}
    candidates = [p for p in state.posts if p.repost_of is None and p.pid not in reposted]
    if modified > len(candidates):
        raise ValueError(f"cannot modify {modified} articles: only {len(candidates)} can be edited")
    day_start = state.now
    day_end = day_start + timedelta(days=1)
    span = int((day_end - day_start).total_seconds()) - 120
    factory = _PostFactory(rng, state.posts)
    times = sorted(rng.sample(range(60, span), new)) if new else []
    new_posts = []
    for offset in times:
        post = factory.new(day_start + timedelta(seconds=offset))
        factory.pick_baca_juga(post, state.posts)
        post.amp = rng.random() < 0.15
        state.posts.append(post)
        new_posts.append(post)
    edited = rng.sample(candidates, modified)
    for post in edited:
        post.revision += 1
        post.modified = day_start + timedelta(seconds=rng.randrange(60, span))
    state.day += 1
    state.now = day_end
    state.new_pids = [p.pid for p in new_posts]
    state.modified_pids = [p.pid for p in edited]
    writer = _Writer(out, atomic=True)
    view = _View(state)
    for post in [*new_posts, *edited]:
        _write_post(writer, view, post)
    _write_indexes(writer, view)
    return _finish(writer, out, view)


# -- command line -----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """``python -m satukanal_crawler.mirror.synth OUT_DIR --articles N [--seed S]``."""
    parser = argparse.ArgumentParser(
        prog="python -m satukanal_crawler.mirror.synth",
        description="Generate a synthetic mirror of the portal (site/, manifest.json, expected/).",
    )
    parser.add_argument("out_dir", type=Path, help="output directory (created; a previous mirror is replaced)")
    parser.add_argument("--articles", type=int, help="number of distinct articles (required unless --advance)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: %(default)s)")
    parser.add_argument("--posts-per-page", type=int, default=10, help="archive page size (default: %(default)s)")
    parser.add_argument("--sitemap-size", type=int, default=1000, help="URLs per post sitemap (default: %(default)s)")
    parser.add_argument("--advance", action="store_true", help="advance an existing mirror by one day instead")
    parser.add_argument("--new", type=int, default=5, help="with --advance: new articles (default: %(default)s)")
    parser.add_argument(
        "--modified", type=int, default=2, help="with --advance: edited articles (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    if not args.advance and (args.articles is None or args.articles < 1):
        parser.error("--articles N (at least 1) is required to generate a mirror")
    began = time.perf_counter()
    try:
        if args.advance:
            info = advance_mirror(args.out_dir, new=args.new, modified=args.modified, seed=args.seed)
        else:
            info = generate_mirror(
                args.out_dir,
                args.articles,
                seed=args.seed,
                posts_per_page=args.posts_per_page,
                sitemap_size=args.sitemap_size,
            )
    except (OSError, ValueError) as exc:
        print(f"synth: {exc}", file=sys.stderr)
        return 1
    print(
        f"{info.root}: {info.articles} articles, {len(info.post_urls)} post pages, "
        f"{info.manifest_entries} URLs, {info.files_written} files in {time.perf_counter() - began:.1f}s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
