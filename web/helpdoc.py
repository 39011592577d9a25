"""The search help: the query syntax (see ``search/query.py``) with examples in each language."""

from flask_babel import gettext as _


def syntax(lang: str) -> list[dict]:
    """Rows of the syntax table: what to type, an example in the interface language, what it does."""
    es = lang == "es"
    rows = [
        (
            "words",
            _("words"),
            "trata personas" if es else "human trafficking",
            _(
                "Releases that contain all of the words, in any order. Capitals, accents and plurals "
                "do not matter: migración, migracion and migraciones find the same releases."
            ),
        ),
        (
            "phrase",
            _('"exact phrase"'),
            '"salud mental"' if es else '"mental health"',
            _("The words one after the other."),
        ),
        (
            "prefix",
            "*",
            "migra*",
            _("Any word that begins with the letters before the star (at least three): migrant, migration, migración."),
        ),
        ("or", "OR", "Honduras OR Guatemala", _("Either word. A vertical bar (|) works too.")),
        (
            "not",
            "-",
            "remesas -COVID" if es else "remittances -COVID",
            _("Leave out releases that contain the word after the minus sign."),
        ),
        (
            "group",
            "( )",
            "(huracán OR tormenta) Haití" if es else "(hurricane OR storm) Haiti",
            _("Group words with parentheses."),
        ),
        (
            "title",
            "titulo:" if es else "title:",
            "titulo:Darién" if es else "title:Darien",
            _("The word must be in the title."),
        ),
        (
            "country",
            "pais:" if es else "country:",
            "pais:Panamá" if es else "country:Panama",
            _("Releases about a country, by its name in English or Spanish or its two-letter code (PA)."),
        ),
        (
            "topic",
            "tema:" if es else "topic:",
            "tema:remesas" if es else "topic:remittances",
            _("Releases on a topic, by its name in either language."),
        ),
        (
            "lang",
            "idioma:" if es else "lang:",
            "idioma:es" if es else "lang:en",
            _("Releases written in English (en) or Spanish (es)."),
        ),
        ("year", "año:" if es else "year:", "año:2019" if es else "year:2019", _("Releases of one year.")),
        (
            "years",
            "2017..2019",
            "reintegración 2018..2022" if es else "reintegration 2018..2022",
            _("Releases from one year to another; either end may be left open (2020..)."),
        ),
        (
            "date",
            "fecha:" if es else "date:",
            "fecha:2019-01-01..2019-06-30" if es else "date:2019-01-01..2019-06-30",
            _("Releases between two dates (year-month-day), or from one month to another (2019-06..2019-08)."),
        ),
    ]
    return [
        {"name": name, "syntax": syntax_, "example": example, "meaning": meaning}
        for name, syntax_, example, meaning in rows
    ]


def parameters() -> list[dict]:
    """The parameters of a results page address, for bookmarks and links."""
    rows = [
        ("q", _("the search words, in the syntax above")),
        ("lang", _("the language of the releases: en or es (may be repeated)")),
        ("year", _("a year, such as 2019 (may be repeated)")),
        ("from", _("the first year or date, such as 2018 or 2018-06-01")),
        ("to", _("the last year or date")),
        ("country", _("a two-letter country code, such as PA (may be repeated)")),
        ("topic", _("a topic identifier, such as counter-trafficking (may be repeated)")),
        ("sort", _("relevance, newest or oldest")),
        ("page", _("the page of results, from 1")),
        ("per_page", _("results per page, from 1 to 50 (10 by default)")),
        ("translations", _("“separate” shows the English and Spanish versions of a release as two results")),
        ("spell", _("0 searches the words exactly as typed, without correcting misspellings")),
    ]
    return [{"name": name, "meaning": meaning} for name, meaning in rows]
