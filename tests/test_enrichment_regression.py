"""The countries and topics a release is filed under, measured on the hand-tagged releases of
``tests/fixtures/enrichment/releases.toml``: one or more for each way enrichment went wrong
on the office's real releases (funders, speakers, datelines, destinations, passing mentions,
places inside other names, nationalities of people living elsewhere; agency names and
overlapping keywords firing topics; clearly topical releases getting none), indexed by a real
reindex and read back as a visitor's facets see them."""

import tomllib

import pytest

from index.build import reindex
from search.engine import Archive
from search.params import SearchParams
from search.relevance_cli import enrichment_figures

from .helpers import FIXTURES, release, stored, write_jsonl

PATH = FIXTURES / "enrichment" / "releases.toml"
RELEASES = tomllib.loads(PATH.read_text(encoding="utf-8"))["release"]
KINDS = {
    "funder",
    "office",
    "speaker",
    "dateline",
    "destination",
    "passing",
    "inside-name",
    "demonym",
    "agency-name",
    "overlap",
    "gap",
    "control",
}
# The floors are the targets for real releases; the figures measured on this set are in the
# README ("Measured", under enrichment), printed by `scripts/relevance --enrichment`.
COUNTRY_PRECISION, COUNTRY_RECALL = 0.95, 0.95
TOPIC_PRECISION, TOPIC_RECALL = 0.90, 0.90


def test_the_set_covers_every_failure_kind_in_both_languages():
    from index.topics import Taxonomy

    topics = Taxonomy.load().topics
    assert len(RELEASES) >= 40
    assert len({r["id"] for r in RELEASES}) == len(RELEASES)
    assert {r["kind"] for r in RELEASES} == KINDS  # one or more of each
    assert {r["lang"] for r in RELEASES} == {"en", "es"}
    assert min(sum(r["lang"] == lang for r in RELEASES) for lang in ("en", "es")) >= 20
    assert all(t in topics for r in RELEASES for t in r["topics"])


@pytest.fixture(scope="module")
def indexed(tmp_path_factory):
    """The set as staff index a source (a week apart, so that no two pair), and its figures."""
    root = tmp_path_factory.mktemp("enrichment") / "ix"
    return root, enrichment_figures(PATH, root)


def test_precision_and_recall_of_countries_and_topics(indexed):
    root, figures = indexed
    held = stored(root)
    assert set(held) == {r["id"] for r in RELEASES}
    for field, (precision_floor, recall_floor) in (
        ("countries", (COUNTRY_PRECISION, COUNTRY_RECALL)),
        ("topics", (TOPIC_PRECISION, TOPIC_RECALL)),
    ):
        right = tagged = wanted = 0
        for r in RELEASES:  # counted here from the stored fields, not only by the script's function
            found, truth = {v for v in held[r["id"]][field].split(",") if v}, set(r[field])
            right, tagged, wanted = right + len(found & truth), tagged + len(found), wanted + len(truth)
        assert (right, tagged, wanted) == figures[field]
        precision, recall = right / tagged, right / wanted
        assert precision >= precision_floor and recall >= recall_floor, (
            f"{field}: precision {precision:.3f}, recall {recall:.3f}\n" + "\n".join(figures["wrong"])
        )


def search(root, **filters) -> set[str]:
    result = Archive(root).search(SearchParams(separate=True, per_page=100, **filters))
    return {h.id for h in result.hits}


@pytest.mark.parametrize(
    "country, release_id",
    [
        ("US", "hn-returnee-centre-funders"),  # a U.S. bureau paid
        ("CA", "hn-returnee-centre-funders"),  # and a government
        ("US", "gt-productive-projects-usaid"),
        ("CA", "sv-displacement-committees-canada"),  # paid, and its ambassador spoke
        ("KR", "do-vaccination-koica"),
        ("SV", "hn-returned-children-chief-of-mission"),  # a title of office
        ("GT", "hn-returned-children-chief-of-mission"),
        ("HN", "gt-information-points-jefa"),
        ("MX", "bz-border-course-mexican-ambassador"),
        ("US", "cr-ethical-recruitment-us-embassy"),
        ("US", "gt-job-placement-us-ambassador"),
        ("CR", "ni-hurricane-relief-san-jose-dateline"),  # filed from San José
        ("CR", "dry-corridor-study-san-jose-dateline"),
        ("PA", "co-necocli-panama-dateline"),
        ("US", "mx-shelters-us-bound"),  # where migrants were heading
        ("CA", "pa-darien-health-destinations"),
        ("MX", "gt-esquipulas-families-en-camino"),
        ("US", "cr-penas-blancas-heading-to"),
        ("HN", "gt-chiquimula-border-department"),  # a neighbour named to place a department
        ("CO", "mx-inspectors-colombia-material"),  # a passing mention
        ("PE", "sv-diaspora-policy-peru-mexico"),
        ("GT", "hn-returnee-registers-also-elsewhere"),
        ("MX", "cr-hospital-mexico"),  # a place inside another name
        ("PE", "pa-information-desk-avenida-peru"),
        ("VE", "hn-schools-escuela-venezuela"),
        ("JM", "ca-seasonal-workers-demonyms"),  # people of one country living in another
        ("NI", "cr-los-chiles-intercultural-fair"),
        ("VE", "hn-flow-monitoring-nationalities"),
    ],
)
def test_a_release_is_not_filed_under_a_country_it_is_not_about(indexed, country, release_id):
    assert release_id not in search(indexed[0], countries=(country,))


@pytest.mark.parametrize(
    "country, release_id",
    [
        ("NI", "ni-hurricane-relief-san-jose-dateline"),
        ("SV", "dry-corridor-study-san-jose-dateline"),
        ("BB", "bb-document-fraud-tip-office"),  # only its dateline names a country
        ("VE", "tt-venezuelan-children-school"),  # a nationality in the title
        ("HT", "mx-haitian-asylum-seekers-title"),
    ],
)
def test_a_release_is_filed_under_the_countries_it_is_about(indexed, country, release_id):
    assert release_id in search(indexed[0], countries=(country,))


@pytest.mark.parametrize(
    "topic, release_id, filed",
    [
        ("counter-trafficking", "cr-health-fair-partners", False),  # a council among the partners
        ("counter-trafficking", "gt-biometric-border-posts-division", False),
        ("counter-trafficking", "regional-statistics-coalition", False),
        ("counter-trafficking", "hn-documentation-commission", False),
        ("counter-trafficking", "bb-document-fraud-tip-office", False),
        ("counter-trafficking", "sv-returnee-businesses-victims-of-trafficking", False),  # overlapping keywords
        ("counter-trafficking", "pa-psychosocial-rooms-trafficking-victims", False),
        ("counter-trafficking", "pa-helpline-trata-y-trafico", False),
        ("emergencies", "mx-vaccination-emergency-response-teams", False),
        ("counter-trafficking", "do-inspectors-trafficking-commission", True),  # about trafficking, agency and all
        ("counter-trafficking", "gt-shelter-trafficking-survivors", True),
        ("labour-migration", "mx-job-fair-mexico-city", True),  # topical releases the keywords missed
        ("labour-migration", "cr-job-fair-heredia", True),
        ("migration-governance", "gt-mx-border-mobility-cards", True),
        ("migration-governance", "gt-biometric-border-posts-division", True),
        ("emergencies", "cr-contingency-plan-migration-flows", True),
        ("emergencies", "do-border-provinces-contingency-plans", True),
    ],
)
def test_topic_facets(indexed, topic, release_id, filed):
    assert (release_id in search(indexed[0], topics=(topic,))) is filed


def test_explicit_countries_and_topics_in_a_source_record_still_win(tmp_path):
    body = "Tegucigalpa, Honduras. Returnees were received. Said the Chief of Mission for El Salvador and Guatemala."
    records = [
        release(id="given", body=body, countries=["SV", "GT"], topics=["children"]),
        release(id="found", date="2020-06-20", body=body),
    ]
    root = tmp_path / "ix"
    reindex([write_jsonl(tmp_path / "r.jsonl", records)], root, progress=False)
    held = stored(root)
    assert (held["given"]["countries"], held["given"]["topics"]) == ("SV,GT", "children")
    assert held["found"]["countries"] == "HN"


@pytest.mark.parametrize(
    "variable, content, field, before, after",
    [
        ("COUNTRY_RULES_FILE", "[weights]\nlead = 1\n", "countries", "HN,GT", "HN"),
        (
            "TOPIC_EXCLUSIONS_FILE",
            '[partners]\nnames = ["Centre for Returned Migrants"]\n',
            "topics",
            "return-reintegration",
            "",
        ),
    ],
)
def test_a_change_to_the_rules_retags_at_the_next_incremental_reindex(
    tmp_path, monkeypatch, variable, content, field, before, after
):
    body = "Tegucigalpa, Honduras. Guatemala and Honduras opened the Centre for Returned Migrants today."
    source = write_jsonl(tmp_path / "r.jsonl", [release(id="a", title="News", body=body)])
    root = tmp_path / "ix"
    reindex([source], root, progress=False)
    assert stored(root)["a"][field] == before
    again = reindex([source], root, mode="incremental", progress=False)
    assert again.unchanged == 1 and not again.written  # nothing changed: nothing read again
    rules = tmp_path / "rules.toml"
    rules.write_text(content, encoding="utf-8")
    monkeypatch.setenv(variable, str(rules))
    changed = reindex([source], root, mode="incremental", progress=False)
    assert changed.updated == 1
    assert stored(root)["a"][field] == after


def test_scripts_relevance_prints_the_figures(capsys):
    import re

    from search.relevance_cli import main

    assert main(["--enrichment", "--verbose"]) == 0
    out = capsys.readouterr().out
    found = re.search(
        r"^enrichment \(tests/fixtures/enrichment/releases.toml\): countries precision ([\d.]+) "
        r"\(\d+/\d+\), recall ([\d.]+) \(\d+/\d+\); topics precision ([\d.]+) \(\d+/\d+\), "
        r"recall ([\d.]+)",
        out,
        re.M,
    )
    assert found, out
    floors = (COUNTRY_PRECISION, COUNTRY_RECALL, TOPIC_PRECISION, TOPIC_RECALL)
    assert all(float(value) >= floor for value, floor in zip(found.groups(), floors, strict=True)), out
    assert re.search(r"^places \(tests/fixtures/places/releases.toml\): countries precision [\d.]+", out, re.M)
