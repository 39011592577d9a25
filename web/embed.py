"""The embeddable search box: ``/embed.js``, the frame ``/<lang>/embed/frame`` and the page
``/<lang>/embed`` that shows the three snippets (script, frame, plain form) with a preview.

``/embed.js`` is ``web/static/embed.js`` with its interface text (from the message catalogs,
in both languages) and its stylesheet (``web/static/embed.css``) filled in. The frame may be
shown by the site itself and by the origins in ``EMBED_ORIGINS`` (``frame-ancestors``);
every other page keeps ``frame-ancestors 'none'``.
"""

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, current_app, g, request, url_for
from flask_babel import force_locale, get_translations
from flask_babel import gettext as _
from markupsafe import Markup

from search.params import LANGUAGES, ParamError, SearchParams, whole_number

from . import caching, hosts, i18n
from .hosts import external
from .links import feed_url
from .security import embeddable
from .templating import render

embed = Blueprint("embed", __name__)

STATIC = Path(__file__).resolve().parent / "static"
SCRIPT_MAX_AGE = 3600
MAX_RESULTS = 10
TARGETS = {"top": "_top", "blank": "_blank"}
# The frame's documented heights (px): the box with its list of suggestions (which the frame
# keeps inside itself), and the box with five results (a result is its title, two lines at
# most, and its date), at any width from 260 px without scrolling inside the frame
# (tests/web/test_embed_frame.py measures it).
FRAME_HEIGHT = 320
FRAME_HEIGHT_RESULTS = 700


embed.url_value_preprocessor(i18n.pull_lang)
embed.url_defaults(i18n.add_lang)


# The same pair as the site's search box (macros.html), where pybabel finds it.
SUGGESTIONS_AVAILABLE = (
    "%(num)s suggestion available. Use the up and down arrow keys to choose it.",
    "%(num)s suggestions available. Use the up and down arrow keys to choose one.",
)


def _plural(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for n, with ``{n}`` where the number goes."""
    return get_translations().ngettext(singular, plural, n) % {"num": "{n}"}


# --- the script --------------------------------------------------------------------------------
def widget_strings() -> dict:
    """The box's interface text in the current locale; ``{n}`` stands for a number."""
    return {
        "label": _("Search the IOM news release archive"),
        "placeholder": _("For example: trafficking, remesas, Darién"),
        "search": _("Search"),
        "suggestions": _("Suggestions"),
        "release": _("Release"),
        "count_one": _plural(*SUGGESTIONS_AVAILABLE, 1),
        "count_other": _plural(*SUGGESTIONS_AVAILABLE, 2),
        "searching": _("Searching…"),
        "results_one": _plural("%(num)s result", "%(num)s results", 1),
        "results_other": _plural("%(num)s result", "%(num)s results", 2),
        "none": _("No releases match your search."),
        "all": _("See all results in the archive"),
        "unavailable": _("The search is not available right now. Please try again later."),
        "in_en": _("In English"),
        "in_es": _("In Spanish"),
    }


@lru_cache(maxsize=4)
def _script(js_mtime: float, css_mtime: float, strings: str) -> tuple[bytes, str]:
    source = (STATIC / "embed.js").read_text(encoding="utf-8")
    css = (STATIC / "embed.css").read_text(encoding="utf-8")
    css = "\n".join(line for line in css.splitlines() if not line.startswith("/*"))
    source = _fill(source, "STRINGS", strings)
    source = _fill(source, "CSS", json.dumps(css, ensure_ascii=False))
    data = source.encode("utf-8")
    return data, hashlib.sha256(data).hexdigest()[:32]


def _fill(source: str, name: str, value: str) -> str:
    start, end = f"/*{name}*/", "/*END*/"
    head, found, rest = source.partition(start)
    if not found:
        raise RuntimeError(f"embed.js has no {start} placeholder")
    _old, found, tail = rest.partition(end)
    return head + value + tail


def script_bytes() -> tuple[bytes, str]:
    strings = {}
    for lang in LANGUAGES:
        with force_locale(lang):
            strings[lang] = widget_strings()
    return _script(
        (STATIC / "embed.js").stat().st_mtime,
        (STATIC / "embed.css").stat().st_mtime,
        json.dumps(strings, ensure_ascii=False, sort_keys=True),
    )


@embed.get("/embed.js")
def script():
    data, digest = script_bytes()
    etag = f"js-{digest}"
    cached = caching.not_modified(etag, SCRIPT_MAX_AGE)
    if cached is not None:
        return cached
    response = current_app.response_class(data, content_type="text/javascript; charset=utf-8")
    return caching.cacheable(response, etag, SCRIPT_MAX_AGE)


# --- the frame ---------------------------------------------------------------------------------
def frame_options() -> tuple[int, str]:
    raw = (request.args.get("results") or "").strip()
    results = 0
    if raw:
        number = whole_number(raw)
        if number is None or not 0 <= number <= MAX_RESULTS:
            raise ParamError("results", f"'results' must be a whole number from 0 to {MAX_RESULTS}")
        results = number
    # written as the element's option is too ("_blank"): the frame has no "_self", a page of
    # results opened inside it would not fit
    target = (request.args.get("target") or "top").strip().lower().removeprefix("_")
    if target not in TARGETS:
        raise ParamError("target", "'target' must be 'top' or 'blank' ('_top', '_blank')")
    return results, TARGETS[target]


def refused_host() -> str | None:
    """The origin of a page framing the box that may not (``EMBED_ORIGINS``), else None.

    ``frame-ancestors`` makes the browser refuse such a frame with a broken-frame picture that
    says nothing to the visitor. The framing page is known from the frame request's
    ``Referer`` (browsers send at least the origin to another site by default), so that page
    is sent a notice with a link to the archive instead of the box: the notice may be framed
    there (it holds no form and nothing a click on it could misuse), the box never is. A page
    that sends no Referer gets the box, and the browser enforces ``frame-ancestors`` as before.
    """
    if request.headers.get("Sec-Fetch-Dest", "iframe") not in ("iframe", "frame"):
        return None  # the frame's address opened as a page of its own
    parts = hosts.referrer_parts(request)
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    host = f"{parts.scheme}://{parts.netloc}".lower()
    allowed = {o.lower().rstrip("/") for o in current_app.config.get("EMBED_ORIGINS") or ()}
    allowed |= {hosts.origin().lower(), request.host_url.rstrip("/").lower()}
    return None if host in allowed else host


@embed.get("/<lang:lang>/embed/frame")
@embeddable
def frame():
    results, target = frame_options()
    refused = refused_host()
    context = {
        "page": "embed-frame",
        "lang": g.lang,
        "results": results,
        "target": target,
        "refused": bool(refused),
        "search_url": url_for("site.search", lang=g.lang, fmt="html"),
    }
    if refused:
        g.frame_ancestors = refused
    response = render("embed_frame.html", context)
    # The answer depends on the page that frames it: a browser keeps it for that page only.
    response.headers["Cache-Control"] = "private, max-age=300"
    response.vary.update(("Referer", "Sec-Fetch-Dest"))
    return response


# --- the page with the snippets ----------------------------------------------------------------
def snippets(lang: str) -> dict:
    script_url = external("embed.script")
    frame_url = external("embed.frame", lang=lang)
    search_url = external("site.search", lang=lang, fmt="html")
    label = _("Search the IOM news release archive")
    return {
        "script": f'<script src="{script_url}" defer></script>\n<iom-search lang="{lang}"></iom-search>',
        "script_div": f'<div data-iom-search data-lang="{lang}"></div>',
        "script_results": f'<iom-search lang="{lang}" results="5"></iom-search>',
        "frame": f'<iframe src="{frame_url}" title="{Markup.escape(label)}"\n'
        f'        width="100%" height="{FRAME_HEIGHT}" loading="lazy"></iframe>',
        "frame_results": f'<iframe src="{frame_url}?results=5" title="{Markup.escape(label)}"\n'
        f'        width="100%" height="{FRAME_HEIGHT_RESULTS}" loading="lazy"></iframe>',
        "form": f'<form action="{search_url}" method="get" role="search">\n'
        f'  <label for="iom-search-q">{Markup.escape(label)}</label>\n'
        f'  <input id="iom-search-q" name="q" type="search">\n'
        f'  <button type="submit">{Markup.escape(_("Search"))}</button>\n'
        f"</form>",
        "origin": hosts.origin(),
    }


@embed.get("/<lang:lang>/embed")
def page():
    lang = g.lang
    other = i18n.other_language(lang)
    context = {
        "page": "embed",
        "lang": lang,
        "snippets": snippets(lang),
        "embed_origins": list(current_app.config.get("EMBED_ORIGINS") or ()),
        "frame_height": FRAME_HEIGHT,
        "_script_url": url_for("embed.script"),
        "_frame_url": url_for("embed.frame", lang=lang),
        "_search_url": url_for("site.search", lang=lang, fmt="html"),
        "_openapi_url": url_for("api.openapi_document"),
        "_atom_url": feed_url(SearchParams(q="trafficking", countries=("HN",), ui=lang), absolute=False),
        "_opensearch_url": url_for("feeds.opensearch", ui=lang),
        "_alternate_url": url_for("embed.page", lang=other),
    }
    return render("embed.html", context)


def init_app(app) -> None:
    app.register_blueprint(embed)
