"""Filters and facets: the releases that pass a search's filters, how many results each facet
value would give, and the facet values a result lists.

Which reading of the query (all the words, corrected, any of them) a value's count follows is
the engine's choice (:meth:`search.engine.Archive._facet_counts`); this module counts what a
reading's bitmaps hold."""

import datetime as dt
from operator import attrgetter

import numpy as np

from .docvalues import FACETS, DocValues, bits_to_mask, docnums
from .labels import Labels
from .params import SearchParams
from .results import FacetValue

Counts = dict[str, dict[str, int]]  # facet -> value -> results
# What a release is about: a translation pair's, whichever version says it. A pair whose Spanish
# version alone names a topic passes the topic's filter in English too, and counts under it.
GROUP_FACETS = ("country", "topic")


def selected(params: SearchParams, facet: str) -> set[str]:
    """The values of a facet ticked in ``params``, as strings."""
    values = {"year": params.years, "country": params.countries, "topic": params.topics, "lang": params.langs}[facet]
    return {str(v) for v in values}


def apply_filters(docs: DocValues, matched: int, params: SearchParams) -> tuple[int, dict[str, int]]:
    """The documents that pass every filter, and per facet those that pass all filters but its own."""
    base = matched
    if params.date_from or params.date_to:
        base &= date_range(docs, params.date_from, params.date_to)
    selections = {"year": params.years, "country": params.countries, "topic": params.topics, "lang": params.langs}
    masks = {f: docs.any_of(f, values) for f, values in selections.items() if values}
    if not params.separate:
        for facet in GROUP_FACETS:
            if facet in masks:
                masks[facet] = docs.whole_groups(masks[facet])
    chosen = base
    for mask in masks.values():
        chosen &= mask
    bases = {}
    for facet in FACETS:
        bits = base
        for other, mask in masks.items():
            if other != facet:
                bits &= mask
        bases[facet] = bits
    return chosen, bases


def date_range(docs: DocValues, start: dt.date | None, end: dt.date | None) -> int:
    """Documents dated within [start, end]: whole years by their bitmaps, the edge years one by one."""
    first = start.year if start else min(docs.years, default=0)
    last = end.year if end else max(docs.years, default=0)
    low = start.toordinal() if start else None
    high = end.toordinal() if end else None
    out = 0
    for value, bits in docs.values["year"].items():
        year = int(value)
        if first < year < last:
            out |= bits
        elif year in (first, last):
            keep = [
                d
                for d in docnums(bits)
                if (low is None or docs.dates[d] >= low) and (high is None or docs.dates[d] <= high)
            ]
            out |= docs.of(keep)
    return out


def counts(docs: DocValues, bases: dict[str, int] | None, params: SearchParams, only=FACETS) -> Counts:
    """Per facet (of ``only``), what each value would give a reading with the value ticked alone
    (the other facets' filters kept): the groups, or documents, that pass the facet's base
    (``bases``, from :func:`apply_filters`; None for no reading) and have it."""
    out: Counts = {}
    masks: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    grouped: dict[int, int] = {}  # facets sharing a base share its whole groups
    for facet in only:
        base = bases.get(facet, 0) if bases is not None else 0
        if not base:
            out[facet] = {}
            continue
        if facet in GROUP_FACETS and not params.separate:
            if base not in grouped:  # a group counts under a value either version has
                grouped[base] = docs.whole_groups(base)
            base = grouped[base]
        if base not in masks:  # facets without a selection of their own share one base
            mask = bits_to_mask(base, docs.size)
            masks[base] = (mask, np.flatnonzero(mask))
        mask, matched = masks[base]
        out[facet] = docs.facet_counts(facet, mask, params.separate, matched)
    return out


def values(counts: Counts, params: SearchParams, labels: Labels) -> dict[str, list[FacetValue]]:
    """The values each facet lists, with their counts: those counted and any selected; years
    newest first, other values by count, then label in the interface language."""
    out = {}
    ui = params.ui
    for facet in FACETS:
        ticked = selected(params, facet)
        counted = counts[facet]
        made = labels.made(facet)
        listed = []
        for value in counted.keys() | ticked if ticked else counted:
            names = made.get(value) or labels.of(facet, value)
            listed.append(FacetValue(value, names[ui], names, counted.get(value, 0), value in ticked))
        if facet == "year":
            listed.sort(key=attrgetter("value"), reverse=True)
        else:  # by count, then label: two stable sorts, without a key tuple for each value
            listed.sort(key=attrgetter("label"))
            listed.sort(key=attrgetter("count"), reverse=True)
        out[facet] = listed
    return out
