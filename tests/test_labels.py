"""Facet value labels: the same names whichever way they are looked up, and a bounded store."""

import search.labels as labels_module
from index.topics import Taxonomy
from search.labels import Labels


def test_a_value_is_named_in_both_interface_languages_and_made_once():
    labels = Labels(Taxonomy.load())
    mexico = labels.of("country", "MX")
    assert mexico == {"en": "Mexico", "es": "México"}
    assert labels.of("country", "MX") is mexico  # kept: a page of facets names hundreds
    assert labels.made("country") == {"MX": mexico}
    assert labels.of("lang", "es") == {"en": "Spanish", "es": "español"}
    assert labels.of("year", "2021") == {"en": "2021", "es": "2021"}
    assert labels.made("topic") == {}


def test_a_country_is_named_as_releases_write_it_not_by_cldr_s_short_form():
    """Facets, tags and suggestions said "Trinidad & Tobago" and "St. Vincent & Grenadines"."""
    labels = Labels(Taxonomy.load())
    assert labels.of("country", "TT") == {"en": "Trinidad and Tobago", "es": "Trinidad y Tobago"}
    assert labels.of("country", "VC")["en"] == "Saint Vincent and the Grenadines"
    assert not any("&" in labels.of("country", code)["en"] for code in ("AG", "KN", "TC", "LC"))


def test_an_unknown_topic_is_named_by_its_id_rather_than_failing():
    assert Labels(Taxonomy.load()).of("topic", "no-such-topic") == {"en": "no-such-topic", "es": "no-such-topic"}


def test_the_store_of_labels_is_emptied_when_full_and_names_stay_right(monkeypatch):
    monkeypatch.setattr(labels_module, "MAX_LABELS", 3)
    labels = Labels(Taxonomy.load())
    for year in range(2000, 2010):
        assert labels.of("year", str(year)) == {"en": str(year), "es": str(year)}
        assert sum(len(values) for values in labels._cache.values()) <= 3
    assert labels.of("country", "GT")["es"] == "Guatemala"
