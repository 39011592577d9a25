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
