"""The results page on a phone and its weight, in headless Chromium (Debian's /usr/bin/chromium
driven by Playwright) against the site under gunicorn.

On a 375×740 screen the count and the first result are on the first screen, with and without
JavaScript, in both languages; sort and filters are one "Filter and sort" drawer that ends with
"Show N results"; on a wide screen the drawer is the sidebar, also without JavaScript. A
results page stays at five requests and is sent compressed.
"""

import re

import pytest

from .chromium import sync_api
from .conftest import compile_catalogs
from .site_server import free_port, running_site

PHONE = {"width": 375, "height": 740}

expect = sync_api.expect


@pytest.fixture(scope="module")
def server(web_index):
    compile_catalogs()
    with running_site(web_index, free_port(), "phone-") as base:
        yield base


@pytest.fixture
def new_page(browser):
    contexts = []

    def make(viewport=PHONE, **options):
        context = browser.new_context(viewport=viewport, **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def box(page, selector: str) -> dict:
    return page.locator(selector).first.evaluate(
        "e => { const r = e.getBoundingClientRect(); return {top: r.top, bottom: r.bottom}; }"
    )


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize(
    "path",
    [
        "/en/search?q=migrants",
        "/es/search?q=migrantes",
        "/es/search?q=migrants&country=MX",
        "/en/search",
        "/en/search?q=traficking",
    ],
)
def test_count_and_first_result_are_on_the_first_phone_screen(new_page, server, path, javascript):
    page = new_page(java_script_enabled=javascript)
    page.goto(server + path)
    count, title = box(page, "#result-count"), box(page, ".hit-title")
    assert 0 < count["top"] and count["bottom"] <= PHONE["height"], count
    # the first result starts in the upper part of the screen (615-755 px down before), its
    # whole title with room for the start of its text
    assert title["top"] <= 420 and title["bottom"] <= PHONE["height"] - 100, title
    expect(page.locator(".filters-summary")).to_be_visible()
    expect(page.locator(".filters-summary")).to_contain_text(re.compile("Filter and sort|Filtrar y ordenar"))
    expect(page.locator("#sort-nav")).to_be_hidden()  # in the closed drawer
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_the_drawer_sorts_filters_and_shows_the_results(new_page, server):
    page = new_page()
    page.goto(server + "/en/search?q=migrants")
    page.locator(".filters-summary").click()
    expect(page.locator("#sort-nav")).to_be_visible()
    expect(page.get_by_role("button", name="Apply filters")).to_be_hidden()  # with JavaScript: at once
    show = page.get_by_role("button", name="Show 15 results")
    expect(show).to_be_visible()
    page.locator("#sort-nav").get_by_role("link", name="Newest first").click()
    page.wait_for_url(re.compile(r"sort=newest$"))
    expect(page.locator("#filters")).to_have_attribute("open", "")  # stays open while choosing
    page.locator("#f-country-MX").check()
    page.wait_for_url(re.compile(r"sort=newest&country=MX$|country=MX&sort=newest$"))
    show = page.get_by_role("button", name="Show 4 results")
    expect(show).to_be_visible()
    show.click()
    page.wait_for_load_state("load")
    expect(page.locator("#result-count")).to_contain_text("4 results")
    assert "sort=newest" in page.url and "country=MX" in page.url
    expect(page.locator("#sort-nav")).to_be_hidden()  # the drawer closed again
    assert box(page, ".hit-title")["bottom"] <= PHONE["height"]


def test_the_drawer_works_without_javascript(new_page, server):
    page = new_page(java_script_enabled=False)
    page.goto(server + "/es/search?q=migrantes")
    expect(page.locator("#f-country-MX")).to_be_hidden()
    page.locator(".filters-summary").click()  # a <details>: opens without script
    expect(page.get_by_role("button", name=re.compile("Mostrar"))).to_be_hidden()  # its count would be stale
    page.locator("#f-country-MX").check()
    page.get_by_role("button", name="Aplicar filtros").click()
    page.wait_for_url(re.compile(r"country=MX"))
    expect(page.locator(".chip")).to_have_count(1)
    expect(page.locator("#f-country-MX")).to_be_hidden()  # a new page: the drawer closed
    page.locator(".filters-summary").click()
    page.locator("#sort-nav").get_by_role("link", name="Más recientes").click()
    page.wait_for_url(re.compile(r"sort=newest"))
    assert "country=MX" in page.url


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_on_a_wide_screen_the_drawer_is_the_sidebar(new_page, server, javascript):
    page = new_page(viewport={"width": 1280, "height": 800}, java_script_enabled=javascript)
    page.goto(server + "/en/search?q=migrants")
    expect(page.locator(".filters-summary")).to_be_hidden()
    expect(page.locator("#f-country-MX")).to_be_visible()
    expect(page.locator("#sort-nav").get_by_role("link", name="Newest first")).to_be_visible()
    expect(page.locator(".show-results")).to_be_hidden()
    sidebar, results = box(page, "#filters"), box(page, ".hit-title")
    assert results["top"] < 400 and sidebar["top"] < 400


def test_a_results_page_is_five_requests_sent_compressed(new_page, server):
    page = new_page(viewport={"width": 1280, "height": 800})
    page.goto(server + "/en/search?q=migrants")
    page.wait_for_load_state("networkidle")
    entries = page.evaluate("""performance.getEntriesByType('navigation')
        .concat(performance.getEntriesByType('resource'))
        .map(e => ({name: e.name, sent: e.transferSize, body: e.encodedBodySize, size: e.decodedBodySize}))""")
    assert len(entries) <= 5, [e["name"] for e in entries]
    sent, size = sum(e["sent"] for e in entries), sum(e["size"] for e in entries)
    print(f"results page: {len(entries)} requests, {sent} bytes sent, {size} bytes decoded")
    assert sent <= 25_000, entries  # about 84 KB before compression
    assert size <= 90_000, entries
    for entry in entries:
        if entry["size"] > 1000:  # HTML, CSS and JS: compressed
            assert entry["body"] < entry["size"] * 0.5, entry


def test_removing_a_filter_on_a_page_without_results_leaves_the_drawer_closed(new_page, server):
    """A page without results has no drawer; removing a chip there opened the new page's whole
    "Filter and sort" drawer on a phone and pushed its result off the screen. The drawer is now
    as a fresh load of that address has it: closed."""
    page = new_page()
    page.goto(f"{server}/en/search?q=trafficking&country=JM&topic=children")
    expect(page.locator(".hit")).to_have_count(0)
    page.locator("a.chip", has_text="Children").click()
    page.wait_for_url(re.compile(r"/en/search\?q=trafficking&country=JM$"))
    expect(page.locator(".hit").first).to_be_visible()
    assert page.locator("#filters").evaluate("d => d.open") is False
    assert box(page, ".hit")["top"] < PHONE["height"]
