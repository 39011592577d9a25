"""The running application's archive (``search.engine.Archive``), made once by the app factory:
the one accessor that the pages, the API, the feeds, the embed box and the caching headers use,
and the one reading of a request's search parameters against it."""

from flask import current_app

from search.params import SearchParams, parse_params


def archive():
    return current_app.extensions["archive"]


def search_params(args, ui: str | None = None) -> SearchParams:
    """The search parameters of a request (the pages', the API's, a feed's), checked against the
    archive's topics and countries; raises ParamError (a 400) when one is wrong."""
    a = archive()
    return parse_params(args, ui=ui, known_topics=a.known_topics(), known_countries=a.known_countries())
