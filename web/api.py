"""The public JSON API, versioned under ``/api/v1``; its OpenAPI document is built in :mod:`web.openapi`.

Every answer is JSON, errors included: ``{"error": {"status", "code", "message", ...}}``
for 400, 404, 405, 429, 500 and 503 on any ``/api/`` address, known or not. Successful
answers carry an ``ETag`` (see :mod:`web.caching`) and ``Cache-Control``; CORS headers come
from :mod:`web.cors` and the rate limit from :mod:`web.ratelimit`.
"""

import json
import logging
import time

from flask import Blueprint, current_app, jsonify, request, url_for
from flask_babel import force_locale
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

from search.engine import IndexUnavailable, ReleaseNotFound
from search.lru import ByteCache
from search.params import DEFAULT_PER_PAGE, ParamError, SearchParams, typed_prefix, whole_number

from . import caching, errors, hosts, openapi, shapes
from .current import archive, search_params
from .i18n import DEFAULT_LANGUAGE, LANGUAGES, ui_param
from .links import Addresses, api_search_url, feed_url, search_page_url
from .notices import notices_list
from .ratelimit import RateLimited

log = logging.getLogger(__name__)

api = Blueprint("api", __name__, url_prefix="/api/v1")

MAX_SUGGEST_CHARS = 200
MAX_SUGGESTIONS = 20
SEARCH_MAX_AGE = 60
RELEASE_MAX_AGE = 300
OPENAPI_MAX_AGE = 3600
SEARCH_BODY_CACHE_BYTES = 8 * 1024 * 1024  # serialised search answers kept per worker, by ETag


# --- errors ------------------------------------------------------------------------------------
def is_api_path(path: str | None = None) -> bool:
    path = request.path if path is None else path
    return path == "/api" or path.startswith("/api/")


def error_response(status: int, code: str, message: str, headers=None, **extra):
    body = {"error": {"status": status, "code": code, "message": message, **extra}}
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _param_error(error: ParamError):
    # The message is for programs, in English, as every other; the hint says what to fix in the
    # interface language the request names (English when ``ui`` itself is what is wrong).
    ui = (request.args.get("ui") or "").strip().lower()
    with force_locale(ui if ui in LANGUAGES else DEFAULT_LANGUAGE):
        hint = errors.param_hint(error)
    return error_response(400, "invalid_parameter", error.message, param=error.param, hint=hint)


def _release_not_found(error: ReleaseNotFound):
    rid = error.args[0] if error.args else ""
    return error_response(404, "release_not_found", f"there is no release with the id {str(rid)[:200]!r}")


def _unavailable(error: IndexUnavailable):
    log.warning("index unavailable: %s", error)
    return error_response(
        503,
        "index_unavailable",
        "the search index is being prepared; try again in a minute",
        headers={"Retry-After": "60"},
    )


def _http_error(error: HTTPException):
    status = error.code or 500
    if status == 404:
        return error_response(
            404, "not_found", f"there is no API address {request.path[:200]!r}; see /api/v1/openapi.json"
        )
    if status == 405:
        allowed = sorted(error.valid_methods or ("GET", "HEAD", "OPTIONS"))
        return error_response(
            405,
            "method_not_allowed",
            f"{request.method} is not allowed here; use one of {', '.join(allowed)}",
            headers={"Allow": ", ".join(allowed)},
        )
    if isinstance(error, RateLimited):
        return error_response(
            429,
            "rate_limited",
            f"too many requests; try again in {error.wait}",
            headers={"Retry-After": str(error.retry_after)},
            retry_after=error.retry_after,
        )
    if status >= 500:
        return _server_error(error)
    return error_response(status, "bad_request", str(error.description or error.name))


def _server_error(error):
    original = getattr(error, "original_exception", None) or error
    if not isinstance(original, HTTPException):
        log.error("unhandled error on %s", request.path, exc_info=original)
    return error_response(500, "internal_error", "the request could not be answered because of an error on our side")


def _any_error(error: Exception):
    if isinstance(error, HTTPException):
        return _http_error(error)
    return _server_error(error)


def _routing_error(error: HTTPException):
    """400/404/405/429 anywhere: JSON on /api/ addresses, the site's pages elsewhere."""
    if is_api_path():
        return _http_error(error)
    return errors.http_error(error)


# --- helpers -----------------------------------------------------------------------------------
# --- endpoints ---------------------------------------------------------------------------------
@api.get("/search")
def search():
    params = search_params(request.args)
    etag = caching.make_etag("search", caching.generation(), params.to_query(), params.ui)
    cached = caching.not_modified(etag, SEARCH_MAX_AGE, weak=True)
    if cached is not None:
        return cached
    started = time.perf_counter()
    bodies = current_app.extensions.setdefault("api_search_bodies", ByteCache(SEARCH_BODY_CACHE_BYTES))
    rest = bodies.get(etag)
    if rest is None:
        result = archive().search(params)
        # Kept as UTF-8, whose length is what it holds: a str with one accented letter takes
        # two bytes for every character, and the cache held twice its limit.
        rest = current_app.json.dumps(_search_body(params, result)).encode("utf-8")
        bodies.put(etag, rest, len(rest))
        took = result.took_ms
    else:
        took = round((time.perf_counter() - started) * 1000, 2)
    # The answer for one ETag is the same until the next reindex, except the time taken: hence
    # a weak tag.
    data = b'{"took_ms":' + json.dumps(took).encode("ascii") + b"," + rest[1:]
    response = current_app.response_class(data, mimetype="application/json")
    return caching.cacheable(response, etag, SEARCH_MAX_AGE, weak=True)


def _search_body(params: SearchParams, result) -> dict:
    pages = result.pages
    to = Addresses(params.ui, page=False)  # one for all the hits: it builds each route once
    return {
        "query": result.query,
        "searched_for": result.searched_for,
        "corrected": result.corrected,
        "params": params.to_dict(),
        "total": result.total,
        "page": result.page,
        "per_page": result.per_page,
        "pages": pages,
        "sort": result.sort,
        "hits": [shapes.hit(hit, to) for hit in result.hits],
        "facets": shapes.facets(result),
        "suggestion": result.suggestion,
        "notices": notices_list(params, result),
        "generation": result.generation,
        "next": api_search_url(params.with_(page=params.page + 1)) if params.page < pages else None,
        "prev": api_search_url(params.with_(page=min(params.page - 1, pages))) if params.page > 1 else None,
        "links": search_links(params, result),
    }


def search_links(params: SearchParams, result) -> dict:
    """This search in the API, on the site and as a feed; when its results are for a correction
    of the query, ``instead``: the same search with the query exactly as typed."""
    links = {"self": api_search_url(params), "html": search_page_url(params), "atom": feed_url(params)}
    if result.corrected:
        links["instead"] = api_search_url(params.with_(spell=False, page=1))
    return links


@api.get("/facets")
def facets():
    # The parameters it takes not: ignored, as any unknown one is, even when they would be wrong
    # for a search (a client may send a search's whole query string).
    args = MultiDict(request.args)
    for name in ("page", "per_page", "sort"):
        args.poplist(name)
    params = search_params(args).with_(page=1, per_page=1, sort="relevance")
    etag = caching.make_etag("facets", caching.generation(), params.to_query(), params.ui)
    cached = caching.not_modified(etag, SEARCH_MAX_AGE)
    if cached is not None:
        return cached
    result = archive().search(params)
    body = {
        "query": result.query,
        "searched_for": result.searched_for,
        "corrected": result.corrected,
        "params": {k: v for k, v in params.to_dict().items() if k not in ("sort", "page", "per_page")},
        "total": result.total,
        "facets": shapes.facets(result),
        "generation": result.generation,
        "links": {
            "search": api_search_url(params.with_(per_page=DEFAULT_PER_PAGE)),
            "html": search_page_url(params.with_(per_page=DEFAULT_PER_PAGE)),
        },
    }
    return caching.cacheable(jsonify(body), etag, SEARCH_MAX_AGE)


@api.get("/releases/<rid>")
def release(rid):
    ui = ui_param()
    etag = caching.make_etag("release", caching.generation(), rid, ui)
    cached = caching.not_modified(etag, RELEASE_MAX_AGE, exists=lambda: archive().release(rid, ui=ui, related=0))
    if cached is not None:
        return cached
    detail = archive().release(rid, ui=ui, related=current_app.config["RELATED_RELEASES"])
    body = shapes.release(detail, Addresses(ui, page=False))
    return caching.cacheable(jsonify(body), etag, RELEASE_MAX_AGE)


def _single(name: str, default: str | None = None) -> str | None:
    values = [v for v in request.args.getlist(name)]
    if len(set(values)) > 1:
        raise ParamError(name, f"give '{name}' once")
    return values[0] if values else default


@api.get("/suggest")
def suggest():
    typed = _single("q", "") or ""
    if len(typed) > MAX_SUGGEST_CHARS:
        raise ParamError("q", f"'q' is at most {MAX_SUGGEST_CHARS} characters")
    text = typed_prefix(typed)  # as a search reads it: no control or invisible character echoed
    ui = ui_param()
    # Given empty, absent (as every parameter); its value in any case, as the other named values.
    fmt = (_single("format") or "").strip().lower() or "json"
    if fmt not in ("json", "opensearch"):
        raise ParamError("format", "'format' must be 'json' or 'opensearch'")
    raw_limit = (_single("limit") or "").strip()
    limit = current_app.config["SUGGESTIONS"]
    if raw_limit:
        number = whole_number(raw_limit)
        if number is None or not 1 <= number <= MAX_SUGGESTIONS:
            raise ParamError("limit", f"'limit' must be a whole number from 1 to {MAX_SUGGESTIONS}")
        limit = number
    etag = caching.make_etag("suggest", caching.generation(), text, ui, limit, fmt)
    cached = caching.not_modified(etag, SEARCH_MAX_AGE)
    if cached is not None:
        return cached
    to = Addresses(ui, page=False)
    items = [shapes.suggestion(s, to) for s in archive().suggest(text, ui=ui, limit=limit)] if text.strip() else []
    if fmt == "opensearch":
        response = jsonify([text, [i["text"] for i in items], ["" for _i in items], [i["url"] for i in items]])
        response.mimetype = "application/x-suggestions+json"
    else:
        response = jsonify({"query": text, "suggestions": items})
    return caching.cacheable(response, etag, SEARCH_MAX_AGE)


@api.get("/openapi.json")
def openapi_document():
    document = openapi.document(hosts.origin() + url_for("api.search").rsplit("/", 1)[0])
    etag = caching.make_etag("openapi", document)
    cached = caching.not_modified(etag, OPENAPI_MAX_AGE)
    if cached is not None:
        return cached
    return caching.cacheable(jsonify(document), etag, OPENAPI_MAX_AGE)


api.register_error_handler(ParamError, _param_error)
api.register_error_handler(ReleaseNotFound, _release_not_found)
api.register_error_handler(IndexUnavailable, _unavailable)
api.register_error_handler(HTTPException, _http_error)
api.register_error_handler(Exception, _any_error)


def init_app(app) -> None:
    app.register_blueprint(api)
    # Errors raised before a view is chosen (unknown addresses, wrong methods, the rate
    # limit) are not the blueprint's: answer them as JSON on /api/ addresses here, and
    # leave every other address to the site's error pages.
    for code in (400, 404, 405, 429):
        app.register_error_handler(code, _routing_error)
