"""Friendly error pages (JSON for ``.json`` addresses): 400, 404, 405, 500 and 503."""

import logging
import re
from urllib.parse import urlencode

from flask import current_app, g, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext, refresh
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException, InternalServerError, NotFound
from werkzeug.http import HTTP_STATUS_CODES

from search.engine import IndexUnavailable, ReleaseNotFound
from search.params import MAX_YEAR, MIN_YEAR, PARAM_NAMES, ParamError, query_text

from . import i18n
from .current import search_params
from .encoding import NOT_UTF8
from .ratelimit import RateLimited
from .templating import render, wants_json

log = logging.getLogger(__name__)

# What each search parameter means, to say what to fix when one is wrong.
PARAM_HINTS = {
    "q": lambda: _("The search words are too long. Use fewer words."),
    "lang": lambda: _("The language must be “en” (English) or “es” (Spanish)."),
    "year": lambda: _("A year is a number from %(low)s to %(high)s, such as 2019.", low=MIN_YEAR, high=MAX_YEAR),
    "from": lambda: _("A date range takes a year (2019) or a date (2019-08-07), and “from” must not be after “to”."),
    "to": lambda: _("A date range takes a year (2019) or a date (2019-08-07), and “from” must not be after “to”."),
    "country": lambda: _("A country is given by its two-letter code, such as PA for Panama."),
    "topic": lambda: _("The topic is not one of the archive’s topics."),
    "sort": lambda: _("Results can be sorted by relevance, newest or oldest."),
    "page": lambda: _("The page must be a whole number from 1 to 1000."),
    "per_page": lambda: _("The number of results per page must be from 1 to 50."),
    "translations": lambda: _("Translations are either “merged” or “separate”."),
    "spell": lambda: _("Spelling correction is either on (1) or off (0)."),
    # the API's own (web/api.py)
    "ui": lambda: _("The interface language must be “en” (English) or “es” (Spanish)."),
    "limit": lambda: _("The number of suggestions must be a whole number from 1 to 20."),
    "format": lambda: _("Suggestions come as “json” or as “opensearch”."),
    # the embeddable frame's own options (web/embed.py)
    "results": lambda: _("The box shows from 0 to 10 results (“results”; 0 opens the results page instead)."),
    "target": lambda: _("Results open in the same window (“top”) or in a new one (“blank”)."),
}


def _set_language() -> str:
    lang = g.get("lang") or i18n.language_from_path(request.path)
    if lang is None:
        lang = i18n.preferred_language()
        g.language_negotiated = True  # the answer depends on Accept-Language
    g.lang = lang
    refresh()  # the locale may have been looked up before the language was known
    return lang


def error_page(status: int, title: str, message: str, extra: dict | None = None, headers=None):
    """Every error answer but the API's: the site's error page, its JSON twin, or plain text on
    the addresses that programs showing no HTML read (``PLAIN_TEXT_PATHS``)."""
    lang = _set_language()
    if wants_plain_text(request.path):
        detail = (extra or {}).get("detail") or message
        response = plain_error(status, f"{HTTP_STATUS_CODES.get(status, title)}: {detail}", headers)
        if g.get("language_negotiated"):
            response.vary.add("Accept-Language")
        return response
    context = {
        "page": "error",
        "lang": lang,
        "error": {"status": status, "title": title, "message": message, **(extra or {})},
        # links on an error page lead to pages, also when the failed address was a JSON twin
        "_home_url": url_for("site.home", lang=lang, fmt="html"),
        "_help_url": url_for("site.help", lang=lang, fmt="html"),
        "_alternate_url": url_for("site.home", lang=i18n.other_language(lang), fmt="html"),
    }
    fmt = "json" if wants_json() else "html"
    response = render("error.html", context, fmt=fmt, status=status, headers=headers)
    if g.get("language_negotiated"):
        response.vary.add("Accept-Language")
    return response


# Addresses read by programs that show no HTML page (feed readers, a browser's search engine
# settings, crawlers): their errors are plain text, whether a view raised them or routing did.
PLAIN_TEXT_PATHS = ("/search.atom", "/opensearch.xml", "/sitemap.xml", "/robots.txt")


def wants_plain_text(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in PLAIN_TEXT_PATHS)


def plain_error(status: int, message: str, headers=None):
    """An error as plain text, for addresses read by programs that show no HTML (feed readers,
    a browser's search engine settings, crawlers)."""
    response = current_app.response_class(f"{message}\n", status=status, mimetype="text/plain")
    response.headers["Cache-Control"] = "no-store"
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


# How many values a parameter was given is the fault whatever the parameter (search.params).
_TOO_MANY = re.compile(r"^at most (\d+) values of ")
_ONCE = re.compile(r"^give '[^']*' once")
_NOT_REAL = re.compile(r"^'[^']*' is not a real date")


def param_hint(error: ParamError) -> str:
    """What to fix, in the interface language (the exception's own message is for programs)."""
    too_many = _TOO_MANY.match(error.message)
    if too_many:
        return _("Give at most %(num)s values of “%(param)s”.", num=too_many.group(1), param=error.param)
    if _ONCE.match(error.message):
        return _("Give “%(param)s” only once.", param=error.param)
    if NOT_UTF8 in error.message:
        return _("“%(param)s” is not text in UTF-8, as browsers send it.", param=error.param)
    if _NOT_REAL.search(error.message):
        return _("“%(param)s” names a day that does not exist, such as 30 February.", param=error.param)
    return PARAM_HINTS.get(error.param, lambda: "")() or _("A search parameter is not valid.")


def _as_given(param: str) -> str:
    """The faulty parameter as the address gave it (``year=x``), a little of it if it is long."""
    # Control characters as spaces, invisible and bidi ones dropped ("20\u202e19" would show the
    # rest of the line reversed), as a query's words are read.
    given = query_text("&".join(f"{param}={value}" for value in request.args.getlist(param)) or param)
    return given if len(given) <= 80 else given[:79] + "…"


def param_error(error: ParamError):
    lang = _set_language()
    args = MultiDict(request.args)
    args.poplist(error.param)
    # Every wrong parameter, not only the first, a wrong page among them: the way back leaves
    # them all out, so that it is not one more 400 ("?q=x&sort=foo&year=abc" named year=abc and
    # led to sort=foo's), and the page says what is wrong with each.
    errors = [error]
    for _fault in range(len(PARAM_NAMES)):
        try:
            search_params(args)
        except ParamError as more:
            if more.param in (e.param for e in errors):
                break
            errors.append(more)
            args.poplist(more.param)
        except Exception:  # no index to check topics and countries against: as far as it goes
            break
        else:
            break
    faults = [e.param for e in errors]
    args.poplist("page")  # a new search starts at its first page
    query = urlencode(list(args.items(multi=True)))
    retry = url_for("site.search", lang=lang, fmt="html") + (f"?{query}" if query else "")
    # The search box keeps the words, unless they are what is wrong.
    words = "" if error.param == "q" else query_text(request.args.get("q") or "")
    return error_page(
        400,
        _("This search could not be run"),
        " ".join(dict.fromkeys(param_hint(e) for e in errors)),
        # "detail" is the exception's message, in English, for programs (the JSON twin);
        # the page shows the parameter as given, which reads the same in both languages.
        {
            "param": error.param,
            "detail": error.message,
            "given": ", ".join(_as_given(param) for param in faults),
            "params": faults,
            "retry_url": retry,
            "query": words,
        },
    )


def not_found(error=None):
    lang = _set_language()
    message = _("There is no page at this address. It may have moved, or the address may be mistyped.")
    if isinstance(error, ReleaseNotFound):
        message = _("There is no release with this identifier in the archive. It may have been removed.")
    return error_page(404, _("Page not found"), message, {"search_url": url_for("site.search", lang=lang, fmt="html")})


def method_not_allowed(error):
    _set_language()
    headers = {"Allow": ", ".join(error.valid_methods)} if getattr(error, "valid_methods", None) else None
    return error_page(
        405, _("Method not allowed"), _("This address only answers ordinary page requests (GET)."), headers=headers
    )


def unavailable(error: IndexUnavailable):
    _set_language()
    log.warning("index unavailable: %s", error)
    return error_page(
        503,
        _("The archive is not available right now"),
        _("The search index is being prepared. Please try again in a minute."),
        headers={"Retry-After": "60"},
    )


def server_error(error):
    _set_language()
    original = getattr(error, "original_exception", None) or error
    if not isinstance(original, HTTPException):
        log.error("unhandled error on %s", request.path, exc_info=original)
    return error_page(
        500,
        _("Something went wrong"),
        _("The page could not be shown because of an error on our side. Please try again later."),
    )


def rate_limited(error: RateLimited):
    """429: the site's error page, with Retry-After."""
    _set_language()
    return error_page(
        429,
        _("Too many requests"),
        ngettext(
            "You have sent many searches in a short time. Please wait %(num)s second and try again.",
            "You have sent many searches in a short time. Please wait %(num)s seconds and try again.",
            error.retry_after,
        ),
        headers={"Retry-After": str(error.retry_after)},
    )


def http_error(error: HTTPException):
    if isinstance(error, RateLimited):
        return rate_limited(error)
    if isinstance(error, NotFound):
        return not_found(error)
    if error.code == 405:
        return method_not_allowed(error)
    if error.code and error.code >= 500:
        return server_error(error)
    _set_language()
    return error_page(error.code or 400, str(error.name), _("The request could not be handled."))


def init_app(app) -> None:
    app.register_error_handler(ParamError, param_error)
    app.register_error_handler(ReleaseNotFound, not_found)
    app.register_error_handler(IndexUnavailable, unavailable)
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(InternalServerError, server_error)
    app.register_error_handler(Exception, server_error)
