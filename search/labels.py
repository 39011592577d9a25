"""What a country, topic, language or year is called in each interface language, for facet
values and for the countries and topics of a release."""

from index.places import country_codes, country_name
from index.topics import Taxonomy

from .params import LANGUAGES
from .results import Label

LANGUAGE_LABELS = {"en": {"en": "English", "es": "inglés"}, "es": {"en": "Spanish", "es": "español"}}
MAX_LABELS = 20_000  # facet value labels kept (values of the archive, and any selected)


def country_label(code: str) -> dict[str, str]:
    return {lang: country_name(code, lang) for lang in LANGUAGES}


def known_countries() -> frozenset:
    return country_codes()


class Labels:
    """The labels of one taxonomy's topics and of every country, language and year, each made
    once: a page of facets shows hundreds."""

    def __init__(self, taxonomy: Taxonomy):
        self.taxonomy = taxonomy
        self._cache: dict[str, dict[str, dict[str, str]]] = {}  # facet -> value -> labels
        self._kept = 0

    def topic(self, topic_id: str) -> dict[str, str]:
        topic = self.taxonomy.topics.get(topic_id)
        return dict(topic.labels) if topic else {lang: topic_id for lang in LANGUAGES}

    def known_topics(self) -> frozenset:
        return frozenset(self.taxonomy.topics)

    def of(self, facet: str, value: str) -> dict[str, str]:
        """A facet value's label in each interface language. The dictionary is shared: callers
        read it and never change it."""
        found = self._cache.get(facet, {}).get(value)
        return found if found is not None else self._add(facet, value)

    def made(self, facet: str) -> dict[str, dict[str, str]]:
        """The labels of ``facet``'s values made so far, by value (:meth:`of` makes the others):
        for a page's hundreds of values, one lookup each."""
        return self._cache.get(facet, {})

    def _add(self, facet: str, value: str) -> dict[str, str]:
        if self._kept >= MAX_LABELS:
            self._cache, self._kept = {}, 0
        found = self._cache.setdefault(facet, {})[value] = self._make(facet, value)
        self._kept += 1
        return found

    def _make(self, facet: str, value: str) -> dict[str, str]:
        if facet == "country":
            return country_label(value)
        if facet == "topic":
            return self.topic(value)
        if facet == "lang":
            return dict(LANGUAGE_LABELS.get(value, {"en": value, "es": value}))
        return {lang: str(value) for lang in LANGUAGES}

    def listed(self, facet: str, joined: str | None, ui: str) -> list[Label]:
        """The labels of a release's values of ``facet``, stored joined by commas."""
        out = []
        for value in (joined or "").split(","):
            if value:
                labels = self.of(facet, value)
                out.append(Label(value=value, label=labels[ui], labels=labels))
        return out
