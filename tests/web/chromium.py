"""Debian's Chromium driven by Playwright, for the browser tests: its path, its flags, the skip
when it is missing (``.ci/run`` installs it), and one browser per test module."""

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
MISSING = ("browser tests need Debian's Chromium at /usr/bin/chromium (apt-get install chromium; "
           ".ci/run installs it)")


def playwright_or_skip():
    """Playwright's sync API, or the calling test module skipped when Chromium or Playwright is missing."""
    if not CHROMIUM.exists():
        pytest.skip(MISSING, allow_module_level=True)
    return pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")


@pytest.fixture(scope="module")
def browser():
    sync_api = playwright_or_skip()
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
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
