"""The site's public address: every absolute URL comes from PUBLIC_URL whatever Host the
request names, a request for a host that is not allowed gets 400, and SCRIPT_NAME cannot be
set by a client."""

import json
import re
from http.client import HTTPConnection

import pytest
from lxml import etree

from web.hosts import host_name

from .conftest import HOSTILE_ID
from .site_server import free_port, running_site

PUBLIC = "https://archive.example.org"

# Every response that carries absolute addresses, and how to find them in it.
URL_BEARING = [
    "/opensearch.xml?ui=en",
    "/search.atom?q=migrants",
    "/sitemap.xml",
    "/robots.txt",
    "/en/embed",
    "/es/embed",
    "/api/v1/search?q=migrants&per_page=2",
    "/api/v1/facets?q=migrants",
    f"/api/v1/releases/{HOSTILE_ID}",
    "/api/v1/suggest?q=mig",
    "/api/v1/suggest?q=mig&format=opensearch",
    "/api/v1/openapi.json",
]
ADDRESS = re.compile(r"""(?:https?:)?//[^\s"'<>\\&;]+""")


@pytest.fixture(scope="module")
def public_app(web_index):
    from web import create_app

    return create_app({"INDEX_DIR": str(web_index), "TESTING": True, "RATE_LIMIT": "off", "PUBLIC_URL": PUBLIC})


def addresses(text: str) -> list[str]:
    """The absolute addresses in a body, leaving out XML namespaces and schema identifiers."""
    found = ADDRESS.findall(text)
    return [
        a
        for a in found
        if not re.match(
            r"https?://(www\.w3\.org|www\.sitemaps\.org|a9\.com|www\.mozilla\.org|"
            r"spec\.openapis\.org|json-schema\.org)",
            a,
        )
    ]


@pytest.mark.parametrize("path", URL_BEARING)
@pytest.mark.parametrize("host", ["localhost", "127.0.0.1:8000", "[::1]:8080", "ARCHIVE.example.org"])
def test_absolute_addresses_come_from_the_public_url_whatever_the_host(public_app, path, host):
    response = public_app.test_client().get(path, headers={"Host": host})
    assert response.status_code == 200, (path, response.status_code)
    found = addresses(response.get_data(as_text=True))
    assert any(a.startswith(PUBLIC + "/") for a in found), path
    # no address names the host the request came with (the others are releases' original addresses)
    name = host.rsplit(":", 1)[0] if not host.startswith("[") else host[: host.index("]") + 1]
    echoed = [a for a in found if name.lower() in a.lower() and not (a == PUBLIC or a.startswith(PUBLIC + "/"))]
    assert not echoed, (path, echoed)


@pytest.mark.parametrize("path", URL_BEARING + ["/en", "/", "/en/", "/healthz", "/static/site.css", "/nope"])
@pytest.mark.parametrize(
    "host",
    [
        "evil.example",
        "archive.example.org.evil.example",
        "localhost@evil.example",
        "evil.example:80",
        "",
        " ",
        "x" * 300,
    ],
)
def test_a_host_that_is_not_allowed_gets_400(public_app, path, host):
    response = public_app.test_client().get(path, headers={"Host": host})
    assert response.status_code == 400, (path, host)
    if path.startswith("/api/"):  # the API's error shape: an API client reads JSON
        assert response.mimetype == "application/json"
        assert response.get_json()["error"]["code"] == "bad_request"
        # open to every origin (the default): a page elsewhere reads why, as from other refusals
        assert response.headers["Access-Control-Allow-Origin"] == "*"
    else:
        assert response.mimetype == "text/plain"
        assert "Access-Control-Allow-Origin" not in response.headers
    assert "evil" not in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("host", ["127.0.0.1:8000", "LOCALHOST:1", "localhost.", "[::1]:9", "Archive.Example.org"])
@pytest.mark.parametrize(
    "path, target", [("/en", "/en/"), ("/es", "/es/"), ("/en//search", "/en/search"), ("/es//help", "/es/help")]
)
def test_redirects_name_the_public_address_in_their_header_and_page(public_app, host, path, target):
    response = public_app.test_client().get(path, headers={"Host": host})
    assert response.status_code == 308 and response.headers["Location"] == PUBLIC + target
    body = response.get_data(as_text=True)
    assert f'href="{PUBLIC}{target}"' in body
    name = host_name(host)  # "[::1]", "localhost", "archive.example.org" (the public one itself)
    assert name not in body.lower().replace(PUBLIC, ""), body


def test_the_slash_redirect_and_etags_use_the_public_address(public_app):
    client = public_app.test_client()
    response = client.get("/en", headers={"Host": "127.0.0.1:8000"})
    assert response.status_code == 308 and response.headers["Location"] == f"{PUBLIC}/en/"
    tags = {
        client.get("/api/v1/search?q=migrants", headers={"Host": host}).headers["ETag"]
        for host in ("localhost", "127.0.0.1:9", "archive.example.org")
    }
    assert len(tags) == 1  # the answer does not depend on the Host, so neither does its tag


def test_embed_snippets_and_their_csp_advice_name_the_public_origin(public_app):
    text = public_app.test_client().get("/en/embed", headers={"Host": "localhost"}).get_data(as_text=True)
    assert f"script-src {PUBLIC}; connect-src {PUBLIC}" in text
    assert f"&lt;script src=&#34;{PUBLIC}/embed.js&#34;" in text or f'&lt;script src="{PUBLIC}/embed.js"' in text


def test_the_default_public_url_is_the_local_one_and_localhost_is_allowed(client):
    data = client.get("/api/v1/search?q=migrants").get_json()
    assert data["links"]["self"].startswith("http://localhost/api/v1/search")
    assert client.get("/healthz", headers={"Host": "evil.example"}).status_code == 400


def test_allowed_hosts_and_a_mount_path(web_index):
    from web import create_app

    app = create_app(
        {
            "INDEX_DIR": str(web_index),
            "TESTING": True,
            "RATE_LIMIT": "off",
            "PUBLIC_URL": "https://example.org/archive/",
            "ALLOWED_HOSTS": ".example.org, search.internal",
        }
    )
    client = app.test_client()
    for host in ("example.org", "www.example.org", "search.internal:8000"):
        assert client.get("/healthz", headers={"Host": host}).status_code == 200, host
    assert client.get("/healthz", headers={"Host": "localhost"}).status_code == 400  # not listed
    assert client.get("/healthz", headers={"Host": "badexample.org"}).status_code == 400
    # links carry the mount path, whether or not the proxy passes it on
    for path in ("/api/v1/search?q=migrants", "/archive/api/v1/search?q=migrants"):
        data = client.get(path, headers={"Host": "example.org"}).get_json()
        assert data["links"]["html"].startswith("https://example.org/archive/en/search?"), data["links"]
    page = client.get("/en/", headers={"Host": "example.org"}).get_data(as_text=True)
    assert 'action="/archive/en/search"' in page
    # a SCRIPT_NAME from the server or a client is replaced by the mount path
    data = client.get(
        "/api/v1/search?q=migrants", headers={"Host": "example.org"}, environ_base={"SCRIPT_NAME": "/evil"}
    ).get_json()
    assert "/evil" not in json.dumps(data)


@pytest.mark.parametrize(
    "value",
    [
        "archive.example.org",
        "ftp://example.org",
        "https://",
        "https://example.org/?q=1",
        "https://user@example.org",
        "javascript:alert(1)",
    ],
)
def test_a_public_url_that_is_not_an_http_address_is_refused_at_start(web_index, value):
    from web import create_app

    with pytest.raises(ValueError, match="PUBLIC_URL"):
        create_app({"INDEX_DIR": str(web_index), "TESTING": True, "RATE_LIMIT": "off", "PUBLIC_URL": value})


# --- through gunicorn ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def served(web_index):
    port = free_port()
    with running_site(web_index, port, "hosts-"):
        yield port


def raw_get(port: int, path: str, headers: dict) -> tuple[int, bytes]:
    conn = HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.putrequest("GET", path, skip_host=True)
        for name, value in headers.items():
            conn.putheader(name, value)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def test_served_site_names_its_own_address_and_refuses_other_hosts(served):
    port = served
    status, body = raw_get(port, "/api/v1/search?q=migrants", {"Host": f"127.0.0.1:{port}"})
    assert status == 200
    assert json.loads(body)["links"]["self"].startswith(f"http://127.0.0.1:{port}/api/v1/search")
    status, body = raw_get(port, "/robots.txt", {"Host": "evil.example"})
    assert status == 400 and b"evil" not in body


def test_served_site_ignores_script_name_and_forwarded_headers_from_an_unconfigured_proxy(served):
    """The client is 127.0.0.1: no proxy is configured, so its forwarded headers are not believed."""
    port = served
    status, body = raw_get(
        port,
        "/api/v1/search?q=migrants",
        {
            "Host": f"127.0.0.1:{port}",
            "SCRIPT_NAME": "/evil",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-Host": "evil.example",
            "Forwarded": "host=evil.example;proto=https",
        },
    )
    assert status == 200
    links = json.loads(body)["links"]
    assert all(v.startswith(f"http://127.0.0.1:{port}/") for v in links.values()), links
    status, _ = raw_get(port, "/evil/en/", {"Host": f"127.0.0.1:{port}", "SCRIPT_NAME": "/evil"})
    assert status == 404
    status, body = raw_get(port, "/opensearch.xml", {"Host": f"127.0.0.1:{port}", "SCRIPT_NAME": "/evil"})
    templates = etree.fromstring(body).xpath("//*[local-name()='Url']/@template")
    assert templates and all(t.startswith(f"http://127.0.0.1:{port}/") for t in templates)
