"""Search counts in the running site: what a visitor's requests add, what is never written
(address, cookie, user agent), the staff page and its token, and gunicorn's workers counting
into one file, stopped or killed."""

import base64
import os
import signal
import sqlite3
import time
from http.client import HTTPConnection
from urllib.parse import quote

import pytest

from web import create_app
from web.analytics_store import Store, recent_weeks, summarise
from web.served import running_site

TOKEN = "staff-token-for-the-tests-0123456789"
BEARER = {"Authorization": f"Bearer {TOKEN}"}
SITE = "http://localhost"


@pytest.fixture
def counts_dir(tmp_path):
    return tmp_path / "analytics"


@pytest.fixture
def app(web_index, counts_dir):
    app = create_app(
        {
            "INDEX_DIR": str(web_index),
            "TESTING": True,
            "RATE_LIMIT": "off",
            "ANALYTICS_DIR": str(counts_dir),
            "ANALYTICS_FLUSH_SECONDS": 3600,
            "STAFF_TOKEN": TOKEN,
        }
    )
    yield app
    app.extensions["analytics"].close()


def written(app) -> dict:
    app.extensions["analytics"].flush()
    return summarise(Store(app.config["ANALYTICS_DIR"]).reader(), recent_weeks(1), min_count=1)


def test_counting_and_the_staff_page_are_off_by_default(web_index, tmp_path, monkeypatch):
    for name in ("ANALYTICS_DIR", "ARCHIVE_ANALYTICS_DIR", "STAFF_TOKEN", "ARCHIVE_STAFF_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    app = create_app({"INDEX_DIR": str(web_index), "TESTING": True, "RATE_LIMIT": "off"})
    client = app.test_client()
    assert client.get("/en/search?q=remittances").status_code == 200
    assert app.extensions["analytics"] is None
    assert list(tmp_path.iterdir()) == []
    for path in ("/en/staff/searches", "/es/staff/searches.json"):
        assert client.get(path, headers=BEARER).status_code == 404


def test_a_short_staff_token_leaves_the_page_off(web_index, caplog):
    app = create_app({"INDEX_DIR": str(web_index), "TESTING": True, "RATE_LIMIT": "off", "STAFF_TOKEN": "secret"})
    assert app.test_client().get("/en/staff/searches", headers={"Authorization": "Bearer secret"}).status_code == 404
    assert "STAFF_TOKEN" in caplog.text


def test_a_visit_is_counted_by_what_it_asked_not_by_who_asked(app):
    client = app.test_client()
    client.get("/en/search?q=Remittances")
    client.get("/en/search?q=remittances&page=2")  # not a new search
    client.get("/en/search?q=remittances&year=2019", headers={"Referer": f"{SITE}/en/search?q=remittances"})
    client.get("/es/search?q=remesas", headers={"Referer": f"{SITE}/en/search?q=remittances&year=2019"})
    client.get("/es/search?q=qqzzxv")
    hit = client.get("/es/search.json?q=remesas").get_json()["hits"][0]["url"]
    assert client.get(hit, headers={"Referer": f"{SITE}/es/search?q=remesas"}).status_code == 200
    client.get(hit, headers={"Referer": "https://elsewhere.example/es/search?q=remesas"})  # another site's
    client.get(
        hit.replace(hit.rsplit("/", 1)[1], hit.rsplit("/", 1)[1] + ".json"),
        headers={"Referer": f"{SITE}/es/search?q=remesas"},
    )  # a program's read, not a visit
    data = written(app)
    assert data["totals"] == {
        "searches": 4,
        "with_words": 4,
        "empty": 1,
        "corrected": 0,
        "refined": 1,
        "reached": 1,
        "narrowed": 1,
    }
    rows = {q["query"]: q for q in data["queries"]}
    assert rows["remittances"]["searches"] == 1 and rows["remittances"]["refined"] == 1
    assert rows["remesas"]["searches"] == 2 and rows["remesas"]["reached"] == 1
    assert rows["qqzzxv"]["empty"] == 1
    assert data["filters"] == {"year": {"2019": 1}}
    assert data["interface_languages"] == {"es": 3, "en": 1}
    assert data["channels"] == {"page": 3, "json": 1}


def test_robots_and_prefetches_are_not_visitors(app):
    client = app.test_client()
    client.get("/en/help")
    for headers in (
        {"User-Agent": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"},
        {"User-Agent": "Mozilla/5.0 (compatible; bingbot/2.0)"},
        {"User-Agent": "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; ClaudeBot/1.0)"},
        {"Sec-Purpose": "prefetch;prerender"},
        {"Purpose": "prefetch"},
    ):
        assert client.get("/en/search?q=remittances", headers=headers).status_code == 200
    client.get(
        "/en/search?q=remittances",
        headers={"User-Agent": "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"},
    )
    assert written(app)["totals"]["searches"] == 1


def test_no_address_cookie_or_user_agent_reaches_the_file(app, counts_dir):
    client = app.test_client()
    secrets = {
        "REMOTE_ADDR": "203.0.113.77",
        "User-Agent": "Mozilla/5.0 PrivacyProbe/7.7",
        "Cookie": "session=cookie-secret-4242",
        "X-Forwarded-For": "198.51.100.23",
        "Accept-Language": "fr-CA-x-probe",
    }
    headers = {k: v for k, v in secrets.items() if k != "REMOTE_ADDR"}
    for _ in range(3):
        client.get(
            "/en/search?q=hurricane",
            headers={**headers, "Referer": "https://elsewhere.example/private-page"},
            environ_base={"REMOTE_ADDR": secrets["REMOTE_ADDR"]},
        )
        client.get(
            "/en/search?q=storm",
            headers={**headers, "Referer": f"{SITE}/en/search?q=hurricane"},
            environ_base={"REMOTE_ADDR": secrets["REMOTE_ADDR"]},
        )
    assert written(app)["totals"]["searches"] == 6
    app.extensions["analytics"].close()
    conn = sqlite3.connect(counts_dir / "searches.sqlite3")
    columns = {
        table: [c[1] for c in conn.execute(f"PRAGMA table_info({table})")]
        for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    }
    assert columns == {
        "meta": ["key", "value"],
        "queries": ["week", "query", "searches", "empty", "corrected", "refined", "reached"],
        "refinements": ["week", "query", "next", "n"],
        "tallies": ["week", "kind", "value", "n"],
    }
    conn.close()
    stored = b"".join(p.read_bytes() for p in counts_dir.iterdir())  # the database, its WAL and index
    assert b"hurricane" in stored and b"storm" in stored
    for value in (
        "203.0.113.77",
        "PrivacyProbe",
        "cookie-secret-4242",
        "198.51.100.23",
        "elsewhere.example",
        "private-page",
        "fr-CA",
    ):
        assert value.encode() not in stored, value


def test_the_staff_page_needs_the_token(app):
    client = app.test_client()
    for headers in (
        {},
        {"Authorization": "Bearer wrong-token-of-enough-length"},
        {"X-Staff-Token": TOKEN[:-1]},
        {"Authorization": "Basic " + base64.b64encode(b"staff:guess").decode()},
        {"Authorization": "Basic !!!"},
    ):
        for path in ("/en/staff/searches", "/en/staff/searches.json"):
            response = client.get(path, headers=headers)
            assert response.status_code == 401, (path, headers)
            assert response.headers["WWW-Authenticate"].startswith("Basic")
            assert response.headers["Cache-Control"] == "no-store"
    assert client.get("/en/staff/searches.json").get_json()["error"]["status"] == 401
    basic = "Basic " + base64.b64encode(f"anyone:{TOKEN}".encode()).decode()
    proxied = {
        "Authorization": "Basic " + base64.b64encode(b"someone:their-proxy-password").decode(),
        "X-Staff-Token": TOKEN,
    }  # a proxy that checked its own users and passes the token on
    for headers in (BEARER, {"Authorization": basic}, {"X-Staff-Token": TOKEN}, proxied):
        response = client.get("/en/staff/searches", headers=headers)
        assert response.status_code == 200, headers
        assert response.headers["Cache-Control"] == "no-store"
        assert "noindex" in response.headers["X-Robots-Tag"]
        assert "Authorization" in response.headers["Vary"]


def test_the_staff_page_shows_frequent_searches_in_both_languages_escaped(app):
    client = app.test_client()
    hostile = "<script>alert(1)</script> asylum"
    for _ in range(3):
        client.get(f"/en/search?q={quote(hostile)}")
        client.get("/es/search?q=asilo")
    client.get("/es/search?q=one-off-private-words")
    app.extensions["analytics"].flush()
    english = client.get("/en/staff/searches", headers=BEARER).get_data(as_text=True)
    assert "What visitors search for" in english
    assert "&lt;script&gt;alert(1)&lt;/script&gt; asylum" in english and "<script>alert(1)" not in english
    assert "one-off-private-words" not in english
    spanish = client.get("/es/staff/searches", headers=BEARER).get_data(as_text=True)
    assert "Qué buscan los visitantes" in spanish and "asilo" in spanish
    data = client.get("/es/staff/searches.json?weeks=2", headers=BEARER).get_json()
    assert [q["query"] for q in data["report"]["period"]["queries"]] == [hostile, "asilo"]
    assert len(data["report"]["weeks"]) == 2
    assert data["report"]["period"]["hidden"] == {"queries": 1, "searches": 1}


def test_the_staff_page_refuses_bad_settings_in_its_address(app):
    client = app.test_client()
    for query in ("weeks=0", "weeks=abc", "weeks=14", "min_count=1", "min_count=-3"):
        response = client.get(f"/en/staff/searches.json?{query}", headers=BEARER)
        assert response.status_code == 400, query
        assert response.get_json()["error"]["param"] == query.split("=")[0]
        assert client.get(f"/es/staff/searches?{query}", headers=BEARER).status_code == 400


def test_the_staff_page_is_in_no_public_page(app):
    client = app.test_client()
    for path in ("/sitemap.xml", "/robots.txt", "/en/", "/es/search?q=remesas", "/en/help"):
        assert b"staff" not in client.get(path).data, path


# --- gunicorn: several workers, stopped and killed ------------------------------------------------
def fetch(port: int, path: str, referer: str | None = None) -> int:
    conn = HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Connection": "close", **({"Referer": referer} if referer else {})})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def counted(directory) -> dict[str, int]:
    conn = Store(directory).reader()
    if conn is None:
        return {}
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        return dict(conn.execute("SELECT query, SUM(searches) FROM queries GROUP BY query"))
    finally:
        conn.close()


def site_env(directory, flush: float) -> dict:
    return {
        "ANALYTICS_DIR": str(directory),
        "ANALYTICS_FLUSH_SECONDS": str(flush),
        "RATE_LIMIT": "off",
        "ACCESS_LOG": "",
    }


def test_the_workers_of_a_site_count_into_one_file_and_write_all_when_stopped(web_index, tmp_path):
    directory = tmp_path / "counts"
    with running_site(web_index, workers=2, env=site_env(directory, 600), output=tmp_path / "site.log") as site:
        for k in range(40):
            assert fetch(site.port, f"/{'en' if k % 2 else 'es'}/search?q=remittances") == 200
        assert counted(directory).get("remittances") is None  # not written yet: every 600 s, or when stopped
    assert counted(directory) == {"remittances": 40}


def test_a_killed_worker_loses_at_most_its_last_seconds(web_index, tmp_path):
    directory, flush = tmp_path / "counts", 0.5
    with running_site(web_index, workers=2, env=site_env(directory, flush), output=tmp_path / "site.log") as site:
        for _ in range(30):
            assert fetch(site.port, "/en/search?q=hurricane") == 200
        deadline = time.monotonic() + 20
        while counted(directory).get("hurricane") != 30 and time.monotonic() < deadline:
            time.sleep(0.1)  # written while the site runs, every half second
        assert counted(directory).get("hurricane") == 30
        for _ in range(10):
            assert fetch(site.port, "/en/search?q=flood") == 200
        time.sleep(4 * flush)
        for _ in range(10):
            assert fetch(site.port, "/en/search?q=drought") == 200
        for pid in site.workers_now():
            os.kill(pid, signal.SIGKILL)  # no exit handler runs: what was not yet written is lost
        time.sleep(0.2)
    found = counted(directory)
    # What was searched more than a write interval before the kill is kept; only the last
    # moment's searches may be lost (and none counted twice).
    assert found["hurricane"] == 30 and found["flood"] == 10, found
    assert found.get("drought", 0) <= 10
