"""``scripts/reindex`` reading the news site (served on loopback) from the sites file: the
crawled releases enriched and paired as file sources are, each bad page named by address,
the exit codes of the file reindex, and the next runs incremental."""

import contextlib
import io
import json
import os

import pytest

from index.build import prepare
from index.config import SAMPLES_DIR
from index.reindex import main
from index.store import IndexStore
from search.engine import Archive
from search.params import SearchParams
from tests import news_site
from tests.news_site import NewsSite


def run(*argv) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(list(argv))
    return status, out.getvalue(), err.getvalue()


def stored(root) -> dict[str, dict]:
    """Address -> the stored fields of the release the index holds for that page."""
    with IndexStore(root).open().searcher() as searcher:
        return {fields["url"]: fields for fields in searcher.documents()}


@pytest.fixture(scope="module")
def site():
    news = NewsSite()
    server = news.serve()
    yield news
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def sites_file(site, tmp_path_factory):
    path = tmp_path_factory.mktemp("sites") / "sites.toml"
    path.write_text(
        f"""
[crawler]
contact = "webmaster@example.org"
delay = 0          # the tests' site is on loopback
timeout = 0.3
retries = 1
backoff = 0.01
max_page_kb = 200

[[site]]
url = "{site.base}/"
paths = ["/en/news/", "/es/noticias/"]
listings = ["{site.base}/en/news", "{site.base}/es/noticias"]
""",
        encoding="utf-8",
    )
    saved = os.environ.get("SITES_FILE")
    os.environ["SITES_FILE"] = str(path)
    yield path
    if saved is None:
        del os.environ["SITES_FILE"]
    else:
        os.environ["SITES_FILE"] = saved


@pytest.fixture(scope="module")
def first(site, sites_file, tmp_path_factory):
    root = tmp_path_factory.mktemp("index") / "ix"
    return root, *run("--index", str(root), "--quiet")


def test_the_scheduled_reindex_reads_the_sites_file_and_names_each_bad_page(site, first):
    root, status, out, err = first
    assert status == 1  # some records rejected, the rest indexed: as a file reindex says it
    rejected = [line.removeprefix("rejected: ") for line in err.splitlines() if line.startswith("rejected: ")]
    named = {line.split(": ", 1)[0].removeprefix(site.base) for line in rejected}
    assert named == {
        news_site.SLOW,
        news_site.FAILING,
        news_site.GONE,
        news_site.CATEGORY,
        news_site.LOGIN,
        news_site.LOOP_A,
        news_site.HUGE,
        news_site.FRENCH,
        news_site.EXTRA_SITEMAP,
    }
    assert (
        f"{site.base}{news_site.CATEGORY}: not a release: a list of 8 releases (a category or listing page)" in rejected
    )
    assert "read 35 releases from 1 site" in out  # 31 releases and the 4 pages that are not
    assert "added 31, updated 0, deleted 0, unchanged 0, rejected 9" in out
    assert f"site {site.base}/: 40 release pages found; 39 asked for" in out
    assert set(stored(root)) == {site.base + p for p in site.releases} | {site.base + news_site.FEED_ONLY}


def test_crawled_releases_are_enriched_and_paired_as_the_same_releases_read_from_a_file(site, first):
    root = first[0]
    crawled = {(f["lang"], f["title"]): f for f in stored(root).values()}
    from_file, _ = prepare([SAMPLES_DIR / "releases.jsonl"])
    records = {r["id"]: r for r in map(json.loads, (SAMPLES_DIR / "releases.jsonl").open(encoding="utf-8"))}
    by_id = {r.id: r for r in from_file}
    compared = 0
    for release in from_file:
        if "countries" in records[release.id] or "topics" in records[release.id]:
            continue  # set by hand in the file: the site's pages do not carry them
        page = crawled[(release.lang, release.title)]
        assert page["countries"].split(",") == release.countries, release.id
        assert page["topics"].split(",") == (release.topics or [""]), release.id
        compared += 1
    assert compared >= 20
    # Pages carry no translation key: their pairs are found by what the versions share, and
    # each is one the file's keys (or its own matching) make too.
    pairs = 0
    for fields in crawled.values():
        if fields["pair"]:
            partner = next(f for f in crawled.values() if f["id"] == fields["pair"])
            mine = next(r for r in from_file if (r.lang, r.title) == (fields["lang"], fields["title"]))
            assert by_id[mine.pair].title == partner["title"]
            pairs += 1
    assert pairs >= 20  # ten pairs or more, each counted from both sides


def test_visitors_find_crawled_releases_with_their_addresses(site, first):
    result = Archive(first[0]).search(SearchParams(q="Tegucigalpa returnees"))
    assert result.hits[0].url == site.base + news_site.FEED_ONLY


def test_a_dry_run_or_check_reads_the_site_but_writes_nothing(site, sites_file, tmp_path):
    root = tmp_path / "ix"
    status, out, _ = run("--index", str(root), "--quiet", "--site", site.base + "/", "--dry-run")
    assert status == 1 and "a full reindex would have added 31" in out and "nothing written" in out
    status, out, _ = run(
        "--index", str(root), "--quiet", str(SAMPLES_DIR / "listing-en.txt"), "--site", site.base + "/", "--check"
    )
    assert status == 1 and "read 39 releases from 1 file and 1 site" in out  # the listing's 4 too
    assert not (root / "sites").exists() and IndexStore(root).current_name() is None


@pytest.fixture(scope="module")
def second(site, first):
    """The site a week later: a correction, a page that fails, a release taken down while a
    sitemap is still broken."""
    root = first[0]
    paths = list(site.releases)
    site.edited[paths[4]] = "\n\nCorrection: the workshop took place in Quetzaltenango."
    site.failing.add(paths[5])
    site.removed.add(paths[6])
    site.log.clear()
    return paths, *run("--index", str(root), "--quiet", "--incremental")


def test_the_next_run_is_incremental_and_keeps_what_failed_or_is_still_in_doubt(site, first, second):
    paths, status, out, err = second
    root = first[0]
    assert status == 1
    assert "added 0, updated 1, deleted 0, unchanged 30" in out
    kept = f"{site.base}{paths[5]}: server error (HTTP 503), 2 tries; the copy fetched on "
    assert any(line.startswith("rejected: " + kept) for line in err.splitlines())
    held = stored(root)
    assert site.base + paths[5] in held and site.base + paths[6] in held
    assert "Quetzaltenango" in held[site.base + paths[4]]["body"]
    unchanged = [r for r in site.requests() if r["path"] in site.releases and r["status"] == 304]
    assert len(unchanged) == 27 and all(r["conditional"] for r in unchanged)  # 30 less the edited, failing, removed


def test_a_release_the_complete_sitemaps_no_longer_list_is_deleted(site, first, second):
    paths = second[0]
    root = first[0]
    site.broken_sitemap = False
    site.failing.discard(paths[5])
    status, out, err = run("--index", str(root), "--quiet", "--incremental")
    assert f"site {site.base}/: removed {site.base}{paths[6]} (no longer in the sitemap or listings)" in out
    # Deleted, and its English version, paired with it until now, updated alone.
    assert "added 0, updated 1, deleted 1" in out
    assert site.base + paths[6] not in stored(root) and site.base + paths[5] in stored(root)
    assert status == 1 and EXTRA not in err


EXTRA = news_site.EXTRA_SITEMAP
