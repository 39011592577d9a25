"""The site's public address: absolute URLs come from ``PUBLIC_URL``, never from the request,
and a request naming a host that is not allowed is refused with 400.

``PUBLIC_URL``     the address visitors use, such as ``https://archive.example.org``; a path
                   (``https://example.org/archive``) is where the site is mounted. Default
                   ``http://localhost``; ``scripts/serve`` makes it ``http://HOST:PORT``.
``ALLOWED_HOSTS``  host names a request's ``Host`` may carry (any port), separated by spaces
                   or commas; ``.example.org`` allows every subdomain too. Default: the host
                   of ``PUBLIC_URL`` and the loopback names (localhost, 127.0.0.1, [::1]).

The mount point comes from ``PUBLIC_URL`` alone: a ``SCRIPT_NAME`` from the server or a
request header is replaced, so a client cannot move the site's links.
"""

import re
from urllib.parse import SplitResult, urlsplit

from flask import current_app, url_for
from werkzeug.utils import redirect

from .settings import setting, split_list

LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "[::1]")
DEFAULT_PUBLIC_URL = "http://localhost"
_HOST = re.compile(r"(?P<name>\[[0-9a-f:.]+\]|[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?\.?)(?::(?P<port>[0-9]{1,5}))?")
REFUSED = b"Bad Request: this server does not answer for that host name.\n"
# The same on the API's addresses, in its error shape (web/api.py): an API client reads JSON.
REFUSED_JSON = (
    b'{"error": {"status": 400, "code": "bad_request", "message": "this server does not answer for that host name"}}\n'
)


def referrer_parts(req) -> SplitResult | None:
    """A request's ``Referer`` split into its parts; None when it has none, or one that is no
    address (``http://[::1`` makes ``urlsplit`` raise: a header any client may send)."""
    referrer = req.referrer
    if not referrer:
        return None
    try:
        parts = urlsplit(referrer)
        _ = parts.port  # raises for a port that is not a number
    except ValueError:
        return None
    return parts


def parse_public_url(value: str) -> tuple[str, str]:
    """(origin, mount path) of a public base URL; ValueError says what is wrong with it."""
    parts = urlsplit(str(value).strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"PUBLIC_URL must be an http(s) address such as https://archive.example.org, not {value!r}")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError(f"PUBLIC_URL takes no query, fragment or user name: {value!r}")
    if host_name(parts.netloc) is None:
        raise ValueError(f"PUBLIC_URL has an invalid host: {value!r}")
    return f"{parts.scheme}://{parts.netloc.lower()}", parts.path.rstrip("/")


def host_name(host: str) -> str | None:
    """The name in a ``Host`` value, lower-cased, without its port (None when malformed)."""
    match = _HOST.fullmatch(host.strip().lower())
    if match is None or (match.group("port") and not 0 < int(match.group("port")) < 65536):
        return None
    return match.group("name").rstrip(".")


def host_allowed(name: str, allowed: tuple[str, ...]) -> bool:
    for entry in allowed:
        if entry.startswith("."):
            if name == entry[1:] or name.endswith(entry):
                return True
        elif name == entry:
            return True
    return False


class HostGuard:
    """WSGI middleware: refuses unknown hosts and sets the mount point from ``PUBLIC_URL``."""

    def __init__(self, wsgi_app, allowed: tuple[str, ...], mount: str, config=None):
        self.wsgi_app = wsgi_app
        self.allowed = allowed
        self.mount = mount
        self.config = config if config is not None else {}  # the app's, read when a refusal is made

    def __call__(self, environ, start_response):
        host = environ.get("HTTP_HOST")
        if host is not None:
            name = host_name(host)
            if name is None or not host_allowed(name, self.allowed):
                path = environ.get("PATH_INFO", "")
                if self.mount and path.startswith(self.mount + "/"):
                    path = path[len(self.mount) :]
                api = path == "/api" or path.startswith("/api/")
                body = REFUSED_JSON if api else REFUSED
                headers = [
                    ("Content-Type", "application/json" if api else "text/plain; charset=utf-8"),
                    ("Content-Length", str(len(body))),
                    ("Cache-Control", "no-store"),
                    ("X-Content-Type-Options", "nosniff"),
                    ("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"),
                ]
                if api and "*" in self.config.get("API_CORS_ORIGINS", ()):
                    # a page on another site calling the API reads why, as from every other refusal
                    headers.append(("Access-Control-Allow-Origin", "*"))
                start_response("400 Bad Request", headers)
                return [body]
        environ["SCRIPT_NAME"] = self.mount
        path = environ.get("PATH_INFO", "")
        if self.mount and (path == self.mount or path.startswith(self.mount + "/")):
            environ["PATH_INFO"] = path[len(self.mount) :]  # a proxy that passes the prefix on
        return self.wsgi_app(environ, start_response)


def origin() -> str:
    """``https://archive.example.org``: the public scheme and host."""
    return current_app.extensions["public_url"][0]


def base_url() -> str:
    """The public address of the site's root, without a trailing slash."""
    origin_, mount = current_app.extensions["public_url"]
    return origin_ + mount


def own_referrer(req) -> SplitResult | None:
    """:func:`referrer_parts` when the Referer is a page of this site (its public address, or
    the address the request came to), else None."""
    parts = referrer_parts(req)
    if parts is None or f"{parts.scheme}://{parts.netloc}" not in {origin(), req.host_url.rstrip("/")}:
        return None
    return parts


def absolute(path: str) -> str:
    """The public address of a path of the site (as ``url_for`` gives it): ``rel="canonical"``
    and ``hreflang`` links name pages by their whole address."""
    return origin() + path


def external(endpoint: str, **values) -> str:
    """The absolute public address of a route (``url_for`` on the public base URL)."""
    return absolute(url_for(endpoint, **values))


def public_location(response):
    """A redirect to an absolute address (werkzeug builds the slash redirects from the request's
    host and scheme) goes to the same path on the public address, in its header and its page."""
    location = response.headers.get("Location")
    if not location or "://" not in location.split("?", 1)[0]:
        return response
    parts = urlsplit(location)
    public = origin() + parts.path + (f"?{parts.query}" if parts.query else "")
    if public != location:
        response.headers["Location"] = public
        if 300 <= response.status_code < 400:
            response.set_data(redirect(public, response.status_code).get_data())
    return response


def init_app(app) -> None:
    public = parse_public_url(setting(app.config, "PUBLIC_URL", DEFAULT_PUBLIC_URL))
    app.extensions["public_url"] = public
    allowed = split_list(setting(app.config, "ALLOWED_HOSTS", ""))
    if not allowed:
        allowed = (host_name(urlsplit(public[0]).netloc), *LOOPBACK_HOSTS)
    allowed = tuple(dict.fromkeys(a.lower().rstrip(".") for a in allowed))
    app.config["PUBLIC_URL"], app.config["ALLOWED_HOSTS"] = public[0] + public[1], allowed
    app.wsgi_app = HostGuard(app.wsgi_app, allowed, public[1], app.config)
    app.after_request(public_location)
