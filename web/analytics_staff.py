"""The staff page of search counts: ``/<lang>/staff/searches`` and its ``.json`` twin.

Off unless ``STAFF_TOKEN`` is set (the addresses then do not exist: 404). When on, every
request must carry the token: ``Authorization: Bearer TOKEN``, or HTTP Basic with the token as
password (any user name: a browser asks for it), or ``X-Staff-Token: TOKEN`` set by a reverse
proxy after its own authentication. The page is never stored by a cache, the browser's
included (``Cache-Control: no-store``), never indexed (``X-Robots-Tag``), and is in no sitemap
or link of the public pages; docs/operations.md shows how to keep it off the public host.

Query strings: ``weeks`` (1 to ``ANALYTICS_WEEKS``, default 4), ``min_count`` (from
``ANALYTICS_MIN_COUNT`` up: a rarer query is never shown, whoever asks).
"""

import base64
import hmac
import logging

from flask import Blueprint, current_app, g, request, url_for
from flask_babel import format_percent
from flask_babel import gettext as _

from search.engine import IndexUnavailable
from search.params import whole_number

from . import i18n
from .analytics_store import Store, report
from .current import archive
from .errors import error_page
from .settings import setting
from .templating import render

log = logging.getLogger(__name__)

staff = Blueprint("staff", __name__, url_prefix="/<lang:lang>/staff")

MIN_TOKEN_CHARS = 16  # a shorter token could be guessed: the page stays off and the log says why
DEFAULT_WEEKS = 4
LIST_LENGTH = 20


staff.url_value_preprocessor(i18n.pull_lang)


@staff.app_template_filter("staff_percent")
def percent(value: float) -> str:
    return format_percent(value, "#,##0.0%")


def _given_tokens() -> list[str]:
    """The tokens a request offers: its Bearer token, its Basic password, its X-Staff-Token."""
    given = []
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer":
        given.append(value.strip())
    elif scheme.lower() == "basic":
        try:
            given.append(base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")[2])
        except (ValueError, UnicodeDecodeError):
            pass
    if request.headers.get("X-Staff-Token") is not None:
        given.append(request.headers["X-Staff-Token"])
    return given


def _authorised() -> bool:
    token = current_app.config["STAFF_TOKEN"].encode("utf-8")
    # every offered token compared, in constant time each
    return any([hmac.compare_digest(given.encode("utf-8"), token) for given in _given_tokens()])


def _error(status: int, title: str, message: str, extra: dict | None = None, headers=None):
    """The site's error page (or its JSON twin) for this page's own refusals, kept private."""
    return _private(error_page(status, title, message, extra, headers))


def _private(response):
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.vary.add("Authorization")
    return response


@staff.before_request
def require_token():
    if _authorised():
        return None
    return _error(
        401,
        _("Staff only"),
        _("This page is for the archive's staff: sign in with the staff token."),
        headers={"WWW-Authenticate": 'Basic realm="Archive staff", charset="UTF-8"'},
    )


def _whole(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    number = whole_number(raw)
    if number is not None and low <= number <= high:
        return number
    raise _BadParameter(name, raw, low, high)


class _BadParameter(Exception):
    def __init__(self, name, raw, low, high):
        super().__init__(name)
        self.name, self.raw, self.low, self.high = name, raw, low, high


@staff.errorhandler(_BadParameter)
def bad_parameter(error: _BadParameter):
    return _error(
        400,
        _("This report could not be shown"),
        _(
            "“%(param)s” must be a whole number from %(low)s to %(high)s.",
            param=error.name,
            low=error.low,
            high=error.high,
        ),
        {
            "param": error.name,
            "detail": f"{error.name} must be a whole number from {error.low} to {error.high}",
            "given": f"{error.name}={error.raw[:60]}",
        },
    )


def _labels(kind: str, values: dict) -> list[dict]:
    """Filter values with their labels in the interface language, for the page."""
    out = []
    for value, count in values.items():
        label = value
        if kind in ("country", "topic", "lang"):
            try:
                label = archive().labels(kind, value).get(g.lang) or value
            except (IndexUnavailable, KeyError, ValueError):
                pass
        out.append({"value": value, "label": label, "count": count})
    return out


@staff.get("/searches", defaults={"fmt": "html"})
@staff.get("/searches.json", defaults={"fmt": "json"})
def searches(fmt):
    keep = current_app.config["ANALYTICS_WEEKS"]
    least = current_app.config["ANALYTICS_MIN_COUNT"]
    weeks = _whole("weeks", min(DEFAULT_WEEKS, keep), 1, keep)
    min_count = _whole("min_count", least, least, 1_000_000)
    directory = setting(current_app.config, "ANALYTICS_DIR")
    data = report(Store(directory), weeks=weeks, min_count=min_count, limit=LIST_LENGTH) if directory else None
    query = request.query_string.decode("utf-8", "replace")
    other = i18n.other_language(g.lang)

    def here(fmt, lang=None):
        url = url_for("staff.searches", fmt=fmt, lang=lang or g.lang)
        return f"{url}?{query}" if query else url

    filter_titles = {
        "lang": _("Language"),
        "year": _("Year"),
        "country": _("Country"),
        "topic": _("Topic"),
        "dates": _("Dates"),
        "translations": _("Translations shown separately"),
    }
    sorts = {"relevance": _("Relevance"), "newest": _("Newest first"), "oldest": _("Oldest first")}
    context = {
        "page": "staff",
        "lang": g.lang,
        "counting": bool(directory),
        "retention_weeks": keep,
        "weeks": weeks,
        "min_count": min_count,
        "_least_count": least,
        "report": data,
        "links": {
            "html": here("html"),
            "json": here("json"),
            "alternate": here("html", other),
            "alternate_lang": other,
        },
        "_filters": [
            {"name": name, "title": filter_titles.get(name, name), "entries": _labels(name, values)}
            for name, values in (data["period"]["filters"] if data else {}).items()
        ]
        + (
            [
                {
                    "name": "sort",
                    "title": _("Sort"),
                    "entries": [
                        {"value": v, "label": sorts.get(v, v), "count": n} for v, n in data["period"]["sorts"].items()
                    ],
                }
            ]
            if data and data["period"]["sorts"]
            else []
        ),
        "_weeks_options": [n for n in (1, 2, 4, 8, 13, 26, 52) if n <= keep],
    }
    return _private(render("staff_searches.html", context, fmt))


def init_app(app) -> None:
    token = setting(app.config, "STAFF_TOKEN")
    if not token:
        return
    if len(str(token)) < MIN_TOKEN_CHARS:
        logging.getLogger(__name__).warning(
            "STAFF_TOKEN has fewer than %d characters: the staff pages stay off", MIN_TOKEN_CHARS
        )
        return
    app.config["STAFF_TOKEN"] = str(token)
    app.register_blueprint(staff)
