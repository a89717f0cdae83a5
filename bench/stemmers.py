"""Which Indonesian stemmer the stemmed search column uses: recall on affix families, over-stemming, speed.

    .venv/bin/python bench/stemmers.py

Compares Sastrawi (PySastrawi, the dependency) with Snowball's Indonesian stemmer, the one PostgreSQL's
`indonesian` configuration uses (PyStemmer: `.venv/bin/pip install PyStemmer` to include it; it is not a
dependency). Figures printed:

- family recall: for each affix family below (a root and forms with meN-/di-/ter-/ber-/pe-/ke- prefixes and
  -kan/-an/-i/-nya suffixes, words of the portal's news), the share of forms stemmed to the root's stem, i.e.
  found by a query for the root; and the share of families where every form has one stem (any form finds all);
- kept whole: words that look affixed but are roots (berita, menteri, ...) left as they are (an over-stemmed
  word matches unrelated words);
- speed: words/s over the bundled snapshot's article bodies, cold (each distinct word once) as the index
  sees a new archive's vocabulary.
The families are written by hand from the portal's vocabulary; they measure the affixes news text uses, not the
whole language.
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXPECTED = ROOT / "tests" / "fixtures" / "portal" / "expected"

FAMILIES = {
    "resmi": "resmikan meresmikan diresmikan peresmian diresmikannya",
    "bangun": "membangun dibangun pembangunan bangunan terbangun membangunkan",
    "perintah": "pemerintah pemerintahan memerintahkan diperintahkan",
    "bijak": "kebijakan",
    "sampai": "menyampaikan disampaikan penyampaian sampaikan",
    "kata": "mengatakan dikatakan perkataan katanya",
    "tangkap": "menangkap ditangkap penangkapan tertangkap tangkapan",
    "periksa": "memeriksa diperiksa pemeriksaan",
    "jelas": "menjelaskan dijelaskan penjelasan kejelasan",
    "ungkap": "mengungkap mengungkapkan diungkapkan pengungkapan terungkap",
    "laksana": "melaksanakan dilaksanakan pelaksanaan terlaksana",
    "bantu": "membantu dibantu bantuan pembantu membantunya",
    "kirim": "mengirim dikirim pengiriman kiriman mengirimkan",
    "jual": "menjual dijual penjualan penjual jualan",
    "beli": "membeli dibeli pembelian pembeli",
    "tanam": "menanam ditanam penanaman tanaman",
    "didik": "mendidik dididik pendidikan pendidik",
    "ajar": "belajar mengajar pelajar pelajaran diajarkan pengajar",
    "kerja": "bekerja pekerja pekerjaan dikerjakan mengerjakan",
    "temu": "menemukan ditemukan penemuan bertemu pertemuan",
    "lapor": "melaporkan dilaporkan laporan pelapor pelaporan",
    "tolong": "menolong ditolong pertolongan tertolong",
    "pilih": "memilih dipilih pemilihan pilihan pemilih terpilih",
    "rawat": "merawat dirawat perawatan perawat",
    "obat": "mengobati diobati pengobatan",
    "tulis": "menulis ditulis penulis tulisan penulisan",
    "baca": "membaca dibaca pembaca bacaan",
    "ambil": "mengambil diambil pengambilan",
    "kumpul": "mengumpulkan dikumpulkan berkumpul pengumpulan kumpulan",
    "buka": "membuka dibuka pembukaan terbuka",
    "tutup": "menutup ditutup penutupan tertutup",
    "pakai": "memakai dipakai pemakaian",
    "sidang": "persidangan disidangkan bersidang",
    "curi": "mencuri dicuri pencurian pencuri",
    "rampok": "merampok dirampok perampokan perampok",
    "bunuh": "membunuh dibunuh pembunuhan pembunuh terbunuh",
    "selidik": "menyelidiki diselidiki penyelidikan penyelidik",
    "sidik": "menyidik disidik penyidikan penyidik",
    "tahan": "menahan ditahan penahanan tahanan bertahan",
    "usul": "mengusulkan diusulkan usulan pengusulan",
    "siap": "menyiapkan disiapkan persiapan bersiap siapkan",
    "salur": "menyalurkan disalurkan penyaluran",
    "dukung": "mendukung didukung dukungan pendukung",
    "harap": "berharap mengharapkan diharapkan harapan",
    "tingkat": "meningkat meningkatkan ditingkatkan peningkatan",
    "kenal": "mengenal dikenal perkenalan berkenalan terkenal mengenalkan",
    "hadir": "menghadiri dihadiri kehadiran",
    "jalan": "berjalan menjalankan dijalankan perjalanan",
    "minta": "meminta diminta permintaan",
    "terima": "menerima diterima penerimaan",
    "pinjam": "meminjam dipinjam pinjaman peminjaman",
    "cari": "mencari dicari pencarian",
    "rugi": "kerugian merugikan dirugikan",
    "kembang": "berkembang mengembangkan dikembangkan perkembangan pengembangan",
    "tawar": "menawarkan ditawarkan penawaran",
}
WHOLE = ("berita", "menteri", "perempuan", "pesantren", "kediri", "pemilu", "dinas", "teman", "pasar", "kereta",
         "bendera", "pertama", "kemarin")  # fmt: skip


def snowball() -> Callable[[str], str] | None:
    try:
        import Stemmer
    except ImportError:
        return None

    return Stemmer.Stemmer("indonesian").stemWord


def sastrawi() -> Callable[[str], str]:
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    return StemmerFactory().create_stemmer().stem  # as published: without the project's KEEP_WHOLE


def corpus_words() -> list[str]:
    text = " ".join(json.loads(p.read_text(encoding="utf-8"))["body_text"] for p in sorted(EXPECTED.glob("*.json")))
    return re.findall(r"[^\W\d_]+", text.lower())


def measure(name: str, stem: Callable[[str], str], words: list[str]) -> None:
    found = total = whole_families = 0
    for root, forms in FAMILIES.items():
        target = stem(root)
        stems = {stem(form) for form in forms.split()} | {target}
        found += sum(stem(form) == target for form in forms.split())
        total += len(forms.split())
        whole_families += len(stems) == 1
    kept = sum(stem(word) == word for word in WHOLE)
    distinct = sorted(set(words))
    started = time.perf_counter()
    for word in distinct:
        stem(word)
    elapsed = time.perf_counter() - started
    print(
        f"{name:10s} family recall {found}/{total} forms ({found / total:.0%}), "
        f"{whole_families}/{len(FAMILIES)} families with one stem; kept whole {kept}/{len(WHOLE)}; "
        f"{len(distinct) / elapsed:,.0f} distinct words/s"
    )


def main() -> None:
    words = corpus_words()
    print(f"{len(FAMILIES)} affix families, {sum(len(f.split()) for f in FAMILIES.values())} forms; "
          f"{len(set(words))} distinct words in the snapshot's bodies")  # fmt: skip
    measure("sastrawi", sastrawi(), words)
    other = snowball()
    if other is None:
        print("snowball   not installed (.venv/bin/pip install PyStemmer to compare)")
    else:
        measure("snowball", other, words)


if __name__ == "__main__":
    sys.exit(main())
