"""Fixtures shared by every test, and the markers that sort the suite (``make test-fast`` leaves
out the tests marked ``browser``, ``slow`` or ``subprocess``; ``make test`` runs them all).

The markers are given here, by rule, not by hand in each file:

* ``browser``: the test uses the Chromium ``browser`` fixture (tests/web/chromium.py);
* ``subprocess``: the test, one of its fixtures, or a function or class of the tests they call
  starts another process: uses ``subprocess`` or ``running_site`` (gunicorn, tests/web/site_server.py);
* ``slow``: the test took over about two seconds on a 2-core machine (``pytest --durations=0``),
  listed in SLOW below, or the module sets ``pytestmark = pytest.mark.slow``.
"""

import dis
import inspect
import types
import warnings
from pathlib import Path

import pytest

from index.config import SAMPLES_DIR

# What ``make test-fast`` leaves out as slow, by module: the names of its slow tests (parameters
# left off), or "*" for the whole module. A test is slow when it takes over about two seconds on
# the 2-core machine (``pytest --durations=0``; quiet, as below; busy, about twice as long); a
# module is, when the index its fixtures build first takes that long, or when it builds indexes
# throughout. Tests already marked browser or subprocess are listed too when over two seconds.
SLOW: dict[str, set[str]] = {
    # whole modules
    "tests.test_xquad": {"*"},  # 32 s: two benchmark archives built and every question asked
    "tests.test_pairing_incremental": {"*"},  # 1.7-11 s each: a build after every change
    "tests.test_incremental": {"*"},  # 36 s: incremental builds against full rebuilds (11 s each, the longest)
    "tests.test_contract_segments": {"*"},  # 13 s: segment writers against Whoosh (3.5 s, the longest)
    "tests.test_contract_scoring": {
        "*"
    },  # 10 s: a 2.8 s index with segments and deletions, then the scorer against Whoosh
    "tests.test_faults": {"*"},  # builds broken, killed and resumed: 9 s the longest, 0.3 s the shortest
    "tests.test_query_cost": {"*"},  # 5.4 s: seven timed rounds per costly query
    "tests.test_ntrex": {"*"},  # a 2.5 s index of the shared NTREX articles
    "tests.test_relevance": {"*"},  # a 1.9 s index, then the judged queries
    "tests.test_injection_sources": {"*"},  # a 1.4 s index of hostile sources
    "tests.test_place_tagging": {"*"},  # a 1.4 s index
    "tests.test_site_crawl_reindex": {"*"},  # 12 s: three reindexes of the local news site, the first in full
    "tests.test_bench_smoke": {"*"},  # 30 s the run, 14 s the profile
    "tests.test_soak_smoke": {"*"},  # 27 s
    "tests.web.test_server_faults": {"*"},  # 4-26 s each: gunicorn started for each test
    # tests
    "tests.test_facet_counts": {"test_every_count_is_the_total_that_ticking_it_gives"},  # 2.5 s each
    "tests.test_search": {
        "test_pairs_count_once_after_an_incremental_build_moves_them_apart",  # 2.8 s
        "test_one_archive_serves_many_threads_at_once",  # 2.2 s
    },
    "tests.test_mixed_language": {"test_an_incremental_build_gives_what_a_full_one_gives"},  # 2.8 s
    "tests.test_contract_whoosh": {  # 4-7 s each: the sample archive built, then rewritten in another codec
        "test_an_index_in_another_format_is_refused_at_open_with_what_to_do",
        "test_a_reindex_rebuilds_an_index_in_another_format_in_full",
    },
    "tests.test_cross_language": {"test_the_configured_lexicon_finds_spanish_releases_for_english_words"},  # 1.9 s
    "tests.test_pairing_labelled": {"test_a_pair_found_by_a_reindex_is_one_hit_with_its_translation"},  # 1.6 s
    "tests.test_robust_sources": {"test_html_pages_in_the_wrong_encoding_cut_short_or_incomplete_through_the_script"},
    "tests.test_site_crawl": {  # 2-3 s each: two to four crawls of the local site
        "test_every_release_of_the_site_is_read_and_each_bad_page_is_named_with_its_reason",
        "test_a_release_leaves_only_when_complete_sitemaps_and_listings_no_longer_name_it",
        "test_the_cap_on_pages_leaves_the_rest_for_the_next_run",
        "test_a_page_that_fails_keeps_its_last_copy_and_is_reported",
        "test_a_second_run_asks_conditionally_and_an_unchanged_page_costs_a_304",
        "test_without_etags_last_modified_makes_the_304",
        "test_pages_kept_from_earlier_runs_stay_indexed_while_robots_txt_is_unreachable",
    },
    "tests.web.test_api": {"test_etag_changes_with_the_index_generation"},  # 4.8 s
    "tests.web.test_pages": {"test_healthz_without_an_index_is_503_and_recovers"},  # 1.8 s
    "tests.web.test_rate_limit": {"test_four_hundred_rapid_requests_get_the_documented_budget"},
    "tests.web.test_slow_clients": {
        "test_held_slow_connections_leave_the_site_answering_and_are_closed",
        "test_clients_that_read_slowly_or_never_hold_no_thread",
        "test_a_request_head_that_never_ends_is_answered_408_and_closed",
        "test_large_unfinished_heads_cannot_grow_a_worker_without_bound",
    },
    "tests.web.test_browser": {"test_screenshots", "test_axe_finds_no_violations"},
    "tests.web.test_embed_browser": {"test_snippets_page_previews_work_and_pass_axe"},
    "tests.test_analytics": {"test_several_processes_add_to_one_file_without_losing_a_count"},  # 11 s: 4 writers
    "tests.web.test_analytics_site": {
        "test_a_killed_worker_loses_at_most_its_last_seconds",  # 8 s: gunicorn, writes waited for
        "test_the_workers_of_a_site_count_into_one_file_and_write_all_when_stopped",  # 6 s: gunicorn
    },
}


@pytest.fixture
def samples_dir() -> Path:
    return SAMPLES_DIR


# --- markers ------------------------------------------------------------------------------------

SPAWNERS = {"subprocess", "running_site"}  # names whose use starts another process (running_site: web/served.py)


def _code_objects(code: types.CodeType):
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _code_objects(const)


def _ours(thing) -> bool:
    return (getattr(thing, "__module__", None) or "").split(".")[0] == "tests"


_named: dict[types.CodeType, tuple[bool, list]] = {}  # code -> (names a spawner, the tests' objects it names)


def _names(thing, code: types.CodeType) -> tuple[bool, list]:
    if code not in _named:
        spawns, ours = False, []
        names = getattr(thing, "__globals__", {})
        for each in _code_objects(code):
            for instruction in dis.get_instructions(each):
                if instruction.opname in ("LOAD_ATTR", "LOAD_METHOD") and instruction.argval in SPAWNERS:
                    spawns = True  # served.running_site
                if instruction.opname not in ("LOAD_GLOBAL", "LOAD_NAME", "IMPORT_NAME"):
                    continue
                target = names.get(instruction.argval)
                if instruction.argval in SPAWNERS or getattr(target, "__module__", None) == "subprocess":
                    spawns = True  # (the second: from subprocess import run)
                elif _ours(target):
                    ours.append(target)
        _named[code] = spawns, ours
    return _named[code]


def starts_a_process(thing, seen: set) -> bool:
    """Whether a function (or any method of a class) of the tests uses ``subprocess`` or
    ``running_site``, itself or through the functions and classes of the tests it names."""
    if isinstance(thing, type):
        return any(starts_a_process(member, seen) for member in vars(thing).values())
    if isinstance(thing, (staticmethod, classmethod)):
        thing = thing.__func__
    thing = inspect.unwrap(thing)
    code = getattr(thing, "__code__", None)
    if code is None or code in seen:
        return False
    seen.add(code)
    spawns, ours = _names(thing, code)
    return spawns or any(starts_a_process(target, seen) for target in ours)


_starts: dict = {}  # a test or fixture function -> whether it starts a process


def _starts_a_process(function) -> bool:
    if function not in _starts:
        _starts[function] = starts_a_process(function, set())
    return _starts[function]


def _fixture_functions(item):
    info = getattr(item, "_fixtureinfo", None)
    for name in getattr(item, "fixturenames", ()):
        for fixturedef in info.name2fixturedefs.get(name, ()) if info else ():
            if _ours(fixturedef.func):
                yield fixturedef.func


def _slow(item) -> bool:
    names = SLOW.get(item.module.__name__, set())
    return "*" in names or getattr(item, "originalname", item.name) in names


@pytest.hookimpl(tryfirst=True)  # before ``-m`` deselects by marker
def pytest_collection_modifyitems(items):
    named: dict[str, set[str]] = {}  # module -> its tests' names, to find a SLOW entry that names none
    for item in items:
        if not isinstance(item, pytest.Function):
            continue
        named.setdefault(item.module.__name__, {"*"}).add(getattr(item, "originalname", item.name))
        if "browser" in item.fixturenames:
            item.add_marker(pytest.mark.browser)
        if any(_starts_a_process(f) for f in [item.function, *_fixture_functions(item)]):
            item.add_marker(pytest.mark.subprocess)
        if _slow(item):
            item.add_marker(pytest.mark.slow)
    for module, names in named.items():
        if SLOW.get(module, set()) - names:
            warnings.warn(
                pytest.PytestConfigWarning(
                    f"tests/conftest.py SLOW names no test of {module}: {sorted(SLOW[module] - names)}"
                ),
                stacklevel=1,
            )
