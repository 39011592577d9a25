"""Telling a release page from the other pages a news site answers with.

The HTML reader takes any page with a title, a date and some text; a site also serves
pages that have all three and are no release: the list of a category, its "page not
found" page served with status 200, a login form.  Each is recognised here and named, so
that staff read why a listed address gave no release.
"""

import re
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser as HTMLParser

from ..records import clean_line

# Words of a "not found" page's title or heading, in English and Spanish.
# Looked for only on pages that do not say they are an article, in a short title or heading.
_NOT_FOUND = re.compile(r"\b(404|not found|no encontrada|no se (ha )?encontr[oó])\b", re.I)
_SHORT = 80
_LOGIN_PATH = re.compile(r"/(user/)?(login|log-in|signin|sign-in|iniciar-sesion|acceso|auth)(/|$|\?)", re.I)
_CHROME = "nav, header, footer, aside, [role=navigation], [role=banner], [role=contentinfo]"
MIN_LISTED_LINKS = 3  # links to other releases that make a page without article metadata a list


def page_signature(html: str) -> tuple[str, str]:
    """A page's title and first heading, which tell the site's "not found" page from the others
    (the title alone may be the site's name on every page)."""
    tree = HTMLParser(html)
    return _title_and_heading(tree)


def _title_and_heading(tree) -> tuple[str, str]:
    title = tree.css_first("title")
    heading = tree.css_first("h1")
    return (
        clean_line(title.text()) if title is not None else "",
        clean_line(heading.text()) if heading is not None else "",
    )


def not_a_release(html: str, url: str, releases: set[str], not_found: tuple[str, str] | None = None) -> str | None:
    """Why the page at ``url`` is not a release page, or None when it may be one.

    ``releases`` are the addresses the discovery took for releases; ``not_found`` the title
    and heading of the page the site gives for an address that cannot exist (when it
    answered that with status 200).
    """
    if _LOGIN_PATH.search(urlsplit(url).path):
        return f"a login wall (the page is {urlsplit(url).path})"
    tree = HTMLParser(html)
    if tree.css_first('input[type="password" i]') is not None:
        return "a login wall (the page asks for a password)"
    title, heading = _title_and_heading(tree)
    if not_found is not None and (title, heading) == not_found:
        return "the site's 'page not found' page, served with status 200"
    if not _is_article(tree):
        shown = heading or title
        if len(shown) < _SHORT and _NOT_FOUND.search(shown):
            return f"a 'page not found' page served with status 200 ({shown!r})"
        for node in tree.css(_CHROME):
            node.decompose()
        root = tree.css_first("main") or tree.body
        here = url.split("#", 1)[0]
        linked = set()
        if root is not None:
            for anchor in root.css("a[href]"):
                target = urljoin(url, anchor.attributes.get("href") or "").split("#", 1)[0]
                if target != here and target in releases:
                    linked.add(target)
        if len(linked) >= MIN_LISTED_LINKS:
            return f"a list of {len(linked)} releases (a category or listing page)"
    return None


def _is_article(tree) -> bool:
    """Whether the page says it is one article (Open Graph type, a publication time, one <article>)."""
    og = tree.css_first('meta[property="og:type"]')
    if og is not None and (og.attributes.get("content") or "").lower() == "article":
        return True
    if tree.css_first('meta[property="article:published_time"], meta[itemprop="datePublished"]') is not None:
        return True
    return len(tree.css("article")) == 1 and tree.css_first("article h1") is not None
