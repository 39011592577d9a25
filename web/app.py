"""The application factory: configuration from the environment, one Archive per process."""

import os

from flask import Flask

from index import config
from search.engine import Archive


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(
        INDEX_DIR=str(config.index_dir()),
        SECRET_KEY=None,
    )
    app.config.from_prefixed_env("ARCHIVE")
    if os.environ.get("INDEX_DIR"):
        app.config["INDEX_DIR"] = os.environ["INDEX_DIR"]
    app.config.update(overrides or {})
    app.extensions["archive"] = Archive(app.config["INDEX_DIR"])

    from .views import bp
    app.register_blueprint(bp)
    return app
