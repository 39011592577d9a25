"""The framed search box and the script's box on host pages (issue 17, items 5 and 8).

Through Flask's test client: a frame asked for by a page that may not show it (known from the
request's Referer) is a readable notice that page may frame, while the box itself stays
framable by the allowed origins only; the snippets page says so up front. In headless
Chromium against the site under gunicorn, with host pages on other localhost ports: the
notice on a refused host, the browser's own refusal when the host sends no Referer, the
documented heights (the suggestions and five results fit without scrolling inside the
frame), the "In English" badge in a Spanish box, and distinct landmarks for two boxes.
"""

import re

import pytest

from .chromium import playwright_api
from .conftest import compile_catalogs
from .site_server import ARTIFACTS, free_port, running_site
from .test_pages import Page

PARTNER = "https://partner.example"


@pytest.fixture(scope="module")
def partner_client(web_index, catalogs):
    from web import create_app

    return create_app(
        {"INDEX_DIR": str(web_index), "TESTING": True, "RATE_LIMIT": "off", "EMBED_ORIGINS": PARTNER}
    ).test_client()


def frame_answer(client, referrer=None, dest="iframe", url="/es/embed/frame"):
    headers = {"Sec-Fetch-Dest": dest} if dest else {}
    if referrer:
        headers["Referer"] = referrer
    response = client.get(url, headers=headers)
    assert response.status_code == 200
    return response, response.get_data(as_text=True)


# --- through the test client -----------------------------------------------------------------------
def test_a_refused_host_gets_a_notice_it_may_frame(partner_client):
    response, html = frame_answer(partner_client, "https://elsewhere.example/news/page.html?x=1")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors https://elsewhere.example;" in csp + ";"
    assert "X-Frame-Options" not in response.headers
    assert "<iom-search" not in html and "embed.js" not in html and "<form" not in html
    assert "Esta caja de búsqueda solo puede mostrarse en los sitios que el archivo" in html
    link = next(a for a in Page(html).links if a.get("href") == "/es/search")
    assert link["target"] == "_blank" and "noopener" in link["rel"]
    assert {"referer", "sec-fetch-dest"} <= {v.strip().lower() for v in response.headers["Vary"].split(",")}
    assert response.headers["Cache-Control"].startswith("private")


@pytest.mark.parametrize(
    "referrer,dest",
    [
        (PARTNER + "/page.html", "iframe"),  # allowed
        ("http://localhost/es/embed", "iframe"),  # the site's own preview
        (None, "iframe"),  # a host that sends no Referer: the browser enforces frame-ancestors
        ("https://elsewhere.example/", "document"),  # the frame's address opened as a page
    ],
)
def test_the_box_itself_stays_framable_by_allowed_origins_only(partner_client, referrer, dest):
    response, html = frame_answer(partner_client, referrer, dest)
    assert f"frame-ancestors {PARTNER} 'self'" in response.headers["Content-Security-Policy"]
    assert "<iom-search" in html and "frame" in next(a for t, a in Page(html).elements if t == "iom-search")


def test_a_notice_is_given_without_any_allowed_origin_too(client):
    response, html = frame_answer(client, "https://elsewhere.example/", url="/en/embed/frame")
    assert "frame-ancestors https://elsewhere.example" in response.headers["Content-Security-Policy"]
    assert "This search box can only be shown on sites that the IOM news release archive has allowed." in html


@pytest.mark.parametrize("referrer", ["javascript:alert(1)", "data:text/html,x", "https://", "not a url"])
def test_odd_referrers_get_the_box_under_frame_ancestors(partner_client, referrer):
    response, html = frame_answer(partner_client, referrer)
    assert f"frame-ancestors {PARTNER} 'self'" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize(
    "lang,up_front,how",
    [
        ("en", "The frame (2) works only on sites the archive has allowed", "EMBED_ORIGINS"),
        ("es", "El marco (2) solo funciona en los sitios que el archivo ha autorizado", "EMBED_ORIGINS"),
    ],
)
def test_the_snippets_page_says_up_front_that_the_frame_needs_allowing(partner_client, client, lang, up_front, how):
    page = Page(partner_client.get(f"/{lang}/embed").get_data(as_text=True))
    text = page.text
    assert up_front in text and how in text
    assert text.index(up_front) < text.index("1.")  # before the first snippet
    assert PARTNER in text  # the sites allowed now
    assert 'height="700"' in text and "results=5" in text  # the frame with results, and its height
    none = Page(client.get(f"/{lang}/embed").get_data(as_text=True)).text
    assert ("No other site is allowed yet." if lang == "en" else "Todavía no hay ningún otro sitio autorizado.") in none


# --- in Chromium ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sync_api():
    return playwright_api()  # this module's other tests need no browser


@pytest.fixture(scope="module")
def hosts(tmp_path_factory, sync_api):
    """Host sites on other ports: 'allowed' (in EMBED_ORIGINS) and 'other' (not)."""
    from .test_embed_browser import serve_host

    port = free_port()
    archive = f"http://127.0.0.1:{port}"
    root = tmp_path_factory.mktemp("frame-hosts")
    csp = f"default-src 'none'; script-src {archive}; connect-src {archive}; frame-src {archive}"
    pages = {
        "frame.html": f'<iframe src="{archive}/en/embed/frame" title="Archive search" '
        'width="600" height="320"></iframe>',
        "quiet.html": '<meta name="referrer" content="no-referrer">\n'
        f'<iframe src="{archive}/en/embed/frame" title="Archive search" width="600" height="320"></iframe>',
        "two.html": f'<iom-search lang="es"></iom-search>\n<iom-search lang="es" results="5"></iom-search>\n'
        f'<div data-iom-search data-lang="es" data-label="Buscar noticias"></div>\n'
        f'<div data-iom-search data-lang="es" data-label="Buscar noticias"></div>\n'
        f'<script src="{archive}/embed.js" defer></script>',
    }
    for width in (260, 400, 1000):
        pages[f"results-{width}.html"] = (
            f'<iframe src="{archive}/es/embed/frame?results=5" title="Archive search" '
            f'width="{width}" height="700"></iframe>'
        )
    for name, body in pages.items():
        (root / name).write_text(
            f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Partner</title>'
            f"</head>\n<body>\n{body}\n</body></html>\n",
            encoding="utf-8",
        )
    servers = {"allowed": serve_host(root, csp), "other": serve_host(root, csp)}
    yield {"archive_port": port, **{n: f"http://127.0.0.1:{s.server_address[1]}" for n, s in servers.items()}}
    for server in servers.values():
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def archive(web_index, hosts):
    compile_catalogs()
    with running_site(
        web_index,
        hosts["archive_port"],
        "frame-",
        EMBED_ORIGINS=hosts["allowed"],
        RATE_LIMIT="600/minute",
        RATE_LIMIT_BURST="300",
    ) as base:
        yield base


@pytest.fixture
def open_page(browser, archive):
    from .test_embed_browser import Console

    contexts = []

    def open_(url, width=1000, height=800):
        context = browser.new_context(viewport={"width": width, "height": height})
        context.set_default_timeout(10_000)
        contexts.append(context)
        console = Console()
        page = console.watch(context.new_page())
        page.goto(url)
        return page, console

    yield open_
    for context in contexts:
        context.close()


def the_frame(page):
    return next(f for f in page.frames if f != page.main_frame)


def test_a_refused_frame_shows_a_readable_notice(open_page, hosts, archive, sync_api):
    page, console = open_page(hosts["other"] + "/frame.html")
    frame = the_frame(page)
    notice = frame.locator(".refused")
    sync_api.expect(notice).to_be_visible()
    sync_api.expect(notice).to_contain_text("can only be shown on sites that the IOM news release archive has allowed")
    link = frame.get_by_role("link", name="Search the IOM news release archive")
    assert link.get_attribute("target") == "_blank"
    assert frame.url.startswith(archive + "/en/embed/frame")
    assert frame.locator("iom-search").count() == 0
    page.screenshot(path=str(ARTIFACTS / "screenshots" / "embed-frame-refused.png"))
    with page.expect_popup() as popup:
        link.click()
    popup.value.wait_for_url(re.compile(re.escape(archive) + r"/en/search$"))
    assert not console, console  # no grey frame and no console error


def test_a_host_sending_no_referrer_is_still_refused_by_the_browser(open_page, hosts, archive):
    page, console = open_page(hosts["other"] + "/quiet.html")
    page.wait_for_timeout(500)
    frame = the_frame(page)
    assert frame.locator("iom-search").count() == 0 and frame.locator(".refused").count() == 0
    assert any("frame-ancestors" in line for line in console), console


def test_suggestions_stay_inside_the_documented_frame(open_page, hosts, sync_api):
    page, console = open_page(hosts["allowed"] + "/frame.html")
    frame = page.frame_locator("iframe")
    box = frame.locator("iom-search [role=combobox]")
    box.click()
    box.press_sequentially("mig", delay=40)
    listbox = frame.locator("iom-search [role=listbox]")
    sync_api.expect(listbox).to_be_visible()
    bottom = listbox.evaluate("e => e.getBoundingClientRect().bottom")
    assert bottom <= 320, bottom
    assert the_frame(page).evaluate("document.documentElement.scrollHeight") <= 320
    assert not console, console


@pytest.mark.parametrize("width", [260, 400, 1000])
def test_five_results_fit_the_documented_height_without_scrolling_inside(open_page, hosts, width, sync_api):
    page, console = open_page(hosts["allowed"] + f"/results-{width}.html", width=max(width + 40, 400))
    frame = the_frame(page)
    box = frame.locator("iom-search [role=combobox]")
    tallest = 0
    for query in ("migrantes", "trata", "huracán", "niñez", "frontera"):
        box.fill(query)
        box.press("Enter")
        sync_api.expect(frame.locator("iom-search .heading")).to_contain_text("resultado")
        page.wait_for_timeout(100)
        if frame.locator("iom-search .hit").count() == 5:
            tallest = max(tallest, frame.evaluate("document.documentElement.scrollHeight"))
    assert 0 < tallest <= 700, tallest
    if width == 400:
        page.screenshot(path=str(ARTIFACTS / "screenshots" / "embed-frame-results-es-400.png"))
    assert not console, console


def test_an_english_hit_in_a_spanish_box_says_so_and_two_boxes_are_two_landmarks(open_page, hosts, sync_api):
    page, console = open_page(hosts["allowed"] + "/two.html")
    names = page.evaluate("""() => [...document.querySelectorAll('iom-search, [data-iom-search]')]
        .map(host => host.shadowRoot.querySelector('[role=search]').getAttribute('aria-label'))""")
    assert names == [
        "Buscar en el archivo de comunicados de la OIM",
        "Buscar en el archivo de comunicados de la OIM (2)",
        "Buscar noticias",
        "Buscar noticias (2)",
    ]
    box = page.locator("iom-search[results] [role=combobox]")
    box.fill("hurricane")
    box.press("Enter")
    hits = page.locator("iom-search[results] .hit")
    sync_api.expect(hits.first).to_be_visible()
    english = page.locator("iom-search[results] .hit", has=page.locator("a[lang=en]"))
    assert english.count() > 0
    for i in range(english.count()):
        sync_api.expect(english.nth(i).locator(".badge")).to_have_text("En inglés")
    assert page.locator("iom-search[results] .badge").count() == english.count()  # only on those
    assert not console, console


def test_the_box_styles_reach_the_script_whole(client):
    """embed.js carries embed.css without its comments: a comment line left half would break the
    rule after it (the frame's rules are the last ones)."""
    import json

    source = client.get("/embed.js").get_data(as_text=True)
    css = json.loads(re.search(r"var CSS = (\".*?\");\n", source).group(1))
    assert "/*" not in css and "*/" not in css
    assert ":host([frame]) .listbox { max-height: calc(100vh - 4.5em); }" in css
    assert ".badge {" in css


def test_the_box_shows_the_completion_in_bold_as_text(open_page, hosts, sync_api):
    page, console = open_page(hosts["allowed"] + "/two.html")
    box = page.locator("iom-search").first.locator("[role=combobox]")
    box.click()
    box.press_sequentially("trata de", delay=40)
    option = page.locator("iom-search").first.locator(".option--term", has_text="trata de personas").first
    sync_api.expect(option).to_be_visible()
    assert option.locator(".text").inner_text() == "trata de personas"
    assert option.locator("b.completion").all_inner_texts() == [" personas"]  # what was not typed
    titles = page.locator("iom-search").first.locator(".option--title b")
    assert titles.count() == 0  # a title is shown as it is
    page.screenshot(path=str(ARTIFACTS / "screenshots" / "embed-box-completion-es.png"))
    assert not console, console
