"""The checkbox list of a facet's values on a results page.

Written here rather than by a template loop: a results page holds up to a few hundred values
(every one of a facet, the rest in its "more" drawer), and Jinja's loop, with a subscript and an
escape for each field of each value, took about a millisecond of such a page at 100,000
releases (docs/benchmarks.md). The markup is what the template wrote; ``search.html`` calls
:func:`facet_list` once a list.
"""

from functools import lru_cache

from markupsafe import Markup, escape

from .i18n import ucfirst

# A value's markup but for its tick and count depends only on the facet, the value and its
# label: kept for the values met most (a few hundred a facet, two interface languages).
_PARTS_KEPT = 1024
_END = '<span class="visually-hidden">)</span></span></label></li>'


@lru_cache(maxsize=_PARTS_KEPT)
def _parts(param: str, id_: str, value: str, label: str) -> tuple[str, str]:
    """A value's item before its tick, and from the tick to its count."""
    param, id_, value, label = (str(escape(text)) for text in (param, id_, value, label))
    head = f'<li class="facet-item"><input type="checkbox" id="{id_}" name="{param}" value="{value}" form="search-form"'
    middle = (
        f'><label for="{id_}"><span class="facet-label">{label}</span> '
        '<span class="facet-count"><span class="visually-hidden">(</span>'
    )
    return head, middle


def facet_list(values: list[dict], param: str, is_lang: bool = False) -> Markup:
    """A ``<ul>`` of checkboxes, one a value (its ``id``, ``value``, ``label``, ``_count`` as written and
    ``selected``), sent as ``param`` by the search form; a language's label starts with a
    capital, as a heading of its own."""
    items = []
    for v in values:
        head, middle = _parts(param, v["id"], v["value"], ucfirst(v["label"]) if is_lang else v["label"])
        items.append(f"{head}{' checked' if v['selected'] else ''}{middle}{escape(v['_count'])}{_END}")
    return Markup('<ul class="facet-list">' + "".join(items) + "</ul>")
