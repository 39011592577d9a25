import datetime as dt

from index.pairing import pair_releases
from index.records import Release


def rel(id, lang, date="2020-01-01", countries=("PA",), topics=("children",), key="", body=""):
    return Release(id=id, lang=lang, date=dt.date.fromisoformat(date), title=id, body=body or id,
                   countries=list(countries), topics=list(topics), translation_key=key, source="s", line=1)


def test_translation_key_pairs_one_english_and_one_spanish():
    en, es, other = rel("en1", "en", key="k"), rel("es1", "es", key="k", countries=("MX",)), rel("x", "en")
    report = pair_releases([en, es, other])
    assert (en.pair, es.pair, other.pair) == ("es1", "en1", "")
    assert (report.explicit, report.automatic) == (1, 0)


def test_same_date_countries_and_topics_pair_automatically():
    en, es = rel("en1", "en"), rel("es1", "es")
    different_date = rel("es2", "es", date="2020-01-02")
    different_topic = rel("es3", "es", topics=("emergencies",))
    report = pair_releases([en, es, different_date, different_topic])
    assert (en.pair, es.pair) == ("es1", "en1")
    assert different_date.pair == different_topic.pair == ""
    assert report.automatic == 1


def test_ties_broken_by_shared_figures_or_left_unpaired():
    a_en = rel("a_en", "en", body="In 2019, 164 million migrant workers and 9% of GDP.")
    b_en = rel("b_en", "en", body="Some 3,800 consultations and 127,000 people.")
    a_es = rel("a_es", "es", body="164 millones de personas trabajadoras y 9% del PIB en 2019.")
    b_es = rel("b_es", "es", body="Unas 3,800 atenciones y 127,000 personas.")
    pair_releases([a_en, b_en, a_es, b_es])
    assert (a_en.pair, b_en.pair) == ("a_es", "b_es")
    c_en, d_en, c_es = rel("c_en", "en"), rel("d_en", "en"), rel("c_es", "es")
    pair_releases([c_en, d_en, c_es])
    assert c_en.pair == d_en.pair == c_es.pair == ""


def test_releases_with_no_countries_or_topics_are_not_paired_by_date_alone():
    en, es = rel("en1", "en", countries=(), topics=()), rel("es1", "es", countries=(), topics=())
    assert pair_releases([en, es]).total == 0


def test_a_key_shared_by_two_english_releases_is_reported():
    report = pair_releases([rel("a", "en", key="k"), rel("b", "en", key="k"), rel("c", "es", key="k")])
    assert report.total == 0
    assert "translation_key 'k'" in str(report.warnings[0])
