"""The search notices (query cut, any-word fallback, correction, ...) in the interface language.

The search layer gives each notice a code; the pages, the API and the feed all word it here.
"""

from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from search.compile import MAX_QUERY_TERMS

from . import i18n


def notice_data(notice: dict) -> dict:
    """What a notice says beside its text, for the API and the pages' JSON alike: the corrected
    query, the words no release has, the words left out with "-", how many have all the words."""
    out: dict = {}
    if notice.get("corrected"):
        out["corrected"] = notice["corrected"]
    for name in ("missing", "excluded", "filters"):
        if notice.get(name):
            out[name] = list(notice[name])
    if notice.get("all_words"):
        out["all_words"] = notice["all_words"]
    return out


def notices_list(params, result) -> list[dict]:
    """A search's notices with their message in its interface language (the same texts as the
    pages): the API's ``notices``, and its twin in a results page's JSON (``result.notices``)."""
    out = []
    with force_locale(params.ui):
        for notice in result.notices:
            code = notice.get("code") or "notice"
            out.append({"code": code, "message": notice_text(code, notice, params, result), **notice_data(notice)})
    return out


def notice_text(code: str | None, notice: dict, params, result) -> str:
    """The translated text of one notice (the engine's English message for an unknown code)."""
    if code == "truncated":
        return _("Your search was long, so only its first 500 characters were used.")
    if code == "too_many_terms":
        return _(
            "Your search was long, so only its first %(count)s words and filters were used.", count=MAX_QUERY_TERMS
        )
    if code == "common_words":
        return _("Only very common words were given; try more specific words.")
    if code == "few_all_words":
        count = notice.get("all_words", 0)
        return ngettext(
            "Only %(count)s of these releases contains all of your words; the others contain some of them.",
            "Only %(count)s of these releases contain all of your words; the others contain some of them.",
            count,
            count=i18n.number(count),
        )
    if code == "any_word":
        missing = notice.get("missing") or []
        if missing:
            return _(
                "No release contains %(words)s, so releases that contain any of your other words are shown.",
                words=_quoted(missing),
            )
        excluded = notice.get("excluded") or []
        if excluded:
            return _(
                "No release contains all of your words without %(excluded)s, so releases that contain any of "
                "them are shown.",
                excluded=_quoted(excluded),
            )
        return _("No release contains all of your words, so releases that contain any of them are shown.")
    if code == "missing_words" and notice.get("missing"):
        missing = notice["missing"]
        if len(missing) == 1:
            return _("No release contains %(words)s.", words=_quoted(missing))
        return _("No release contains any of these words: %(words)s.", words=_quoted(missing))
    if code == "not_a_date" and notice.get("filters"):
        return _(
            "%(filters)s names no year or day there is, so it was searched as words.",
            filters=_quoted(notice["filters"]),
        )
    if code == "unknown_value" and notice.get("filters"):
        return _(
            "%(filters)s names no country or topic of the archive, so it was searched as words.",
            filters=_quoted(notice["filters"]),
        )
    if code == "corrected" and notice.get("corrected"):
        return _(
            "Showing results for “%(corrected)s”. Search instead for “%(query)s”.",
            query=params.q,
            corrected=notice["corrected"],
        )
    if code == "page_out_of_range":
        return ngettext(
            "There is only %(pages)s page of results.",
            "There are only %(pages)s pages of results.",
            result.pages,
            pages=i18n.number(result.pages),
        )
    return str(notice.get("message", ""))


def _quoted(words: list[str]) -> str:
    """Words of the query, each in the interface language's quotation marks."""
    return ", ".join(_("“%(word)s”", word=word) for word in words)
