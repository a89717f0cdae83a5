"""The one URL canonicaliser: one article, one URL, however it was reached."""

from __future__ import annotations

import pytest

from satukanal_crawler.urls import canonicalize_url, rebase, same_host, shortlink_post_id, strip_tracking

ARTICLE = "https://satukanal.com/pohon-tumbang-timpa-dua-warung-di-tulungagung/"


@pytest.mark.parametrize(
    "variant",
    [
        ARTICLE,
        ARTICLE + "#comments",
        ARTICLE + "?utm_source=satukanal&utm_medium=pilihan_redaksi",
        ARTICLE + "?fbclid=IwAR0abc",
        ARTICLE + "amp/",
        ARTICLE + "?amp=1",
        "HTTPS://SATUKANAL.COM/pohon-tumbang-timpa-dua-warung-di-tulungagung/",
        ARTICLE + "?replytocom=311",
    ],
)
def test_variants_map_to_one_url(variant: str) -> None:
    assert canonicalize_url(variant) == ARTICLE


def test_meaningful_query_is_kept_and_sorted() -> None:
    assert canonicalize_url("https://satukanal.com/?p=2334&utm_source=x") == "https://satukanal.com/?p=2334"
    assert canonicalize_url("https://satukanal.com/?s=a&cat=2") == "https://satukanal.com/?cat=2&s=a"


def test_relative_urls_resolve_against_base() -> None:
    assert canonicalize_url("../x/", base="https://satukanal.com/a/b/") == "https://satukanal.com/a/x/"


def test_strip_tracking_keeps_path_bytes() -> None:
    assert strip_tracking(ARTICLE + "?utm_campaign=x#top") == ARTICLE


def test_rebase_and_host_checks() -> None:
    assert (
        rebase(ARTICLE, "http://127.0.0.1:8080")
        == "http://127.0.0.1:8080/pohon-tumbang-timpa-dua-warung-di-tulungagung/"
    )
    assert same_host("https://satukanal.com/x", "https://satukanal.com")
    assert not same_host("https://cdn.satukanal.com/x", "https://satukanal.com")
    assert not same_host("https://example.com/satukanal.com", "https://satukanal.com")


def test_shortlink_post_id() -> None:
    assert shortlink_post_id("https://satukanal.com/?p=2334") == 2334
    assert shortlink_post_id("https://satukanal.com/slug/?p=2334") is None
    assert shortlink_post_id("https://satukanal.com/?page_id=12") is None


@pytest.mark.parametrize(
    "url",
    [
        "https://satukanal.com/pohon-tumbang-timpa-dua-warung-di-tulungagung/",
        "http://127.0.0.1:8765/category/daerah/tulungagung/page/2/",
        "https://satukanal.com/wp-content/uploads/2021/04/a_b-c.jpg",
        "https://satukanal.com",
        "https://satukanal.com/a/./b/",
        "https://satukanal.com/a/../b/",
        "https://satukanal.com/a,b;c=d@e/",
        "https://satukanal.com/a%20b/",
        "https://satukanal.com/berita-“kutip”/",
        "https://SatuKanal.com/A/",
        "https://satukanal.com/x/amp/",
        "https://satukanal.com/x/?p=1",
        "https://satukanal.com/x/#c",
    ],
)
def test_fast_path_agrees_with_the_full_path(url: str) -> None:
    """Already-canonical URLs skip w3lib; the result must be exactly what the full path gives."""
    from satukanal_crawler.urls import _canonical, _full_canonical

    assert _canonical(url) == _full_canonical(url)
