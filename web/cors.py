"""Cross-origin access to the JSON API, the embed script and the feeds.

GET (and HEAD) answers carry ``Access-Control-Allow-Origin: *`` by default, so any site
can call the API from a browser. ``API_CORS_ORIGINS`` (origins separated by spaces or
commas; Flask config, ``ARCHIVE_API_CORS_ORIGINS`` or the plain environment variable)
narrows that to a list: the allowed ``Origin`` is echoed back, with ``Vary: Origin``, and
other origins get no CORS headers, so browsers keep their pages from reading the answer.

``OPTIONS`` on any of these addresses (a CORS preflight) is answered 204 with the allowed
methods and headers, which browsers cache for a day.
"""

import os

from flask import current_app, make_response, request

ALLOWED_METHODS = "GET, HEAD, OPTIONS"
ALLOWED_HEADERS = (
    "accept",
    "accept-language",
    "content-language",
    "if-none-match",
    "if-modified-since",
    "cache-control",
)
EXPOSED_HEADERS = "ETag, Retry-After"
PREFLIGHT_MAX_AGE = "86400"


def is_cross_origin_path(path: str) -> bool:
    return path == "/api" or path.startswith("/api/") or path in ("/embed.js", "/search.atom", "/opensearch.xml")


def allowed_origin(origin: str | None) -> str | None:
    """The value of Access-Control-Allow-Origin for this Origin, or None."""
    origins = current_app.config["API_CORS_ORIGINS"]
    if "*" in origins:
        return "*"
    if origin and origin in origins:
        return origin
    return None


def _add_vary(response, value: str) -> None:
    current = [v.strip() for v in response.headers.get("Vary", "").split(",") if v.strip()]
    if value not in current:
        response.headers["Vary"] = ", ".join(current + [value])


def preflight():
    """Answer a CORS preflight on an address open to other sites (the API, the embed script,
    the feeds) before anything else runs."""
    if request.method != "OPTIONS" or not is_cross_origin_path(request.path):
        return None
    adapter = current_app.url_map.bind_to_environ(request.environ)
    try:
        adapter.match(method="GET")
    except Exception:  # an unknown address: let the normal 404 answer it
        return None
    response = make_response("", 204)
    response.headers["Allow"] = ALLOWED_METHODS
    allow = allowed_origin(request.headers.get("Origin"))
    if allow:
        requested = [h.strip().lower() for h in request.headers.get("Access-Control-Request-Headers", "").split(",")]
        response.headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
        headers = [h for h in requested if h in ALLOWED_HEADERS]
        if headers:
            response.headers["Access-Control-Allow-Headers"] = ", ".join(headers)
        response.headers["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
    return response


def add_cors_headers(response):
    if not is_cross_origin_path(request.path):
        return response
    allow = allowed_origin(request.headers.get("Origin"))
    if allow != "*":
        _add_vary(response, "Origin")
    if allow:
        response.headers["Access-Control-Allow-Origin"] = allow
        response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    # Pages that require CORP on what they load (COEP) may still load these.
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


def init_app(app) -> None:
    value = app.config.get("API_CORS_ORIGINS", os.environ.get("API_CORS_ORIGINS", "*"))
    if isinstance(value, str):
        value = value.replace(",", " ").split()
    app.config["API_CORS_ORIGINS"] = tuple(value) or ("*",)
    app.before_request(preflight)
    app.after_request(add_cors_headers)
