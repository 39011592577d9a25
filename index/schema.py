"""The Whoosh schema: one text field pair per language, facet fields, and stored display fields.

A release fills only the text fields of its own language (``title_en``/``body_en``
or ``title_es``/``body_es``); searches run a query through both analysers against
both pairs.  The body field holds the title ``TITLE_WEIGHT`` times before the text, so matching
and ranking need only the body fields: a title word counts that many times in the one BM25
saturation of its term (BM25F with weighted field frequencies), rather than adding a second,
separately saturated score from the title field, which let a title word outweigh a text
that answers the query.  The title fields serve ``title:`` searches and highlighting.  Facet
values are also columns (``sortable``), which search reads once per generation.  Unstemmed
words for spelling corrections and autocomplete are not indexed: each generation carries a
vocabulary file instead (see ``index.vocabulary``).

A title written in the other language than its body (a listing item with an English title
over a Spanish summary, ``index.language.title_language``) goes to the fields of its own
language, its weighted copies to that language's body field, and the body alone to the body
field of its language: each is analysed in the language it is written in.
"""

import datetime as dt

from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.reading import TermNotFound

from .analysis import LANGUAGES, analyzer, exact_analyzer
from .language import title_language
from .records import Release

# Bump when the schema, the analysers or what goes into which field change (index.language's
# rule for a title's language, how a source's text is read): an incremental reindex then
# rebuilds in full.
SCHEMA_VERSION = 34
# How many times the title's words count in the body field. Chosen on the bilingual relevance
# benchmark and the judged queries (README, "Relevance, measured"): 2 ranks best on both; 1
# (the title once, as text) and 3 or more rank the benchmark lower.
TITLE_WEIGHT = 2


def exact_field(lang: str) -> str:
    """The field of the exact forms of ``lang``'s words its stemming changes (see ``build_schema``)."""
    return f"exact_{lang}"


class ColumnID(ID):
    """A value kept per document as a column (read by search, a string), neither indexed nor
    stored: a term per release that no query looks up would cost writing and space."""

    indexed = False

    def __init__(self):
        super().__init__(stored=False, sortable=True)


def build_schema() -> Schema:
    fields = dict(
        id=ID(stored=True, unique=True, sortable=True),
        lang=ID(stored=True, sortable=True),
        # The day, as its ordinal (``date.toordinal()``): a release has no time of day, and Whoosh's
        # DATETIME indexes eight levels of microseconds, five of them a term per distinct day.
        date=NUMERIC(int, bits=32, shift_step=8, stored=True, sortable=True),
        year=NUMERIC(int, bits=32, stored=True, sortable=True),
        countries=KEYWORD(stored=True, commas=True, scorable=False, sortable=True),
        topics=KEYWORD(stored=True, commas=True, scorable=False, sortable=True),
        pair=STORED(),
        # The translation group: the smaller id of a pair, or the release's own id (search
        # reads the column; nothing looks the group up as a term).
        group=ColumnID(),
        translation_key=STORED(),
        title=STORED(),
        # The title's language, only where it is not the release's (``lang``): highlighting
        # analyses the title in it.
        title_lang=STORED(),
        body=STORED(),
        summary=STORED(),
        url=STORED(),
        content_hash=STORED(),
    )
    for lang in LANGUAGES:
        fields[f"title_{lang}"] = TEXT(analyzer=analyzer(lang), phrase=True)
        fields[f"body_{lang}"] = TEXT(analyzer=analyzer(lang), phrase=True)
        # The words its stemming changes, unstemmed (lower-cased, accent-folded, as SQLite FTS5's
        # unicode61 reads them), from the text of the body field: a query's word in its exact form
        # takes a share of its stem's score (search.compile.EXACT_SHARE). A word that is its own stem
        # is left out, as the query leaves it out: its postings would be the stem's. It scores single
        # words, never a phrase: frequencies without positions (Whoosh's Frequency format).
        fields[exact_field(lang)] = TEXT(analyzer=exact_analyzer(lang), phrase=False)
    return Schema(**fields)


def stored_day(value: int) -> dt.date:
    """A release's day from its stored or column ``date`` value (a day ordinal)."""
    return dt.date.fromordinal(value)


def stored_title_lang(fields: dict) -> str:
    """The language a release's title is written in, from its stored fields: ``title_lang`` is
    stored only when it is not the text's."""
    return fields.get("title_lang") or fields["lang"]


def docnums_with_id(reader, release_id: str) -> list[int]:
    """The numbers of the documents (not deleted) whose id is ``release_id``, by the id field's
    postings (no searcher needed)."""
    try:
        return list(reader.postings("id", release_id).all_ids())
    except TermNotFound:
        return []


def stored_release(fields: dict, enriched: bool = True) -> Release:
    """The release a document was written from, by its stored ``fields``; with ``enriched``
    False, its countries and topics are left unset (for enrichment to find them again)."""
    return Release(
        id=fields["id"],
        lang=fields["lang"],
        date=stored_day(fields["date"]),
        title=fields["title"],
        body=fields["body"],
        summary=fields.get("summary") or "",
        url=fields.get("url") or "",
        translation_key=fields.get("translation_key") or "",
        countries=[c for c in (fields.get("countries") or "").split(",") if c] if enriched else None,
        topics=[t for t in (fields.get("topics") or "").split(",") if t] if enriched else None,
    )


def document(release: Release, content_hash: str) -> dict:
    """The Whoosh document for an enriched release."""
    # The release's language (the facet, the filter, the version shown of a pair) is its body's:
    # that is what the reader will read.  Its title alone may be in the other language.
    lang = release.lang
    # Enrichment found it; a release read again to be rewritten (its pair changed) was not enriched.
    title_lang = release.title_lang or title_language(release.title, lang)
    doc = {
        "id": release.id,
        "lang": lang,
        "date": release.date.toordinal(),
        "year": release.year,
        "countries": ",".join(release.countries or ()),
        "topics": ",".join(release.topics or ()),
        "pair": release.pair,
        "group": min(release.id, release.pair) if release.pair else release.id,
        "translation_key": release.translation_key,
        "title": release.title,
        "body": release.body,
        "summary": release.summary,
        "url": release.url,
        "content_hash": content_hash,
        f"title_{title_lang}": release.title,
    }
    # The body field holds the title too (TITLE_WEIGHT times), so matching and ranking need
    # only the body fields: the body field of the title's language, when it is not the body's.
    titles = f"{release.title}\n\n" * TITLE_WEIGHT
    if title_lang == lang:
        doc[f"body_{lang}"] = titles + release.body
    else:
        doc["title_lang"] = title_lang
        doc[f"body_{title_lang}"] = titles
        doc[f"body_{lang}"] = release.body
    for name in LANGUAGES:
        if f"body_{name}" in doc:
            doc[exact_field(name)] = doc[f"body_{name}"]
    return doc
