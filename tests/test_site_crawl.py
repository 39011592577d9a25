"""The crawler against a copy of the news site served on loopback: discovery, politeness,
what it remembers, and each bad page named by address with its reason (no index is built
here; tests/test_site_crawl_reindex.py runs the whole reindex)."""

import gzip
import re
from itertools import pairwise

import pytest

from index.config import DATA_DIR
from index.reindex import main
from index.site import config as site_config
from index.site.config import PRODUCT, Site, SiteConfigError
from index.site.crawl import SiteSource
from index.site.discover import parse_sitemap
from index.site.fetch import Fetcher
from index.site.pages import not_a_release
from index.site.state import site_dir
from tests import news_site
from tests.news_site import NewsSite


@pytest.fixture
def news():
    site = NewsSite()
    server = site.serve()
    yield site
    server.shutdown()
    server.server_close()


def settings(news: NewsSite, **overrides) -> Site:
    """The site as staff would configure it, with the politeness delays shortened for a test."""
    values = dict(
        url=news.base + "/",
        contact="webmaster@example.org",
        paths=["/en/news/", "/es/noticias/"],
        listings=[news.base + "/en/news", news.base + "/es/noticias"],
        delay=0,
        timeout=0.3,
        retries=1,
        backoff=0.01,
        max_page_kb=200,
    )
    values.update(overrides)
    return Site(**values)


def crawl(news, root, save=True, **overrides):
    source = SiteSource(settings(news, **overrides), root, save=save)
    return source, source.read(None)


def reasons(result) -> dict[str, str]:
    return {r.source: r.reason for r in result.rejected}


def test_every_release_of_the_site_is_read_and_each_bad_page_is_named_with_its_reason(news, tmp_path):
    source, result = crawl(news, tmp_path)
    base = news.base
    releases = {r.source: r for r in result.releases}
    # The 30 releases of the sitemaps and listings, and the one only the RSS feed announces.
    assert len(releases) == 31
    assert base + news_site.FEED_ONLY in releases
    live = {base + p for p in news.live()}
    assert live <= set(releases)
    assert {r.lang for r in result.releases} == {"en", "es"}
    got = reasons(result)
    expected = {
        news_site.SLOW: "timed out after 0.3 s, 2 tries",
        news_site.FAILING: "server error (HTTP 503), 2 tries",
        news_site.GONE: "not a release: the site's 'page not found' page, served with status 200",
        news_site.CATEGORY: "not a release: a list of 8 releases (a category or listing page)",
        news_site.LOGIN: "not a release: a login wall (the page is /user/login)",
        news_site.LOOP_A: f"redirect loop: {base}{news_site.LOOP_A} -> {base}{news_site.LOOP_B} "
        f"-> {base}{news_site.LOOP_A}",
        news_site.HUGE: "the page is too large (over 200 KB once decompressed)",
        news_site.FRENCH: "page language 'fr' is not English or Spanish",
    }
    for path, reason in expected.items():
        assert got.pop(base + path) == reason
    sitemap_problem = got.pop(base + news_site.EXTRA_SITEMAP)
    assert sitemap_problem.startswith("malformed sitemap (not well-formed XML")
    assert "none is removed this run" in sitemap_problem
    assert got == {}  # nothing else was refused
    lines = source.report.lines()
    assert "1 page is not fetched: robots.txt disallows it" in lines[1]


def test_pages_with_and_without_metadata_get_their_date_language_and_address(news, tmp_path):
    _, result = crawl(news, tmp_path)
    by_source = {r.source.removeprefix(news.base): r for r in result.releases}
    paths = list(news.releases)
    with_metadata, bare = paths[1], paths[0]  # the site gives every third page no metadata
    undeclared = paths[1]  # ... and every fourth from the second no lang attribute
    for path in (with_metadata, bare, undeclared):
        record, release = news.releases[path], by_source[path]
        assert (release.title, release.date.isoformat(), release.lang) == (
            record["title"],
            record["date"],
            record["lang"],
        )
        assert release.url == news.base + path  # the canonical link, or the page's own address
    assert by_source[undeclared].lang_detected and not by_source[bare].lang_detected


def test_requests_are_polite_robots_first_honest_agent_gzip_one_connection(news, tmp_path):
    crawl(news, tmp_path)
    log = news.requests()
    assert log[0]["path"] == "/robots.txt" and len(news.requests("/robots.txt")) == 1
    assert {r["agent"] for r in log} == {f"{PRODUCT}/0.1 (+mailto:webmaster@example.org)"}
    paths = {r["path"] for r in log}
    assert news_site.DRAFT not in paths  # robots.txt: Disallow: /en/news/drafts/
    assert not any(p.startswith("/fr/") for p in paths)  # outside the configured paths
    pages = [r for r in log if r["status"] == 200 and r["path"] in news.releases]
    assert pages and all(r["encoding"] == "gzip" for r in pages)
    # One kept-alive connection, but after the pages that timed out and the huge one (the client drops those).
    assert len({r["port"] for r in log}) <= 2 + len(news.requests(news_site.SLOW))
    # Bounded retries: the failing page and the slow one asked twice (retries = 1), no more.
    assert len(news.requests(news_site.FAILING)) == len(news.requests(news_site.SLOW)) == 2


def test_a_second_run_asks_conditionally_and_an_unchanged_page_costs_a_304(news, tmp_path):
    crawl(news, tmp_path)
    news.log.clear()
    source, result = crawl(news, tmp_path)
    pages = [r for r in news.requests() if r["path"] in news.releases]
    assert len(pages) == 30 and all(r["conditional"] and r["status"] == 304 for r in pages)
    # The 30, the feed's page, and the four pages that are not releases (remembered, to be named again).
    assert source.report.unchanged == 35 and source.report.fetched == 0
    assert len(result.releases) == 31


def test_without_etags_last_modified_makes_the_304(news, tmp_path):
    news.etags = False
    crawl(news, tmp_path)
    news.log.clear()
    source, _ = crawl(news, tmp_path)
    assert source.report.unchanged == 35 and source.report.fetched == 0


def test_a_document_that_is_not_a_page_is_named_by_its_type(news, tmp_path):
    news.documents["/en/news/annual-report-2023.pdf"] = ("application/pdf", b"%PDF-1.7 a report")
    _, result = crawl(news, tmp_path)
    assert reasons(result)[news.base + "/en/news/annual-report-2023.pdf"] == "not an HTML page (application/pdf)"


def test_a_page_that_fails_keeps_its_last_copy_and_is_reported(news, tmp_path):
    crawl(news, tmp_path)
    path = next(iter(news.releases))
    news.failing.add(path)
    _, result = crawl(news, tmp_path)
    assert news.base + path in {r.source for r in result.releases}
    assert re.fullmatch(
        r"server error \(HTTP 503\), 2 tries; the copy fetched on \d{4}-\d\d-\d\d is kept",
        reasons(result)[news.base + path],
    )


def test_a_release_leaves_only_when_complete_sitemaps_and_listings_no_longer_name_it(news, tmp_path):
    crawl(news, tmp_path)
    path = list(news.releases)[2]
    news.removed.add(path)
    # The extra sitemap is malformed: what it would have listed is unknown, so nothing goes.
    source, result = crawl(news, tmp_path)
    assert news.base + path in {r.source for r in result.releases} and not source.report.removed
    news.broken_sitemap = False
    source, result = crawl(news, tmp_path)
    assert news.base + path not in {r.source for r in result.releases}
    assert source.report.removed == [news.base + path]
    assert f"removed {news.base + path} (no longer in the sitemap or listings)" in "\n".join(source.report.lines())
    state = (site_dir(tmp_path, news.base + "/") / "state.json").read_text()
    assert path not in state


def test_the_cap_on_pages_leaves_the_rest_for_the_next_run(news, tmp_path):
    found = 40 - 1  # the pages found, less the draft robots.txt forbids
    source, result = crawl(news, tmp_path, max_pages=10)
    assert source.report.requested == 10 and source.report.waiting == found - 10
    assert "29 pages not fetched yet left for the next run (max_pages)" in "\n".join(source.report.lines())
    first = {r["path"] for r in news.requests() if r["path"].startswith(("/en/news/", "/es/noticias/"))}
    news.log.clear()
    source, result = crawl(news, tmp_path, max_pages=10)
    second = {r["path"] for r in news.requests() if r["path"].startswith(("/en/news/", "/es/noticias/"))}
    # Pages never tried come before those that failed or were fetched: ten more of the site.
    assert not any(r["conditional"] for r in news.requests()) and not first & second - {"/user/login"}
    # Left: the 39 less the 16 fetched whole in two runs (the 4 that failed in the first wait again).
    assert source.report.waiting == found - 16
    assert len(result.releases) == sum(1 for p in first | second if p in news.releases or p == news_site.FEED_ONLY)
    for _ in range(2):
        source, result = crawl(news, tmp_path, max_pages=10)
    assert len(result.releases) == 31  # the fourth run gets the last of them


def test_a_check_or_dry_run_writes_no_state(news, tmp_path):
    crawl(news, tmp_path, save=False)
    assert not (tmp_path / "sites").exists()


def test_an_unreachable_robots_txt_means_nothing_is_fetched(news, tmp_path):
    news.robots_status = 503
    _, result = crawl(news, tmp_path)
    assert {r["path"] for r in news.requests()} == {"/robots.txt"}
    assert not result.releases
    (problem,) = result.rejected
    assert problem.source == news.base + "/"
    assert problem.reason.startswith("its robots.txt could not be read (server error (HTTP 503), 2 tries)")


def test_pages_kept_from_earlier_runs_stay_indexed_while_robots_txt_is_unreachable(news, tmp_path):
    crawl(news, tmp_path)
    news.robots_status = 500
    news.log.clear()
    _, result = crawl(news, tmp_path)
    assert len(result.releases) == 31 and {r["path"] for r in news.requests()} == {"/robots.txt"}
    assert reasons(result)[news.base + "/"].endswith("; the 35 pages kept from earlier runs are indexed as before")


def test_a_site_whose_pages_share_one_title_is_not_taken_for_its_not_found_page():
    def page(heading):
        return (
            f'<html lang="en"><head><title>Regional Office</title></head><body><main><h1>{heading}</h1>'
            f"<p>Text.</p></main></body></html>"
        )

    signature = ("Regional Office", "Sorry, we could not find that")
    assert not_a_release(page("Shelters Reopen in Dominica"), "https://example.org/en/news/a", set(), signature) is None
    assert (
        not_a_release(page("Sorry, we could not find that"), "https://example.org/en/news/a", set(), signature)
        == "the site's 'page not found' page, served with status 200"
    )


def test_a_feed_whose_body_is_a_file_name_is_malformed_not_a_file_to_open(news, tmp_path):
    local = tmp_path / "feed.xml"  # a feed on this machine, naming a page the site does not list
    local.write_text(
        f'<rss version="2.0"><channel><title>x</title><item><title>Secret</title>'
        f"<link>{news.base}/en/news/read-from-a-local-file</link></item></channel></rss>"
    )
    news.rss_body = str(local).encode()
    _, result = crawl(news, tmp_path / "ix", max_pages=1)
    assert "/en/news/read-from-a-local-file" not in {r["path"] for r in news.requests()}
    assert reasons(result)[news.base + "/en/rss.xml"].startswith("malformed feed")


def test_waits_the_delay_between_requests_and_robots_crawl_delay_when_longer(news):
    clock = [0.0]
    starts = []

    def sleep(seconds):
        clock[0] += seconds

    def now():
        return clock[0]

    fetcher = Fetcher(settings(news, delay=1.5), sleep=sleep, clock=now)
    for path in ("/en/news", "/es/noticias", "/en/news?page=2"):
        fetcher.get(news.base + path)
        starts.append(clock[0])
    assert [round(b - a, 3) for a, b in pairwise(starts)] == [1.5, 1.5]
    news.crawl_delay = 4
    fetcher = Fetcher(settings(news, delay=1.5), sleep=sleep, clock=now)
    fetcher.get(news.base + "/en/news")
    assert fetcher.delay == 4.0


def test_retries_back_off_doubling(news):
    waits = []
    fetcher = Fetcher(settings(news, retries=3, backoff=0.5), sleep=waits.append)
    got = fetcher.get(news.base + news_site.FAILING)
    assert got.error == "server error (HTTP 503), 4 tries"
    assert [w for w in waits if w >= 0.5] == [0.5, 1.0, 2.0]  # (the delay between requests is 0)


def test_sitemaps_are_read_strictly():
    index = (
        b'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<sitemap><loc>https://example.org/s1.xml</loc></sitemap></sitemapindex>"
    )
    assert parse_sitemap(index) == (["https://example.org/s1.xml"], [])
    urlset = (
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://example.org/a</loc>'
        b"<lastmod>2024-03-07</lastmod></url><url><loc>https://example.org/b</loc></url></urlset>"
    )
    _, pages = parse_sitemap(gzip.compress(urlset))
    assert [(u, d and d.date().isoformat()) for u, d in pages] == [
        ("https://example.org/a", "2024-03-07"),
        ("https://example.org/b", None),
    ]
    with pytest.raises(ValueError, match="not well-formed XML"):
        parse_sitemap(urlset[:-20])
    with pytest.raises(ValueError, match="is a <html>"):
        parse_sitemap(b"<html><body>Sitemap moved</body></html>")


def test_a_release_page_with_related_news_is_not_taken_for_a_list():
    related = "".join(f'<li><a href="https://example.org/en/news/r{i}">Release {i}</a></li>' for i in range(5))
    page = (
        f'<html lang="en"><head><title>A release</title></head><body><main><article><h1>A release</h1>'
        f"<p>Text.</p></article><aside><ul>{related}</ul></aside></main></body></html>"
    )
    known = {f"https://example.org/en/news/r{i}" for i in range(5)}
    assert not_a_release(page, "https://example.org/en/news/a", known) is None
    # The same links in the content of a page that does not say it is one article: a list.
    listing = (
        page.replace("<aside>", "<div>")
        .replace("</aside>", "</div>")
        .replace("<article>", '<div class="intro">')
        .replace("</article>", "</div>")
    )
    assert (
        not_a_release(listing, "https://example.org/en/news/a", known)
        == "a list of 5 releases (a category or listing page)"
    )


def test_the_sample_sites_file_is_inactive_and_its_example_loads(tmp_path):
    assert site_config.load(DATA_DIR / "sites.toml") == ({}, [])
    text = (DATA_DIR / "sites.toml").read_text(encoding="utf-8")
    example = "\n".join(line[2:] if re.match(r"# (\[|[a-z_]+ = )", line) else line for line in text.splitlines())
    (tmp_path / "sites.toml").write_text(example, encoding="utf-8")
    (site,) = site_config.sites(path=tmp_path / "sites.toml")
    assert site.paths == ["/en/news/", "/es/noticias/"] and site.delay == 1.0 and site.max_pages == 500
    assert site.user_agent.endswith("(+mailto:webmaster@example.org)")


def test_site_takes_its_entry_of_the_sites_file_else_the_defaults(tmp_path):
    path = tmp_path / "sites.toml"
    path.write_text(
        '[crawler]\ncontact = "https://example.org/contact"\ndelay = 3\n'
        '[[site]]\nurl = "https://news.example.org/"\npaths = ["/en/news/"]\ndelay = 5\n',
        encoding="utf-8",
    )
    (entry,) = site_config.sites(["https://news.example.org"], path=path)
    assert (entry.paths, entry.delay) == (["/en/news/"], 5)
    assert entry.user_agent == f"{PRODUCT}/0.1 (+https://example.org/contact)"
    (other,) = site_config.sites(["https://other.example.org/"], path=path)
    assert (other.paths, other.delay, other.hosts) == ([], 3, ["other.example.org"])
    assert other.in_scope("https://other.example.org/any/page") and not other.in_scope("https://news.example.org/a")


def test_sites_file_mistakes_are_named(tmp_path):
    path = tmp_path / "sites.toml"
    path.write_text('[[site]]\nurl = "https://example.org/"\n', encoding="utf-8")
    with pytest.raises(SiteConfigError, match="no contact address: set contact"):
        site_config.sites(path=path)
    path.write_text('[crawler]\ncontact = "a@example.org"\ndelai = 2\n', encoding="utf-8")
    with pytest.raises(SiteConfigError, match="unknown setting delai"):
        site_config.sites(path=path)
    path.write_text('[crawler]\ncontact = "a@example.org"\n[[site]]\nurl = "ftp://example.org/"\n', encoding="utf-8")
    with pytest.raises(SiteConfigError, match="is not an http"):
        site_config.sites(path=path)


def test_reindex_without_source_or_site_and_without_contact_gives_usage_errors(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SITES_FILE", str(tmp_path / "none.toml"))
    with pytest.raises(SystemExit) as stop:
        main(["--index", str(tmp_path / "index")])
    assert stop.value.code == 2
    assert "or a --site URL" in capsys.readouterr().err
    assert main(["--index", str(tmp_path / "index"), "--site", "https://example.org/"]) == 2
    assert "no contact address" in capsys.readouterr().err
    assert not (tmp_path / "index").exists()
