import datetime as dt

from index.pairing import PAIR_AT, UNCERTAIN_AT, WINDOW, pair_releases, shown_score
from index.records import Release

# One release in two languages, as the office writes them: the title translated, the figures
# written each language's way, a country more in the Spanish version.
EN = (
    "Job Fair in Santa Ana Offers 480 Vacancies to Returned Migrants",
    "Santa Ana, El Salvador. Some 1,350 people, many of them returned from the United States, "
    "attended a job fair where 32 companies offered 480 vacancies. The fair was organised by the "
    "Ministry of Labour, the Santa Ana municipality and IOM.\n\n"
    "A stand of the Directorate of Attention to Returned Migrants (DAMR) registered 210 people "
    "for training courses.",
)
ES = (
    "Feria de empleo en Santa Ana ofrece 480 vacantes a personas migrantes retornadas",
    "Santa Ana, El Salvador. Unas 1.350 personas, muchas retornadas desde Estados Unidos y México, "
    "asistieron a una feria de empleo en la que 32 empresas ofrecieron 480 vacantes. La organizaron "
    "el Ministerio de Trabajo, la alcaldía de Santa Ana y la OIM.\n\n"
    "Un módulo de la Dirección de Atención al Migrante Retornado (DAMR) inscribió a 210 personas "
    "en cursos de formación.",
)
# Another event in the same country, on the same subject, the same day.
OTHER_ES = (
    "Personas retornadas de Usulután reciben capital semilla para sus negocios",
    "Usulután, El Salvador. Un total de 85 personas retornadas del departamento de Usulután "
    "recibieron capital semilla para abrir pequeños negocios, con apoyo de la OIM y de la "
    "Cooperativa Lempa. El 45 % son mujeres.",
)


def rel(id, lang, text, date="2021-05-10", countries=("SV",), topics=("return-reintegration",), key=""):
    title, body = text
    return Release(
        id=id,
        lang=lang,
        date=dt.date.fromisoformat(date),
        title=title,
        body=body,
        countries=list(countries),
        topics=list(topics),
        translation_key=key,
        source="s",
        line=1,
    )


def test_translation_key_pairs_one_english_and_one_spanish():
    en, es, other = rel("en1", "en", EN, key="k"), rel("es1", "es", OTHER_ES, key="k"), rel("x", "en", EN)
    report = pair_releases([en, es, other])
    assert (en.pair, es.pair, other.pair) == ("es1", "en1", "")
    assert (report.explicit, report.automatic) == (1, 0)


def test_keys_typed_in_other_cases_or_spacing_are_one_key():
    """Keys "2020-MX-shelters" and "2020-mx-shelters " were two, each alone, and the versions
    (on other days than each other, so not paired by what they share) were left unpaired."""
    en = rel("en1", "en", EN, key="2020-MX-shelters", date="2021-05-10")
    es = rel("es1", "es", OTHER_ES, key=" 2020-mx-shelters", date="2021-07-10")
    report = pair_releases([en, es])
    assert (en.pair, es.pair) == ("es1", "en1") and report.explicit == 1


def test_a_key_only_one_version_carries_does_not_stop_it_being_paired():
    """A content system may export the key on one version only: that release was left out of
    automatic pairing, with no warning. Two different keys still say two different releases."""
    en, es = rel("en1", "en", EN, key="labour-2021"), rel("es1", "es", ES)
    report = pair_releases([en, es])
    assert (en.pair, es.pair) == ("es1", "en1") and (report.explicit, report.automatic) == (0, 1)
    en, es = rel("en1", "en", EN, key="labour-2021"), rel("es1", "es", ES, key="empleo-2021")
    pair_releases([en, es])
    assert (en.pair, es.pair) == ("", "")


def test_versions_days_apart_with_a_country_more_pair_and_another_event_does_not():
    en = rel("en1", "en", EN)
    es = rel(
        "es1",
        "es",
        ES,
        date="2021-05-12",
        countries=("SV", "US", "MX"),
        topics=("return-reintegration", "labour-migration"),
    )
    other = rel("es2", "es", OTHER_ES)
    report = pair_releases([en, other, es])
    assert (en.pair, es.pair, other.pair) == ("es1", "en1", "")
    assert report.automatic == 1 and not report.uncertain


def test_versions_further_apart_than_the_window_are_not_candidates():
    late = (dt.date(2021, 5, 10) + dt.timedelta(days=WINDOW + 1)).isoformat()
    en, es = rel("en1", "en", EN), rel("es1", "es", ES, date=late)
    assert pair_releases([en, es]).total == 0 and en.pair == ""


def test_the_other_event_alone_is_not_paired_with_the_english_release():
    en, other = rel("en1", "en", EN), rel("es2", "es", OTHER_ES)
    report = pair_releases([en, other])
    assert report.total == 0 and en.pair == other.pair == ""


def test_releases_sharing_no_evidence_are_not_paired_by_date_alone():
    en = rel(
        "en1",
        "en",
        ("Hurricane season drills in Nassau", "Volunteers played families in shelters."),
        countries=(),
        topics=(),
    )
    es = rel(
        "es1",
        "es",
        ("Feria de salud en Peñas Blancas", "Más de setecientas personas recibieron vacunas."),
        countries=(),
        topics=(),
    )
    assert pair_releases([en, es]).total == 0


def test_two_identical_candidates_tie_and_are_reported_not_paired():
    en, es_a, es_b = rel("en1", "en", EN), rel("es-a", "es", ES), rel("es-b", "es", ES)
    report = pair_releases([en, es_a, es_b])
    assert en.pair == es_a.pair == es_b.pair == ""
    assert {(u.english, u.spanish, u.tied) for u in report.uncertain} == {("en1", "es-a", True), ("en1", "es-b", True)}
    assert all("uncertain translation pair" in str(w) for w in report.warnings)


def test_a_candidate_below_the_threshold_is_reported_with_its_score():
    # A short Spanish note on the fair, without its figures: some shared evidence, not enough to pair.
    es = rel(
        "es1",
        "es",
        ("Feria de empleo en Santa Ana", "Más de mil personas asistieron a la feria organizada por la alcaldía."),
    )
    en = rel("en1", "en", EN)
    report = pair_releases([en, es])
    (uncertain,) = report.uncertain
    assert en.pair == es.pair == "" and UNCERTAIN_AT <= uncertain.score < PAIR_AT
    assert (uncertain.english, uncertain.spanish) == ("en1", "es1")
    assert f"score {shown_score(uncertain.score)}" in str(report.warnings[0])
    # a score just below the threshold is never shown as the threshold
    assert shown_score(PAIR_AT - 0.0004) == f"{PAIR_AT - 0.01:.2f}" and shown_score(PAIR_AT) == f"{PAIR_AT:.2f}"
    assert en.origin is None and es.origin is None  # read again by the next build, reported again


def test_a_key_shared_by_two_english_releases_is_reported():
    report = pair_releases([rel("a", "en", EN, key="k"), rel("b", "en", EN, key="k"), rel("c", "es", ES, key="k")])
    assert report.total == 0
    assert "translation_key 'k'" in str(report.warnings[0])


def test_releases_filed_under_different_countries_are_not_paired_by_what_they_share():
    """Two speeches a day apart that both cited one resolution were paired, and one took the
    other's country. Versions of one release name the same places: filed under countries none
    in common, a candidate is at most uncertain, and the warning says why."""
    en = rel("en", "en", EN, countries=("SV",))
    es = rel("es", "es", ES, countries=("HN",))
    report = pair_releases([en, es])
    assert not en.pair and not es.pair
    assert "filed under different countries, SV and HN" in report.warnings[0].message
