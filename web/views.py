"""The routes of the pages: home, results, release, help, in ``/en/...`` and ``/es/...``, each
with a JSON twin at the same address with ``.json``; the bare root and the health check.

Each view reads its request, asks the archive, has :mod:`web.pages` build the page's model
and renders it (:func:`web.templating.render`: HTML, or the model as JSON for the twin).
"""

from flask import Blueprint, current_app, g, jsonify, redirect, request
from werkzeug.datastructures import MultiDict

from index.publish import published
from search.engine import IndexUnavailable, ReleaseNotFound
from search.params import SearchParams, typed_prefix

from . import analytics, i18n, links, pages, shapes
from .current import archive, search_params
from .links import Addresses, page_url
from .templating import render

root = Blueprint("root", __name__)
site = Blueprint("site", __name__, url_prefix="/<lang:lang>")

site.url_value_preprocessor(i18n.pull_lang)
site.url_defaults(i18n.add_lang)
site.add_app_template_global(links.back_to_results_url)


# --- root and health -------------------------------------------------------------------------
@root.get("/")
def index():
    """Send visitors to their language (by Accept-Language); a query goes to the results."""
    lang = i18n.preferred_language()
    query = request.query_string.decode("utf-8", "replace")
    target = page_url("site.search", query=query, lang=lang) if query else page_url("site.home", lang=lang)
    response = redirect(target, code=302)
    response.headers["Vary"] = "Accept-Language"
    return response


@root.get("/healthz")
def healthz():
    try:
        status = archive().status()
    except IndexUnavailable as error:
        # The message names the index directory: it goes to the log, not to the client.
        current_app.logger.warning("health check: %s", error)
        response = jsonify(
            {
                "status": "unhealthy",
                "message": "there is no readable search index yet; "
                "run scripts/reindex (the server's log says where it looked)",
            }
        )
        response.status_code = 503
    except Exception as error:  # a health check answers, whatever went wrong
        current_app.logger.exception("health check failed")
        response = jsonify({"status": "unhealthy", "message": f"the index cannot be read: {type(error).__name__}"})
        response.status_code = 503
    else:
        response = jsonify({"status": "ok", **status})
    response.headers["Cache-Control"] = "no-store"
    return response


@root.get("/readyz")
def readyz():
    """Readiness, not liveness: 200 only when the live generation can be read and is the one the
    indexing node published (``PUBLISHED``, which ``scripts/publish`` keeps in a replica's index
    directory); 503 while a replica is behind. A single node that publishes nothing is ready
    whenever its index can be read."""
    try:
        generation = archive().status()["generation"]
    except Exception as error:  # noqa: BLE001 - a readiness check answers, whatever went wrong
        current_app.logger.warning("readiness check: %s", error)
        response = jsonify({"status": "unready", "message": "there is no readable search index yet"})
        response.status_code = 503
    else:
        wanted = published(archive().store)
        behind = wanted is not None and wanted != generation
        response = jsonify({"status": "behind" if behind else "ready", "generation": generation, "published": wanted})
        response.status_code = 503 if behind else 200
    response.headers["Cache-Control"] = "no-store"
    return response


@root.after_app_request
def generation_header(response):
    """Every answer names the index generation live when it was made: behind a proxy in front of
    several replicas, it says whether the one that answered had caught up."""
    try:
        response.headers["X-Index-Generation"] = archive().snapshot().name
    except IndexUnavailable:
        pass
    return response


# --- home --------------------------------------------------------------------------------------
@site.get("/", defaults={"fmt": "html"})
@site.get("/index.json", defaults={"fmt": "json"})
def home(fmt):
    a = archive()
    result = a.search(SearchParams(sort="newest", per_page=current_app.config["LATEST_RELEASES"], ui=g.lang))
    return render("home.html", pages.home(result, a.status()), fmt)


# --- results -----------------------------------------------------------------------------------
def read_params() -> SearchParams:
    """The search parameters of this request; raises ParamError (a 400 page) when one is wrong."""
    args = MultiDict(request.args)
    args.poplist("ui")  # the interface language comes from the address
    params = search_params(args, ui=g.lang)
    g.search_params = params  # for the page's feed link (web.feeds.link_globals)
    return params


@site.get("/search", defaults={"fmt": "html"})
@site.get("/search.json", defaults={"fmt": "json"})
def search(fmt):
    params = read_params()
    result = archive().search(params)
    analytics.searched(params, result)
    return render("search.html", pages.results(params, result, facet_links=fmt == "json"), fmt)


# --- releases ----------------------------------------------------------------------------------
@site.get("/releases/<rid>", defaults={"fmt": "html"})
@site.get("/releases/<rid>.json", defaults={"fmt": "json"})
def release(rid, fmt):
    a = archive()
    try:
        detail = a.release(rid, ui=g.lang, related=current_app.config["RELATED_RELEASES"])
    except ReleaseNotFound:
        if fmt != "json":
            raise
        # an identifier may itself end in ".json"
        detail = a.release(f"{rid}.json", ui=g.lang, related=current_app.config["RELATED_RELEASES"])
        fmt = "html"
    response = render("release.html", pages.release(detail), fmt)
    if fmt == "html":
        response.vary.add("Referer")  # the "Back to results" link is the referring search's
    return response


# --- help and autocomplete ---------------------------------------------------------------------
@site.get("/help", defaults={"fmt": "html"})
@site.get("/help.json", defaults={"fmt": "json"})
def help(fmt):
    return render("help.html", pages.help_page(), fmt)


@site.get("/suggest.json")
def suggest():
    """Completions for the search box: phrases and words of the archive, then release titles,
    each cut into what was typed and its completion (``parts``)."""
    text = typed_prefix((request.args.get("q") or "")[:200])  # as a search reads it
    limit = current_app.config["SUGGESTIONS"]
    to = Addresses(g.lang, page=True)
    items = [shapes.suggestion(s, to) for s in archive().suggest(text, ui=g.lang, limit=limit)] if text.strip() else []
    response = jsonify({"query": text, "suggestions": items})
    response.headers["Cache-Control"] = "public, max-age=60"
    return response
