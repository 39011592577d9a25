"""The pages' models: what each page shows, as one context dict that :func:`web.templating.render`
gives to its template or, at the page's ``.json`` address, as its JSON twin.

The items in a page (hits, releases, facet values, labels) are the API's shapes
(:mod:`web.shapes`) with the page's own fields; what only a page has is built here: the
facets as a form, the active filters, the sort and page links, the notices, the line about a
spelling correction and, on a page without results, the searches that would find some (each
a search of its own, counted). Every link on a results page is built from
:class:`SearchParams`, so every state of the page is a plain GET address.
"""

import dataclasses

from flask import g
from flask_babel import get_locale
from flask_babel import gettext as _

from search import query as query_language
from search.params import MAX_PAGE, SearchParams

from . import helpdoc, i18n, shapes
from .current import archive
from .links import Addresses, page_links, page_url, search_url, toggle_urls
from .notices import notice_data, notice_text, notices_list

# facet name in the result model -> (URL parameter, SearchParams field)
FACETS = {
    "lang": ("lang", "langs"),
    "year": ("year", "years"),
    "country": ("country", "countries"),
    "topic": ("topic", "topics"),
}
FACET_ORDER = ("lang", "year", "topic", "country")
FACET_VISIBLE = 8  # values shown before "show more"


# --- home --------------------------------------------------------------------------------------
def home(result, status: dict) -> dict:
    """The home page: the archive in figures, the latest releases (``result``, the newest first,
    unfiltered) and its topics, countries, years and languages to browse."""
    lang = g.lang
    years = sorted(int(v.value) for v in result.facets["year"]) or [None]
    to = Addresses(lang, page=True)

    def browse(facet: str, key: str) -> list[dict]:
        """The values of a facet with releases, each with the address of its results (the home
        page's search has no filter: toggling a value is searching for it alone)."""
        return [
            {key: v.value, **shapes.facet_value(v, {"url": to.search([(facet, v.value)])})}
            for v in result.facets[facet]
            if v.count
        ]

    topics = browse("topic", "id")
    for item in topics:
        topic = archive().taxonomy.topics.get(item["id"])
        item["description"] = topic.descriptions.get(lang, "") if topic else ""
    topics.sort(key=lambda t: (-t["count"], t["label"]))
    return {
        "page": "home",
        "lang": lang,
        "archive": {
            "releases": status["releases"],
            "stories": result.total,
            "built_at": status["built_at"],
            "first_year": years[0],
            "last_year": years[-1],
            "generation": status["generation"],
        },
        "latest": [shapes.hit(hit, to) for hit in result.hits],
        "topics": topics,
        "countries": browse("country", "code"),
        "years": browse("year", "year"),
        "languages": browse("lang", "lang"),
        "links": page_links(),
        "_search_url": page_url("site.search"),
    }


# --- results -----------------------------------------------------------------------------------
def results(params: SearchParams, result, facet_links: bool = True) -> dict:
    """A results page; without results, with the searches near it that find some.

    ``facet_links``: each facet value with the address of the search with it ticked or
    unticked (its ``url``). The HTML page's values are checkboxes of the search form, and the
    page leaves them out (a few hundred addresses, a tenth of its model's time); its JSON twin
    gives them."""
    lang = g.lang
    filters = _filters(params, result)
    correction = _correction(params, result)
    to = Addresses(lang, page=True)
    context = {
        "page": "search",
        "lang": lang,
        "query": params.q,
        "params": params,
        # the search's figures; its hits and facets are the page's, below
        "result": {
            f.name: getattr(result, f.name) for f in dataclasses.fields(result) if f.name not in ("hits", "facets")
        }
        | {"notices": notices_list(params, result)},  # worded in the page's language, as the API words them
        "hits": [shapes.hit(hit, to) for hit in result.hits],
        "facets": _facets(params, result, facet_links),
        "filters": filters,
        "clear_filters_url": search_url(SearchParams(q=params.q, sort=params.sort, per_page=params.per_page))
        if filters
        else None,
        "sorts": _sorts(params, result),
        "pagination": _pagination(params, result),
        "notices": _notices(params, result, correction),
        "first": (params.page - 1) * params.per_page + 1 if result.hits else 0,
        "last": (params.page - 1) * params.per_page + len(result.hits),
        # The search's one address in each language and format: unknown parameters and the
        # order typed in the address left out, as every other link to it gives it.
        "links": page_links(params.to_query()),
        # On a page without hits: searches that find something, with their counts.
        "alternatives": None,
        "searched_for": correction["searched_for"] if correction else params.q,
        "correction": correction,
        "suggestion": _suggestion(params, result),
        # What the form sends beside its words and boxes, as the page's links keep it: spell=0
        # ("search instead for" what was typed) too, or ticking a box searched the correction again.
        "_state": [
            (k, v) for k, v in params.to_query() if k in ("sort", "from", "to", "per_page", "translations", "spell")
        ],
    }
    if not result.total:
        context["alternatives"] = _alternatives(params, filters)
    return context


def _toggled(params: SearchParams, field: str, value: str) -> SearchParams:
    return params.with_(**{field: params.toggled(field, value), "page": 1})


def facet_titles() -> dict:
    return {"lang": _("Language"), "year": _("Year"), "topic": _("Topic"), "country": _("Country")}


def _facets(params: SearchParams, result, links: bool = True) -> list[dict]:
    titles = facet_titles()
    locale = str(get_locale())
    out = []
    for name in FACET_ORDER:
        param, field = FACETS[name]
        found = result.facets.get(name, [])
        # "_count": the count as the page writes it (a few hundred a page: written here, once
        # per page's locale, not through a template filter that looks the locale up each time)
        if links:
            urls = toggle_urls(params, param, field, [v.value for v in found])
            values = [
                shapes.facet_value(
                    v, {"id": f"f-{param}-{v.value}", "url": url, "_count": i18n.number(v.count, locale)}
                )
                for v, url in zip(found, urls, strict=True)
            ]
        else:
            values = [
                shapes.facet_value(v, {"id": f"f-{param}-{v.value}", "_count": i18n.number(v.count, locale)})
                for v in found
            ]
        if name == "lang":
            values.sort(key=lambda v: (v["value"] != g.lang, v["value"]))
        cut = len(values) if len(values) <= FACET_VISIBLE + 2 else FACET_VISIBLE
        shown, more = values[:cut], values[cut:]
        shown += [v for v in more if v["selected"]]
        more = [v for v in more if not v["selected"]]
        out.append(
            {
                "name": name,
                "param": param,
                "title": titles[name],
                "values": shown,
                "more": more,
                "selected": sum(1 for v in values if v["selected"]),
            }
        )
    return out


def _filters(params: SearchParams, result) -> list[dict]:
    """The active filters, each with the address of the same search without it."""
    titles = facet_titles()
    labels = {name: {v.value: v.label for v in result.facets.get(name, [])} for name in FACETS}
    chips = []
    for name in ("lang", "year", "country", "topic"):
        param, field = FACETS[name]
        for value in getattr(params, field):
            label = labels[name].get(str(value)) or archive().labels(name, str(value))[g.lang]
            if name == "lang":
                label = i18n.ucfirst(label)
            chips.append(
                {
                    "param": param,
                    "value": str(value),
                    "title": titles[name],
                    "label": label,
                    "remove_url": search_url(_toggled(params, field, str(value))),
                }
            )
    if params.date_from:
        chips.append(
            {
                "param": "from",
                "value": params.date_from.isoformat(),
                "title": _("From"),
                "label": i18n.long_date(params.date_from),
                "remove_url": search_url(params.with_(date_from=None, page=1)),
            }
        )
    if params.date_to:
        chips.append(
            {
                "param": "to",
                "value": params.date_to.isoformat(),
                "title": _("Until"),
                "label": i18n.long_date(params.date_to),
                "remove_url": search_url(params.with_(date_to=None, page=1)),
            }
        )
    if params.separate:
        chips.append(
            {
                "param": "translations",
                "value": "separate",
                "title": _("Translations"),
                "label": _("shown separately"),
                "remove_url": search_url(params.with_(separate=False, page=1)),
            }
        )
    return chips


def _sorts(params: SearchParams, result) -> list[dict]:
    labels = {"relevance": _("Relevance"), "newest": _("Newest first"), "oldest": _("Oldest first")}
    options = ("relevance", "newest", "oldest") if params.q.strip() else ("newest", "oldest")
    return [
        {"value": s, "label": labels[s], "current": result.sort == s, "url": search_url(params.with_(sort=s, page=1))}
        for s in options
    ]


def _pagination(params: SearchParams, result) -> dict | None:
    pages = min(result.pages, MAX_PAGE)
    if pages <= 1 and params.page == 1:
        return None
    current = params.page
    wanted = {1, pages} | set(range(max(1, current - 2), min(pages, current + 2) + 1))
    # A gap of one page is that page's number: "…" stands for two pages at least.
    wanted |= {n + 1 for n in wanted if n + 2 in wanted and n + 1 not in wanted}
    items, last = [], 0
    for number in sorted(wanted):
        if number - last > 1:
            items.append(None)  # a gap: …
        items.append({"number": number, "current": number == current, "url": search_url(params.with_(page=number))})
        last = number
    return {
        "previous": search_url(params.with_(page=current - 1)) if 1 < current <= pages + 1 else None,
        "next": search_url(params.with_(page=current + 1)) if current < pages else None,
        "pages": items,
        "current": current,
        "total": pages,
    }


def _notices(params: SearchParams, result, correction: dict | None) -> list[dict]:
    out = []
    for notice in result.notices:
        code = notice.get("code")
        if code == "corrected" and correction:
            continue  # the correction line says it
        text = notice_text(code, notice, params, result)
        url = search_url(params.with_(page=result.pages)) if code == "page_out_of_range" else None
        out.append({"code": code, "message": text, "url": url, **notice_data(notice)})
    return out


def _correction(params: SearchParams, result) -> dict | None:
    """The line over results found for a spelling correction of the query: what was searched
    for, and a link to the query searched exactly as typed."""
    if not (result.corrected and result.total):
        return None
    return {
        "searched_for": result.searched_for,
        "query": params.q,
        "instead_url": search_url(params.with_(spell=False, page=1)),
    }


def _suggestion(params: SearchParams, result) -> dict | None:
    """A correction offered beside results found without it; never a link to the results shown.
    Beside no results, only a correction that finds some, with their number."""
    text = result.suggestion
    if not text or (result.total and text == result.searched_for):
        return None
    corrected = params.with_(q=text, spell=True, page=1)
    suggestion = {"text": text, "url": search_url(corrected), "count": None}
    if not result.total:
        suggestion["count"] = archive().search(corrected).total
        if not suggestion["count"]:
            return None
    return suggestion


# A page without results offers only what would find something, each with its count: a few
# more searches (each cached like any other, so following an offer costs a lookup).
MAX_ALTERNATIVE_SEARCHES = 5

# The filters a search may drop, each as the SearchParams fields that clear it and the chip
# parameters that name it.
FILTER_GROUPS = (
    ({"langs": ()}, ("lang",)),
    ({"years": ()}, ("year",)),
    ({"date_from": None, "date_to": None}, ("from", "to")),
    ({"countries": ()}, ("country",)),
    ({"topics": ()}, ("topic",)),
)
NO_FILTERS = {field: value for fields, _names in FILTER_GROUPS for field, value in fields.items()}


def _alternatives(params: SearchParams, chips: list[dict]) -> list[dict]:
    """Searches near this one that find releases, with their counts, for a page without results:
    the search without each filter that is set (ticked or typed), without all of them, and any of its words
    (``removes_filters`` says which drop filters: the tip to remove filters goes with them)."""
    candidates = []
    set_groups = 0
    for fields, names in FILTER_GROUPS:
        named = [chip for chip in chips if chip["param"] in names]
        if not named:
            continue
        set_groups += 1
        by_title: dict[str, list[str]] = {}
        for chip in named:
            by_title.setdefault(chip["title"], []).append(chip["label"])
        text = "; ".join(f"{title}: {', '.join(labels)}" for title, labels in by_title.items())
        candidates.append((_("The same search without %(filter)s", filter=text), params.with_(**fields, page=1), True))
    # A filter typed in the query ("remesas year:2019") is a filter too.
    for typed, rest in query_language.typed_filters(params.q):
        candidates.append((_("The same search without %(filter)s", filter=typed), params.with_(q=rest, page=1), True))
    unfiltered = params.with_(**NO_FILTERS, page=1)
    if set_groups > 1:
        candidates.append((_("The same search without filters"), unfiltered, True))
    words = _any_words(params.q)
    if words:
        label = _("Any of the words: %(words)s", words=", ".join(words))
        candidates.append((label, params.with_(q=" OR ".join(words), page=1), False))
        if set_groups:
            candidates.append(
                (
                    _("Any of the words, without filters: %(words)s", words=", ".join(words)),
                    unfiltered.with_(q=" OR ".join(words)),
                    True,
                )
            )
    out, seen, searches = [], {params.with_(page=1)}, 0
    for label, changed, removes_filters in candidates:
        if changed in seen:
            continue
        if searches == MAX_ALTERNATIVE_SEARCHES:
            break
        seen.add(changed)
        searches += 1
        total = archive().search(changed).total
        if total:
            out.append({"label": label, "url": search_url(changed), "count": total, "removes_filters": removes_filters})
    return out


def _any_words(text: str) -> list[str]:
    """The words of a query with two or more, once each, for searching any of them; none when the
    query already is that search (the engine itself falls back to any of the words of a plain
    query that finds nothing, not of a phrase, a field or a negation)."""
    parsed = query_language.parse(text)
    words, seen = [], set()
    for part in query_language.words_of(parsed.tree):
        for word in part.split():
            key = word.casefold()
            if key not in seen and key not in ("or", "and", "|"):
                seen.add(key)
                words.append(word)
    if len(words) < 2 or " OR ".join(words) == text.strip():
        return []
    return words


# --- releases ----------------------------------------------------------------------------------
def release(detail) -> dict:
    """A release's page: its text, its countries and topics, its translation and related releases."""
    shaped = shapes.release(detail, Addresses(g.lang, page=True))
    return {
        "page": "release",
        "lang": g.lang,
        "release": shaped,
        # the release's parts again, under the names the page has always had
        "original_url": shaped["source_url"],
        "countries": shaped["countries"],
        "topics": shaped["topics"],
        "translation": shaped["translation"],
        "related": shaped["related"],
        "links": _release_links(detail),
        "_search_url": page_url("site.search"),
        "_year_url": page_url("site.search", query={"year": str(detail.date)[:4]}),
    }


def _release_links(detail) -> dict:
    """The page's links, its other-language page being the release's version in that language:
    its translation where there is one (the switch and ``hreflang`` lead to the text in that
    language, not to the same text under the other interface)."""
    links = page_links()
    other = links["alternate_lang"]
    if detail.lang != other and detail.translation and detail.translation.lang == other:
        links["alternate"] = page_url("site.release", "html", lang=other, rid=detail.translation.id)
    return links


# --- help --------------------------------------------------------------------------------------
def help_page() -> dict:
    """The help page: the query syntax with an example search of each form, and the parameters."""
    sections = helpdoc.syntax(g.lang)
    for row in sections:
        row["url"] = page_url("site.search", query=[("q", row["example"])])
    return {
        "page": "help",
        "lang": g.lang,
        "syntax": sections,
        "parameters": helpdoc.parameters(),
        "links": page_links(),
        "_search_url": page_url("site.search"),
    }
