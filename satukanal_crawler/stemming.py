"""Indonesian word stems for search: one query finds `resmikan`, `meresmikan`, `diresmikan` and `peresmian`.

SQLite's tokenizers know no Indonesian, so the stems are made here, in Python, for both sides of a search: the
archive indexes each article's stemmed text in `articles_fts_stemmed` (archive/schema.py) and `satukanal search`
stems the query the same way. The stemmer is Sastrawi (PySastrawi, its maintained release): a dictionary of
Indonesian roots with the Nazief-Adriani affix rules. bench/stemmers.py measured it against Snowball's Indonesian
stemmer (PyStemmer, what PostgreSQL's `indonesian` configuration uses) on 55 affix families of the portal's news
words: 97% of forms found from their root against 78% (Snowball has no meN- sound changes: `menangkap` is
`angkap` there, `tangkap` is `tangkap`), and 11 of 13 root words that look affixed kept whole against 4
(Snowball makes `kediri` `diri`, `berita` `ita`). Snowball is 15x faster, but a cached stem costs a dict look-up.

The dictionary decides which words are roots; KEEP_WHOLE adds the portal's own names that the rules would cut
(`Kediri` is not ke- + `diri`). Changing the stemmer or the list changes what the index holds: the index must
then be rebuilt by a schema migration (see `restem` in archive/schema.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache, lru_cache

# Words the affix rules would cut although they are roots or names (measured on the snapshot: bench/stemmers.py).
KEEP_WHOLE = ("kediri", "hadi", "kejari", "peserta", "pemilu", "pilkada")

# What FTS5's unicode61 tokenizer calls a word: a run of letters and digits (underscore is a separator there too).
WORD = re.compile(r"[^\W_]+")
_LETTERS = re.compile(r"[^\W\d_]+")
CACHE_SIZE = 200_000  # distinct words: a large archive's vocabulary, a few tens of MiB at most


@cache
def _stemmer():
    from Sastrawi.Dictionary.ArrayDictionary import ArrayDictionary
    from Sastrawi.Stemmer.Stemmer import Stemmer
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    return Stemmer(ArrayDictionary([*StemmerFactory().get_words(), *KEEP_WHOLE]))


@lru_cache(maxsize=CACHE_SIZE)
def stem(word: str) -> str:
    """The stem of one word (any case); words with digits (`covid19`, `2021`) are kept as they are."""
    word = word.lower()
    if not _LETTERS.fullmatch(word):
        return word
    return _stemmer().stem_word(word) or word


def words(text: str) -> Iterator[re.Match[str]]:
    """The words of a text as FTS5 sees them, with their positions (for snippets)."""
    return WORD.finditer(text)


def stem_text(text: str | None) -> str:
    """The text as the stemmed index holds it: its words' stems, separated by spaces, in order (so phrases and
    NEAR still work on stems)."""
    if not text:
        return ""
    return " ".join(stem(match.group()) for match in WORD.finditer(text))
