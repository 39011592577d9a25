"""Plain text from a record's field that holds HTML, as a content system exports it.

A JSON Lines field is plain text, but exports often carry the article's markup (``<p>``,
``<br>``, ``<a href>``, ``&amp;``, ``&nbsp;``). Indexed as written, its tags would be searched
as words and shown, escaped, in every snippet. A field is read as HTML only when it holds a
tag of an HTML element or an entity HTML names, so text that only mentions "<" or "&" ("a < b",
"AT&T") is left as it is. The fragment is parsed by selectolax (Lexbor, a real HTML5 parser):
its block elements become paragraphs, ``<br>`` a line break, and scripts, styles and templates
are dropped.
"""

import re
from html import unescape
from html.entities import html5

from selectolax.lexbor import LexborHTMLParser

# Elements an article's markup is made of; a tag of another name ("<3", "<ref>") is not taken
# as a sign of HTML.
_ELEMENTS = (
    "a|abbr|article|aside|b|blockquote|br|caption|center|cite|code|dd|del|div|dl|dt|em|figcaption|figure|"
    "font|footer|h[1-6]|header|hr|i|iframe|img|ins|li|main|mark|nav|noscript|ol|p|pre|q|s|script|section|"
    "small|span|strike|strong|style|sub|sup|table|tbody|td|template|tfoot|th|thead|tr|u|ul"
)
_TAG = re.compile(rf"</?(?:{_ELEMENTS})(?:\s[^<>]*)?/?>", re.IGNORECASE)
_ENTITY = re.compile(r"&(?:#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};|([A-Za-z][A-Za-z0-9]{1,31};))")
_DROPPED = "script, style, template, noscript"
_BLOCKS = (
    "address, article, aside, blockquote, caption, dd, div, dl, dt, figcaption, figure, footer, h1, h2, h3, h4, "
    "h5, h6, header, hr, li, main, nav, ol, p, pre, section, table, tr, ul"
)


def has_markup(text: str) -> bool:
    """Whether ``text`` holds an HTML tag of an article's elements or an entity HTML names."""
    if "<" in text and _TAG.search(text):
        return True
    if "&" not in text:
        return False
    return any(not m.group(1) or m.group(1) in html5 for m in _ENTITY.finditer(text))


def text_of(fragment: str) -> str:
    """The text of an HTML ``fragment``, its blocks apart by a blank line (``records.clean_text``
    then makes them its paragraphs)."""
    if not _TAG.search(fragment):
        return unescape(fragment)  # entities only: the line breaks stay as they are
    tree = LexborHTMLParser(fragment)
    for node in tree.css(_DROPPED):
        node.decompose()
    for node in tree.css(_BLOCKS):
        node.insert_before("\n\n")
        node.insert_after("\n\n")
    for node in tree.css("br"):
        node.insert_before("\n")
    root = tree.body
    return root.text(deep=True) if root is not None else ""


def read_field(text: str) -> str:
    """``text`` as written, or its text when it holds markup (:func:`has_markup`)."""
    return text_of(text) if has_markup(text) else text
