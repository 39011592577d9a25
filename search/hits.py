"""A result page: which releases the requested page shows, in what order, and each as a
:class:`~search.results.Hit` (highlighted title and snippets, labels, its translation)."""

from collections.abc import Sequence

from markupsafe import escape
from whoosh import query as wq

from index.schema import stored_day, stored_title_lang

from . import highlight
from . import query as q
from .compile import Compiled
from .docvalues import BitmapSet, bits_to_mask
from .generation import Snapshot
from .glossary import Glossary
from .labels import Labels
from .params import SearchParams
from .results import Hit, Translation
from .scoring import top


def sort_order(params: SearchParams, compiled: Compiled) -> str:
    """The order results are listed in: a search without words has no relevance to rank by."""
    if params.sort == "relevance" and compiled.browse:
        return "newest"
    return params.sort


def page(
    snap: Snapshot,
    compiled: Compiled,
    scored,
    selected: int,
    params: SearchParams,
    labels: Labels,
    glossary: Glossary,
    leading: int = 0,
    country_names=None,
) -> list[Hit]:
    """The hits of the requested page: one per translation group unless asked otherwise.
    ``scored``: every document's score; ``selected``: the results (a bitmap); ``leading``:
    releases ranked before the others (those with all the words, when the results also list
    releases with some of them); ``glossary``: the one the query was compiled with;
    ``country_names``: a country code's names, marked where it matched (``Gazetteer.names_of``)."""
    docs = snap.docs
    allowed = selected if params.separate else docs.representatives(selected, params.ui)
    sort = sort_order(params, compiled)
    start, end = (params.page - 1) * params.per_page, params.page * params.per_page
    mask = bits_to_mask(allowed, docs.size)
    ranked: Sequence[tuple[int, float | None]]  # (document, its score: None for a search without scores)
    if sort == "relevance" and scored is not None:
        first = bits_to_mask(leading, docs.size) if leading else None
        if params.separate:
            ranked = top(mask, scored, start, end, first=first)
        else:
            # One rank per pair, the same in both interface languages: the better version's
            # score, ties broken by the pair, not by the version shown; a pair leads when
            # either version does.
            both = bits_to_mask(selected, docs.size)
            pairs = docs.pair_scores(scored, both)
            if first is not None:
                first = docs.pair_scores(first.astype(float), both) > 0
            ranked = top(mask, pairs, start, end, ties=docs.group_first, first=first)
    else:
        if params.separate:
            order = snap.date_order[mask[snap.date_order]]
        else:
            order = snap.pair_dating.listed(mask, bits_to_mask(selected, docs.size), docs.groups)
        if sort != "oldest":
            order = order[::-1]
        ranked = [(int(d), float(scored[d]) if scored is not None else None) for d in order[start:end]]
    # What the visitor typed is marked wherever it matched; glossary equivalents only as written;
    # a typed country's names, also where pairs meet it as a filter outside the query.
    marked = compiled.query
    if compiled.pair_filters and not params.separate and marked is not None:
        marked = wq.Or([marked, *compiled.pair_filters])
    tree = q.parse(params.q).tree
    wanted = (
        highlight.wanted(marked, q.words_of(tree), glossary, country_names, quoted=q.phrases_of(tree))
        if not compiled.browse
        else {}
    )
    matched = BitmapSet(selected, docs.size)
    return [_hit(snap, d, score, wanted, params, matched, labels) for d, score in ranked]


def _hit(
    snap: Snapshot, docnum: int, score, wanted: dict, params: SearchParams, matched: BitmapSet, labels: Labels
) -> Hit:
    fields = snap.stored(docnum)
    lang = fields["lang"]
    body = wanted.get(f"body_{lang}", highlight.NOTHING)
    snippets = highlight.snippets(fields["body"], lang, body)
    title_html = highlight.release_title(fields, wanted)
    if not snippets:
        snippets = [str(escape(fields.get("summary") or fields["body"][: highlight.SNIPPET_CHARS]))]
    return Hit(
        id=fields["id"],
        lang=lang,
        date=stored_day(fields["date"]).isoformat(),
        title=fields["title"],
        title_lang=stored_title_lang(fields),
        url=fields.get("url") or "",
        title_html=title_html,
        snippets=snippets,
        summary=fields.get("summary") or "",
        countries=labels.listed("country", _of_the_pair(snap, docnum, "countries", params), params.ui),
        topics=labels.listed("topic", _of_the_pair(snap, docnum, "topics", params), params.ui),
        translation=_translation(snap, fields.get("pair"), matched),
        score=round(score, 4) if score is not None else None,
    )


def _of_the_pair(snap: Snapshot, docnum: int, name: str, params: SearchParams) -> str:
    """A hit's countries or topics (``name``), joined by commas, from the document values: with
    pairs merged, those of either version after its own, as the filters and facets take them
    (``search.facets.GROUP_FACETS``)."""
    values = getattr(snap.docs, name)
    versions = () if params.separate else snap.docs.versions.get(docnum, ())
    return ",".join(dict.fromkeys(v for d in (docnum, *versions) for v in values[d]))


def _translation(snap: Snapshot, pair_id: str | None, matched: BitmapSet) -> Translation | None:
    """The other version of a hit's translation pair, and whether it is a result too."""
    if not pair_id:
        return None
    docnum = snap.docs.docnum_by_id.get(pair_id)
    if docnum is None:
        return None
    fields = snap.stored(docnum)
    return Translation(
        id=pair_id,
        lang=fields["lang"],
        title=fields["title"],
        title_lang=stored_title_lang(fields),
        url=fields.get("url") or "",
        matched=docnum in matched,
    )
