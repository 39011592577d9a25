"""One serialiser per shape: a hit, a release and a release in a list (brief), a translation,
a country's or topic's label, a facet value, a suggestion. The API, the feed, the pages and
their ``.json`` twins all build these from here.

Each function gives the API's shape (web/openapi.py, where every object is closed with
``additionalProperties: false``). Given a page's :class:`web.links.Addresses` (``to.page``),
it gives the same fields, with the same meaning, plus what a page shows besides: the language
a title is written in (``title_lang``) and, for a country or a topic, the address of its
results (``url``). Its links are then site paths in the page's language instead of absolute
addresses. Nothing is shaped for presentation here (snippets marked as fragments, a language
name capitalised): the templates do that, so that a twin holds the data the API holds.
"""

from .links import Addresses, source_url

FACET_NAMES = ("year", "country", "topic", "lang")


def label(item, facet: str, to: Addresses) -> dict:
    """A country or a topic: its value and its label in the interface language and in both."""
    out = {"value": item.value, "label": item.label, "labels": item.labels}  # shared: read, never changed
    if to.page:
        out["url"] = to.search([(facet, item.value)])
    return out


def labels(items, facet: str, to: Addresses) -> list[dict]:
    return [label(item, facet, to) for item in items]


def translation(item, to: Addresses) -> dict:
    """The other-language version of a hit."""
    out = {
        "id": item.id,
        "lang": item.lang,
        "title": item.title,
        "url": to.release(item.id),
        "api_url": to.api_release(item.id),
        "matched": item.matched,
    }
    if to.page:
        out["title_lang"] = item.title_lang
    return out


def hit(item, to: Addresses) -> dict:
    """A search hit (``search.results.Hit``): its text as found, and where to read it."""
    out = {
        "id": item.id,
        "lang": item.lang,
        "date": item.date,
        "title": item.title,
        "url": to.release(item.id),
        "api_url": to.api_release(item.id),
        "source_url": source_url(item.url),
        "title_html": item.title_html,
        "snippets": list(item.snippets),
        "summary": item.summary,
        "countries": labels(item.countries, "country", to),
        "topics": labels(item.topics, "topic", to),
        "translation": translation(item.translation, to) if item.translation else None,
        "score": item.score,
    }
    if to.page:
        out["title_lang"] = item.title_lang
    return out


def brief(item, to: Addresses) -> dict:
    """A release in a list (``search.results.Brief``): a translation, the related releases."""
    out = {
        "id": item.id,
        "lang": item.lang,
        "date": item.date,
        "title": item.title,
        "url": to.release(item.id),
        "api_url": to.api_release(item.id),
    }
    if to.page:
        out["title_lang"] = item.title_lang
    return out


def release(detail, to: Addresses) -> dict:
    """A release with its whole text (``search.results.ReleaseDetail``)."""
    out = {
        "id": detail.id,
        "lang": detail.lang,
        "date": detail.date,
        "title": detail.title,
        "summary": detail.summary,
        "paragraphs": list(detail.paragraphs),
        "url": to.release(detail.id),
        "source_url": source_url(detail.url),
        "countries": labels(detail.countries, "country", to),
        "topics": labels(detail.topics, "topic", to),
        "translation": brief(detail.translation, to) if detail.translation else None,
        "related": [brief(b, to) for b in detail.related],
        "generation": detail.generation,
    }
    if to.page:
        out["title_lang"] = detail.title_lang
    return out


def facet_value(value, more: dict | None = None) -> dict:
    """A value of a facet with its count among the results (``search.results.FacetValue``), and
    ``more`` keys of a page's (its address, its checkbox's id...): one dictionary, a page
    making a few hundred."""
    out = {
        "value": value.value,
        "label": value.label,
        "labels": value.labels,  # shared with every other use of the value's labels: read, never changed
        "count": value.count,
        "selected": value.selected,
    }
    if more:
        out.update(more)
    return out


def facets(result) -> dict:
    """Every facet of a result, by name, in the API's order."""
    return {name: [facet_value(v) for v in result.facets.get(name, [])] for name in FACET_NAMES}


def suggestion(item, to: Addresses) -> dict:
    """A completion for the search box: a release's title leads to the release, anything else to
    its results; ``parts`` cuts its text into what was typed and what completes it, for a box to
    show the completion in bold (``[{"text": "trata de", "typed": true}, ...]``)."""
    url = to.release(item.id) if item.kind == "title" and item.id else to.search([("q", item.text)])
    return {
        "text": item.text,
        "kind": item.kind,
        "id": item.id,
        "lang": item.lang,
        "url": url,
        "parts": [{"text": text, "typed": typed} for text, typed in item.parts],
    }
