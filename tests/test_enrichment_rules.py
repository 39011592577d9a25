"""The rules that weigh the places a release names (``data/country_rules.toml``): where a name
stands, how it is written, and the contexts that say it is not what the release is about."""

import tomllib

import pytest

from index.places import Gazetteer, dateline_end, lead_end

from .helpers import FIXTURES


@pytest.fixture(scope="module")
def gazetteer():
    return Gazetteer.load()


def test_a_title_or_lead_mention_tags_a_single_passing_mention_does_not(gazetteer):
    body = (
        "Inspectors in Monterrey and Saltillo were trained to detect recruitment fees. "
        "The course was adapted from one first given in Colombia."
    )
    assert gazetteer.tag("Labour inspectors trained", body) == ["MX"]
    assert gazetteer.tag("Labour inspectors trained in Colombia", body) == ["CO", "MX"]
    # Named twice outside the lead, a country is part of what the release is about.
    assert gazetteer.tag("Labour inspectors trained", body + " Colombia will host the next course.") == ["MX", "CO"]


@pytest.mark.parametrize(
    "body, dateline",
    [
        ("SAN JOSÉ, Costa Rica – IOM delivered kits.", "SAN JOSÉ, Costa Rica – "),
        ("Kingston, Jamaica. The Government of Jamaica said so.", "Kingston, Jamaica. "),
        ("San José, 3 de mayo de 2021 (OIM) – El Gobierno de Honduras firmó.", "San José, 3 de mayo de 2021 (OIM) – "),
        ("Washington, D.C. – The report was presented.", "Washington, D.C. – "),
        # A first sentence is not a dateline: it has words in lower case, or no comma before its full stop.
        ("Honduras, Guatemala and El Salvador signed an agreement. It starts today.", ""),
        ("The Government of Panama – with IOM – opened a centre.", ""),
        ("Migrants arriving in Honduras.", ""),
    ],
)
def test_datelines_are_told_from_first_sentences(body, dateline):
    assert body[: dateline_end(body)] == dateline


def test_the_lead_is_the_first_sentence_abbreviations_and_all():
    body = "The U.S. Department of State and Sr. Pérez met in St. Kitts. Then they left."
    assert body[: lead_end(body)] == "The U.S. Department of State and Sr. Pérez met in St. Kitts."
    long = "word " * 100
    assert len(long[: lead_end(long, 0, 300)]) <= 300
    assert lead_end("First paragraph without a full stop\n\nSecond one.") == len("First paragraph without a full stop")


def test_a_dateline_alone_does_not_tag_another_countrys_release(gazetteer):
    body = "SAN JOSÉ, Costa Rica – IOM delivered hygiene kits to 3,000 families in Bilwi, on Nicaragua's coast."
    assert gazetteer.tag("Relief supplies reach families", body) == ["NI"]
    # Filed and held in Bridgetown, naming no other country: the dateline is all there is.
    assert gazetteer.tag("Immigration officers meet", "Bridgetown, Barbados. Officers of nine countries met.") == ["BB"]
    # A dateline counts once, however many of its country's places it names.
    body = "Tegucigalpa, Honduras. A study on Guatemala was presented today. It covers four departments."
    assert gazetteer.tag("A study is presented", body) == ["GT"]


@pytest.mark.parametrize(
    "title, body, codes",
    [
        # Titles of office.
        (
            "Honduras launches a strategy",
            "It was launched in Tegucigalpa. “Returnees first,” said the Chief of Mission "
            "for El Salvador, Guatemala and Honduras.",
            ["HN"],
        ),
        (
            "Nuevos puntos de información en Petén",
            "Se abrieron en Flores. Lo anunció la jefa de Misión de la OIM para El Salvador, Guatemala y Honduras.",
            ["GT"],
        ),
        (
            "A strategy for the Dominican Republic",
            "It was presented in Santo Domingo. The Chief of Mission for the Dominican Republic and Haiti spoke.",
            ["DO"],
        ),
        # Who spoke, and who paid.
        (
            "Officers trained in Belize",
            "Forty officers in Belmopan were trained. The course was opened by the Ambassador of Mexico to Belize.",
            ["BZ"],
        ),
        (
            "Taller en Costa Rica",
            "Treinta inspectores en Alajuela participaron. Asistió la Embajada de los Estados Unidos, "
            "y habló el embajador de Canadá.",
            ["CR"],
        ),
        (
            "Youth centres open in El Salvador",
            "Two centres opened in Santa Tecla. The project is funded by the Government "
            "of Canada. Canada's Ambassador attended.",
            ["SV"],
        ),
        (
            "Proyectos productivos en Huehuetenango",
            "Familias de Huehuetenango iniciaron negocios. Cuenta con el apoyo del "
            "pueblo de los Estados Unidos y está financiado por el Gobierno de Suiza.",
            ["GT"],
        ),
        # Destinations, and where migrants were returned from.
        ("Atención en Darién", "Pasan cientos de personas con destino a Estados Unidos y Canadá por Metetí.", ["PA"]),
        (
            "Reception centre expands in San Pedro Sula",
            "Children returned from Mexico and the United States are received in San Pedro Sula.",
            ["HN"],
        ),
        # Neighbours named to place a border area.
        (
            "Water systems restored",
            "Families in Chiquimula, the border department with Honduras, have water again.",
            ["GT"],
        ),
    ],
)
def test_contexts_that_say_a_place_is_not_the_subject(gazetteer, title, body, codes):
    assert gazetteer.tag(title, body) == codes


def test_half_weight_contexts_still_tag_from_the_title(gazetteer):
    assert gazetteer.tag("Guatemala strengthens its border with Honduras", "Officers were trained.") == ["GT", "HN"]
    assert gazetteer.tag("Hondurans returned from Mexico receive support", "In Tegucigalpa, a centre opened.") == [
        "HN",
        "MX",
    ]


def test_nationality_words_count_half(gazetteer):
    # People of one country living in another, named once: not what the release is about.
    body = "Toronto, Canada. Three hundred workers attended. Most were Jamaican and Guatemalan farm workers."
    assert gazetteer.tag("Migrant workers learn their rights", body) == ["CA"]
    assert gazetteer.tag(
        "Vecinos de Los Chiles",
        "Vecinos costarricenses y nicaragüenses en Los Chiles, Costa Rica, participaron en una feria.",
    ) == ["CR"]
    # In the title, a nationality is what the release is about.
    assert gazetteer.tag("Venezuelan families in Trinidad and Tobago", "Children joined learning spaces.") == [
        "VE",
        "TT",
    ]


def test_contexts_apply_to_tagging_only_not_to_queries(gazetteer):
    """A search for the embassy or the chief of mission still reads the country as a place."""
    assert gazetteer.find("Embajada de Canadá") == ["CA"]
    assert gazetteer.find("Chief of Mission for Honduras") == ["HN"]
    assert gazetteer.find("con destino a Estados Unidos y Canadá") == []  # place_exclusions.toml: everywhere


def test_tagging_agrees_with_its_explanation(gazetteer):
    """``explain`` splits text by a regular expression, ``tag`` by the fast byte table: the same
    countries for every hand-tagged release."""
    for name in ("enrichment", "places"):
        for release in tomllib.loads((FIXTURES / name / "releases.toml").read_text(encoding="utf-8"))["release"]:
            title, body = release["title"], release["body"].strip()
            assert gazetteer.explain(title, body)[0] == gazetteer.tag(title, body), release["id"]


def test_a_saved_gazetteer_weighs_as_the_loaded_one(gazetteer):
    again = Gazetteer(*gazetteer.state())
    body = "SAN JOSÉ, Costa Rica – The Chief of Mission for Honduras and Guatemala spoke in Tegucigalpa."
    assert again.tag("A strategy", body) == gazetteer.tag("A strategy", body) == ["HN"]
    assert again.rules == gazetteer.rules and again.weights == gazetteer.weights


def test_staff_edit_the_weights_and_the_contexts(tmp_path, monkeypatch):
    body = "Clinics in Honduras and Guatemala opened, a gift from Japan. Tegucigalpa has two of them."
    assert Gazetteer.load().tag("Clinics open", body) == ["HN", "GT", "JP"]
    rules = tmp_path / "rules.toml"
    rules.write_text(
        '[weights]\nlead = 1\n\n[donors]\nweight = 0\nphrases = ["a gift from {places}"]\n', encoding="utf-8"
    )
    monkeypatch.setenv("COUNTRY_RULES_FILE", str(rules))
    g = Gazetteer.load()
    # A lead mention no longer tags by itself, and the new context passes Japan over.
    assert g.tag("Clinics open", body) == ["HN"]
    # A release that names no country enough is filed under the one it names most.
    assert g.tag("Clinics open", "Clinics in Honduras opened. Nothing else was said.") == ["HN"]


@pytest.mark.parametrize(
    "content, message",
    [
        ('[x]\nphrases = ["Chief of Mission"]\n', "holds {place} or {places}"),
        ('[x]\nphrases = ["{places} Embassy"]\n', "ends a pattern"),
        ('[x]\nphrases = ["{place} and {place}"]\n', "once"),
        ("[weights]\ntitel = 3\n", "no titel"),
    ],
)
def test_a_malformed_rules_file_is_refused_with_its_reason(tmp_path, content, message):
    rules = tmp_path / "rules.toml"
    rules.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        Gazetteer.load(rules=rules)
