"""``scripts/bench run``: our search entry point against SQLite FTS5 and tantivy doing the same work, in one run.

For each N: build all three (releases/s, peak memory); ask them the same stream of distinct
searches (``bench_queries``: none asked twice, so no result cache can answer), interleaved
search by search so that the machine's changes of speed fall on all three alike: one page
of 10 hits by BM25 with a title weight (or by date), exact year and country counts over
every match, highlighted snippets for the 10 hits; then the short fixed list, round after
round (a secondary figure); incremental reindex of 10 changed releases; HTTP against
gunicorn (2 workers) at concurrency 1 and 8, the API and the HTML pages each with its own
distinct searches, then the fixed list (answered from the caches); memory per worker.
"""

import gc
import json
import os
import random
import re
import shutil
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

from bench_peers import FTS5, Tantivy, tantivy_available
from bench_queries import describe, distinct_searches, fixed_searches, top_countries

from index import vocabulary
from index.benchmark_corpus import release_records
from index.build import prepare, write_index
from index.config import PROJECT_ROOT
from search.engine import Archive
from search.params import SearchParams
from web.served import running_site, worker_pids

REINDEX = PROJECT_ROOT / "scripts" / "reindex"
PAGES = "/en/search"  # the HTML results page
WARM_UP = 100  # distinct searches each engine answers before the measured ones (files read, code warm)
SAMPLE = 5000  # releases the searches of several words are cut from
HTTP_RATE = 1500  # searches per second of a level the stream provides, so that none is asked twice
# requests/s at concurrency 8 on distinct searches, measured before issue 19's work at 54,458
# releases (the text): its target is twice these at the same p95
BEFORE_C8_RPS = {"api": 264, "pages": 124}


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
    reader = threading.Thread(target=lambda: out.update(zip(("stdout", "stderr"), proc.communicate(), strict=True)))
    reader.start()
    while reader.is_alive():
        peak = max(peak, tree_pss_mb(proc.pid))
        reader.join(0.25)
    seconds = time.perf_counter() - started
    done = subprocess.CompletedProcess(cmd, proc.returncode, out.get("stdout", ""), out.get("stderr", ""))
    return seconds, peak, done


def time_searches(run, searches, repeat: int = 1, first: list | None = None) -> list[float]:
    """Milliseconds per search over ``repeat`` rounds, after one warm-up round (timed into ``first``)."""
    for search in searches:  # warm up
        started = time.perf_counter()
        run(search)
        if first is not None:
            first.append((time.perf_counter() - started) * 1000)
    times = []
    for _ in range(repeat):
        for search in searches:
            started = time.perf_counter()
            run(search)
            times.append((time.perf_counter() - started) * 1000)
    return times


def time_interleaved(engines: dict, searches) -> dict[str, list[float]]:
    """Each search asked once of every engine in turn (the order rotating), milliseconds each:
    a change in the machine's speed falls on all engines alike."""
    names = list(engines)
    times: dict[str, list[float]] = {name: [] for name in names}
    for i, search in enumerate(searches):
        for name in names[i % len(names) :] + names[: i % len(names)]:
            started = time.perf_counter()
            engines[name](search)
            times[name].append((time.perf_counter() - started) * 1000)
    return times


# --- HTTP ---------------------------------------------------------------------------------
def serving(index_dir: Path, log: Path, workers: int | None = 2, args=(), access_log: Path | None = None):
    """``scripts/serve`` on a free port (``workers``: None for its default), a context manager
    yielding the site (``web/served.py``) once it answers /healthz, and stopping it at the end.
    ``log``: where its output and error log go; ``args``: more gunicorn options;
    ``access_log``: a file for its access log (its request times: :func:`server_times`)."""
    return running_site(
        index_dir,
        workers=workers,
        args=args,
        output=log,
        timeout=60,
        stop_timeout=30,
        env={
            "ACCESS_LOG": str(access_log) if access_log is not None else "/dev/null",
            "RATE_LIMIT": "off",  # one load client is not many visitors
            "ERROR_LOG": None,
        },
    )


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


# The status and request time of an access log line (web/gunicorn.conf.py's format).
_LOGGED = re.compile(r'" (\d{3}) \S+ (\d+)ms "')


def server_times(access_log: Path, start: int) -> tuple[list[float], int]:
    """The request times (ms) the access log holds from byte ``start``, and where it ends:
    the time a worker's thread took from reading the request to the end of its answer, without
    the time the request waited to be accepted or for a thread."""
    with access_log.open("rb") as f:
        f.seek(start)
        data = f.read()
    return [float(m.group(2)) for m in _LOGGED.finditer(data.decode("utf-8", "replace"))], start + len(data)


def load(port: int, concurrency: int, seconds: float, paths: list[str], workdir: Path) -> dict:
    """``concurrency`` clients, each on one keep-alive connection, for ``seconds``: wrk when it
    is installed (a compiled client that leaves the cores to the server), else Python threads.
    Each wrk thread (or Python client) goes through its own slice of ``paths``; ``repeated``
    counts requests past the end of a slice (a path asked a second time)."""
    if shutil.which("wrk"):
        threads = min(concurrency, 2)
        listing = workdir / "paths.txt"
        listing.write_text("\n".join(paths) + "\n", encoding="utf-8")
        done = subprocess.run(
            [
                "wrk",
                "-t",
                str(threads),
                "-c",
                str(concurrency),
                "-d",
                f"{seconds:.0f}s",
                "--timeout",
                "30s",
                "-s",
                str(PROJECT_ROOT / "scripts" / "bench_wrk.lua"),
                f"http://127.0.0.1:{port}",
            ],
            capture_output=True,
            text=True,
            env={**os.environ, "BENCH_PATHS": str(listing), "BENCH_THREADS": str(threads)},
            timeout=seconds + 120,
        )
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        return {
            "client": "wrk",
            "requests": figures["requests"],
            "errors": figures["errors"],
            "repeated": figures["repeated"],
            "rps": figures["requests"] / figures["seconds"],
            "p50": figures["p50"],
            "p95": figures["p95"],
            "p99": figures["p99"],
            "max": figures["max"],
        }
    return _python_load(port, concurrency, seconds, paths)


def _python_load(port: int, concurrency: int, seconds: float, paths: list[str], once: bool = False) -> dict:
    """``once``: each client asks its slice once, however long that takes (``seconds`` unused)."""
    latencies, errors, repeated, lock = [], [0], [0], threading.Lock()
    stop = time.perf_counter() + seconds
    stride = max(1, len(paths) // concurrency)

    def client(offset):
        conn = HTTPConnection("127.0.0.1", port, timeout=30)
        i = 0
        while (i < stride) if once else (time.perf_counter() < stop):
            path = paths[(offset + i) % len(paths)]
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
                errors[0] += not ok
                repeated[0] += i > stride

    threads = [threading.Thread(target=client, args=(n * stride,)) for n in range(concurrency)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    return {
        "client": "Python threads (wrk is not installed)",
        "requests": len(latencies),
        "errors": errors[0],
        "repeated": repeated[0],
        "rps": len(latencies) / wall,
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "p99": percentile(latencies, 99),
        "max": max(latencies, default=0.0),
    }


def du_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


# --- one size -----------------------------------------------------------------------------
def run_size(n: int, args, log) -> dict:
    repeat, http, http_seconds = args.repeat, not args.no_http, args.http_seconds
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
        # The same enriched values for the peers; timed as scripts/reindex runs it (without the
        # cyclic garbage collector, which a build of many small objects would keep running).
        gc.disable()
        started = time.perf_counter()
        releases, _ = prepare([source_file])
        row["prepare_s"] = time.perf_counter() - started
        gc.enable()
        peers = {"fts": FTS5(tmp / "fts.db")}
        if args.tantivy and tantivy_available():
            peers["tantivy"] = Tantivy(tmp / "tantivy")
            row["tantivy_version"] = peers["tantivy"].version()
        for key, peer in peers.items():
            log(f"N={n:,}: building {peer.name}")
            row[f"{key}_build_s"] = peer.build(releases)
            row[f"{key}_build_rate"] = n / row[f"{key}_build_s"]
            row[f"{key}_disk_mb"] = peer.disk_mb()
            peer.open()
        log(f"N={n:,}: our writing stage alone, from the same enriched releases")
        started = time.perf_counter()
        write_index(tmp / "ix-writing", releases)
        row["ours_writing_s"] = time.perf_counter() - started
        shutil.rmtree(tmp / "ix-writing")
        # The stream of distinct searches: enough for the warm-up, the in-process measurement
        # and every HTTP level, each its own slice (none asked twice, anywhere).
        sample = random.Random(5).sample(releases, min(SAMPLE, len(releases)))
        levels = [("api", 1), ("api", 8), ("pages", 1), ("pages", 8)] if http else []
        per_level = int(http_seconds * HTTP_RATE)
        stream = distinct_searches(
            vocabulary.load(ix_dir),
            [(r.body, r.date.year, tuple(r.countries or ())) for r in sample],
            sorted({r.date.year for r in releases}),
            top_countries(releases),
            WARM_UP * (1 + len(levels)) + args.queries + per_level * len(levels),
        )
        del releases, sample
        warm_up, measured = stream[:WARM_UP], stream[WARM_UP : WARM_UP + args.queries]
        rest = stream[WARM_UP + args.queries :]
        http_warm_up = {level: rest[k * WARM_UP :][:WARM_UP] for k, level in enumerate(levels)}
        rest = rest[WARM_UP * len(levels) :]
        http_streams = {level: rest[k * per_level :][:per_level] for k, level in enumerate(levels)}
        row["queries"] = len(measured)

        log(f"N={n:,}: {len(measured):,} distinct searches, in process, interleaved")
        archive = Archive(tmp / "ix")  # as deployed: its result cache cannot answer a search asked once
        archive.warm()  # as gunicorn's master does before it forks the workers
        engines = {
            "ours": lambda s: archive.search(SearchParams(**s.params())),
            **{key: peer.search for key, peer in peers.items()},
        }
        for run in engines.values():  # files read, code warm: on searches of their own
            for search in warm_up:
                run(search)
        for name, values in time_interleaved(engines, measured).items():
            for p in (50, 95, 99):
                row[f"{name}_p{p}"] = percentile(values, p)

        log(f"N={n:,}: the fixed searches, {repeat} rounds")
        fixed = fixed_searches()
        uncached = Archive(tmp / "ix", cache_size=0)  # every search does the full work
        uncached.warm()
        runs = {
            "ours": lambda s: uncached.search(SearchParams(**s.params())),
            **{key: peer.search for key, peer in peers.items()},
        }
        for name, run in runs.items():
            values = time_searches(run, fixed, repeat)
            row[f"fixed_{name}_p50"], row[f"fixed_{name}_p95"] = percentile(values, 50), percentile(values, 95)
        cached = Archive(tmp / "ix")
        warm = time_searches(lambda s: cached.search(SearchParams(**s.params())), fixed, repeat)
        row["warm_p50"], row["warm_p95"] = percentile(warm, 50), percentile(warm, 95)
        # Autocomplete as typed, keystroke by keystroke, each prefix asked for the first time.
        typed = []
        for search in fixed:
            text = search.q.strip('"')
            for end in range(1, len(text) + 1):
                started = time.perf_counter()
                uncached.suggest(text[:end])
                typed.append((time.perf_counter() - started) * 1000)
        row["suggest_p50"], row["suggest_p95"] = percentile(typed, 50), percentile(typed, 95)

        server = None
        with ExitStack() as stack:  # the site, for the HTTP measurements and the incremental rounds
            if http:
                access_log = tmp / "access.log"
                server = stack.enter_context(serving(tmp / "ix", log=tmp / "serve.log", access_log=access_log))
                port = server.port
                endpoint = row["http_endpoint"] = search_path(port)
                endpoints = {"api": endpoint, "pages": PAGES}
                for (kind, _), searches in http_warm_up.items():  # the workers warm, on searches of their own
                    _python_load(port, 2, 0, [s.path(endpoints[kind]) for s in searches], once=True)
                logged = server_times(access_log, 0)[1]
                for (kind, c), searches in http_streams.items():
                    log(f"N={n:,}: HTTP, {kind}, distinct searches, concurrency {c}")
                    result = load(port, c, http_seconds, [s.path(endpoints[kind]) for s in searches], tmp)
                    times, logged = server_times(access_log, logged)
                    # The slowest answers as the client met them and as the workers took them: a
                    # gap is time spent waiting to be accepted or for a thread, not searching.
                    result.update(server_p99=percentile(times, 99), server_max=max(times, default=0.0))
                    row.update({f"http_{kind}{c}_{k}": v for k, v in result.items()})
                for c in (1, 8):
                    log(f"N={n:,}: HTTP, api, the fixed searches, concurrency {c}")
                    result = load(port, c, http_seconds, [s.path(endpoint) for s in fixed], tmp)
                    row.update({f"http_fixed{c}_{k}": v for k, v in result.items()})
                row["http_client"] = result["client"]
                row["worker_mb"] = worker_memory_mb(server.pid)

            # Each round changes 10 other releases; the median is reported, and every round
            # (the machine's speed changes within seconds, and one round would be a lottery).
            rounds = max(1, repeat)
            log(
                f"N={n:,}: incremental reindex of 10 changed releases, {rounds} rounds"
                + (", the site running" if http else "")
            )
            times = []
            for k in range(rounds):
                for r in records[10 * k : 10 * k + 10]:
                    r["body"] += "\n\nA paragraph added to benchmark the incremental reindex."
                source_file.write_text(
                    "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
                )
                started = time.perf_counter()
                subprocess.run(
                    [str(REINDEX), str(source_file), "--index", str(tmp / "ix"), "--incremental", "--quiet"],
                    capture_output=True,
                    check=False,
                )
                times.append(time.perf_counter() - started)
            row["incremental_s"] = statistics.median(times)
            row["incremental_rounds"] = times
            phrase, changed = '"benchmark the incremental reindex"', min(10 * rounds, n)
            seen = uncached.search(SearchParams(q=phrase)).total == changed
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

    def ratio(a, b):
        return "n/a" if a is None or b is None else f"{a / b:,.2f}"

    out = ["| measure | " + " | ".join(f"N = {r['n']:,}" for r in rows) + " |", "| --- |" + " --- |" * len(rows)]

    def line(label, fn):
        out.append(f"| {label} | " + " | ".join(fn(r) for r in rows) + " |")

    def section(title):
        out.append(f"| **{title}** |" + " |" * len(rows))

    tantivy = any("tantivy_build_s" in r for r in rows)
    engines = [("ours", "ours"), ("fts", "FTS5")] + ([("tantivy", "tantivy")] if tantivy else [])
    section("distinct searches (the headline): in process, search + facets + snippets")
    for p in (50, 95, 99):
        line(
            f"p{p}, ms: " + " / ".join(label for _, label in engines),
            lambda r, p=p: " / ".join(f(r.get(f"{key}_p{p}"), 2) for key, _ in engines),
        )
    if tantivy:
        line("ratio ours / tantivy p50 (target ≤ 1.5)", lambda r: ratio(r.get("ours_p50"), r.get("tantivy_p50")))
        line("ratio ours / tantivy p95 (target ≤ 1)", lambda r: ratio(r.get("ours_p95"), r.get("tantivy_p95")))
        line("ratio ours / tantivy p99 (target ≤ 1)", lambda r: ratio(r.get("ours_p99"), r.get("tantivy_p99")))
    line("ratio ours / FTS5 p50", lambda r: ratio(r["ours_p50"], r["fts_p50"]))
    line("ratio ours / FTS5 p95", lambda r: ratio(r["ours_p95"], r["fts_p95"]))
    if http:
        for kind, label in (("api", "the API"), ("pages", "the HTML pages")):
            section(f"distinct searches (the headline): HTTP, {label}")
            for c in (1, 8):
                key = f"http_{kind}{c}"
                line(
                    f"c={c}: requests/s"
                    + (f" (target ≥ 2 × {BEFORE_C8_RPS[kind]}, the rate before)" if c == 8 else ""),
                    lambda r, key=key: f(r.get(f"{key}_rps")),
                )
                line(
                    f"c={c}: p50 / p95 / p99, ms" + (" (target p50 ≤ 4, p95 ≤ 10)" if c == 1 else " (target p95 ≤ 50)"),
                    lambda r, key=key: " / ".join(f(r.get(f"{key}_p{p}")) for p in (50, 95, 99)),
                )
                line(
                    f"c={c}: slowest answer, ms: as the client met it / p99 and slowest in the workers",
                    lambda r, key=key: (
                        f"{f(r.get(f'{key}_max'))} / "
                        + " / ".join(f(r.get(f"{key}_server_{p}")) for p in ("p99", "max"))
                    ),
                )
                line(
                    f"c={c}: errors / searches asked a second time",
                    lambda r, key=key: f"{r.get(f'{key}_errors')} / {r.get(f'{key}_repeated')}",
                )
    section("builds")
    line("full build: ours, releases/s", lambda r: f(r["ours_build_rate"]))
    line("full build: FTS5, releases/s", lambda r: f(r["fts_build_rate"]))
    if tantivy:
        line("full build: tantivy, releases/s", lambda r: f(r.get("tantivy_build_rate")))
    line(
        "build time ratio: our whole reindex / FTS5's inserts (target ≤ 3)",
        lambda r: f(r["ours_build_s"] / r["fts_build_s"]),
    )
    line("reading and enriching the sources (every engine needs it), s", lambda r: f(r["prepare_s"]))
    line(
        "writing the index from the enriched releases: ours / FTS5" + (" / tantivy" if tantivy else "") + ", s",
        lambda r: " / ".join(f(r.get(k)) for k in ("ours_writing_s", "fts_build_s", "tantivy_build_s")[: 2 + tantivy]),
    )
    line("build time ratio, writing stage only: ours / FTS5", lambda r: f(r["ours_writing_s"] / r["fts_build_s"]))
    line(
        "build time ratio, both from the sources: our reindex / (reading and enriching + FTS5's inserts)",
        lambda r: f(r["ours_build_s"] / (r["prepare_s"] + r["fts_build_s"])),
    )
    line("build peak memory, all processes (PSS), MB (target < 1,000)", lambda r: f(r["ours_peak_mb"], 0))
    line(
        "index on disk: ours / FTS5" + (" / tantivy" if tantivy else "") + ", MB",
        lambda r: " / ".join(f(r.get(k)) for k in ("ours_disk_mb", "fts_disk_mb", "tantivy_disk_mb")[: 2 + tantivy]),
    )
    line("incremental reindex of 10, median of the rounds, s (target < 2)", lambda r: f(r["incremental_s"], 2))
    line(
        "incremental reindex of 10, each round, s",
        lambda r: ", ".join(f(t, 2) for t in r.get("incremental_rounds", [r["incremental_s"]])),
    )
    line(
        "incremental changes found by the archive and the running site, without restart",
        lambda r: "yes" if r["incremental_seen"] else "NO",
    )
    section("secondary: the fixed searches, asked round after round")
    for p in (50, 95):
        line(
            f"in process without the result cache, p{p}, ms: " + " / ".join(label for _, label in engines),
            lambda r, p=p: " / ".join(f(r.get(f"fixed_{key}_p{p}"), 2) for key, _ in engines),
        )
    line(
        "in process, ours, answered from the result cache, p50 / p95, ms",
        lambda r: f"{f(r['warm_p50'], 2)} / {f(r['warm_p95'], 2)}",
    )
    line("autocomplete per keystroke p50 / p95, ms", lambda r: f"{f(r['suggest_p50'], 2)} / {f(r['suggest_p95'], 2)}")
    if http:
        for c in (1, 8):
            key = f"http_fixed{c}"
            line(f"HTTP, the API, c={c}: requests/s", lambda r, key=key: f(r.get(f"{key}_rps")))
            line(
                f"HTTP, the API, c={c}: p50 / p95 / p99, ms",
                lambda r, key=key: " / ".join(f(r.get(f"{key}_p{p}")) for p in (50, 95, 99)),
            )
            line(f"HTTP, the API, c={c}: errors", lambda r, key=key: str(r.get(f"{key}_errors")))
        section("the site")
        line(
            "memory per gunicorn worker, resident, MB (target < 300)",
            lambda r: ", ".join(f(rss, 0) for rss, _ in r.get("worker_mb", [])),
        )
        line(
            "memory per gunicorn worker, proportional (shared pages split), MB",
            lambda r: ", ".join(f(pss, 0) for _, pss in r.get("worker_mb", [])),
        )
    return "\n".join(out)


def main(args) -> str:
    def log(message):
        print(message, file=sys.stderr, flush=True)

    if args.tantivy and not tantivy_available():
        log("note: tantivy is not installed (pip install -e '.[bench]'): measuring without it")
    rows = [run_size(n, args, log) for n in args.docs]
    sources = list(dict.fromkeys(f"N = {r['n']:,}: {r['source']}" for r in rows))  # in the order of the sizes
    versions = sorted({r["tantivy_version"] for r in rows if "tantivy_version" in r})
    peers = "SQLite FTS5" + (
        f" and tantivy-py {', '.join(versions)}" if versions else " (tantivy not installed or not asked for)"
    )
    head = (
        f"Documents: {'; '.join(sources)}, about 1,900 characters each. {describe()}\n\n"
        f"In process: ours (`Archive.search`, its result cache on as deployed), {peers}, each answering "
        f"{WARM_UP} distinct searches to warm up, then the same {', '.join(format(r['queries'], ',') for r in rows)} "
        f"other ones, each engine in turn search by search. "
        f"HTTP: {', '.join(sorted({r.get('http_client', 'n/a') for r in rows}))}, one keep-alive connection "
        f"per client, on gunicorn with 2 workers (caches on, as deployed), {args.http_seconds:.0f} s per level: "
        f"{', '.join(sorted({r.get('http_endpoint', 'n/a') for r in rows}))} (the API) and {PAGES} (the "
        f"HTML pages), each level with its own slice of the stream. Secondary: the {len(fixed_searches())} fixed "
        f"searches × {args.repeat} rounds, and over HTTP in turn (after the first round, answered from the "
        f"caches)."
    )
    return head + "\n\n" + table(rows, http=not args.no_http)
