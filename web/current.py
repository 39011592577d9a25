"""The running application's archive (``search.engine.Archive``), made once by the app factory:
the one accessor that the pages, the API, the feeds, the embed box and the caching headers use."""

from flask import current_app


def archive():
    return current_app.extensions["archive"]
