"""``scripts/reindex --explain ID [SOURCE...]``: why a release is filed under its countries and
topics, as staff read it: each name and keyword, where it stands, its points, and the rule that
passed it over or weighed it."""

from .helpers import release, run_reindex, write_jsonl

BODY = (
    "Tegucigalpa, Honduras. The reception centre for returned children opened today with the "
    "National Commission against Trafficking in Persons among its partners.\n\n"
    "The project is funded by the U.S. Department of State. “Every child counts,” said the IOM Chief of "
    "Mission for El Salvador, Guatemala and Honduras."
)


def sources(tmp_path, **fields):
    return write_jsonl(
        tmp_path / "r.jsonl",
        [
            release(
                id="hn-children",
                title="Returned children are received in a new centre in Honduras",
                body=BODY,
                **fields,
            ),
            release(id="other", date="2020-09-01"),
        ],
    )


def test_explain_names_each_place_and_keyword_and_the_rule_that_weighed_it(tmp_path):
    done = run_reindex("--explain", "hn-children", sources(tmp_path), "--index", tmp_path / "ix")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "countries: HN\n" in out
    assert "  HN  tagged, 5 points" in out
    assert "title     “Honduras”  +4" in out
    assert "dateline  “Tegucigalpa”  +1" in out
    assert "dateline  “Honduras”  +0 (the dateline named this country already)" in out
    assert "lead      “returned children”" not in out  # keywords are listed under topics
    # The countries left out, each with the rule that passed it over.
    assert "  SV  not tagged, 0 points" in out
    assert "“El Salvador”  +0 by country_rules.toml [offices] “Chief of Mission for {places}”" in out
    assert "  US  not tagged" in out
    assert "place_exclusions.toml [funders] “U.S. Department of State”" in out
    # Topics: the keyword, where and its points; the name that does not fire its topic.
    assert "topics: children, return-reintegration\n" in out
    assert "title  “Returned children”  +2 keyword “returned children”" in out
    assert "  counter-trafficking  not tagged, 0 points (needs 2)" in out
    assert "“Trafficking in Persons”  +0 keyword “trafficking in persons”, inside an excluded name" in out
    assert "“National Commission against Trafficking in Persons”  by topic_exclusions.toml [trafficking]" in out
    assert not (tmp_path / "ix").exists()  # nothing written


def test_explain_says_when_the_source_gave_the_countries(tmp_path):
    done = run_reindex("--explain", "hn-children", sources(tmp_path, countries=["US"], topics=["children"]))
    assert done.returncode == 0, done.stderr
    assert "given by the source record: US; these rules are not applied to it and would give: HN\n" in done.stdout
    assert "given by the source record: children;" in done.stdout


def test_explain_from_the_live_index(tmp_path):
    root = tmp_path / "ix"
    assert run_reindex(sources(tmp_path), "--index", root, "--quiet").returncode == 0
    done = run_reindex("--explain", "hn-children", "--index", root)
    assert done.returncode == 0, done.stderr
    assert "countries: HN\n" in done.stdout and "[offices]" in done.stdout


def test_explain_exit_codes(tmp_path):
    source = sources(tmp_path)
    unknown = run_reindex("--explain", "nope", source)
    assert unknown.returncode == 2 and "no release with id 'nope'" in unknown.stderr
    assert run_reindex("--explain", "hn-children", "--index", tmp_path / "none").returncode == 3  # no index
    assert run_reindex("--explain", "hn-children", "--check", source).returncode == 2
    bad = tmp_path / "rules.toml"
    bad.write_text('[x]\nphrases = ["no placeholder"]\n', encoding="utf-8")
    broken = run_reindex("--explain", "hn-children", source, env={"COUNTRY_RULES_FILE": str(bad)})
    assert broken.returncode == 3 and "holds {place} or {places}" in broken.stderr
