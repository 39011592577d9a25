"""Small things a visitor notices (issue 17, item 8), through Flask's test client: the way back
from a release to the results, the error page on the Spanish site, plural forms, placeholders,
and no timing beside the result count."""

import re
from html import unescape

import pytest

from .test_pages import RELEASE_EN, get_page


# --- the way back from a release to the results -----------------------------------------------------
def back_link(html: str) -> tuple[str, str] | None:
    """The address and text of a page's "Back to results" link, if it has one."""
    found = re.search(r'<p class="back-link"><a href="([^"]*)">.*?<span>([^<]*)</span></a></p>', html, flags=re.S)
    return (unescape(found.group(1)), found.group(2)) if found else None


@pytest.mark.parametrize("lang,label", [("en", "Back to results"), ("es", "Volver a los resultados")])
def test_a_release_opened_from_the_results_links_back_to_them(client, lang, label):
    results = f"http://localhost/{lang}/search?q=migrants&country=MX&page=2"
    response = client.get(f"/{lang}/releases/{RELEASE_EN}", headers={"Referer": results})
    assert back_link(response.get_data(as_text=True)) == (f"/{lang}/search?q=migrants&country=MX&page=2", label)


@pytest.mark.parametrize("referrer", [
    None,
    "http://localhost/en/help",  # another page of the site
    "http://other.example/en/search?q=migrants",  # another site's page at the same path
    "http://localhost/en/releases/x?q=migrants",
])
def test_no_way_back_without_a_results_page_before(client, referrer):
    headers = {"Referer": referrer} if referrer else {}
    response, page = get_page(client, f"/en/releases/{RELEASE_EN}", headers=headers)
    assert back_link(response.get_data(as_text=True)) is None
    assert "Back to results" not in page.text


def test_the_way_back_is_escaped_and_stays_on_the_site(client):
    results = 'http://localhost/en/search?q="><script>alert(1)</script>&lang=es'
    response, page = get_page(client, f"/en/releases/{RELEASE_EN}", headers={"Referer": results})
    html = response.get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert back_link(html)[0] == "/en/search?q=%22%3E%3Cscript%3Ealert%281%29%3C%2Fscript%3E&lang=es"
