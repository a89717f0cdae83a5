"""The synthetic mirror: internally consistent, complete, deterministic, and a faithful "next day".

These checks use only the generated files (never the project's parser), so a parser regression cannot
hide a generator bug and the other way round.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import shutil
import urllib.request
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from satukanal_crawler.mirror.replay import ReplayServer
from satukanal_crawler.mirror.synth import (
    MIRROR_INFO_FILE,
    RECORD_KEYS,
    MirrorInfo,
    advance_mirror,
    generate_mirror,
    main,
)

ORIGIN = "https://satukanal.com"
FIXTURE_EXPECTED = Path(__file__).resolve().parents[1] / "fixtures" / "portal" / "expected"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
ASSET_PREFIXES = ("/wp-content/", "/wp-includes/")
HREF = re.compile(r'<a\s[^>]*?href="([^"]*)"')


@pytest.fixture(scope="module")
def mirror(tmp_path_factory: pytest.TempPathFactory) -> MirrorInfo:
    return generate_mirror(tmp_path_factory.mktemp("synth") / "m", 60, seed=7, posts_per_page=5, sitemap_size=25)


def load_manifest(root: Path) -> dict[str, dict]:
    return json.loads((root / "manifest.json").read_text(encoding="utf-8"))


def path_of(url: str) -> str:
    assert url.startswith(ORIGIN), url
    return url[len(ORIGIN) :] or "/"


def read_site(root: Path, manifest: dict[str, dict], path: str) -> str:
    return (root / manifest[path]["file"]).read_text(encoding="utf-8")


def tree_digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def listing_links(html_text: str) -> list[str]:
    """Article links of a listing page: the card headlines."""
    return re.findall(r'<h[23] class="entry-title"><a href="([^"]+)" rel="bookmark">', html_text)


def follow_channel(root: Path, manifest: dict[str, dict], start: str) -> tuple[list[str], int]:
    """Walk a channel by its rel=next links, as a crawler would: (article URLs, pages seen)."""
    urls: list[str] = []
    path: str | None = start
    pages = 0
    while path is not None:
        page = read_site(root, manifest, path)
        pages += 1
        urls += listing_links(page)
        nxt = re.search(r'<link rel="next" href="([^"]+)" />', page)
        path = path_of(nxt.group(1)) if nxt else None
    return urls, pages


# -- structure ---------------------------------------------------------------------------------------


def test_manifest_and_files_agree(mirror: MirrorInfo) -> None:
    root = mirror.path
    manifest = load_manifest(root)
    assert len(manifest) == mirror.manifest_entries
    files = {entry["file"] for entry in manifest.values() if "file" in entry}
    for name in files:
        assert (root / name).is_file(), name
    on_disk = {str(p.relative_to(root)) for p in (root / "site").rglob("*") if p.is_file()}
    assert on_disk == files
    assert all(key.startswith("/") for key in manifest)
    types = {entry.get("content_type") for entry in manifest.values()} - {None}
    assert types == {
        "text/html; charset=UTF-8",
        "application/rss+xml; charset=UTF-8",
        "text/xml; charset=UTF-8",
        "text/plain; charset=UTF-8",
    }


def test_every_redirect_lands_on_a_200(mirror: MirrorInfo) -> None:
    manifest = load_manifest(mirror.path)
    redirects = {k: v for k, v in manifest.items() if v["status"] == 301}
    assert redirects
    for source, entry in redirects.items():
        target = manifest[path_of(entry["location"])]
        assert target["status"] == 200, source
    for short, canonical in mirror.shortlinks.items():
        assert manifest[path_of(short)]["location"] == canonical
    for old, new in mirror.renamed.items():
        assert manifest[path_of(old)]["location"] == new
    assert mirror.renamed, "a 60-article mirror has renamed slugs"
    for path in ("/category/straight-news/page/1/", "/redaksi"):
        assert manifest[path]["status"] == 301


def test_internal_links_resolve(mirror: MirrorInfo) -> None:
    root = mirror.path
    manifest = load_manifest(root)
    for entry in {e["file"] for e in manifest.values() if e.get("file", "").endswith(".html")}:
        for href in HREF.findall((root / entry).read_text(encoding="utf-8")):
            href = html.unescape(href)
            if not href.startswith(ORIGIN):
                continue
            path = path_of(href.split("#", 1)[0])
            assert path in manifest or path.startswith(ASSET_PREFIXES), (entry, href)


def test_sitemaps_and_feeds_are_well_formed_and_served(mirror: MirrorInfo) -> None:
    root = mirror.path
    manifest = load_manifest(root)
    index = ET.fromstring(read_site(root, manifest, "/sitemap_index.xml"))
    sitemaps = [path_of(loc.text or "") for loc in index.iter(f"{SM}loc")]
    post_sitemaps = [s for s in sitemaps if s.startswith("/post-sitemap")]
    assert post_sitemaps == ["/post-sitemap.xml", "/post-sitemap2.xml", "/post-sitemap3.xml"]  # 61 posts / 25
    assert {"/page-sitemap.xml", "/category-sitemap.xml"} <= set(sitemaps)
    in_sitemaps: list[str] = []
    for sitemap in sitemaps:
        tree = ET.fromstring(read_site(root, manifest, sitemap))
        for url in tree.iter(f"{SM}url"):
            loc = url.findtext(f"{SM}loc") or ""
            assert manifest[path_of(loc)]["status"] == 200
            datetime.fromisoformat(url.findtext(f"{SM}lastmod") or "")
            if sitemap in post_sitemaps:
                in_sitemaps.append(loc)
    assert in_sitemaps == mirror.post_urls  # oldest first, every post once
    robots = read_site(root, manifest, "/robots.txt")
    assert f"Sitemap: {ORIGIN}/sitemap_index.xml" in robots and "Disallow: /*?replytocom=" in robots
    feeds = [k for k, v in manifest.items() if v.get("content_type", "").startswith("application/rss+xml")]
    assert "/feed/" in feeds and "/category/daerah/tulungagung/feed/" in feeds
    for feed in feeds:
        channel = ET.fromstring(read_site(root, manifest, feed)).find("channel")
        assert channel is not None
        items = channel.findall("item")
        assert len(items) <= 10
        for item in items:
            assert manifest[path_of(item.findtext("link") or "")]["status"] == 200
            assert manifest[path_of(item.findtext("guid") or "")]["status"] == 301
    newest = [item.findtext("link") for item in ET.fromstring(read_site(root, manifest, "/feed/")).iter("item")]
    assert newest == list(reversed(mirror.post_urls))[:10]


def test_channel_pagination_covers_every_article(mirror: MirrorInfo) -> None:
    root = mirror.path
    manifest = load_manifest(root)
    seen: set[str] = set()
    deepest = 0
    channels = [k for k in manifest if re.fullmatch(r"/category/[a-z-]+/([a-z-]+/)?", k)]
    for channel in channels:
        urls, pages = follow_channel(root, manifest, channel)
        assert len(urls) == len(set(urls)), channel
        seen |= set(urls)
        deepest = max(deepest, pages)
    assert seen == set(mirror.post_urls)
    assert deepest >= 4  # some articles only deep in pagination
    # A parent channel lists its children's posts.
    parent, _ = follow_channel(root, manifest, "/category/daerah/")
    child, _ = follow_channel(root, manifest, "/category/daerah/tulungagung/")
    assert child and set(child) <= set(parent)
    # Page links are elided like WordPress does: a deep page is not linked from the first one.
    first = read_site(root, manifest, "/category/straight-news/")
    assert 'class="page-numbers dots"' in first


def test_sitemap_only_articles(mirror: MirrorInfo) -> None:
    """Legacy posts: in the sitemap, but not in the menu's channels, the feeds or the home page."""
    root = mirror.path
    manifest = load_manifest(root)
    assert mirror.sitemap_only
    reachable: set[str] = set(listing_links(read_site(root, manifest, "/")))
    for channel in mirror.channels:
        reachable |= set(follow_channel(root, manifest, path_of(channel))[0])
    for feed in (k for k in manifest if k.endswith("/feed/")):
        if feed != "/category/arsip/feed/":
            reachable |= {i.findtext("link") or "" for i in ET.fromstring(read_site(root, manifest, feed)).iter("item")}
    assert not reachable & set(mirror.sitemap_only)
    assert set(mirror.article_urls) - set(mirror.sitemap_only) <= reachable
    category_sitemap = read_site(root, manifest, "/category-sitemap.xml")
    assert "/category/arsip/" not in category_sitemap


def test_aliases(mirror: MirrorInfo) -> None:
    root = mirror.path
    manifest = load_manifest(root)
    assert mirror.amp and mirror.deleted
    for amp_url, canonical in mirror.amp.items():
        page = read_site(root, manifest, path_of(amp_url))
        assert f'<link rel="canonical" href="{canonical}">' in page
        assert f'<link rel="amphtml" href="{amp_url}" />' in read_site(root, manifest, path_of(canonical))
    for url in mirror.deleted:
        assert manifest[path_of(url)]["status"] == 404
    assert len(mirror.reposts) == 1
    assert mirror.articles == len(mirror.article_urls) == 60
    assert len(mirror.post_urls) == 61
    assert set(mirror.post_urls) - set(mirror.article_urls) == set(mirror.reposts)
    assert MirrorInfo.load(root) == mirror


# -- expected records --------------------------------------------------------------------------------


def entry_content_text(page: str) -> str:
    start = page.index('<div class="entry-content">')
    content = page[start : page.index("<!-- .entry-content -->", start)]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", content)).split())


def test_expected_records_match_the_pages(mirror: MirrorInfo) -> None:
    root = mirror.path
    manifest = load_manifest(root)
    fixture_keys = tuple(json.loads(next(FIXTURE_EXPECTED.glob("*.json")).read_text(encoding="utf-8")))
    assert fixture_keys == RECORD_KEYS
    records = {}
    for url in mirror.post_urls:
        raw = mirror.expected_path(url).read_text(encoding="utf-8")
        record = json.loads(raw)
        assert tuple(record) == RECORD_KEYS
        assert raw == json.dumps(record, ensure_ascii=False, indent=2) + "\n"
        records[url] = record
        page = read_site(root, manifest, path_of(url))
        assert record["url"] == url
        assert f'<link rel="canonical" href="{url}" />' in page
        assert f"<link rel='shortlink' href='{ORIGIN}/?p={record['wp_post_id']}' />" in page
        assert f"single single-post postid-{record['wp_post_id']}" in page
        assert f'<h1 class="entry-title">{html.escape(record["title"])}</h1>' in page
        published = datetime.fromisoformat(record["published_at"])
        assert record["published_at"].endswith("+07:00") and record["modified_at"].endswith("+07:00")
        utc = (published - timedelta(hours=7)).strftime("%Y-%m-%dT%H:%M:%S+00:00")
        assert f'<meta property="article:published_time" content="{utc}" />' in page
        graph = json.loads(re.search(r'class="yoast-schema-graph">(.*?)</script>', page).group(1))["@graph"]
        article = next(n for n in graph if "headline" in n)
        assert article["headline"] == record["title"]
        assert article["datePublished"] == utc
        for category in record["categories"]:
            assert f'rel="category tag">{html.escape(category)}</a>' in page
        for tag in record["tags"]:
            assert f'rel="tag">{html.escape(tag)}</a>' in page
        text = entry_content_text(page)
        for paragraph in record["body_text"].split("\n\n"):
            assert paragraph in text
        for link in record["baca_juga"]:
            assert f'href="{link["url"]}"' in page and html.escape(link["title"]) in page
        if record["dateline"]:
            assert record["dateline"] in text.split(record["body_text"][:20])[0]
    # Every kind of byline and dateline the generator knows shows up in 60 articles.
    assert any(r["editor"] is None for r in records.values())
    assert any(r["dateline"] is None for r in records.values())
    assert any(r["summary"] is None for r in records.values())
    assert any(r["modified_at"] != r["published_at"] for r in records.values())
    assert any("Hukum & Kriminal" in r["categories"] for r in records.values())


def test_amp_and_repost_records(mirror: MirrorInfo) -> None:
    for amp_url, canonical in mirror.amp.items():
        amp = json.loads(mirror.expected_path(amp_url).read_text(encoding="utf-8"))
        main_record = json.loads(mirror.expected_path(canonical).read_text(encoding="utf-8"))
        assert amp["wp_post_id"] is None
        assert {**amp, "wp_post_id": main_record["wp_post_id"]} == main_record
    for repost_url, original_url in mirror.reposts.items():
        repost = json.loads(mirror.expected_path(repost_url).read_text(encoding="utf-8"))
        original = json.loads(mirror.expected_path(original_url).read_text(encoding="utf-8"))
        assert repost["title"] == original["title"] and repost["body_text"] == original["body_text"]
        assert repost["published_at"] > original["published_at"]
        assert repost["url"] != original["url"] and repost["wp_post_id"] != original["wp_post_id"]


# -- determinism, next day, CLI ---------------------------------------------------------------------


def test_deterministic_for_a_seed(tmp_path: Path) -> None:
    a = generate_mirror(tmp_path / "a", 20, seed=3)
    b = generate_mirror(tmp_path / "b", 20, seed=3)
    c = generate_mirror(tmp_path / "c", 20, seed=4)
    digest_a, digest_b = tree_digest(a.path), tree_digest(b.path)
    assert digest_a.pop(MIRROR_INFO_FILE) != digest_b.pop(MIRROR_INFO_FILE)  # only "root" differs
    assert digest_a == digest_b
    assert {**a.to_json(), "root": ""} == {**b.to_json(), "root": ""}
    assert a.article_urls != c.article_urls
    # Regenerating in place replaces the previous mirror.
    again = generate_mirror(tmp_path / "a", 20, seed=3)
    assert tree_digest(again.path) == tree_digest(a.path)


def test_advance_mirror(mirror: MirrorInfo, tmp_path: Path) -> None:
    root = tmp_path / "next"
    shutil.copytree(mirror.path, root)
    before = tree_digest(root)
    old_manifest = load_manifest(root)
    info = advance_mirror(root, new=4, modified=3, seed=5)
    after = tree_digest(root)
    manifest = load_manifest(root)

    assert info.day == 1 and len(info.new_urls) == 4 and len(info.modified_urls) == 3
    assert info.articles == mirror.articles + 4
    assert info.post_urls == mirror.post_urls + info.new_urls
    new_pages = {f"site/{path_of(u).strip('/')}/index.html" for u in info.new_urls}
    edited_pages = {f"site/{path_of(u).strip('/')}/index.html" for u in info.modified_urls}
    assert new_pages <= set(after) - set(before)
    # Byte-identical: every article page (and AMP twin) except the edited ones, static pages, 404.
    for name, digest in before.items():
        is_article = any(name == f"site/{path_of(u).strip('/')}/index.html" for u in mirror.post_urls)
        is_amp = name.endswith("/amp/index.html")
        is_static = name in {"site/redaksi/index.html", "site/kontak/index.html", "site/_errors/404.html"}
        if (is_article or is_amp or is_static) and name not in edited_pages:
            assert after[name] == digest, name
    for name in edited_pages:
        assert after[name] != before[name], name
    expected_changed = {n for n in before if n.startswith("expected/") and after[n] != before[n]}
    assert expected_changed == {str(mirror.expected_path(u).relative_to(mirror.path)) for u in info.modified_urls} | {
        str(mirror.expected_path(f"{u}amp/").relative_to(mirror.path))
        for u in info.modified_urls
        if f"{u}amp/" in info.amp
    }
    sitemaps = "".join(p.read_text(encoding="utf-8") for p in sorted((root / "site").glob("post-sitemap*.xml")))
    for url in info.modified_urls:
        old = json.loads(mirror.expected_path(url).read_text(encoding="utf-8"))
        new = json.loads(info.expected_path(url).read_text(encoding="utf-8"))
        assert new["body_text"] != old["body_text"]
        assert new["modified_at"] > old["modified_at"]
        assert {k: v for k, v in new.items() if k not in ("body_text", "modified_at")} == {
            k: v for k, v in old.items() if k not in ("body_text", "modified_at")
        }
        sitemap_entry = re.search(re.escape(f"<loc>{url}</loc>") + r"\s*<lastmod>([^<]+)</lastmod>", sitemaps)
        assert sitemap_entry is not None
        assert datetime.fromisoformat(sitemap_entry.group(1)) == datetime.fromisoformat(new["modified_at"])
    # New posts: in the manifest, newest first in the feed and their channels, in the sitemaps.
    assert set(old_manifest) < set(manifest)
    for url in info.new_urls:
        assert manifest[path_of(url)]["status"] == 200
        assert json.loads(info.expected_path(url).read_text(encoding="utf-8"))["url"] == url
    feed = [i.findtext("link") for i in ET.fromstring((root / "site/feed/index.xml").read_text("utf-8")).iter("item")]
    assert feed[:4] == list(reversed(info.new_urls))
    home = listing_links((root / "site/index.html").read_text(encoding="utf-8"))
    assert home[0] == info.new_urls[-1]
    # A second day stacks on the first.
    day2 = advance_mirror(root, new=1, modified=0)
    assert day2.day == 2 and day2.articles == info.articles + 1 and day2.modified_urls == []


def test_replay_server_switches_to_the_next_day(mirror: MirrorInfo, tmp_path: Path) -> None:
    root = tmp_path / "served"
    shutil.copytree(mirror.path, root)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with ReplayServer(root) as srv:
        with opener.open(srv.url("/feed/"), timeout=10) as response:
            assert srv.base_url.encode() + b"/" in response.read()
        info = advance_mirror(root, new=2, modified=1)
        srv.load()
        with opener.open(srv.url("/feed/"), timeout=10) as response:
            feed = response.read().decode("utf-8")
        newest = srv.to_origin(re.search(r"<item>\s*<title>[^<]*</title>\s*<link>([^<]+)</link>", feed).group(1))
        assert newest == info.new_urls[-1]
        with opener.open(srv.url(path_of(newest)), timeout=10) as response:
            assert response.status == 200


def test_small_mirrors(tmp_path: Path) -> None:
    for n in (1, 2, 9):
        info = generate_mirror(tmp_path / str(n), n)
        assert info.articles == n == len(info.post_urls)
        assert not info.reposts and not info.sitemap_only
        manifest = load_manifest(info.path)
        assert all((info.path / e["file"]).is_file() for e in manifest.values() if "file" in e)
    with pytest.raises(ValueError):
        generate_mirror(tmp_path / "zero", 0)


def test_refuses_to_overwrite_other_directories(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(FileExistsError):
        generate_mirror(tmp_path, 5)
    with pytest.raises(FileNotFoundError):
        advance_mirror(tmp_path, new=1, modified=0)
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "keep me"


def test_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path / "cli"), "--articles", "12", "--seed", "2"]) == 0
    assert "12 articles" in capsys.readouterr().out
    assert MirrorInfo.load(tmp_path / "cli").articles == 12
    with pytest.raises(SystemExit) as exited:
        main([str(tmp_path / "cli2")])
    assert exited.value.code == 2
    assert "--articles" in capsys.readouterr().err.strip().splitlines()[-1]
