"""``scripts/bench run``: our search entry point against SQLite FTS5 doing the same work, in one run.

For each N: build both (releases/s, peak memory), query both with the same fixed list
(top 10 by BM25 with a title weight, exact year and country counts over all matches,
highlighted snippets for the 10 hits), incremental reindex of 10 changed releases,
HTTP against gunicorn (2 workers) at concurrency 1 and 8, memory per worker, size on disk.
"""

import gc
import json
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from contextlib import ExitStack
from http.client import HTTPConnection
from pathlib import Path

from index.benchmark_corpus import release_records
from index import vocabulary
from index.build import prepare, write_index
from index.config import PROJECT_ROOT
from search.engine import Archive
from search.params import SearchParams
from web.served import running_site, worker_pids

REINDEX = PROJECT_ROOT / "scripts" / "reindex"
TITLE_WEIGHT = 2.5

# (query, filters): single words, two and three words, phrases, with and without a year or country.
QUERIES = [
    ("development", {}), ("terrorism", {}), ("refugees", {}), ("climate", {}), ("nuclear", {}),
    ("peace security", {}), ("human rights", {}), ("climate change", {}), ("economic crisis", {}),
    ("nuclear weapons disarmament", {}), ("sustainable development goals", {}), ("small island states", {}),
    ('"human rights"', {}), ('"climate change"', {}), ('"international community"', {}),
    ('"weapons of mass destruction"', {}), ("development", {"years": (1995,)}), ("terrorism", {"years": (2002,)}),
    ("peace security", {"years": (1975,)}), ("climate change", {"years": (2015,)}),
    ("refugees", {"countries": ("US",)}), ("debt", {"countries": ("MX",)}),
    ("human rights", {"countries": ("CU",)}), ("migration", {}), ("migración", {}), ("cambio climático", {}),
]


def percentile(values, p):
    values = sorted(values)
    if not values:
        return float("nan")
    k = (len(values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def memory_mb(pid: int) -> dict[str, float]:
    """A process's memory figures from /proc/PID/smaps_rollup (``Rss``, ``Pss``...), MB; {} if it is gone."""
    try:
        lines = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]
    except OSError:
        return {}
    figures = {}
    for line in lines:
        key, value = line.split(":", 1)
        figures[key] = int(value.split()[0]) / 1024
    return figures


def tree_pss_mb(root_pid: int) -> float:
    """Proportional set size of a process and all its descendants, MB (shared pages counted once)."""
    out = subprocess.run(["ps", "-e", "-o", "pid=,ppid="], capture_output=True, text=True).stdout
    children: dict[int, list[int]] = {}
    for line in out.splitlines():
        pid, ppid = (int(x) for x in line.split())
        children.setdefault(ppid, []).append(pid)
    total, todo = 0.0, [root_pid]
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        total += memory_mb(pid).get("Pss", 0.0)
    return total


def peak_rss_mb_of(cmd, env=None) -> tuple[float, float, subprocess.CompletedProcess]:
    """Run a command; its wall time and peak memory (MB): the whole process tree's proportional
    set size, sampled four times a second (a multi-process build counts every process)."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    peak = 0.0
    out: dict[str, str] = {}
    reader = threading.Thread(target=lambda: out.update(zip(("stdout", "stderr"), proc.communicate())))
    reader.start()
    while reader.is_alive():
        peak = max(peak, tree_pss_mb(proc.pid))
        reader.join(0.25)
    seconds = time.perf_counter() - started
    done = subprocess.CompletedProcess(cmd, proc.returncode, out.get("stdout", ""), out.get("stderr", ""))
    return seconds, peak, done


# --- SQLite FTS5 --------------------------------------------------------------------------
def fts5_build(path: Path, releases) -> float:
    started = time.perf_counter()
    db = sqlite3.connect(path)
    db.executescript("""
        CREATE TABLE docs(rowid INTEGER PRIMARY KEY, id TEXT, year INTEGER, lang TEXT);
        CREATE TABLE doc_countries(rowid INTEGER, country TEXT);
        CREATE VIRTUAL TABLE fts USING fts5(title, body, tokenize = 'porter unicode61 remove_diacritics 2');
    """)
    with db:
        for rowid, r in enumerate(releases, 1):
            db.execute("INSERT INTO docs VALUES (?,?,?,?)", (rowid, r.id, r.year, r.lang))
            db.executemany("INSERT INTO doc_countries VALUES (?,?)", [(rowid, c) for c in r.countries])
            db.execute("INSERT INTO fts(rowid, title, body) VALUES (?,?,?)", (rowid, r.title, r.body))
        db.execute("CREATE INDEX docs_year ON docs(year)")
        db.execute("CREATE INDEX dc_rowid ON doc_countries(rowid, country)")
        db.execute("CREATE INDEX dc_country ON doc_countries(country, rowid)")
    db.close()
    return time.perf_counter() - started


def fts5_match(query: str) -> str:
    """The same query in FTS5 syntax: quoted phrases kept, words ANDed."""
    parts = re.findall(r'"[^"]+"|\S+', query)
    return " AND ".join(p if p.startswith('"') else '"' + p.replace('"', "") + '"' for p in parts)


def fts5_search(db, query: str, filters: dict):
    """Top 10 by bm25 with snippets, and exact year and country counts over every match.

    Written the way FTS5 is fast: the matches are found first and joined to the document
    tables by rowid (CROSS JOIN keeps SQLite from starting with a year or country index and
    matching row by row), and snippet() runs for the ten rows shown, not for every match.
    """
    where, args = ["fts MATCH ?"], [fts5_match(query)]
    if filters.get("years"):
        where.append(f"docs.year IN ({','.join('?' * len(filters['years']))})")
        args += list(filters["years"])
    if filters.get("countries"):
        where.append(f"EXISTS (SELECT 1 FROM doc_countries c WHERE c.rowid = fts.rowid AND c.country IN "
                     f"({','.join('?' * len(filters['countries']))}))")
        args += list(filters["countries"])
    cond = " AND ".join(where)
    matches = "fts CROSS JOIN docs ON docs.rowid = fts.rowid"
    top = db.execute(
        f"WITH best AS (SELECT fts.rowid AS r, bm25(fts, {TITLE_WEIGHT}, 1.0) AS s FROM {matches} WHERE {cond} "
        f"ORDER BY s LIMIT 10) "
        f"SELECT docs.id, best.s, snippet(fts, 1, '<mark>', '</mark>', '…', 32) FROM best "
        f"CROSS JOIN fts ON fts.rowid = best.r CROSS JOIN docs ON docs.rowid = best.r "
        f"WHERE fts MATCH ? ORDER BY best.s", args + [args[0]]).fetchall()
    years = db.execute(f"SELECT docs.year, count(*) FROM {matches} WHERE {cond} GROUP BY docs.year", args).fetchall()
    countries = db.execute(f"SELECT dc.country, count(*) FROM {matches} CROSS JOIN doc_countries dc "
                           f"ON dc.rowid = fts.rowid WHERE {cond} GROUP BY dc.country", args).fetchall()
    return top, years, countries


def time_queries(run, repeat: int, first: list | None = None) -> list[float]:
    """Milliseconds per query over ``repeat`` rounds, after one warm-up round (timed into ``first``)."""
    for query, filters in QUERIES:  # warm up
        started = time.perf_counter()
        run(query, filters)
        if first is not None:
            first.append((time.perf_counter() - started) * 1000)
    times = []
    for _ in range(repeat):
        for query, filters in QUERIES:
            started = time.perf_counter()
            run(query, filters)
            times.append((time.perf_counter() - started) * 1000)
    return times


# --- HTTP ---------------------------------------------------------------------------------
def serving(index_dir: Path, log: Path, workers: int | None = 2, args=()):
    """``scripts/serve`` on a free port (``workers``: None for its default), a context manager
    yielding the site (``web/served.py``) once it answers /healthz, and stopping it at the end.
    ``log``: where its output and error log go; ``args``: more gunicorn options."""
    return running_site(index_dir, workers=workers, args=args, output=log, timeout=60, stop_timeout=30,
                        env={"ACCESS_LOG": "/dev/null", "RATE_LIMIT": "off",  # one load client is not many visitors
                             "ERROR_LOG": None})


def worker_memory_mb(master_pid: int) -> list[tuple[float, float]]:
    """(resident, proportional) set size of each worker, MB: the proportional size counts a
    page shared with the master and the other workers once, split between them."""
    figures = [memory_mb(pid) for pid in sorted(worker_pids(master_pid))]
    return [(f["Rss"], f["Pss"]) for f in figures if f]


def search_path(port: int) -> str:
    """The JSON search endpoint the server offers (the API once it exists, else the page's JSON twin)."""
    for path in ("/api/v1/search", "/en/search.json", "/en/search"):
        conn = HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", path + "?q=peace")
        response = conn.getresponse()
        response.read()
        if response.status == 200 and "json" in (response.getheader("Content-Type") or ""):
            return path
    raise RuntimeError("no search endpoint answers")


def query_paths(endpoint: str, queries) -> list[str]:
    paths = []
    for query, filters in queries:
        params = [("q", query)] + [("year", str(y)) for y in filters.get("years", ())] + \
                 [("country", c) for c in filters.get("countries", ())]
        paths.append(endpoint + "?" + urllib.parse.urlencode(params))
    return paths


def distinct_queries(words: dict[str, int], years: list[int], count: int, seed: int = 11) -> list:
    """``count`` searches no two alike (so a result cache cannot answer them): one or two words
    the archive uses, from its vocabulary of words in 20 releases or more, some with a year
    or a country as well."""
    import random
    rng = random.Random(seed)
    common = sorted(w for w, n in words.items() if n >= 20 and w.isalpha() and len(w) >= 4)
    countries = ["US", "MX", "CU", "GT", "HN", "SV", "PA", "HT", "DO", "CA", "BR", "FR", "IN", "CN", "ZA"]
    out, seen = [], set()
    while len(out) < count and common:
        query = " ".join(rng.sample(common, rng.choice((1, 2, 2))))
        filters = {}
        luck = rng.random()
        if luck < 0.15 and years:
            filters["years"] = (rng.choice(years),)
        elif luck < 0.25:
            filters["countries"] = (rng.choice(countries),)
        key = (query, tuple(sorted(filters.items())))
        if key not in seen:
            seen.add(key)
            out.append((query, filters))
    return out


def load(port: int, concurrency: int, seconds: float, paths: list[str], workdir: Path) -> dict:
    """``concurrency`` clients, each on one keep-alive connection, for ``seconds``: wrk when it
    is installed (a compiled client that leaves the cores to the server), else Python threads."""
    if shutil.which("wrk"):
        listing = workdir / "paths.txt"
        listing.write_text("\n".join(paths) + "\n", encoding="utf-8")
        done = subprocess.run(
            ["wrk", "-t", str(min(concurrency, 2)), "-c", str(concurrency), "-d", f"{seconds:.0f}s",
             "--timeout", "30s", "-s", str(PROJECT_ROOT / "scripts" / "bench_wrk.lua"), f"http://127.0.0.1:{port}"],
            capture_output=True, text=True, env={**os.environ, "BENCH_PATHS": str(listing)}, timeout=seconds + 120)
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        return {"client": "wrk", "requests": figures["requests"], "errors": figures["errors"],
                "rps": figures["requests"] / figures["seconds"],
                "p50": figures["p50"], "p95": figures["p95"], "p99": figures["p99"]}
    return _python_load(port, concurrency, seconds, paths)


def _python_load(port: int, concurrency: int, seconds: float, paths: list[str]) -> dict:
    latencies, errors, lock = [], [0], threading.Lock()
    stop = time.perf_counter() + seconds

    def client(offset):
        conn = HTTPConnection("127.0.0.1", port, timeout=30)
        i = offset
        while time.perf_counter() < stop:
            path = paths[i % len(paths)]
            i += 1
            started = time.perf_counter()
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except OSError:
                ok = False
                conn = HTTPConnection("127.0.0.1", port, timeout=30)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                if not ok:
                    errors[0] += 1

    threads = [threading.Thread(target=client, args=(n * 7919,)) for n in range(concurrency)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    return {"client": "Python threads (wrk is not installed)", "requests": len(latencies), "errors": errors[0],
            "rps": len(latencies) / wall, "p50": percentile(latencies, 50), "p95": percentile(latencies, 95),
            "p99": percentile(latencies, 99)}


def du_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


# --- one size -----------------------------------------------------------------------------
def run_size(n: int, repeat: int, http: bool, http_seconds: float, log) -> dict:
    row = {"n": n}
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        tmp = Path(tmp)
        records, source = release_records(n)
        row["source"], row["n"] = source, len(records)  # the size measured, even if the corpus ran short
        n = len(records)
        source_file = tmp / "releases.jsonl"
        source_file.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
        log(f"N={n:,}: building ours")
        seconds, peak, done = peak_rss_mb_of([str(REINDEX), str(source_file), "--index", str(tmp / "ix"), "--quiet"])
        if done.returncode not in (0, 1):
            raise RuntimeError(f"reindex failed: {done.stderr[-2000:]}")
        row.update(ours_build_s=seconds, ours_build_rate=n / seconds, ours_peak_mb=peak)
        ix_dir = next(p for p in (tmp / "ix").iterdir() if p.name.startswith("gen-"))
        row["ours_disk_mb"] = du_mb(ix_dir)
        # The same enriched values for FTS5; timed as scripts/reindex runs it (without the cyclic
        # garbage collector, which a build of many small objects would keep running).
        gc.disable()
        started = time.perf_counter()
        releases, _ = prepare([source_file])
        row["prepare_s"] = time.perf_counter() - started
        gc.enable()
        log(f"N={n:,}: building FTS5")
        row["fts_build_s"] = fts5_build(tmp / "fts.db", releases)
        row["fts_build_rate"] = n / row["fts_build_s"]
        row["fts_disk_mb"] = (tmp / "fts.db").stat().st_size / 1e6
        log(f"N={n:,}: our writing stage alone, from the same enriched releases")
        started = time.perf_counter()
        write_index(tmp / "ix-writing", releases)
        row["ours_writing_s"] = time.perf_counter() - started
        shutil.rmtree(tmp / "ix-writing")
        del releases

        log(f"N={n:,}: querying")
        archive = Archive(tmp / "ix", cache_size=0)  # every search does the full work
        cold: list[float] = []  # each query's first run: posting lists not yet read into the cache
        ours = time_queries(lambda q, f: archive.search(SearchParams(q=q, per_page=10, **f)), repeat, cold)
        row["cold_p50"], row["cold_p95"] = percentile(cold, 50), percentile(cold, 95)
        cached = Archive(tmp / "ix")
        warm = time_queries(lambda q, f: cached.search(SearchParams(q=q, per_page=10, **f)), repeat)
        row["warm_p50"], row["warm_p95"] = percentile(warm, 50), percentile(warm, 95)
        # Autocomplete as typed, keystroke by keystroke, each prefix asked for the first time.
        typed = []
        for query, _ in QUERIES:
            text = query.strip('"')
            for end in range(1, len(text) + 1):
                started = time.perf_counter()
                archive.suggest(text[:end])
                typed.append((time.perf_counter() - started) * 1000)
        row["suggest_p50"], row["suggest_p95"] = percentile(typed, 50), percentile(typed, 95)
        db = sqlite3.connect(tmp / "fts.db")
        theirs = time_queries(lambda q, f: fts5_search(db, q, f), repeat)
        for name, values in (("ours", ours), ("fts", theirs)):
            for p in (50, 95, 99):
                row[f"{name}_p{p}"] = percentile(values, p)

        server = None
        with ExitStack() as stack:  # the site, for the HTTP measurements and the incremental rounds
            if http:
                server = stack.enter_context(serving(tmp / "ix", log=tmp / "serve.log"))
                port = server.port
                endpoint = row["http_endpoint"] = search_path(port)
                years = sorted({int(r["date"][:4]) for r in records})
                fixed = query_paths(endpoint, QUERIES)
                distinct = query_paths(endpoint, distinct_queries(vocabulary.load(ix_dir), years,
                                                                  int(http_seconds * 3000)))
                half = len(distinct) // 2  # each level its own searches, none answered from the cache
                sets = {"fixed": {1: fixed, 8: fixed}, "distinct": {1: distinct[:half], 8: distinct[half:]}}
                for name, levels in sets.items():
                    for c, paths in levels.items():
                        log(f"N={n:,}: HTTP, {name} queries, concurrency {c}")
                        result = load(port, c, http_seconds, paths, tmp)
                        row.update({f"http_{name}{c}_{k}": v for k, v in result.items()})
                row["http_client"] = result["client"]
                row["worker_mb"] = worker_memory_mb(server.pid)

            # Each round changes 10 other releases; the median is reported, and every round
            # (the machine's speed changes within seconds, and one round would be a lottery).
            rounds = max(1, repeat)
            log(f"N={n:,}: incremental reindex of 10 changed releases, {rounds} rounds"
                + (", the site running" if http else ""))
            times = []
            for k in range(rounds):
                for r in records[10 * k:10 * k + 10]:
                    r["body"] += "\n\nA paragraph added to benchmark the incremental reindex."
                source_file.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                                       encoding="utf-8")
                started = time.perf_counter()
                subprocess.run([str(REINDEX), str(source_file), "--index", str(tmp / "ix"), "--incremental",
                                "--quiet"], capture_output=True, check=False)
                times.append(time.perf_counter() - started)
            row["incremental_s"] = statistics.median(times)
            row["incremental_rounds"] = times
            phrase, changed = '"benchmark the incremental reindex"', min(10 * rounds, n)
            seen = archive.search(SearchParams(q=phrase)).total == changed
            if server is not None:  # and the running site, over HTTP, without a restart
                conn = HTTPConnection("127.0.0.1", port, timeout=30)
                conn.request("GET", endpoint + "?" + urllib.parse.urlencode([("q", phrase)]))
                answer = json.loads(conn.getresponse().read())
                seen = seen and answer.get("total") == changed
            row["incremental_seen"] = seen
    return row


def table(rows: list[dict], http: bool) -> str:
    def f(value, digits=1):
        return "n/a" if value is None else f"{value:,.{digits}f}"
    out = ["| measure | " + " | ".join(f"N = {r['n']:,}" for r in rows) + " |",
           "| --- |" + " --- |" * len(rows)]

    def line(label, fn):
        out.append(f"| {label} | " + " | ".join(fn(r) for r in rows) + " |")

    line("full build: ours, releases/s", lambda r: f(r["ours_build_rate"]))
    line("full build: FTS5, releases/s", lambda r: f(r["fts_build_rate"]))
    line("build time ratio: our whole reindex / FTS5's inserts (target ≤ 8)",
         lambda r: f(r["ours_build_s"] / r["fts_build_s"]))
    line("reading and enriching the sources (both engines need it), s", lambda r: f(r["prepare_s"]))
    line("writing the index from the enriched releases: ours / FTS5, s",
         lambda r: f"{f(r['ours_writing_s'])} / {f(r['fts_build_s'])}")
    line("build time ratio, writing stage only: ours / FTS5", lambda r: f(r["ours_writing_s"] / r["fts_build_s"]))
    line("build time ratio, both from the sources: our reindex / (reading and enriching + FTS5's inserts)",
         lambda r: f(r["ours_build_s"] / (r["prepare_s"] + r["fts_build_s"])))
    line("build peak memory, all processes (PSS), MB (target < 1,000)", lambda r: f(r["ours_peak_mb"], 0))
    line("index on disk: ours / FTS5, MB", lambda r: f"{f(r['ours_disk_mb'])} / {f(r['fts_disk_mb'])}")
    for p in (50, 95, 99):
        line(f"search+facets+snippets p{p}, ms: ours", lambda r, p=p: f(r[f"ours_p{p}"], 2))
        line(f"search+facets+snippets p{p}, ms: FTS5", lambda r, p=p: f(r[f"fts_p{p}"], 2))
    line("ours, each query's first run (posting lists read from disk) p50 / p95, ms",
         lambda r: f"{f(r['cold_p50'], 2)} / {f(r['cold_p95'], 2)}")
    line("ours, repeated search (per-generation cache) p50 / p95, ms",
         lambda r: f"{f(r['warm_p50'], 2)} / {f(r['warm_p95'], 2)}")
    line("autocomplete per keystroke p50 / p95, ms", lambda r: f"{f(r['suggest_p50'], 2)} / {f(r['suggest_p95'], 2)}")
    line("ratio ours / FTS5 p50 (target ≤ 3)", lambda r: f(r["ours_p50"] / r["fts_p50"]))
    line("ratio ours / FTS5 p95 (target ≤ 3)", lambda r: f(r["ours_p95"] / r["fts_p95"]))
    line("incremental reindex of 10, median of the rounds, s (target < 2)", lambda r: f(r["incremental_s"], 2))
    line("incremental reindex of 10, each round, s",
         lambda r: ", ".join(f(t, 2) for t in r.get("incremental_rounds", [r["incremental_s"]])))
    line("incremental changes found by the archive and the running site, without restart",
         lambda r: "yes" if r["incremental_seen"] else "NO")
    if http:
        for name, label in (("fixed", "the fixed queries, repeated"), ("distinct", "distinct queries")):
            for c in (1, 8):
                key = f"http_{name}{c}"
                line(f"HTTP, {label}, c={c}: requests/s", lambda r, key=key: f(r.get(f"{key}_rps")))
                line(f"HTTP, {label}, c={c}: p50 / p95 / p99, ms", lambda r, key=key: " / ".join(
                    f(r.get(f"{key}_p{p}")) for p in (50, 95, 99)))
                line(f"HTTP, {label}, c={c}: errors", lambda r, key=key: str(r.get(f"{key}_errors")))
        line("memory per gunicorn worker, resident, MB (target < 300)",
             lambda r: ", ".join(f(rss, 0) for rss, _ in r.get("worker_mb", [])))
        line("memory per gunicorn worker, proportional (shared pages split), MB",
             lambda r: ", ".join(f(pss, 0) for _, pss in r.get("worker_mb", [])))
    return "\n".join(out)


def main(args) -> str:
    def log(message):
        print(message, file=sys.stderr, flush=True)
    rows = [run_size(n, args.repeat, not args.no_http, args.http_seconds, log) for n in args.docs]
    sources = list(dict.fromkeys(f"N = {r['n']:,}: {r['source']}" for r in rows))  # in the order of the sizes
    head = (f"Documents: {'; '.join(sources)}, about 1,900 characters each. "
            f"{len(QUERIES)} fixed queries × {args.repeat} rounds, in process, without the result cache. "
            f"HTTP: {', '.join(sorted({r.get('http_client', 'n/a') for r in rows}))}, one keep-alive connection "
            f"per client, against {', '.join(sorted({r.get('http_endpoint', 'n/a') for r in rows}))} on "
            f"gunicorn with 2 workers (caches on, as deployed), {args.http_seconds:.0f} s per level: the fixed "
            f"queries in turn (after the first round, answered from the caches), then distinct queries "
            f"(one or two archive words, some with a year or country; none asked twice).")
    return head + "\n\n" + table(rows, not args.no_http)
