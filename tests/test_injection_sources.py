"""Markup in the data: releases whose title, body and url carry <script>, event-handler attributes,
``javascript:`` URLs and broken markup, indexed through each source format (JSON Lines, listing
text, HTML pages), and queries carrying the same.

The search result model's HTML fields (``title_html``, ``snippets``) hold no element but <mark>
and no attribute at all -- checked with a real HTML parser -- and unescaped they give back the
release's own text; the stored title and body keep the markup of listings as text, for the web
layer to show as text (a JSON Lines field holding HTML is read as HTML, its text kept).
"""

import html
import re
from html.parser import HTMLParser

import pytest

from index.build import reindex
from search.engine import Archive
from search.params import SearchParams

from .helpers import release, stored, write_jsonl

TITLE = '<script>alert("t")</script> Migrant <b onmouseover=alert(1)>workers</b> in <img src=x onerror=alert(2)> Panama'
BODY = (
    'Migrant workers <script>alert(3)</script> receive <a href="javascript:alert(4)">training</a> '
    'in Panama <iframe src=//evil.example></iframe> and <svg onload=alert(5)> broken <div class="x" '
    "<p unclosed & ampersand < lt > gt \"quote\" 'apos' <mark onclick=alert(6)>marked</mark> "
    "</textarea><!-- comment --> ]]> &amp;lt;b&amp;gt; end of the markup test."
)
SECOND = (
    "IOM and the Ministry of Labour of Panama trained <style>body{display:none}</style> 200 "
    "<object data=javascript:alert(12)>employers</object> on fair recruitment of migrant workers."
)
URL = "javascript:alert(7)"

SPANISH_TITLE = '<img src=x onerror="alert(13)"> Trabajadoras migrantes en México <script>alert(14)</script>'
SPANISH_BODY = (
    "Ciudad de México. La OIM capacita a trabajadoras migrantes <a onclick='alert(15)'>en México</a> "
    "sobre sus derechos laborales y el acceso a la salud. <scr<script>ipt>alert(16)</script>"
)


def write_sources(directory):
    write_jsonl(
        directory / "releases.jsonl",
        [
            release(id="inj-jsonl", title=TITLE, body=f"{BODY}\n\n{SECOND}", summary=BODY, url=URL, date="2021-05-04"),
            release(
                id="inj-jsonl-es",
                lang="es",
                title=SPANISH_TITLE,
                body=SPANISH_BODY,
                url="javascript:alert(17)",
                date="2021-05-04",
            ),
        ],
    )
    (directory / "listing.txt").write_text(
        f"4 June, 2021\n\n{TITLE} (listing)\n\n{BODY}\n\n{SECOND}\n\n"
        f"5 de junio de 2021\n{SPANISH_TITLE} (listado)\n{SPANISH_BODY}\n",
        encoding="utf-8",
    )
    pages = directory / "pages"
    pages.mkdir()
    attr = html.escape(f"{TITLE} (page)", quote=True)
    (pages / "release.html").write_text(
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(TITLE)} | IOM</title>'
        f'<meta property="og:title" content="{attr}">'
        f'<meta property="article:published_time" content="2021-07-04">'
        f'<link rel="canonical" href="javascript:alert(11)">'
        f'<script>document.write("SCRIPT_ELEMENT")</script></head>\n<body onload="alert(18)">\n'
        f"<article>\n<h1>{html.escape(TITLE)} (page)</h1>\n"
        f'<p onclick="alert(9)">{html.escape(BODY)}</p>\n'
        f'<p>{html.escape(SECOND)} <a href="javascript:alert(10)">Read more about migrant workers</a></p>\n'
        f'<script>alert("SCRIPT_IN_ARTICLE")</script>\n'
        f'<p>Real markup in the page: <b>bold <i>unclosed italics <span style="x">and a span\n'
        f"</article></body></html>\n",
        encoding="utf-8",
    )


@pytest.fixture(scope="module")
def indexed(tmp_path_factory):
    directory = tmp_path_factory.mktemp("injection")
    write_sources(directory)
    summary = reindex([directory], directory / "ix", progress=False)
    assert not summary.rejected, summary.rejected
    return Archive(directory / "ix"), stored(directory / "ix")


class _Markup(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.attributes, self.other = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes += attrs

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        self.tags.append(f"/{tag}")

    def handle_comment(self, data):
        self.other.append(f"<!--{data}-->")

    def handle_decl(self, decl):
        self.other.append(decl)

    def handle_pi(self, data):
        self.other.append(data)

    def unknown_decl(self, data):
        self.other.append(data)


def check_inert(fragment: str) -> None:
    """Only <mark>...</mark>, no attribute, no comment or declaration; well nested."""
    parser = _Markup()
    parser.feed(fragment)
    parser.close()
    assert set(parser.tags) <= {"mark", "/mark"}, (parser.tags, fragment)
    assert parser.attributes == [], fragment
    assert parser.other == [], fragment
    assert parser.tags == ["mark", "/mark"] * (len(parser.tags) // 2), fragment
    # The only raw "<" are the marks'; everything else the data held is an entity.
    assert re.sub(r"</?mark>", "", fragment).count("<") == 0, fragment


def as_text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"</?mark>", "", fragment)).split())


def squeeze(text: str) -> str:
    return " ".join(text.split())


QUERIES = [
    "migrant workers panama",
    "script alert",
    "onerror",
    "javascript",
    "onmouseover",
    "alert",
    "iframe",
    '"<script>alert"',
    "<img src=x onerror=alert(2)>",
    'title:"<b onmouseover"',
    "trabajadoras migrantes",
    "mark onclick",
    "<mark>",
    "</mark><script>",
    '"><svg onload=alert(1)>',
    "&lt;b&gt;",
    "textarea comment",
    "employers style",
    "lt gt quote apos",
]


@pytest.mark.parametrize("sort", ["relevance", "newest"])
@pytest.mark.parametrize("separate", [False, True])
def test_highlighted_fields_hold_only_marks(indexed, sort, separate):
    archive, releases = indexed
    seen, marks = set(), 0
    for text in QUERIES + [""]:
        for ui in ("en", "es"):
            result = archive.search(SearchParams(q=text, sort=sort, separate=separate, ui=ui, per_page=50))
            for hit in result.hits:
                seen.add(hit.id)
                check_inert(hit.title_html)
                marks += hit.title_html.count("<mark>") + sum(s.count("<mark>") for s in hit.snippets)
                assert as_text(hit.title_html) == squeeze(releases[hit.id]["title"])
                assert hit.snippets
                body = squeeze(releases[hit.id]["body"])
                summary = squeeze(releases[hit.id].get("summary") or "")
                for snippet in hit.snippets:
                    check_inert(snippet)
                    assert as_text(snippet).strip(" .…") in f"{body} {summary}", snippet
    assert seen == set(releases), "every release was shown by some search"
    assert marks > 50


def test_queries_with_markup_find_the_releases_and_mark_words_only(indexed):
    archive, _ = indexed
    result = archive.search(SearchParams(q="<img src=x onerror=alert(2)> workers", separate=True))
    assert result.total >= 3
    marked = {
        m for hit in result.hits for f in [hit.title_html, *hit.snippets] for m in re.findall(r"<mark>(.*?)</mark>", f)
    }
    assert marked and all("<" not in m and ">" not in m for m in marked), marked


def test_every_format_keeps_the_markup_as_text(indexed):
    _, releases = indexed
    by_source = {}
    for fields in releases.values():
        kind = "page" if fields["title"].endswith("(page)") else "listing" if "(list" in fields["title"] else "jsonl"
        by_source.setdefault(kind, []).append(fields)
    assert {k: len(v) for k, v in by_source.items()} == {"jsonl": 2, "listing": 2, "page": 1}

    # A JSON Lines field holding HTML is read as HTML (``index.readers.markup``), as a browser
    # would: its elements' text stays, scripts, styles and attributes go; what is left is text.
    jsonl = {f["id"]: f for f in by_source["jsonl"]}
    assert jsonl["inj-jsonl"]["title"] == "Migrant workers in Panama"
    body = jsonl["inj-jsonl"]["body"]
    assert body.startswith("Migrant workers receive training in Panama and broken\n\n")
    assert body.endswith(
        "&lt;b&gt; end of the markup test.\n\nIOM and the Ministry of Labour of Panama trained 200 employers "
        "on fair recruitment of migrant workers."
    )
    assert not re.search(r"alert\(\d+\)|onclick|javascript:|display:none", body)
    assert jsonl["inj-jsonl-es"]["title"] == "Trabajadoras migrantes en México"
    assert jsonl["inj-jsonl-es"]["body"].startswith("Ciudad de México. La OIM capacita a trabajadoras migrantes en")

    # Markup pasted into a listing is read as a JSON Lines field's is (it went into the text and
    # the id as written: "<b>Honduras</b>" made "-b-honduras-b-").
    listing = {f["lang"]: f for f in by_source["listing"]}
    assert listing["en"]["title"] == "Migrant workers in Panama (listing)"
    assert listing["en"]["body"] == jsonl["inj-jsonl"]["body"]
    assert listing["es"]["title"] == "Trabajadoras migrantes en México (listado)"
    assert listing["es"]["body"] == jsonl["inj-jsonl-es"]["body"]

    (page,) = by_source["page"]
    assert page["title"] == f"{TITLE} (page)"
    # The article extractor decodes character references in the text once more (the page's
    # text "&amp;lt;b&amp;gt;" is stored as "&lt;b&gt;"); the markup itself stays text.
    assert html.unescape(squeeze(BODY)) in squeeze(page["body"]) and squeeze(SECOND) in squeeze(page["body"])
    # The page's own script elements are page furniture, not text.
    assert "SCRIPT_ELEMENT" not in page["body"] and "SCRIPT_IN_ARTICLE" not in page["body"]


def test_urls_that_are_not_web_addresses_are_not_kept(indexed):
    """A ``javascript:`` url would be a link that runs code; the index keeps http(s) addresses only."""
    archive, releases = indexed
    assert all(fields.get("url", "") == "" for fields in releases.values())
    result = archive.search(SearchParams(q="migrant", separate=True, per_page=50))
    assert len(result.hits) == len(releases) and all(hit.url == "" for hit in result.hits)
    detail = archive.release("inj-jsonl")
    assert detail.url == ""


@pytest.mark.parametrize(
    "url, kept",
    [
        ("https://rosanjose.iom.int/en/news/a", True),
        ("HTTP://example.org/x?a=<b>", True),
        ("javascript:alert(1)", False),
        ("JavaScript:alert(1)", False),
        (" javascript:alert(1)", False),
        ("java\tscript:alert(1)", False),
        ("java\nscript:alert(1)", False),
        ("data:text/html,<script>x</script>", False),
        ("vbscript:msgbox", False),
        ("//evil.example/x", False),
        ("/es/noticias/x", False),
        ("http://", False),
        ("https:///x", False),
        ("http://[::1", False),
    ],
)
def test_jsonl_url_field(tmp_path, url, kept):
    from index.readers import read_sources

    result = read_sources([write_jsonl(tmp_path / "a.jsonl", [release(url=url)])])
    (read,) = result.releases
    assert (read.url != "") == kept
    assert kept or any("is not an http(s) address; left out" in str(w) for w in result.warnings)
