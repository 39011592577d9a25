"""Template helpers: formatting filters, static URLs with a content hash, page rendering.

Every page view builds one context dict and hands it to :func:`render`, which returns it
as HTML (a template) or as JSON (the ``.json`` twin of the page). Keys that start with an
underscore are for the template only.
"""

import dataclasses
import datetime as dt
import hashlib
from functools import lru_cache
from pathlib import Path

from flask import current_app, jsonify, render_template, request, url_for
from flask_babel import get_locale, get_translations
from jinja2 import pass_context
from markupsafe import Markup

from . import hosts, i18n
from .facet_list import facet_list

STATIC_DIR = Path(__file__).resolve().parent / "static"


@lru_cache(maxsize=64)
def _static_hash(filename: str, mtime: float) -> str:
    return hashlib.sha256((STATIC_DIR / filename).read_bytes()).hexdigest()[:10]


def static_url(filename: str) -> str:
    """The URL of a static file with a hash of its content, so browsers may cache it."""
    path = STATIC_DIR / filename
    try:
        version = _static_hash(filename, path.stat().st_mtime)
    except OSError:
        return url_for("static", filename=filename)
    return url_for("static", filename=filename, v=version)


def jsonable(value):
    """The context as plain JSON data: dataclasses as objects, dates as ISO strings."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items() if not str(k).startswith("_")}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Markup):
        return str(value)
    return value


def render(template: str, context: dict, fmt: str = "html", status: int = 200, headers=None):
    if fmt == "json":
        response = jsonify(jsonable(context))
    else:
        response = current_app.make_response(render_template(template, **context))
    response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def fragment(snippet: str) -> str:
    """A snippet marked as cut from a longer text (escaped HTML stays escaped HTML)."""
    snippet = snippet.strip()
    if not snippet.startswith("…"):
        snippet = "… " + snippet
    if not snippet.endswith("…"):
        snippet += " …"
    return snippet


def _icons(env):
    """The ``icon(name)`` of the templates: templates/icons.html's SVG of each name, rendered the
    first time it is asked for, then given as it is (a results page shows dozens, and a macro
    call for each took a tenth of its template's time)."""
    rendered: dict[str, Markup] = {}

    def icon(name: str) -> Markup:
        found = rendered.get(name)
        if found is None:
            found = rendered[name] = Markup(env.get_template("icons.html").module.icon(name))
        return found

    return icon


def wants_json() -> bool:
    return request.path.endswith(".json") or request.path in ("/healthz", "/readyz")


def init_app(app) -> None:
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.filters.update(
        long_date=i18n.long_date,
        long_datetime=i18n.long_datetime,
        number=pass_context(lambda context, value: i18n.number(value, context.get("_locale"))),
        seconds=i18n.seconds,
        ucfirst=i18n.ucfirst,
        fragment=fragment,
        absolute=hosts.absolute,
    )
    app.jinja_env.globals.update(static_url=static_url, facet_list=facet_list, icon=_icons(app.jinja_env))

    # Flask-Babel's gettext for templates finds the request's translations anew for every
    # string, through the request context three times over (domain, translations, locale),
    # and a results page has a hundred strings and numbers: the page's context carries the
    # translations and the locale, found once (page_globals); a template rendered without
    # them falls back on Flask-Babel.
    def translations(context):
        found = context.get("_translations")
        return get_translations() if found is None else found

    app.jinja_env.install_gettext_callables(
        gettext=pass_context(lambda c, s: translations(c).ugettext(s)),
        ngettext=pass_context(lambda c, s, p, n: translations(c).ungettext(s, p, n)),
        pgettext=pass_context(lambda c, ctx, s: translations(c).upgettext(ctx, s)),
        npgettext=pass_context(lambda c, ctx, s, p, n: translations(c).unpgettext(ctx, s, p, n)),
        newstyle=True,
    )
    # ``_`` too, which Jinja's i18n extension makes an alias that looks ``gettext`` up each call.
    fast_gettext = _made_once(app.jinja_env.globals["gettext"])
    app.jinja_env.globals["gettext"] = app.jinja_env.globals["_"] = fast_gettext

    @app.context_processor
    def page_globals():
        lang = i18n.current_language()
        return {
            "lang": lang,
            "other_lang": i18n.other_language(lang),
            "current_year": dt.date.today().year,
            "_translations": get_translations(),
            "_locale": str(get_locale()),  # a name: Babel's Locale objects are slow to compare
        }


def _made_once(gettext):
    """Jinja's gettext (``gettext``, the newstyle one), with the markup of each string without
    variables made once per locale: a results page has about sixty, at some 6 µs each through
    the newstyle wrapper (translation, Markup, ``%`` formatting), the same every time. A
    template rendered without the page's locale (``_locale``) takes the wrapper each time."""
    made: dict[tuple, str] = {}

    @pass_context
    def fast(context, string, **variables):
        locale = context.get("_locale")
        if variables or locale is None:
            return gettext(context, string, **variables)
        key = (locale, context.eval_ctx.autoescape, string)
        found = made.get(key)
        if found is None:
            found = made[key] = gettext(context, string)
        return found

    return fast
