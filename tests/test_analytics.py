"""The search counts' store and the report: several processes adding to one file, rare queries
never shown, the retention, and ``scripts/report``."""

import datetime as dt
import json
import multiprocessing
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from index.config import PROJECT_ROOT
from search.params import SearchParams
from web.analytics import Recorder, normalise
from web.analytics_store import Counts, Store, recent_weeks, report, summarise

REPORT = PROJECT_ROOT / "scripts" / "report"


def search(recorder, q, *, total=5, previous=None, week=None, **params):
    recorder.search(
        query=normalise(q),
        previous=previous,
        total=total,
        corrected=False,
        params=SearchParams(q=q, **params),
        channel="page",
        week=week,
    )


def test_a_query_is_counted_case_and_spaces_aside_but_accents_kept():
    assert normalise("  Trata  de\tPERSONAS ") == "trata de personas"
    assert normalise("Ｍigración") == "migración"  # full-width letters (NFKC)
    assert normalise("año") != normalise("ano")
    assert len(normalise("x" * 1000)) == 200


def test_counts_add_up_and_only_page_one_is_a_search(tmp_path):
    recorder = Recorder(Store(tmp_path))
    for _ in range(3):
        search(recorder, "Remesas")
    search(recorder, "remesas", page=2)  # another page of a search already counted
    search(recorder, "zzqx", total=0)
    search(recorder, "remesas", previous="remesas", countries=("GT",))  # narrowed on its results page
    search(recorder, "remittances", previous="remesas")  # other words typed on the results page
    recorder.reached("remittances")
    recorder.reached("remittances")
    assert recorder.flush()
    data = summarise(Store(tmp_path).reader(), recent_weeks(1), min_count=1)
    assert data["totals"] == {
        "searches": 5,
        "with_words": 5,
        "empty": 1,
        "corrected": 0,
        "refined": 1,
        "reached": 2,
        "narrowed": 1,
    }
    rows = {q["query"]: q for q in data["queries"]}
    assert rows["remesas"]["searches"] == 3 and rows["remesas"]["refined"] == 1
    assert rows["remittances"]["reached"] == 2 and rows["remittances"]["reached_share"] == 1.0  # capped
    assert [q["query"] for q in data["nothing_found"]] == ["zzqx"]
    assert data["refined"][0]["replaced_by"] == [{"query": "remittances", "count": 1}]
    assert data["filters"] == {"country": {"GT": 1}}
    assert data["query_languages"]  # found by the writing thread
    recorder.close()


WRITER = textwrap.dedent("""
    import sys
    import time
    from search.params import SearchParams
    from web.analytics import Recorder
    from web.analytics_store import Store
    recorder = Recorder(Store(sys.argv[1]), flush_seconds=0.02)
    for i in range(int(sys.argv[2])):
        recorder.search(query=f"query {i % 7}", previous=None, total=i % 2, corrected=False,
                        params=SearchParams(q=f"query {i % 7}"), channel="page")
        recorder.reached(f"query {i % 7}")
        time.sleep(0.0005)  # spread over many writes of each process, beside the others'
    # the rest is written at exit
""")


def test_several_processes_add_to_one_file_without_losing_a_count(tmp_path):
    each, processes = 1500, 4
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(tmp_path), str(each)],
            cwd=PROJECT_ROOT,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(processes)
    ]
    for writer in writers:
        assert writer.wait(timeout=120) == 0, writer.stderr.read()
        writer.stderr.close()
    conn = Store(tmp_path).reader()
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    data = summarise(conn, recent_weeks(1), min_count=1)
    assert data["totals"]["searches"] == data["totals"]["reached"] == each * processes
    assert data["totals"]["empty"] == each * processes // 2
    assert sum(q["searches"] for q in data["queries"]) == each * processes
    assert len(data["queries"]) == 7


def _first_write(directory, start, results):
    start.wait()
    try:
        Store(directory).connect().close()
        results.put("written")
    except Exception as error:
        results.put(repr(error))


def test_workers_stopped_together_each_make_their_first_write(tmp_path):
    # Two workers of a site told to stop at once both write their first counts into a new file
    # (SQLite refused one of them "database is locked" at once, and its counts were lost).
    context = multiprocessing.get_context("fork")
    outcomes = []
    for attempt in range(40):
        start, results = context.Barrier(3), context.Queue()
        folder = tmp_path / str(attempt)
        workers = [context.Process(target=_first_write, args=(folder, start, results)) for _ in range(3)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=60)
        outcomes += [results.get(timeout=5) for _ in workers]
    assert set(outcomes) == {"written"}, [o for o in outcomes if o != "written"][:3]


def test_a_query_asked_fewer_times_than_the_floor_is_never_shown(tmp_path):
    recorder = Recorder(Store(tmp_path))
    weeks = recent_weeks(2)
    for _ in range(5):
        search(recorder, "huracán", week=weeks[0])
    for _ in range(2):
        search(recorder, "juan pérez 555-0199", total=0, week=weeks[0])  # a visitor's own name and number
        search(recorder, "huracán", previous="juan pérez 555-0199", week=weeks[0])
    for week in weeks:  # twice a week: rare in each week, not over the two
        for _ in range(2):
            search(recorder, "sequía", week=week)
    recorder.flush()
    data = report(Store(tmp_path), weeks=2, min_count=3)
    shown = json.dumps(data, ensure_ascii=False)
    assert "juan" not in shown and "555" not in shown
    this_week = data["weeks"][0]
    assert [q["query"] for q in this_week["queries"]] == ["huracán"]
    assert this_week["nothing_found"] == [] and this_week["refined"] == []
    assert this_week["hidden"] == {"queries": 2, "searches": 4}
    assert this_week["totals"]["empty"] == 2  # counted in the totals, never by its words
    assert [q["query"] for q in data["period"]["queries"]] == ["huracán", "sequía"]
    recorder.close()


def test_weeks_past_the_retention_are_deleted(tmp_path):
    store = Store(tmp_path)
    today = dt.date(2026, 12, 5)
    weeks = recent_weeks(20, today)
    counts = Counts()
    for week in weeks:
        counts.add_query(week, "frontera", "searches", 4)
        counts.tallies[(week, "total", "searches")] += 4
        counts.refinements[(week, "frontera", "border")] += 1
    conn = store.connect()
    Store.add(conn, counts)
    Store.prune(conn, 13, today)
    for table in ("queries", "tallies", "refinements"):
        kept = sorted(w for (w,) in conn.execute(f"SELECT DISTINCT week FROM {table}"))
        assert kept == sorted(weeks[:13]), table
    conn.close()


def test_the_site_deletes_old_weeks_when_it_writes(tmp_path):
    store = Store(tmp_path)
    old = recent_weeks(30)[-1]
    counts = Counts()
    counts.add_query(old, "old query", "searches", 9)
    conn = store.connect()
    Store.add(conn, counts)
    conn.close()
    recorder = Recorder(store, keep_weeks=13)
    search(recorder, "new query")
    recorder.flush()
    rows = store.reader().execute("SELECT week, query FROM queries").fetchall()
    assert rows == [(recent_weeks(1)[0], "new query")]
    recorder.close()


def test_counts_that_cannot_be_written_are_kept_for_the_next_write(tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the directory should be")
    recorder = Recorder(Store(blocker))
    search(recorder, "lluvias")
    assert not recorder.flush()
    blocker.unlink()
    search(recorder, "lluvias")
    assert recorder.flush()
    data = summarise(Store(blocker).reader(), recent_weeks(1), min_count=1)
    assert data["totals"]["searches"] == 2 and data["queries"][0]["searches"] == 2
    recorder.close()


def test_a_flood_of_distinct_queries_keeps_a_worker_within_its_bound(tmp_path):
    recorder = Recorder(Store(tmp_path), max_pending=50)
    for k in range(200):
        search(recorder, f"distinct words {k}")
    assert recorder._pending.size() <= 51
    recorder.flush()
    data = summarise(Store(tmp_path).reader(), recent_weeks(1), min_count=2)  # each asked once: all hidden
    assert data["totals"]["searches"] == 200  # the totals are whole
    assert data["dropped"] > 100 and data["hidden"]["searches"] + data["dropped"] == 200
    recorder.close()


def test_the_report_says_when_the_counts_cannot_be_read(tmp_path):
    (tmp_path / "searches.sqlite3").write_bytes(b"not a database at all" * 100)
    done = run_report("--dir", str(tmp_path))
    assert done.returncode == 3 and "cannot be read" in done.stderr


def test_the_file_is_readable_by_its_owner_only(tmp_path):
    recorder = Recorder(Store(tmp_path / "counts"))
    search(recorder, "x")
    recorder.flush()
    assert (tmp_path / "counts" / "searches.sqlite3").stat().st_mode & 0o077 == 0
    assert (tmp_path / "counts").stat().st_mode & 0o077 == 0
    recorder.close()


@pytest.fixture
def counted(tmp_path):
    recorder = Recorder(Store(tmp_path))
    for _ in range(4):
        search(recorder, "Desplazamiento", countries=("HN",))
    for _ in range(3):
        search(recorder, "zzqx", total=0)
    search(recorder, "rare words", total=0)
    recorder.flush()
    recorder.close()
    return tmp_path


def run_report(*args, env=None):
    return subprocess.run(
        [str(REPORT), *args], capture_output=True, text=True, timeout=120, env={"PATH": "/usr/bin:/bin", **(env or {})}
    )


def test_the_report_prints_each_week_and_the_period(counted):
    done = run_report("--dir", str(counted), "--weeks", "2")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.count("Week ") == 2 and "All 2 weeks" in out
    assert "searches 8 (with words 8), found nothing 4 (50.0 %)" in out
    assert "4  desplazamiento" in out and "3  zzqx" in out
    assert "filters: country HN 4" in out
    assert "rare words" not in out and "rarer queries not shown: 1; their searches: 1" in out


def test_the_report_as_json(counted):
    done = run_report("--dir", str(counted), "--json", "--weeks", "3", "--min-count", "4")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert len(data["weeks"]) == 3 and data["min_count"] == 4
    assert [q["query"] for q in data["period"]["queries"]] == ["desplazamiento"]
    assert data["period"]["nothing_found"] == []  # zzqx, asked 3 times, is under 4


def test_the_report_refuses_to_show_rarer_queries_than_configured(counted):
    done = run_report("--dir", str(counted), "--min-count", "2", env={"ANALYTICS_MIN_COUNT": "3"})
    assert done.returncode == 2 and "below ANALYTICS_MIN_COUNT" in done.stderr
    done = run_report("--dir", str(counted), "--weeks", "14")
    assert done.returncode == 2 and "--weeks" in done.stderr
    done = run_report()
    assert done.returncode == 2 and "ANALYTICS_DIR" in done.stderr


def test_the_report_prunes_on_request(counted):
    conn = sqlite3.connect(counted / "searches.sqlite3")
    conn.execute("INSERT INTO queries (week, query, searches) VALUES ('2001-01-01', 'ancient', 50)")
    conn.commit()
    conn.close()
    done = run_report("--dir", str(counted), "--prune", "--json")
    assert done.returncode == 0, done.stderr
    assert "1 rows" in done.stderr
    left = (
        sqlite3.connect(counted / "searches.sqlite3")
        .execute("SELECT COUNT(*) FROM queries WHERE week = '2001-01-01'")
        .fetchone()
    )
    assert left == (0,)


def test_a_file_made_but_never_written_reads_as_nothing_counted(tmp_path):
    (tmp_path / "searches.sqlite3").touch()  # a worker stopped between making the file and its tables
    data = report(Store(tmp_path), weeks=1)
    assert data["period"]["totals"]["searches"] == 0 and data["period"]["queries"] == []
