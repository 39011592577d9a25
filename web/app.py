"""The application factory: configuration from the environment, one Archive per process."""

import logging
import os
from pathlib import Path

from flask import Flask, g
from flask_babel import Babel
from flask_compress import Compress

from index import config
from search.engine import Archive

from . import encoding, errors, hosts, security, templating
from .i18n import LangConverter
from .json_output import OrjsonProvider
from .settings import split_list

WEB_DIR = Path(__file__).resolve().parent
TRANSLATIONS_DIR = WEB_DIR / "translations"


# Flask-Compress (maintained, and the usual choice for Flask) compresses an answer whose type is
# text when the client accepts it, adds "Vary: Accept-Encoding" to every answer, and marks a
# compressed answer's strong ETag with the encoding ("tag:br"), which web.caching accepts back.
COMPRESSION = {
    "COMPRESS_REGISTER": False,  # registered by init_compression, which leaves ranges alone
    # Brotli first (5 to 10 % smaller than gzip on these pages), gzip for every other client; the
    # same for answers sent as streams (static files), which Flask-Compress otherwise leaves to
    # brotli and deflate.
    "COMPRESS_ALGORITHM": ["br", "gzip"],
    "COMPRESS_ALGORITHM_STREAMING": ["br", "gzip"],
    "COMPRESS_BR_LEVEL": 5,
    "COMPRESS_LEVEL": 6,
    "COMPRESS_MIN_SIZE": 500,  # smaller answers fit in a packet anyway
    "COMPRESS_MIMETYPES": [
        "text/html",
        "text/css",
        "text/javascript",
        "application/javascript",
        "application/json",
        "application/atom+xml",
        "application/opensearchdescription+xml",
        "application/xml",
        "text/xml",
        "text/plain",
        "image/svg+xml",
    ],
}


def init_compression(app: Flask) -> None:
    for key, value in COMPRESSION.items():
        app.config.setdefault(key, value)
    compress = Compress()
    compress.init_app(app)

    @app.after_request
    def compressed(response):
        # A range of a file is a range of its bytes as stored: compressing it would send
        # something else (Flask-Compress would).
        if response.status_code == 206 or "Content-Range" in response.headers:
            response.vary.add("Accept-Encoding")
            return response
        return compress.after_request(response)


def create_app(overrides: dict | None = None) -> Flask:
    """Build the site.

    Settings, from lowest to highest priority: the defaults below, ``ARCHIVE_*`` environment
    variables (``ARCHIVE_INDEX_DIR``, ...), the plain ``INDEX_DIR`` and ``EMBED_ORIGINS``
    variables, then ``overrides``.
    """
    app = Flask(__name__)
    app.config.update(
        INDEX_DIR=str(config.index_dir()),
        # Origins (https://example.org) allowed to frame the routes marked embeddable;
        # every other page and every other origin gets frame-ancestors 'none'.
        EMBED_ORIGINS=(),
        LATEST_RELEASES=6,
        RELATED_RELEASES=5,
        SUGGESTIONS=8,
        SECRET_KEY=None,
        SEND_FILE_MAX_AGE_DEFAULT=86400,  # static files are addressed with a content hash
        BABEL_DEFAULT_LOCALE="en",
        BABEL_TRANSLATION_DIRECTORIES=str(TRANSLATIONS_DIR),
    )
    app.config.from_prefixed_env("ARCHIVE")
    for name in ("INDEX_DIR", "EMBED_ORIGINS"):
        if os.environ.get(name):
            app.config[name] = os.environ[name]
    app.config.update(overrides or {})
    app.config["EMBED_ORIGINS"] = split_list(app.config["EMBED_ORIGINS"])
    app.json = OrjsonProvider(app)  # keys in their order, UTF-8

    # Compression first: after-request steps run in the reverse order of their registration,
    # so it runs last, on the finished answer (headers, ETag and all).
    init_compression(app)

    app.url_map.converters["lang"] = LangConverter
    app.url_map.strict_slashes = True
    app.extensions["archive"] = Archive(app.config["INDEX_DIR"])
    Babel(app, locale_selector=lambda: g.get("lang") or app.config["BABEL_DEFAULT_LOCALE"])
    if not (TRANSLATIONS_DIR / "es" / "LC_MESSAGES" / "messages.mo").exists():
        logging.getLogger(__name__).warning(
            "the Spanish message catalog is not compiled; run: pybabel compile -d web/translations"
        )

    hosts.init_app(app)
    templating.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    encoding.init_app(app)

    from .views import root, site

    app.register_blueprint(root)
    app.register_blueprint(site)

    # The JSON API, the embeddable search box, feeds; CORS and the rate limit (issue 5).
    from . import api, cors, embed, feeds, ratelimit

    cors.init_app(app)
    ratelimit.init_app(app)
    api.init_app(app)
    embed.init_app(app)
    feeds.init_app(app)

    # Search counts (on with ANALYTICS_DIR) and the staff page showing them (on with STAFF_TOKEN).
    from . import analytics, analytics_staff

    analytics.init_app(app)
    analytics_staff.init_app(app)
    return app
