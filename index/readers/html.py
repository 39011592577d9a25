"""Release pages saved from a news site: one HTML file per release.

The page's metadata (language, canonical URL, title, publication date) is read
with selectolax, a real HTML5 parser; the article text is extracted with
trafilatura, an extractor made for news pages, which drops navigation, scripts,
styles, sidebars and footers.  When a page carries no machine-readable date, the
visible date line is read with the same Babel-based parser as the listings.
"""

import itertools
import logging
from collections.abc import Iterator
from pathlib import Path

import trafilatura
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from trafilatura.settings import Document, set_date_params

from .. import language
from ..dates import DateError, ImpossibleDate, parse_labelled_date, parse_stated_date
from ..records import (
    LANGUAGES,
    ReadResult,
    Rejected,
    Release,
    Warning_,
    clean_line,
    clean_text,
    derived_id,
    first_paragraph,
    normalize_lang,
    web_address,
)
from .decoding import decode, read_known_file

logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
logging.getLogger("htmldate").setLevel(logging.CRITICAL)

_DATE_META = (
    'meta[property="article:published_time"]',
    'meta[name="article:published_time"]',
    'meta[itemprop="datePublished"]',
    'meta[name="date"]',
    'meta[name="dc.date"]',
    'meta[name="DC.date.issued"]',
    'meta[property="og:published_time"]',
)
_TITLE_SUFFIX_SEPARATORS = (" | ", " – ", " — ", " - ")


def read(path: Path, known=None) -> ReadResult:
    return read_known_file("html", path.read_bytes(), str(path), known, lambda data: _read_data(data, str(path)))


def read_page(data: bytes, source: str, known=None, default_url: str = "") -> ReadResult:
    """A page fetched from a site (``source`` is its address): read as a saved page is, its
    address becoming the release's url when the page names no canonical one."""

    def parse_data(data):
        result = _read_data(data, source)
        for release in result.releases:
            if isinstance(release, Release):  # (all are: the page is parsed)
                release.url = release.url or default_url
        for rejected in result.rejected:
            rejected.url = rejected.url or default_url
        return result

    return read_known_file("html", data, source, known, parse_data)


def _read_data(data: bytes, source: str) -> ReadResult:
    declared = _declared_charset(data)
    text, warnings = decode(data, source, declared)
    result = ReadResult(warnings=warnings)
    if _cut_short(text):
        result.warnings.append(
            Warning_(source, 1, "the page ends before its end (no </html>, or inside a tag): was it cut short?")
        )
    try:
        result.releases.append(parse(text, source))
    except ValueError as error:
        # Its address, where it gives one, names the release whose live version then stays.
        result.rejected.append(Rejected(source, 1, str(error), url=_canonical(HTMLParser(text))))
    return result


def _cut_short(html: str) -> bool:
    """Whether a saved page that opens as a whole document ends before its end: no ``</html>``
    (nor ``</body>``) after an ``<html>``, or its last tag not closed (a partial copy or
    download; the release it gives then lacks what was cut off)."""
    tail = html[-4096:].lower()
    if tail.rfind("<") > tail.rfind(">"):
        return True
    return "<html" in html[:4096].lower() and "</html" not in tail and "</body" not in tail


def parse(html: str, source: str) -> Release:
    tree = HTMLParser(html)
    title = _title(tree)
    if not title:
        raise ValueError("page has no title (no og:title, <h1> or <title>)")
    templates = [t for t in tree.css("template") if not _shadow_root(t)]
    if templates:
        # A template's content is markup a script may show later, never the page's text; the
        # extractor would read it as text.  A declarative shadow root's is shown: it stays.
        for template in templates:
            template.decompose()
        html = tree.html or ""
    extracted = trafilatura.bare_extraction(
        html,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        favor_recall=True,
        deduplicate=False,
        # The page's markup and metadata only: the extensive search takes a year anywhere on the
        # page ("© 2019" in the footer) for the date, as 1 January of it.
        date_extraction_params=set_date_params(extensive=False),
    )
    paragraphs = []
    extracted_date = None
    if isinstance(extracted, Document):  # (or None; a dict only when asked for one, with as_dict)
        extracted_date = getattr(extracted, "date", None)
        paragraphs = [clean_line(p) for p in (extracted.text or "").split("\n")]
    date, impossible = _meta_date(tree)
    date = date or _visible_date(tree, paragraphs)
    if date is None and not impossible:
        # The extractor's guess, only when the page states no date of its own: from a stated
        # date that names no real day (2019-02-30) it would make one up (2019-02-01).
        date = _iso_or_none(extracted_date)
    if any(p.startswith(f"{title} ") for p in paragraphs):
        # The extractor's fallback for a short article (a bare <time> beside one or two <p>):
        # the whole article as one line, its title and date at the start. Its blocks are read,
        # when they hold its text (not text outside any block, a <div>'s, which they would lose).
        blocks = _blocks(tree)
        merged = sum(len(p) for p in paragraphs) - len(title)
        if blocks and sum(len(b) for b in blocks) >= 0.8 * merged - 40:
            paragraphs = blocks
    chrome = _chrome_texts(tree)
    paragraphs = [p for p in paragraphs if p and p not in chrome and not _is_title_or_date(p, title)]
    body = clean_text("\n\n".join(paragraphs))
    if not body:
        raise ValueError("page has no body text")
    if date is None and impossible:
        raise ValueError(f"page's publication date {impossible[:40]!r} is not a real date")
    if date is None:
        raise ValueError("page has no publication date (no article:published_time, <time> or date line)")
    declared = _declared_language(tree)
    if declared is not None and declared not in LANGUAGES:
        raise ValueError(f"page language {declared!r} is not English or Spanish")
    lang = declared or language.detect(f"{title}\n{body}")
    if lang is None:
        raise ValueError("cannot tell whether the page is in English or Spanish")
    return Release(
        id=derived_id(lang, date, title),
        lang=lang,
        date=date,
        title=title,
        body=body,
        summary=_description(tree) or first_paragraph(body),
        url=_canonical(tree),
        source=source,
        line=1,
        lang_detected=declared is None,
    )


def _chrome_texts(tree) -> set[str]:
    """Texts of links and of navigation, header, footer and sidebar blocks.

    The extractor, when a page's article is empty, falls back to whatever text it can
    find; a paragraph that is exactly one of these is page furniture, not the release.
    """
    texts = set()
    nodes = list(tree.css("a, nav, header, footer, aside, [role=navigation], [role=banner], [role=contentinfo]"))
    # A cookie banner; not an element that holds the page's article (WordPress's cookie plugin
    # marks <body class="cookies-not-set">).
    nodes += [
        node
        for node in tree.css("[class*=cookie], [id*=cookie], [class*=consent], [id*=consent]")
        if node.tag not in ("html", "body", "main", "article") and node.css_first("article, main, h1") is None
    ]
    for node in nodes:
        for line in node.text(separator="\n").split("\n"):
            line = clean_line(line)
            if line:
                texts.add(line)
    return texts


def _declared_charset(data: bytes) -> str | None:
    head = HTMLParser(data[:4096].decode("ascii", errors="ignore"))
    node = head.css_first("meta[charset]")
    if node is not None:
        return node.attributes.get("charset")
    node = head.css_first('meta[http-equiv="Content-Type" i]')
    if node is not None:
        content = node.attributes.get("content") or ""
        if "charset=" in content.lower():
            return content.lower().split("charset=", 1)[1].strip()
    return None


def _attr(tree, selector: str, name: str) -> str:
    node = tree.css_first(selector)
    return clean_line(node.attributes.get(name) or "") if node is not None else ""


def _title(tree) -> str:
    for selector in ('meta[property="og:title"]', 'meta[name="twitter:title"]'):
        value = _attr(tree, selector, "content")
        if value:
            return value
    for selector in ("article h1", "main h1", "h1"):
        node = tree.css_first(selector)
        if node is not None and clean_line(node.text()):
            return clean_line(node.text())
    node = tree.css_first("title")
    if node is None:
        return ""
    title = clean_line(node.text())
    for separator in _TITLE_SUFFIX_SEPARATORS:
        if separator in title:
            title = title.rsplit(separator, 1)[0]
            break
    return title


def _declared_language(tree) -> str | None:
    for selector, name in (
        ("html", "lang"),
        ("html", "xml:lang"),
        ('meta[http-equiv="content-language" i]', "content"),
        ('meta[property="og:locale"]', "content"),
    ):
        value = _attr(tree, selector, name)
        if value:
            return normalize_lang(value)
    return None


def _iso_or_none(value) -> object:
    if not value:
        return None
    try:
        return parse_stated_date(str(value))
    except DateError:
        return None


def _meta_date(tree):
    """The first real date the page's metadata states, and else the first stated date that
    names no real day (or None)."""
    values = [_attr(tree, selector, "content") for selector in _DATE_META]
    values += [
        clean_line(node.attributes.get("datetime") or "")
        for node in tree.css("article time[datetime], main time[datetime], time[datetime]")
    ]
    impossible = None
    for value in values:
        if not value:
            continue
        try:
            return parse_stated_date(value), None
        except ImpossibleDate:
            impossible = impossible or value
        except DateError:
            continue
    return None, impossible


def _visible_date(tree, paragraphs):
    candidates = [clean_line(n.text()) for n in tree.css("time, .date, [class*=date], [class*=fecha]")]
    # (the article's short texts read only when neither of the others shows a date)
    for text in itertools.chain(candidates, paragraphs[:5], _short_lines(tree)):
        try:
            parsed = parse_labelled_date(text)
        except DateError:
            continue
        if parsed:
            return parsed[0]
    return None


_SHORT_LINE = 60  # longer than any date line, labelled ("Publicado el 14 de septiembre de 2021")
_FURNITURE = frozenset({"footer", "nav", "aside"})
_BLOCKS = frozenset({"p", "li", "blockquote"})  # a block inside one of these is read with it


def _short_lines(tree, limit: int = 40) -> Iterator[str]:
    """The first short texts of the article (else of the main part, else of the page), in
    the order shown, outside footers, navigation and sidebars: where a page shows its date
    ("Published on Aug. 14, 2021") the extractor leaves it out of the text, as metadata."""
    scope = tree.css_first("article") or tree.css_first("main") or tree.body
    if scope is None:
        return
    found = 0
    for node in scope.css("p, time, span, div, li, small, em, strong, h2, h3, h4, h5, h6"):
        text = clean_line(node.text())
        if not text or len(text) > _SHORT_LINE or not any(c.isdigit() for c in text):
            continue
        if _within(node, scope, _FURNITURE):
            continue
        yield text
        found += 1
        if found == limit:
            return


def _blocks(tree) -> list[str]:
    """The texts of the article's paragraphs, list items and subheadings, in order (of the
    main part where there is no article), outside footers, navigation and sidebars."""
    scope = tree.css_first("article") or tree.css_first("main")
    if scope is None:
        return []
    out = []
    for node in scope.css("p, li, blockquote, h2, h3, h4, h5, h6"):
        if _within(node.parent, scope, _BLOCKS) or _within(node, scope, _FURNITURE):
            continue  # (a paragraph inside a list item or a quotation is read with it)
        text = clean_line(node.text())
        if text:
            out.append(text)
    return out


def _within(node, scope, tags: frozenset) -> bool:
    """Whether ``node``, or an element around it inside ``scope``, is one of ``tags``."""
    while node is not None and node.mem_id != scope.mem_id:
        if node.tag in tags:
            return True
        node = node.parent
    return False


def _is_title_or_date(paragraph: str, title: str) -> bool:
    if paragraph == title:
        return True
    try:
        return parse_labelled_date(paragraph) is not None
    except DateError:
        return True


def _shadow_root(template) -> bool:
    """Whether a ``<template>`` is a declarative shadow root (its content is shown at once)."""
    attributes = template.attributes
    return "shadowrootmode" in attributes or "shadowroot" in attributes


def _description(tree) -> str:
    return _attr(tree, 'meta[name="description"]', "content") or _attr(
        tree, 'meta[property="og:description"]', "content"
    )


def _canonical(tree) -> str:
    """The page's own http(s) address: its canonical link, else og:url."""
    return web_address(_attr(tree, 'link[rel="canonical"]', "href")) or web_address(
        _attr(tree, 'meta[property="og:url"]', "content")
    )
