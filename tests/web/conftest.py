"""Fixtures for the web tests: one sample index per run (the sample archive plus a release
with markup in its title and text), compiled message catalogs, the Flask app and client, the
browser, the site served by gunicorn, and browser pages that fail the test on a script error,
a CSP refusal or a failed sub-resource."""

import html
import json
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from index.build import reindex
from index.config import PROJECT_ROOT, SAMPLES_DIR

from .chromium import bound_browser_tests, fail_if_browser_stuck, launched_browser, note_stuck_browser
from .site_server import free_port, running_site

TRANSLATIONS = PROJECT_ROOT / "web" / "translations"

# A release whose title and text carry markup as text: it must be shown as text, never run.
# The record writes them as a content system exports such text, as character references, which
# the reader decodes (raw tags in a JSON Lines field are read as HTML: ``index.readers.markup``).
HOSTILE_ID = "escaping-check-2019-01-02-en"
HOSTILE_TITLE = "Escapecheck <script>alert('title')</script> <img src=x onerror=alert(1)> & more"
HOSTILE_BODY = (
    "Escapecheck body <script>alert('body')</script> with <img src=x onerror=alert(2)> inside.\n\n"
    'A second paragraph with "quotes" & <b>bold</b> tags.'
)
HOSTILE = {
    "id": HOSTILE_ID,
    "lang": "en",
    "date": "2019-01-02",
    "title": html.escape(HOSTILE_TITLE, quote=False),
    "body": html.escape(HOSTILE_BODY, quote=False),
    "url": "javascript:alert(3)",
}


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium per test module (tests/web/chromium.py)."""
    with launched_browser() as launched:
        yield launched


def pytest_collection_modifyitems(items):
    bound_browser_tests(items)


def pytest_runtest_setup(item):
    fail_if_browser_stuck(item)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    note_stuck_browser(item, report)
    return report


def compile_catalogs() -> None:
    """Compile each .po whose .mo is missing or older (the .mo files are not kept in git)."""
    for po in TRANSLATIONS.glob("*/LC_MESSAGES/*.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as source:
                catalog = read_po(source)
            with mo.open("wb") as target:
                write_mo(target, catalog)


@pytest.fixture(scope="session", autouse=True)
def catalogs():
    compile_catalogs()


@pytest.fixture(scope="session")
def web_index(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("web-index")
    extra = root / "extra.jsonl"
    extra.write_text(json.dumps(HOSTILE) + "\n", encoding="utf-8")
    index_dir = root / "ix"
    reindex([SAMPLES_DIR, extra], index_dir, progress=False)
    return index_dir


@pytest.fixture(scope="session")
def app(web_index, catalogs):
    from web import create_app

    app = create_app({"INDEX_DIR": str(web_index), "TESTING": True, "RATE_LIMIT": "off"})
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def server(web_index):
    """The site under gunicorn, started the way scripts/serve starts it, on a free port."""
    compile_catalogs()
    with running_site(web_index, free_port(), "") as base:
        yield base


class Problems(list):
    """Script errors, CSP refusals and failed sub-resources seen by a page."""

    def watch(self, page):
        page.on("pageerror", lambda error: self.append(f"script error: {error}"))
        page.on(
            "console",
            lambda m: (
                self.append(f"console: {m.text}")
                if m.type == "error" and ("Content Security Policy" in m.text or "Refused" in m.text)
                else None
            ),
        )
        page.on(
            "response",
            lambda r: (
                self.append(f"{r.status} {r.url}")
                if r.status >= 400 and r.request.resource_type != "document"
                else None
            ),
        )
        return page


@pytest.fixture
def make_page(browser):
    contexts, problems = [], Problems()

    def make(width=1280, height=900, **options):
        context = browser.new_context(viewport={"width": width, "height": height}, **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return problems.watch(context.new_page())

    yield make
    for context in contexts:
        context.close()
    assert not problems, problems


@pytest.fixture
def page(make_page):
    return make_page()
