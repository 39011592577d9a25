"""Debian's Chromium driven by Playwright, for the browser tests: its path, its flags, a clear
failure when it is missing (``scripts/system-deps`` installs it; ``make test`` runs that), and
one browser per test module."""

from contextlib import contextmanager

import pytest
from playwright import sync_api

from tests.system_packages import probes, require

CHROMIUM = probes()["chromium"]
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def playwright_api():
    """Playwright's sync API, once Chromium is known to be there (the calling test fails if not)."""
    require("chromium")
    return sync_api


@contextmanager
def launched_browser():
    """Chromium, headless, for as long as the block runs (the ``browser`` fixture of tests/web)."""
    with playwright_api().sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


# --- a browser that stops answering ----------------------------------------------------------
# Playwright bounds what it waits for on a page, but not every call into the browser (an
# evaluate, closing a context). A browser test gets this many seconds (the slowest takes about
# ten on a 2-core machine); when one runs out, the module's later browser tests fail at once,
# naming it, instead of each waiting as long on the same stuck browser.
BROWSER_TEST_TIMEOUT = 120
_stuck: dict[str, str] = {}  # test module -> the test whose browser call never returned


def bound_browser_tests(items) -> None:
    """Give every test that uses the browser the shorter time limit (pytest-timeout's marker)."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.timeout(BROWSER_TEST_TIMEOUT))


def note_stuck_browser(item, report) -> None:
    if report.failed and "browser" in getattr(item, "fixturenames", ()) and "Timeout" in str(report.longrepr):
        _stuck.setdefault(item.module.__name__, item.nodeid)


def fail_if_browser_stuck(item) -> None:
    if "browser" in getattr(item, "fixturenames", ()) and item.module.__name__ in _stuck:
        pytest.fail(f"not run: the browser stopped answering in {_stuck[item.module.__name__]}", pytrace=False)
