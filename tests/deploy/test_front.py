"""nginx in front, as ``deploy/render-nginx`` configures it, before a real replica: TLS with plain
HTTP redirected, other host names refused, static files from disk with long cache headers, the
forwarded client address set by nginx alone, failover past a dead replica, and the site-wide
rate limit.  About 10 s (one replica started, nginx twice)."""

import gzip
import json
import re
import socket
import ssl
import time
from http.client import HTTPConnection

import pytest

from index.config import PROJECT_ROOT
from web.served import HOST, free_port, running_site

from .front import SITE_HOST, running_nginx

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def replica(tmp_path_factory):
    from index.build import reindex
    from index.config import SAMPLES_DIR

    root = tmp_path_factory.mktemp("front")
    reindex([SAMPLES_DIR], root / "ix", progress=False)
    # The replica's own rate limit is on here (3 searches, then 429) to show which address it sees.
    env = {
        "TRUSTED_PROXIES": HOST,
        "RATE_LIMIT": "1/minute",
        "RATE_LIMIT_BURST": "3",
        "PUBLIC_URL": f"https://{SITE_HOST}",
    }
    with running_site(root / "ix", workers=1, env=env, output=root / "replica.log") as site:
        yield root, site


@pytest.fixture(scope="module")
def front(replica):
    root, site = replica
    dead = free_port()  # a replica that is down: listed first, so nginx tries it
    with running_nginx(root / "nginx", [dead, site.port], rate="1000r/s", burst=1000) as front:
        front.dead = f"{HOST}:{dead}"
        yield front


def test_https_serves_the_site_and_names_the_generation(front):
    status, headers, body = front.get("/en/help")
    assert status == 200 and b"<html" in body
    assert re.fullmatch(r"gen-\d{6}", headers["x-index-generation"])
    assert headers["strict-transport-security"].startswith("max-age=")
    assert "server" not in headers or "/" not in headers["server"]  # no version given away


def test_plain_http_redirects_to_the_same_address_over_https(front):
    conn = HTTPConnection(HOST, front.http_port, timeout=10)
    conn.request("GET", "/es/search?q=trata", headers={"Host": SITE_HOST})
    answer = conn.getresponse()
    assert answer.status == 301
    assert answer.getheader("Location") == f"https://{SITE_HOST}:{front.https_port}/es/search?q=trata"


def test_other_host_names_get_no_answer(front):
    with pytest.raises(ssl.SSLError):  # no certificate for them: the handshake is refused
        with socket.create_connection((HOST, front.https_port), timeout=5) as sock:
            ssl._create_unverified_context().wrap_socket(sock, server_hostname="evil.example")
    conn = HTTPConnection(HOST, front.http_port, timeout=5)
    conn.request("GET", "/", headers={"Host": "evil.example"})
    with pytest.raises((ConnectionError, OSError)):  # closed without an answer (nginx's 444)
        conn.getresponse()


def test_static_files_come_from_disk_with_long_cache_headers(front):
    site_css = (PROJECT_ROOT / "web" / "static" / "site.css").read_bytes()
    status, headers, body = front.get("/static/site.css?v=1234567890", headers={"Accept-Encoding": "gzip"})
    assert status == 200 and gzip.decompress(body) == site_css
    assert "x-index-generation" not in headers  # nginx answered, not the replica
    assert headers["cache-control"] == "public, max-age=31536000, immutable"
    assert headers["x-content-type-options"] == "nosniff"
    status, headers, _ = front.get("/static/site.css")
    assert status == 200 and headers["cache-control"] == "public, max-age=86400"
    assert front.get("/static/../pyproject.toml")[0] in (400, 404)


def test_answers_are_compressed_once(front):
    status, headers, body = front.get("/en/help", headers={"Accept-Encoding": "gzip"})
    assert status == 200 and headers["content-encoding"] == "gzip"
    assert b"<html" in gzip.decompress(body)


def test_a_dead_replica_is_passed_over(front):
    answers = [front.get("/healthz")[0] for _ in range(6)]
    assert answers == [200] * 6
    log = front.access_log.read_text()
    assert re.search(rf"upstream={re.escape(front.dead)}, {HOST}:\d+ status=502, 200", log), log[-2000:]


def test_the_replica_sees_the_client_address_nginx_gives_not_the_one_a_client_claims(front):
    # Each request claims another address; nginx replaces the header, so the replica counts them
    # all against one client: its 3 searches, then 429.
    statuses = [front.get("/en/search?q=migrants", headers={"X-Forwarded-For": f"10.9.8.{n}"})[0] for n in range(6)]
    assert statuses[:3] == [200, 200, 200] and statuses[3:] == [429, 429, 429]


def test_limit_req_is_the_site_wide_limit(replica):
    root, site = replica
    with running_nginx(root / "nginx-limited", [site.port], rate="2r/s", burst=5) as limited:
        conn = limited.connection()
        statuses = []
        for _ in range(20):
            conn.request("GET", "/healthz")
            answer = conn.getresponse()
            answer.read()
            statuses.append(answer.status)
        # a burst of 5 over the rate, then 429 until the bucket refills
        assert statuses.count(200) <= 5 + 1 + 2 * 2 and statuses.count(429) >= 8, statuses
        time.sleep(1.1)
        status, _, body = limited.get("/healthz")
        assert status == 200 and json.loads(body)["status"] == "ok"
