"""Pages: the search page in each language and the health check."""

from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, request, url_for

from search.engine import IndexUnavailable
from search.params import LANGUAGES, ParamError, parse_params

bp = Blueprint("pages", __name__)


def archive():
    return current_app.extensions["archive"]


@bp.get("/healthz")
def healthz():
    try:
        status = archive().status()
    except IndexUnavailable as error:
        return jsonify({"status": "unhealthy", "message": str(error)}), 503
    return jsonify({"status": "ok", **status})


@bp.get("/")
def root():
    lang = request.accept_languages.best_match(LANGUAGES) or "en"
    return redirect(url_for("pages.search_page", lang=lang))


@bp.get("/<lang>/search")
def search_page(lang):
    if lang not in LANGUAGES:
        abort(404)
    a = archive()
    try:
        params = parse_params(request.args, ui=lang, known_topics=a.known_topics(),
                              known_countries=a.known_countries())
    except ParamError as error:
        return render_template("error.html", lang=lang, message=error.message), 400
    try:
        result = a.search(params)
    except IndexUnavailable as error:
        return render_template("error.html", lang=lang, message=str(error)), 503
    return render_template("search.html", lang=lang, result=result, params=params)
