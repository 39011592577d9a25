from index.topics import Taxonomy


def test_taxonomy_has_bilingual_labels_and_keywords():
    taxonomy = Taxonomy.load()
    assert 10 <= len(taxonomy.topics) <= 16
    for topic in taxonomy.topics.values():
        assert topic.labels["en"] and topic.labels["es"]
        assert topic.keywords["en"] and topic.keywords["es"]


def test_topics_found_in_each_language_on_analysed_text():
    taxonomy = Taxonomy.load()
    en = taxonomy.assign("IOM trains officials to identify victims of human trafficking",
                         "Victims of trafficking in persons receive assistance.", "en")
    es = taxonomy.assign("Capacitan a funcionarios en trata de personas",
                         "Las víctimas de trata de personas reciben asistencia. Victimas de la TRATA DE PERSONAS.", "es")
    assert "counter-trafficking" in en and "counter-trafficking" in es
    climate = taxonomy.assign("Cambio climatico y desastres", "El cambio climático provoca desplazamientos.", "es")
    assert "migration-climate" in climate


def test_several_topics_and_min_score(tmp_path):
    path = tmp_path / "topics.toml"
    path.write_text(
        '[a]\nen = "A"\nes = "A"\nkeywords_en = ["climate change"]\nkeywords_es = ["cambio climático"]\n'
        '[b]\nen = "B"\nes = "B"\nkeywords_en = ["returnees"]\nkeywords_es = ["retornados"]\nmin_score = 2\n',
        encoding="utf-8")
    taxonomy = Taxonomy.load(path)
    assert taxonomy.assign("Climate change", "Returnee support", "en") == ["a"]
    assert taxonomy.assign("Returnees and climate changes", "", "en") == ["a", "b"]  # title counts 2
    assert taxonomy.assign("Nada", "Personas retornadas. Más retornados.", "es") == ["b"]
