"""The embeddable search box through Flask's test client: the script (size, headers, no
unsafe DOM or style APIs), the frame and its frame-ancestors, and the snippets page in both
languages. The box itself is driven in a real browser in test_embed_browser.py."""

import gzip
import html
import re

import pytest

from .test_pages import Page

SCRIPT_LIMIT = 15 * 1024  # bytes, gzipped


def assert_clean_markup(page: Page):
    """No inline script, no inline style, no event handler attribute; scripts from the site."""
    assert page.inline_scripts == 0
    assert page.style_attributes == 0 and page.style_elements == 0
    assert page.event_handlers == []
    assert all(s["src"].startswith(("/static/", "/embed.js")) for s in page.scripts)


def test_embed_script_is_small_cacheable_and_open_to_every_origin(client):
    response = client.get("/embed.js", headers={"Origin": "https://partner.example"})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert len(gzip.compress(response.data, 9)) < SCRIPT_LIMIT
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert response.headers["Cache-Control"].startswith("public, max-age=")
    again = client.get("/embed.js", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_embed_script_carries_its_text_and_styles_and_no_unsafe_apis(client):
    source = client.get("/embed.js").get_data(as_text=True)
    assert "/*STRINGS*/" not in source and "/*CSS*/" not in source
    assert "Buscar en el archivo de comunicados de la OIM" in source
    assert "Search the IOM news release archive" in source
    assert ":host" in source  # the stylesheet, inlined
    code = re.sub(r"/\*.*?\*/", "", source, flags=re.S)  # comments may name what is not done
    for unsafe in (
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
        "new Function",
        ".style.",
        'setAttribute("style"',
        'createElement("style")',
        "DOMParser",
    ):
        assert unsafe not in code, unsafe
    assert "attachShadow" in code and "adoptedStyleSheets" in code and "document.currentScript" in code
    assert "textContent" in code


@pytest.mark.parametrize("lang,title", [("en", "Add the search to your site"), ("es", "Añada la búsqueda a su sitio")])
def test_embed_page_shows_the_three_snippets_escaped(client, lang, title):
    response = client.get(f"/{lang}/embed")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    page = Page(html)
    assert page.html_lang == lang and title in page.text
    assert_clean_markup(page)
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    codes = re.findall(r"<pre class=\"snippet-code\"><code>(.*?)</code></pre>", html, flags=re.S)
    assert len(codes) == 5  # script, CSP, frame, frame with results, form
    assert all("<" not in code for code in codes)  # shown as text, not markup
    text = page.text
    assert f'<script src="http://localhost/embed.js" defer></script> <iom-search lang="{lang}"></iom-search>' in text
    assert f'<iframe src="http://localhost/{lang}/embed/frame"' in text
    assert f'<form action="http://localhost/{lang}/search" method="get" role="search">' in text
    assert "script-src http://localhost; connect-src http://localhost" in text
    # the live previews
    tags = [tag for tag, _ in page.elements]
    assert "iom-search" in tags and "iframe" in tags
    assert any(tag == "script" and attrs.get("src") == "/embed.js" for tag, attrs in page.elements)
    assert any("data-iom-search" in attrs for _, attrs in page.elements)
    switch = page.by_id("lang-switch")
    assert switch["href"] == f"/{'es' if lang == 'en' else 'en'}/embed"


@pytest.mark.parametrize("url", ["/en/", "/es/search?q=trata", "/en/help"])
def test_every_page_links_the_embed_page(client, url):
    lang = url.split("/")[1]
    page = Page(client.get(url).get_data(as_text=True))
    assert any(a.get("href") == f"/{lang}/embed" for a in page.links)


def test_frame_may_be_framed_only_by_the_site_and_configured_origins(web_index, client):
    from web import create_app

    response = client.get("/es/embed/frame")
    assert response.status_code == 200
    assert "frame-ancestors 'self'" in response.headers["Content-Security-Policy"]
    page = Page(response.get_data(as_text=True))
    assert page.html_lang == "es"
    assert_clean_markup(page)
    host = next(attrs for tag, attrs in page.elements if tag == "iom-search")
    assert host == {"lang": "es", "target": "_top", "frame": None}
    form = next(attrs for tag, attrs in page.elements if tag == "form")  # works without the script
    assert form["action"] == "/es/search" and form["target"] == "_top"

    app = create_app({"INDEX_DIR": str(web_index), "EMBED_ORIGINS": "https://partner.example,https://other.example"})
    configured = app.test_client()
    framed = configured.get("/en/embed/frame?results=5&target=blank")
    csp = framed.headers["Content-Security-Policy"]
    assert "frame-ancestors https://partner.example https://other.example 'self'" in csp
    assert "X-Frame-Options" not in framed.headers
    host = next(attrs for tag, attrs in Page(framed.get_data(as_text=True)).elements if tag == "iom-search")
    assert host == {"lang": "en", "target": "_blank", "frame": None, "results": "5"}
    # written as the element's option is ("_blank", "_TOP") too
    for written, meant in (("_blank", "_blank"), ("_TOP", "_top"), ("Blank", "_blank")):
        page = configured.get(f"/en/embed/frame?target={written}").get_data(as_text=True)
        assert next(attrs for tag, attrs in Page(page).elements if tag == "iom-search")["target"] == meant
    for url in ("/en/", "/en/embed", "/en/search?q=x", "/api/v1/search?q=x"):
        other = configured.get(url)
        assert "frame-ancestors 'none'" in other.headers["Content-Security-Policy"], url
        assert other.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize(
    "query, english, spanish",
    [
        ("results=11", "from 0 to 10 results", "de 0 a 10 resultados"),
        ("results=x", "from 0 to 10 results", "de 0 a 10 resultados"),
        ("target=parent", "in a new one (“blank”)", "en una nueva («blank»)"),
        ("target=_self", "in a new one (“blank”)", "en una nueva («blank»)"),
    ],
)
def test_frame_options_are_checked_and_the_rule_is_named(client, query, english, spanish):
    for lang, rule in (("en", english), ("es", spanish)):
        response = client.get(f"/{lang}/embed/frame?{query}")
        assert response.status_code == 400
        assert rule in html.unescape(response.get_data(as_text=True)), (lang, query)
