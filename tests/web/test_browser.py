"""End-to-end tests in headless Chromium (Debian's /usr/bin/chromium driven by Playwright)
against the site running under gunicorn on a free localhost port.

They cover searching, facets, sort, pages, the language switch, a release, keyboard-only
use, autocomplete, the site without JavaScript, axe-core on every page in both languages,
and no horizontal scrolling at 360 px. Screenshots of the main pages at 1280 and 360 px
go to test-artifacts/screenshots/.
"""

import re

import axe_playwright_python.sync_playwright as axe_module
import pytest

from .chromium import sync_api
from .site_server import ARTIFACTS

SCREENSHOTS = ARTIFACTS / "screenshots"
RELEASE = "2018-06-20-costa-rica-nicaragua-social-cohesion-en"

expect = sync_api.expect


def count_text(page) -> str:
    return re.sub(r"\s+", " ", page.locator("#result-count").inner_text())


# --- searching ---------------------------------------------------------------------------------------
def test_search_then_tick_and_untick_a_facet_without_reloading(page, server):
    page.goto(server + "/en/")
    page.fill("#q", "migrants")
    page.press("#q", "Enter")
    page.wait_for_url("**/en/search?q=migrants")
    expect(page.locator("#result-count")).to_contain_text("15 results")
    expect(page.locator(".hit")).to_have_count(10)
    expect(page.locator(".hit-title mark").first).to_be_visible()

    page.evaluate("window.__samePage = true")
    page.locator("#f-country-MX").check()
    page.wait_for_url(re.compile(r"/en/search\?q=migrants&country=MX$"))
    expect(page.locator("#result-count")).to_contain_text("4 results")
    expect(page.locator(".chip")).to_have_count(1)
    expect(page.locator(".chip")).to_contain_text("Mexico")
    assert page.evaluate("window.__samePage") is True  # swapped in place, not reloaded
    assert page.evaluate("document.activeElement.id") == "f-country-MX"  # focus stays on the box
    expect(page.locator("#f-country-MX")).to_be_checked()
    # the language switch follows the new state
    expect(page.locator("#lang-switch")).to_have_attribute("href", "/es/search?q=migrants&country=MX")
    # and so do the feed's link and the canonical address
    expect(page.locator('link[type="application/atom+xml"]')).to_have_attribute(
        "href", "/search.atom?q=migrants&country=MX"
    )
    expect(page.locator('link[rel="canonical"]')).to_have_attribute(
        "href", re.compile(r"/en/search\?q=migrants&country=MX$")
    )
    assert page.title().startswith("migrants · 4 results")

    page.locator("#f-country-MX").uncheck()
    page.wait_for_url(re.compile(r"/en/search\?q=migrants$"))
    expect(page.locator("#result-count")).to_contain_text("15 results")
    expect(page.locator(".chip")).to_have_count(0)

    page.go_back()  # history: the filtered state again
    page.wait_for_url(re.compile(r"country=MX$"))
    expect(page.locator("#result-count")).to_contain_text("4 results")
    expect(page.locator("#f-country-MX")).to_be_checked()


def test_chips_remove_filters_and_clear_all(page, server):
    page.goto(server + "/en/search?q=migrants&country=MX&year=2019")
    expect(page.locator(".chip")).to_have_count(2)
    page.locator(".chip", has_text="2019").click()
    page.wait_for_url(re.compile(r"q=migrants&country=MX$"))
    expect(page.locator(".chip")).to_have_count(1)
    page.locator(".clear-all").click()
    page.wait_for_url(re.compile(r"/en/search\?q=migrants$"))
    expect(page.locator(".chip")).to_have_count(0)
    expect(page.locator("#result-count")).to_contain_text("15 results")


def test_change_sort_and_page(page, server):
    page.goto(server + "/en/search?q=migrants")
    page.get_by_role("link", name="Newest first").click()
    page.wait_for_url(re.compile(r"sort=newest"))
    expect(page.locator(".sort a.current")).to_have_text(re.compile("Newest first"))
    dates = page.locator(".hit time").evaluate_all("els => els.map(e => e.getAttribute('datetime'))")
    assert dates == sorted(dates, reverse=True) and len(dates) == 10
    page.locator(".pagination").get_by_role("link", name="Next").click()
    page.wait_for_url(re.compile(r"sort=newest&page=2$"))
    expect(page.locator("#result-count")).to_contain_text("11–15 of 15 results")
    later = page.locator(".hit time").evaluate_all("els => els.map(e => e.getAttribute('datetime'))")
    assert len(later) == 5 and max(later) <= min(dates)
    page.get_by_role("link", name="Oldest first").click()
    page.wait_for_url(re.compile(r"sort=oldest$"))  # a new sort starts at page 1
    expect(page.locator("#result-count")).to_contain_text("1–10 of 15 results")


def test_switch_language_keeps_the_search(page, server):
    page.goto(server + "/en/search?q=migrants&country=MX&sort=newest")
    page.locator("#lang-switch").click()
    page.wait_for_url("**/es/search?q=migrants&country=MX&sort=newest")
    assert page.locator("html").get_attribute("lang") == "es"
    expect(page.locator("#result-count")).to_contain_text("4 resultados")
    expect(page.locator(".chip")).to_contain_text("México")
    expect(page.locator("#q")).to_have_value("migrants")
    page.locator("#lang-switch").click()
    page.wait_for_url("**/en/search?q=migrants&country=MX&sort=newest")
    assert page.locator("html").get_attribute("lang") == "en"


def test_open_a_release_and_follow_its_links(page, server):
    page.goto(server + "/en/search?q=xenophobia")
    first = page.locator(".hit-link").first
    title = first.inner_text()
    first.click()
    page.wait_for_url(re.compile(r"/en/releases/"))
    expect(page.locator("h1")).to_have_text(title)
    expect(page.locator(".release-body p").first).to_be_visible()
    page.locator(".translation-link a").click()
    page.wait_for_url(re.compile(r"/en/releases/.*-es$"))
    assert page.locator("h1").get_attribute("lang") == "es"
    page.locator(".tag--country").first.click()
    page.wait_for_url(re.compile(r"/en/search\?country=[A-Z]{2}$"))
    expect(page.locator(".chip")).to_have_count(1)


def test_keyboard_only(page, server):
    page.goto(server + "/en/")
    for _ in range(15):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "q":
            break
    else:
        pytest.fail("Tab never reached the search box")
    assert _focus_is_visible(page)
    page.keyboard.type("hurricane")
    page.keyboard.press("Enter")
    page.wait_for_url("**/en/search?q=hurricane")
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('hit-link')"):
            break
    else:
        pytest.fail("Tab never reached a result")
    assert _focus_is_visible(page)
    title = page.evaluate("document.activeElement.textContent")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/en/releases/"))
    expect(page.locator("h1")).to_have_text(title)


def test_skip_link_goes_to_the_results(page, server):
    page.goto(server + "/es/search?q=migrantes")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "results"


def _focus_is_visible(page) -> bool:
    style = page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
        return [s.outlineStyle, parseFloat(s.outlineWidth)]; }""")
    return style[0] != "none" and style[1] >= 2


def test_autocomplete(page, server):
    page.goto(server + "/en/")
    page.locator("#q").press_sequentially("migr", delay=40)
    listbox = page.get_by_role("listbox")
    expect(listbox).to_be_visible()
    options = listbox.get_by_role("option")
    expect(options.first).to_be_visible()
    expect(page.locator("#q")).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("ArrowDown")
    active = page.locator("#q").get_attribute("aria-activedescendant")
    assert active and page.locator(f"#{active}").get_attribute("aria-selected") == "true"
    chosen = page.locator(f"#{active} .suggestion-text").inner_text()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/en/search\?q="))
    expect(page.locator("#q")).to_have_value(chosen)
    # Escape closes the list
    page.locator("#q").fill("")
    page.locator("#q").press_sequentially("hurr", delay=40)
    expect(page.get_by_role("listbox")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("listbox")).to_be_hidden()


def test_everything_works_without_javascript(make_page, server):
    page = make_page(java_script_enabled=False)
    page.goto(server + "/en/search?q=migrants")
    page.locator("#f-country-MX").check()
    page.locator("#f-year-2019").check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"country=MX"))
    assert "year=2019" in page.url
    expect(page.locator(".chip")).to_have_count(2)
    page.get_by_role("link", name="Newest first").click()
    page.wait_for_url(re.compile(r"sort=newest"))
    page.locator("#q").fill("hurricane")
    page.locator("#q").press("Enter")
    page.wait_for_url(re.compile(r"q=hurricane&.*sort=newest"))  # filters and sort are kept


# --- accessibility and layout ------------------------------------------------------------------------
AXE_PAGES = {
    "home": "/{lang}/",
    "results": "/{lang}/search?q=migrants&country=MX",
    "release": f"/{{lang}}/releases/{RELEASE}",
    "help": "/{lang}/help",
}


@pytest.mark.parametrize("lang", ["en", "es"])
def test_axe_finds_no_violations(make_page, server, lang):
    axe = axe_module.Axe()
    failures = {}
    for width in (1280, 360):
        page = make_page(width=width)
        pages = dict(AXE_PAGES, no_results="/{lang}/search?q=zzqqxxwv&lang=en", error="/{lang}/search?year=x")
        for name, path in pages.items():
            page.goto(server + path.format(lang=lang))
            if name == "home" and width == 1280:  # with the autocomplete list open
                page.locator("#q").press_sequentially("migr", delay=30)
                expect(page.get_by_role("listbox")).to_be_visible()
            results = axe.run(page, options={"resultTypes": ["violations"]})
            if results.violations_count:
                failures[f"{name} {width}px"] = results.generate_report()
    assert not failures, "\n\n".join(f"{k}:\n{v}" for k, v in failures.items())


def test_no_horizontal_scrolling_at_360px(make_page, server):
    page = make_page(width=360, height=740)
    for lang in ("en", "es"):
        for path in list(AXE_PAGES.values()) + ["/{lang}/search?q=zzqqxxwv"]:
            page.goto(server + path.format(lang=lang))
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 360, (path.format(lang=lang), width)


def test_filters_fold_away_on_phones(make_page, server):
    page = make_page(width=360, height=740)
    page.goto(server + "/en/search?q=migrants")
    expect(page.locator("#f-country-MX")).to_be_hidden()
    page.locator(".filters-summary").click()
    page.locator("#f-country-MX").check()
    page.wait_for_url(re.compile(r"country=MX$"))
    expect(page.locator("#f-country-MX")).to_be_visible()  # stays open while choosing
    expect(page.locator("#result-count")).to_contain_text("4 results")


def test_screenshots(make_page, server):
    """Full-page screenshots of the main pages at desktop and phone width, for people to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shots = {
        "home-en": "/en/",
        "home-es": "/es/",
        "results-en": "/en/search?q=migrants",
        "results-filtered-es": "/es/search?q=migrantes&country=MX&year=2019",
        "release-en": f"/en/releases/{RELEASE}",
        "release-es": f"/es/releases/{RELEASE}",
        "help-en": "/en/help",
        "help-es": "/es/help",
        "no-results-en": "/en/search?q=zzqqxxwv&lang=en",
        "error-400-es": "/es/search?year=x",
        "error-404-en": "/en/releases/no-such-release",
    }
    for width, height in ((1280, 900), (360, 740)):
        page = make_page(width=width, height=height)
        for name, path in shots.items():
            page.goto(server + path)
            page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
        page.goto(server + "/es/")
        page.locator("#q").press_sequentially("migr", delay=30)
        expect(page.get_by_role("listbox")).to_be_visible()
        page.screenshot(path=str(SCREENSHOTS / f"autocomplete-es-{width}.png"))
        page.goto(server + f"/en/releases/{RELEASE}")
        page.emulate_media(media="print")
        page.screenshot(path=str(SCREENSHOTS / f"release-print-{width}.png"), full_page=True)
        page.emulate_media(media="screen")
    assert len(list(SCREENSHOTS.glob("*.png"))) >= 2 * (len(shots) + 2)
