"""``scripts/search`` prints the same result model the site and the API use."""

import json
import os
import subprocess

import pytest

from index.build import reindex
from index.config import PROJECT_ROOT, SAMPLES_DIR

SCRIPT = PROJECT_ROOT / "scripts" / "search"


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli") / "ix"
    reindex([SAMPLES_DIR], root, progress=False)
    return root


def run(*args, env=None):
    return subprocess.run(
        [str(SCRIPT), *args], capture_output=True, text=True, timeout=60, env={**os.environ, **(env or {})}
    )


def test_json_result_model(index_dir):
    done = run("huracán", "--country", "JM", "--json", "--index", str(index_dir))
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["total"] >= 1
    assert set(result["facets"]) == {"year", "country", "topic", "lang"}
    hit = result["hits"][0]
    assert {
        "id",
        "lang",
        "date",
        "title",
        "url",
        "title_html",
        "snippets",
        "countries",
        "topics",
        "translation",
    } <= set(hit)
    assert all(c["value"] != "" for c in hit["countries"])
    assert any(c["value"] == "JM" for c in hit["countries"])


def test_index_from_environment_and_filters(index_dir):
    done = run("migrants", "--lang", "es", "--year", "2022", "--json", env={"INDEX_DIR": str(index_dir)})
    result = json.loads(done.stdout)
    assert result["total"] >= 1
    assert {h["lang"] for h in result["hits"]} == {"es"} and {h["date"][:4] for h in result["hits"]} == {"2022"}


def test_the_result_says_every_value_of_a_repeated_filter(index_dir):
    """A search for two years echoes both, as the API does: not the last one alone."""
    done = run("migrants", "--year", "2019", "--year", "2022", "--country", "MX", "--json", "--index", str(index_dir))
    result = json.loads(done.stdout)
    assert result["params"]["year"] == [2019, 2022] and result["params"]["country"] == ["MX"]
    assert result["params"]["q"] == "migrants" and result["params"]["translations"] == "merged"
    assert {h["date"][:4] for h in result["hits"]} <= {"2019", "2022"}


def test_text_output_and_bad_parameters(index_dir):
    done = run("Tapachula", "--index", str(index_dir))
    assert done.returncode == 0 and "1 result" in done.stdout and "[Tapachula]" in done.stdout
    bad = run("x", "--page", "0", "--json", "--index", str(index_dir))
    assert bad.returncode == 2
    assert json.loads(bad.stdout)["error"]["code"] == "bad_parameter"
    missing = run("x", "--index", str(index_dir / "nothing-here"))
    assert missing.returncode == 3 and "no index" in missing.stderr


def test_a_query_may_start_with_an_excluded_word_and_stand_in_words_apart(index_dir):
    """`scripts/search hurricane -Haiti` and `scripts/search -migrants`: argparse took "-Haiti"
    for an unknown option and stopped with a usage error."""

    def found(*args):
        done = run(*args, "--index", index_dir, "--json")
        assert done.returncode == 0, done.stderr
        out = json.loads(done.stdout)
        return out["query"], out["total"], [h["id"] for h in out["hits"]]

    quoted = found("hurricane -Haiti")
    assert quoted[1] >= 1
    assert found("hurricane", "-Haiti") == quoted
    assert found("--ui", "en", "hurricane", "-Haiti") == quoted
    every = found("")[1]
    query, total, _ = found("-migrants")
    assert query == "-migrants" and 0 < total < every
    after = run("--index", index_dir, "--json", "--", "-migrants")  # all after "--" is the query
    assert json.loads(after.stdout)["total"] == total
    assert run("--bogus", "--index", index_dir).returncode == 2  # an unknown option is still an error


@pytest.mark.parametrize("fmt", [[], ["--json"]])
def test_output_cut_short_by_its_reader_ends_quietly(index_dir, fmt):
    """``scripts/search migrants | head -1``: the reader closes the pipe before the output is
    written, and the command ends without a traceback, as a Unix filter does."""
    process = subprocess.Popen(
        [str(SCRIPT), "--index", str(index_dir), *fmt, "migrants"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    process.stdout.close()  # before a word is written
    _, errors = process.communicate(timeout=60)
    assert process.returncode == 0 and b"Traceback" not in errors and not errors.strip(), errors[-500:]
