"""The interface language, read in one place: the ``/<lang>/`` prefix of a page's address
(:class:`LangConverter`, :func:`pull_lang`, :func:`add_lang`), the ``ui`` parameter of the
addresses without one (the API, the feeds: :func:`ui_param`), and Accept-Language at the
bare root and on error pages outside both (:func:`preferred_language`)."""

import datetime as dt
from functools import lru_cache

from babel import dates, numbers
from flask import current_app, g, request
from flask_babel import format_datetime, format_decimal, get_locale
from werkzeug.routing import BaseConverter

from search.params import LANGUAGES, parse_ui

DEFAULT_LANGUAGE = "en"


class LangConverter(BaseConverter):
    """``<lang:lang>`` matches only the interface languages; any other prefix is a 404."""

    regex = "|".join(LANGUAGES)


def pull_lang(endpoint, values):
    """A blueprint's ``url_value_preprocessor``: the ``<lang>`` part of the address is the page's language."""
    if values and "lang" in values:
        g.lang = values.pop("lang")


def add_lang(endpoint, values):
    """A blueprint's ``url_defaults``: links from a page stay in its language unless they name another."""
    if "lang" not in values and g.get("lang") and current_app.url_map.is_endpoint_expecting(endpoint, "lang"):
        values["lang"] = g.lang


def ui_param() -> str:
    """The interface language of an address without a ``/<lang>/`` prefix (the API, the feeds):
    its ``ui`` parameter, English when there is none; a ParamError (400) for any other value."""
    return parse_ui(request.args, DEFAULT_LANGUAGE)


def other_language(lang: str) -> str:
    return "es" if lang == "en" else "en"


def preferred_language() -> str:
    """The visitor's preferred interface language from Accept-Language (English if neither):
    the first of its tags by quality whose primary language the site speaks, so that
    ``es-MX,en;q=0.5`` is Spanish (werkzeug's ``best_match`` takes an exact ``en`` over a
    regional ``es-MX`` whatever their qualities)."""
    # Highest quality first, in the header's order (werkzeug puts "*" after the others whatever
    # its quality: it is placed back by its quality, as the default language).
    tags = sorted(request.accept_languages, key=lambda item: -item[1])
    for tag, quality in tags:
        primary = DEFAULT_LANGUAGE if tag == "*" else tag.replace("_", "-").split("-", 1)[0].lower()
        if quality > 0 and primary in LANGUAGES:
            return primary
    return DEFAULT_LANGUAGE


def language_from_path(path: str) -> str | None:
    first = path.lstrip("/").split("/", 1)[0]
    return first if first in LANGUAGES else None


def current_language() -> str:
    return g.get("lang") or DEFAULT_LANGUAGE


def to_date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def long_date(value) -> str:
    """``7 de agosto de 2019`` / ``August 7, 2019``: as Flask-Babel's ``format_date`` writes
    it, remembered by date and locale (each hit of a results page has one)."""
    date = to_date(value)
    return _long_date(date, str(get_locale())) if date else str(value or "")


@lru_cache(maxsize=4096)
def _long_date(date: dt.date, locale: str) -> str:
    return dates.format_date(date, "long", locale=locale)


def long_datetime(value) -> str:
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if not isinstance(value, dt.datetime):
        return ""
    return format_datetime(value, "long")


def number(value, locale: str | None = None) -> str:
    """``1.234`` / ``1,234``, as Flask-Babel's ``format_decimal`` writes it in the locale named
    ``locale`` (by default the request's).

    A results page writes dozens (every facet value's count), and Babel reads the locale's
    number pattern again on each call, a tenth of a page's time: each value is written once
    per locale, then remembered (counts are small numbers, met again and again)."""
    # remembered by the locale's name: comparing Babel's Locale objects costs more than writing
    return _decimal(value, locale or str(get_locale()))


@lru_cache(maxsize=4096, typed=True)
def _decimal(value, locale: str) -> str:
    return numbers.format_decimal(value, locale=locale)


def seconds(milliseconds: float) -> str:
    """A duration in seconds with two decimals, in the interface language (``0,12``)."""
    return format_decimal(max(milliseconds, 0) / 1000, format="0.00")


def ucfirst(text: str) -> str:
    text = str(text or "")
    return text[:1].upper() + text[1:]
