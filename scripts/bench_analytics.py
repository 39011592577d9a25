"""``scripts/bench analytics``: what counting searches (web/analytics.py) costs a search.

Three measures, each with counting off and on (``ANALYTICS_DIR`` unset and set):

- the counting call alone, in process: microseconds per search counted;
- the results page through Flask's test client, in process: the same searches, off and on in
  turns request by request (the per-generation result cache on, as deployed: the page costs
  least, so the counting's share is largest), and the counting's after-request step alone;
- the results page over HTTP: the site on gunicorn with 2 workers, ``--clients`` clients for
  ``--seconds`` per round, off and on in turns, each worker writing its counts every 5 s; with
  the workers' processor time per request (from /proc), which other jobs on a busy machine
  change far less than they change throughput and latency.

The index is the sample archive (``data/samples``).
"""

import os
import statistics
import tempfile
import threading
import time
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import quote

from index.build import reindex
from index.config import SAMPLES_DIR
from search.params import SearchParams
from web.analytics import Recorder, normalise
from web.analytics_store import Store
from web.served import running_site, worker_pids

QUERIES = [
    "remittances",
    "trata de personas",
    "hurricane",
    "migrantes",
    "Darién",
    "returnees Honduras",
    "climate change",
    "cambio climático",
    "COVID-19",
    "children",
    "desaparecidos",
    "zzqqxx",
    "labour migration",
    "Haiti",
    "caravana",
    "asylum",
    "remesas",
    "empleo",
    "frontera",
    "dengue",
]


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))] if ordered else float("nan")


def counting_call_us(directory: Path, calls: int = 100_000) -> float:
    recorder = Recorder(Store(directory), flush_seconds=5)
    params = [SearchParams(q=q) for q in QUERIES]
    queries = [normalise(q) for q in QUERIES]
    started = time.perf_counter()
    for i in range(calls):
        k = i % len(QUERIES)
        recorder.search(query=queries[k], previous=None, total=k, corrected=False, params=params[k], channel="page")
    elapsed = time.perf_counter() - started
    recorder.close()
    return elapsed / calls * 1e6


def in_process(index_dir: Path, directory: Path, requests: int) -> dict:
    """The results page through Flask's test client, the two apps taking turns request by request
    (so that the machine's drift falls on both); and the counting's after-request step alone."""
    from web import analytics, create_app

    apps = {
        "off": create_app({"INDEX_DIR": str(index_dir), "TESTING": True, "RATE_LIMIT": "off"}),
        "on": create_app(
            {
                "INDEX_DIR": str(index_dir),
                "TESTING": True,
                "RATE_LIMIT": "off",
                "ANALYTICS_DIR": str(directory / "in-process"),
            }
        ),
    }
    step: list[float] = []
    steps = apps["on"].after_request_funcs[None]

    def timed(response):
        started = time.perf_counter()
        answer = analytics.count(response)
        step.append((time.perf_counter() - started) * 1e6)
        return answer

    steps[steps.index(analytics.count)] = timed
    paths = [f"/en/search?q={quote(q)}" for q in QUERIES]
    times = {"off": [], "on": []}
    clients = {name: app.test_client() for name, app in apps.items()}
    for client in clients.values():  # warm: templates compiled, results cached
        for path in paths:
            client.get(path)
    step.clear()
    for i in range(requests):
        for name in ("off", "on") if i % 2 else ("on", "off"):
            started = time.perf_counter()
            clients[name].get(paths[i % len(paths)])
            times[name].append((time.perf_counter() - started) * 1000)
    apps["on"].extensions["analytics"].close()
    out = {name: {"p50": statistics.median(t), "p95": percentile(t, 95), "n": len(t)} for name, t in times.items()}
    out["step_us"] = statistics.median(step)
    return out


def cpu_seconds(pids) -> float:
    """User and system time of processes so far (a process gone counts nothing)."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def http_round(port: int, clients: int, seconds: float) -> tuple[int, list[float], int]:
    paths = [f"/en/search?q={quote(q)}" for q in QUERIES]
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(offset: int):
        conn = HTTPConnection("127.0.0.1", port, timeout=30)
        mine, i = [], offset
        while time.monotonic() < stop:
            started = time.perf_counter()
            try:
                conn.request("GET", paths[i % len(paths)])
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    errors[0] += 1
            except OSError:
                errors[0] += 1
                conn.close()
                conn = HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            mine.append((time.perf_counter() - started) * 1000)
            i += 1
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(k * 7,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(latencies), latencies, errors[0]


def over_http(index_dir: Path, directory: Path, rounds: int, clients: int, seconds: float, log) -> dict:
    env = {"ACCESS_LOG": "", "RATE_LIMIT": "off", "ERROR_LOG": None}
    figures = {
        name: {"requests": 0, "latencies": [], "errors": 0, "seconds": 0.0, "cpu": 0.0} for name in ("off", "on")
    }
    settings = {"off": {"ANALYTICS_DIR": None}, "on": {"ANALYTICS_DIR": str(directory / "http")}}
    for k in range(rounds):
        for name in ("off", "on") if k % 2 == 0 else ("on", "off"):  # turns, so drift falls on both
            log(f"HTTP round {k + 1}/{rounds}, counting {name}")
            with running_site(
                index_dir, workers=2, env={**env, **settings[name]}, output=directory / f"serve-{name}-{k}.log"
            ) as site:
                http_round(site.port, clients, 1.0)  # warm
                workers = worker_pids(site.pid)
                before = cpu_seconds(workers)
                requests, latencies, errors = http_round(site.port, clients, seconds)
                cpu = cpu_seconds(workers) - before
            f = figures[name]
            f["cpu"] += cpu
            f["requests"] += requests
            f["latencies"] += latencies
            f["errors"] += errors
            f["seconds"] += seconds
    counted = Store(directory / "http").reader()
    written = counted.execute("SELECT SUM(n) FROM tallies WHERE kind = 'total' AND value = 'searches'").fetchone()[0]
    counted.close()
    return {
        name: {
            "rps": f["requests"] / f["seconds"],
            "cpu_ms": 1000 * f["cpu"] / max(1, f["requests"]),
            "p50": statistics.median(f["latencies"]),
            "p95": percentile(f["latencies"], 95),
            "errors": f["errors"],
        }
        for name, f in figures.items()
    } | {"written": written}


def main(args) -> str:
    def log(message):
        print(message, flush=True)

    with tempfile.TemporaryDirectory(prefix="bench-analytics-") as tmp:
        tmp = Path(tmp)
        log("indexing data/samples")
        reindex([SAMPLES_DIR], tmp / "ix", progress=False)
        call = counting_call_us(tmp / "call")
        log("results pages in process")
        local = in_process(tmp / "ix", tmp, 1000 * args.rounds)
        remote = None if args.no_http else over_http(tmp / "ix", tmp, args.rounds, args.clients, args.seconds, log)
    lines = [
        f"Counting searches (web/analytics.py) off and on, on the sample archive; {args.rounds} rounds "
        "in turns. Figures from a shared machine: compare the two columns, not the runs.",
        "",
        "| measure | counting off | counting on |",
        "| --- | --- | --- |",
        f"| the counting call alone, µs per search | – | {call:.1f} |",
        f"| the after-request step (reading the request, counting), median µs per search | – | "
        f"{local['step_us']:.0f} |",
        f"| results page in process (Flask test client, in turns), p50 / p95, ms | {local['off']['p50']:.2f} / "
        f"{local['off']['p95']:.2f} | {local['on']['p50']:.2f} / {local['on']['p95']:.2f} |",
    ]
    if remote:
        lines += [
            f"| results page over HTTP, gunicorn 2 workers, {args.clients} clients: requests/s | "
            f"{remote['off']['rps']:.0f} | {remote['on']['rps']:.0f} |",
            "| results page over HTTP: p50 / p95, ms | "
            f"{remote['off']['p50']:.1f} / {remote['off']['p95']:.1f} | "
            f"{remote['on']['p50']:.1f} / {remote['on']['p95']:.1f} |",
            "| results page over HTTP: the workers' processor time per request, ms | "
            f"{remote['off']['cpu_ms']:.2f} | {remote['on']['cpu_ms']:.2f} |",
            f"| errors | {remote['off']['errors']} | {remote['on']['errors']} |",
            f"| searches written to the counts file | – | {remote['written']:,} |",
        ]
    return "\n".join(lines)
