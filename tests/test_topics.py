import pytest

from index.topics import Taxonomy


def test_taxonomy_has_bilingual_labels_and_keywords():
    taxonomy = Taxonomy.load()
    assert 10 <= len(taxonomy.topics) <= 16
    for topic in taxonomy.topics.values():
        assert topic.labels["en"] and topic.labels["es"]
        assert topic.keywords["en"] and topic.keywords["es"]


def test_topics_found_in_each_language_on_analysed_text():
    taxonomy = Taxonomy.load()
    en = taxonomy.assign(
        "IOM trains officials to identify victims of human trafficking",
        "Victims of trafficking in persons receive assistance.",
        "en",
    )
    es = taxonomy.assign(
        "Capacitan a funcionarios en trata de personas",
        "Las víctimas de trata de personas reciben asistencia. Victimas de la TRATA DE PERSONAS.",
        "es",
    )
    assert "counter-trafficking" in en and "counter-trafficking" in es
    climate = taxonomy.assign("Cambio climatico y desastres", "El cambio climático provoca desplazamientos.", "es")
    assert "migration-climate" in climate


def test_several_topics_and_min_score(tmp_path):
    path = tmp_path / "topics.toml"
    path.write_text(
        '[a]\nen = "A"\nes = "A"\nkeywords_en = ["climate change"]\nkeywords_es = ["cambio climático"]\n'
        '[b]\nen = "B"\nes = "B"\nkeywords_en = ["returnees"]\nkeywords_es = ["retornados"]\nmin_score = 2\n',
        encoding="utf-8",
    )
    taxonomy = Taxonomy.load(path)
    assert taxonomy.assign("Climate change", "Returnee support", "en") == ["a"]
    assert taxonomy.assign("Returnees and climate changes", "", "en") == ["a", "b"]  # title counts 2
    assert taxonomy.assign("Nada", "Personas retornadas. Más retornados.", "es") == ["b"]


def test_overlapping_keywords_count_once_and_repeated_ones_again():
    """A topic's score counts distinct evidence: two keywords that share words are one match."""
    taxonomy = Taxonomy.load()
    # "trata y tráfico" and "tráfico de personas" overlap: one point, below min_score 2.
    assert "counter-trafficking" not in taxonomy.assign(
        "Nueva línea de ayuda", "Atiende consultas y denuncias de trata y tráfico de personas.", "es"
    )
    assert "counter-trafficking" not in taxonomy.assign(
        "Mental health rooms open", "Staff refer human trafficking victims to specialised services.", "en"
    )
    # Said again elsewhere, a keyword scores again.
    assert "counter-trafficking" in taxonomy.assign(
        "Nueva línea de ayuda", "Atiende denuncias de trata de personas. Las víctimas de trata reciben apoyo.", "es"
    )


def test_names_of_agencies_and_partners_do_not_fire_their_topic():
    taxonomy = Taxonomy.load()
    partners = (
        "Participaron el Consejo Nacional contra la Trata de Personas y la División de Trata y Tráfico de "
        "Personas de la Policía."
    )
    assert taxonomy.assign(
        "Feria de salud en Alajuela", f"Se dieron consultas médicas y vacunas. {partners}", "es"
    ) == ["migration-health"]
    # The same name in a release about trafficking leaves its other evidence alone.
    assert "counter-trafficking" in taxonomy.assign(
        "Albergue para sobrevivientes de trata", f"Atenderá a víctimas de trata de personas. {partners}", "es"
    )


@pytest.mark.parametrize(
    "title, body, lang, topic",
    [
        (
            "Job fair brings together migrants and employers",
            "Recruiters from 60 companies attended.",
            "en",
            "labour-migration",
        ),
        (
            "Entregan tarjetas de movilidad fronteriza",
            "Los residentes podrán cruzar la frontera.",
            "es",
            "migration-governance",
        ),
        ("Border provinces update their contingency plans", "Committees tested the plans.", "en", "emergencies"),
        ("Costa Rica actualiza su plan de contingencia", "Se hizo un simulacro en Paso Canoas.", "es", "emergencies"),
        # "Displacement Tracking Matrix" alone was listed: "displacement tracking teams" tagged nothing
        (
            "Hurricane Beryl: IOM deploys displacement tracking",
            "Teams count the families in collective shelters.",
            "en",
            "displacement-data",
        ),
        ("La OIM apoya el seguimiento del desplazamiento", "Equipos visitan los albergues.", "es", "displacement-data"),
        # the work migrants do, as a study of it says: "migrant workers" alone scored 1 of 2 points
        (
            "Nicaraguans in Costa Rica: barriers to work",
            "Half work in the informal economy; many in domestic work. Regularising migrant workers helps.",
            "en",
            "labour-migration",
        ),
        (
            "Personas nicaragüenses en Costa Rica",
            "La mitad trabaja en la economía informal, muchas en el trabajo doméstico y la cosecha de café.",
            "es",
            "labour-migration",
        ),
    ],
)
def test_clearly_topical_releases_get_their_topic(title, body, lang, topic):
    assert topic in Taxonomy.load().assign(title, body, lang)


def test_staff_list_excluded_names_and_the_explanation_says_why(tmp_path):
    topics = tmp_path / "topics.toml"
    topics.write_text(
        '[a]\nen = "A"\nes = "A"\nkeywords_en = ["returnees", "returned migrants"]\nkeywords_es = ["x"]\n'
        "min_score = 2\n",
        encoding="utf-8",
    )
    exclusions = tmp_path / "exclusions.toml"
    exclusions.write_text('[offices]\nnames = ["Office for Returnees"]\n', encoding="utf-8")
    taxonomy = Taxonomy.load(topics, exclusions)
    assert taxonomy.assign("News", "The Office for Returnees met. Returnees and returned migrants spoke.", "en") == [
        "a"
    ]
    assert taxonomy.assign("News", "The Office for Returnees met with returned migrants.", "en") == []
    chosen, scores, evidence = taxonomy.explain("News", "The Office for Returnees met with returned migrants.", "en")
    assert (chosen, scores) == ([], {"a": 1})
    assert [(e.text, e.points, e.why_not) for e in evidence] == [
        ("Office for Returnees", 0, ""),
        ("Returnees", 0, "excluded"),
        ("returned migrants", 1, ""),
    ]
    assert evidence[0].exclusion == "[offices] \u201cOffice for Returnees\u201d"


def test_children_is_a_keyword_in_english_as_ninez_is_in_spanish():
    """An English release titled about children got no topic while its Spanish version, saying
    "niñez", got "children": the English keywords named only longer phrases."""
    taxonomy = Taxonomy.load()
    title, body = "Record Number of Children Cross the Darién Jungle", "IOM teams assist families at the border."
    assert "children" in taxonomy.assign(title, body, "en")
    assert "children" not in taxonomy.assign("Shelters reopen", "One shelter hosts families with children.", "en")


def test_a_quoted_keyword_matches_only_as_written(tmp_path):
    """ "trata de personas" (trafficking in persons) and "tratadas como personas" (treated as
    persons) have the same stems: written in quotes, a keyword needs its words as written,
    singular or plural, and the staff's explanation names the quoted keyword."""
    path = tmp_path / "topics.toml"
    path.write_text(
        '[t]\nen = "T"\nes = "T"\nkeywords_en = [\'"border crossing"\']\n'
        'keywords_es = [\'"trata de personas"\', "trabajo forzoso"]\n',
        encoding="utf-8",
    )
    taxonomy = Taxonomy.load(path)
    assert taxonomy.assign("Piden ser tratadas como personas con derechos", "", "es") == []
    assert taxonomy.assign("Alerta sobre la TRATA DE PERSONAS", "", "es") == ["t"]
    assert taxonomy.assign("Las tratas de personas", "", "es") == ["t"]  # a plural is the keyword
    assert taxonomy.assign("Trabajos forzosos en la región", "", "es") == ["t"]  # unquoted: by stems
    assert taxonomy.assign("Two border crossings open", "", "en") == ["t"]
    assert taxonomy.assign("Crossing the border", "", "en") == []
    _, _, evidence = taxonomy.explain("x", "La trata de personas y las tratadas como personas.", "es")
    assert [(e.text, e.keyword) for e in evidence] == [("trata de personas", '"trata de personas"')]
    # the archive's own file: a release about treating people is not about trafficking
    assert "counter-trafficking" not in Taxonomy.load().assign(
        "Trabajadoras domésticas piden ser tratadas como personas",
        "Las trabajadoras piden ser tratadas como personas con derechos y tratadas con respeto.",
        "es",
    )
