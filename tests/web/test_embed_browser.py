"""The embeddable search box in headless Chromium (Debian's /usr/bin/chromium driven by
Playwright), on host pages served from other origins with a strict Content-Security-Policy.

The archive runs under gunicorn (as scripts/serve starts it) with EMBED_ORIGINS naming one
host origin. Two small http.server threads on other localhost ports serve the host pages:
the allowed one and one that is not allowed to frame the archive. Each host page allows
scripts, connections and frames from the archive's origin only (default-src 'none').
"""

import functools
import http.server
import re
import threading
from pathlib import Path

import axe_playwright_python.sync_playwright as axe_module
import pytest

from .chromium import sync_api
from .conftest import HOSTILE_ID, compile_catalogs
from .site_server import ARTIFACTS, free_port, running_site

expect = sync_api.expect


class HostHandler(http.server.SimpleHTTPRequestHandler):
    """Static host pages with a strict CSP that allows only the archive's origin."""

    csp = ""

    def end_headers(self):
        self.send_header("Content-Security-Policy", self.csp)
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, *args):
        pass


def serve_host(directory: Path, csp: str):
    handler = type("Handler", (HostHandler,), {"csp": csp})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server


@pytest.fixture(scope="module")
def ports():
    return {"archive": free_port()}


@pytest.fixture(scope="module")
def hosts(tmp_path_factory, ports):
    """Two host sites on other ports: 'allowed' (in EMBED_ORIGINS) and 'other' (not)."""
    archive = f"http://127.0.0.1:{ports['archive']}"
    root = tmp_path_factory.mktemp("host-pages")
    csp = (
        f"default-src 'none'; script-src {archive}; connect-src {archive}; frame-src {archive}; "
        "base-uri 'none'; form-action 'none'"
    )
    pages = {
        "box.html": f'<iom-search lang="en"></iom-search>\n<script src="{archive}/embed.js" defer></script>',
        "results.html": f'<div data-iom-search data-lang="es" data-results="3"></div>\n'
        f'<script src="{archive}/embed.js" defer></script>',
        "frame.html": f'<iframe src="{archive}/en/embed/frame" title="Archive search" width="600" height="320">'
        "</iframe>",
    }
    for name, body in pages.items():
        (root / name).write_text(
            f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Partner site</title></head>\n'
            f"<body>\n<h1>A partner site</h1>\n{body}\n</body></html>\n",
            encoding="utf-8",
        )
    servers = {"allowed": serve_host(root, csp), "other": serve_host(root, csp)}
    yield {name: f"http://127.0.0.1:{server.server_address[1]}" for name, server in servers.items()}
    for server in servers.values():
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def archive_server(web_index, ports, hosts):
    """The archive under gunicorn, framable by the 'allowed' host only."""
    compile_catalogs()
    with running_site(
        web_index,
        ports["archive"],
        "embed-",
        EMBED_ORIGINS=hosts["allowed"],
        RATE_LIMIT="600/minute",
        RATE_LIMIT_BURST="300",
    ) as base:
        yield base


class Console(list):
    """Console errors, script errors, CSP refusals, failed requests and dialogs of a page and its frames."""

    def watch(self, page):
        page.on(
            "console", lambda m: self.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning") else None
        )
        page.on("pageerror", lambda error: self.append(f"script error: {error}"))
        # (a suggestion request overtaken by the next keystroke is aborted on purpose)
        page.on(
            "requestfailed",
            lambda r: self.append(f"failed: {r.url} {r.failure}") if "ERR_ABORTED" not in (r.failure or "") else None,
        )
        page.on("response", lambda r: self.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        page.on("dialog", lambda d: (self.append(f"dialog: {d.message}"), d.dismiss()))
        return page


@pytest.fixture
def open_page(browser, archive_server):
    contexts = []

    def open_(url, width=1000):
        context = browser.new_context(viewport={"width": width, "height": 800})
        context.set_default_timeout(10_000)
        contexts.append(context)
        console = Console()
        page = console.watch(context.new_page())
        page.goto(url)
        return page, console

    yield open_
    for context in contexts:
        context.close()


def test_script_box_suggests_and_keyboard_choice_opens_the_results(open_page, hosts, archive_server):
    page, console = open_page(hosts["allowed"] + "/box.html")
    box = page.locator("iom-search input")  # Playwright's CSS reaches into open shadow roots
    expect(box).to_have_attribute("role", "combobox")
    expect(box).to_have_attribute("aria-expanded", "false")
    assert page.locator("iom-search").evaluate("el => !!el.shadowRoot && el.shadowRoot.adoptedStyleSheets.length")
    box.click()
    box.press_sequentially("migr", delay=40)
    options = page.locator("iom-search [role=option]")
    expect(options.first).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(page.locator("iom-search [role=status]")).to_contain_text("suggestions available")
    first_text = options.first.locator(".text").inner_text()
    assert first_text.startswith("migr")
    box.press("ArrowDown")
    expect(options.first).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", "option-0")
    box.press("ArrowDown")
    box.press("ArrowUp")
    expect(options.first).to_have_attribute("aria-selected", "true")
    # the box is styled by its own sheet, not the host's (which has none)
    assert page.locator("iom-search button").evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(0, 51, 160)"
    page.screenshot(path=str(ARTIFACTS / "screenshots" / "embed-box-suggestions.png"))
    box.press("Enter")
    page.wait_for_url(re.compile(re.escape(archive_server) + r"/en/search\?q=migr"))
    assert page.locator("html").get_attribute("lang") == "en"
    expect(page.locator(".hit").first).to_be_visible()
    assert not console, console


def test_escape_closes_the_list_then_clears_the_box(open_page, hosts):
    page, console = open_page(hosts["allowed"] + "/box.html")
    box = page.locator("iom-search input")
    box.click()
    box.press_sequentially("trata", delay=30)
    expect(page.locator("iom-search [role=listbox]")).to_be_visible()
    box.press("Escape")
    expect(page.locator("iom-search [role=listbox]")).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    assert box.input_value() == "trata"
    box.press("Escape")
    assert box.input_value() == ""
    # chosen, then left with Escape: reopened, the list shows nothing chosen (Enter chooses none)
    box.press_sequentially("trata", delay=30)
    options = page.locator("iom-search [role=option]")
    expect(options.first).to_be_visible()
    box.press("ArrowDown")
    expect(options.first).to_have_attribute("aria-selected", "true")
    box.press("Escape")
    box.press("ArrowDown")
    box.press("ArrowDown")  # reopened and moved: the first option is chosen anew, and alone
    assert page.locator("iom-search [role=option][aria-selected=true]").count() == 1
    box.press_sequentially("s", delay=30)  # typing unchooses
    assert page.locator("iom-search [role=option][aria-selected=true]").count() == 0
    assert not console, console


def test_results_panel_shows_highlighted_hits_as_text(open_page, hosts, archive_server):
    page, console = open_page(hosts["allowed"] + "/results.html")
    box = page.locator("[data-iom-search] input")
    expect(box).to_have_attribute("placeholder", re.compile("Por ejemplo"))
    box.fill("trata de personas")
    box.press("Enter")  # no suggestion chosen: Enter searches
    hits = page.locator("[data-iom-search] .hit")
    expect(hits.first).to_be_visible()
    assert hits.count() == 3
    expect(page.locator("[data-iom-search] .heading")).to_contain_text("resultados")
    assert page.locator("[data-iom-search] .hit mark").count() > 0
    link = page.locator("[data-iom-search] .hit-title").first.get_attribute("href")
    assert link.startswith(archive_server + "/es/releases/")
    expect(page.locator("[data-iom-search] .all")).to_have_attribute(
        "href", archive_server + "/es/search?q=trata+de+personas"
    )
    assert page.url == hosts["allowed"] + "/results.html"  # stayed on the host page
    page.screenshot(path=str(ARTIFACTS / "screenshots" / "embed-results-panel.png"))
    # markup in a release is shown as text, never run
    box.fill("escapecheck")
    box.press("Enter")
    title = page.locator("[data-iom-search] .hit-title", has_text="Escapecheck")
    expect(title).to_contain_text("<script>alert('title')</script>")
    assert page.locator("[data-iom-search] .hit-title").first.get_attribute("href").endswith(HOSTILE_ID)
    shadow_tags = page.locator("[data-iom-search]").evaluate(
        "el => [...el.shadowRoot.querySelectorAll('*')].map(e => e.localName)"
    )
    assert "script" not in shadow_tags and "img" not in shadow_tags and "b" not in shadow_tags
    assert not console, console


def test_frame_on_an_allowed_site_searches_into_the_top_window(open_page, hosts, archive_server):
    page, console = open_page(hosts["allowed"] + "/frame.html")
    frame = page.frame_locator("iframe")
    box = frame.locator("iom-search [role=combobox]")  # (the light DOM holds a fallback form)
    box.click()
    box.press_sequentially("hurric", delay=40)
    expect(frame.locator("iom-search [role=option]").first).to_be_visible()
    box.press("ArrowDown")
    box.press("Enter")
    page.wait_for_url(re.compile(re.escape(archive_server) + r"/en/search\?q=hurric"))
    expect(page.locator(".hit").first).to_be_visible()
    assert not console, console


def test_frame_on_another_site_is_refused(open_page, hosts, archive_server):
    page, console = open_page(hosts["other"] + "/frame.html")
    frame = next(f for f in page.frames if f != page.main_frame)
    expect(frame.locator(".refused")).to_be_visible()  # a notice instead of the box (test_embed_frame.py)
    assert frame.locator("iom-search").count() == 0
    assert not console, console


@pytest.mark.parametrize("lang", ["en", "es"])
def test_snippets_page_previews_work_and_pass_axe(open_page, archive_server, lang):
    axe = axe_module.Axe()
    failures = {}
    for width in (1280, 360):
        page, console = open_page(f"{archive_server}/{lang}/embed", width=width)
        expect(page.locator("iom-search [role=combobox]")).to_be_visible()
        expect(page.locator("[data-iom-search] [role=combobox]")).to_be_visible()
        # The preview frame loads lazily (loading="lazy"), when a visitor scrolls near it: scroll
        # to it as they would. (Waiting inside a lazy frame that has not loaded can outlast
        # Playwright's own timeout on a busy machine.)
        page.locator("iframe.embed-frame").scroll_into_view_if_needed()
        frame = page.frame_locator("iframe.embed-frame")
        expect(frame.locator("iom-search [role=combobox]")).to_be_visible()  # the site may frame itself
        page.evaluate("window.scrollTo(0, 0)")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        if width == 1280:
            box = page.locator("iom-search [role=combobox]")
            box.press_sequentially("migr", delay=30)
            expect(page.locator("iom-search [role=listbox]")).to_be_visible()
            page.screenshot(path=str(ARTIFACTS / "screenshots" / f"embed-page-{lang}-{width}.png"), full_page=True)
        results = axe.run(page, options={"resultTypes": ["violations"]})
        if results.violations_count:
            failures[f"{width}px"] = [
                (v["id"], v["impact"], [n["target"] for n in v["nodes"]]) for v in results.response["violations"]
            ]
        assert not console, console
    assert not failures, failures


def test_a_box_of_an_archive_served_under_a_path_stays_under_it(tmp_path, web_index, browser):
    """PUBLIC_URL=https://example.org/archive: the box loaded from /archive/embed.js asks the
    API and opens the results under /archive, not at the root of the archive's host."""
    port = free_port()
    mounted = f"http://127.0.0.1:{port}/archive"
    csp = f"default-src 'none'; script-src {mounted}/; connect-src {mounted}/; base-uri 'none'"
    (tmp_path / "box.html").write_text(
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Partner</title></head><body>\n'
        f'<iom-search lang="en"></iom-search>\n<script src="{mounted}/embed.js" defer></script>\n</body></html>\n',
        encoding="utf-8",
    )
    host = serve_host(tmp_path, csp)
    try:
        with running_site(web_index, port, "embed-mounted-", PUBLIC_URL=mounted, RATE_LIMIT="off"):
            context = browser.new_context()
            context.set_default_timeout(10_000)
            page = Console().watch(context.new_page())
            asked: list[str] = []
            page.on("request", lambda r: asked.append(r.url) if "/api/" in r.url else None)
            page.goto(f"http://127.0.0.1:{host.server_address[1]}/box.html")
            box = page.locator("iom-search input")
            box.click()
            box.press_sequentially("migr", delay=40)
            expect(page.locator("iom-search [role=option]").first).to_be_visible()
            assert asked and all(url.startswith(mounted + "/api/v1/suggest?") for url in asked), asked
            box.press("Enter")
            page.wait_for_url(re.compile(re.escape(mounted) + r"/en/search\?q=migr"))
            expect(page.locator(".hit").first).to_be_visible()
            context.close()
    finally:
        host.shutdown()
        host.server_close()
