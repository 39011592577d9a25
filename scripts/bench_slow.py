"""``scripts/bench slow-clients``: gunicorn worker classes against slow clients, on one index.

For each worker class, the site is served as ``scripts/serve`` serves it (the default number
of workers) with ``--worker-class`` and measured four ways:

- quiet: one client alternating ``/healthz`` and searches no two alike;
- load: eight keep-alive clients (wrk) on the same searches, for throughput and latency;
- silent: ``--held`` connections opened and left silent, while the one client goes on;
- trickling: as many connections sending a request head one line a second;
- reading slowly: a tenth as many asking for 200 pipelined answers of ``/embed.js`` (19 KB)
  with a 2 KB receive window, and reading 2 KB a second.

For the held connections it reports how long the first ``/healthz`` took once they were
open, the one client's latencies and failures meanwhile, and when the server had closed them.
"""

import json
import math
import random
import socket
import subprocess
import tempfile
import threading
import time
from http.client import HTTPConnection
from pathlib import Path

from bench_queries import distinct_searches
from bench_run import load, serving

from index import vocabulary
from index.benchmark_corpus import release_records
from index.config import PROJECT_ROOT

WORKERS = ["web.worker.BalancedThreadWorker", "gthread", "gevent"]
KINDS = ("silent", "trickling", "reading slowly")
PROBE_TIMEOUT = 30  # seconds a probe waits before it counts as failed
CLOSE_WAIT = 45  # seconds to wait for the server to close the held connections


def get(port: int, path: str, timeout: float = PROBE_TIMEOUT) -> tuple[bool, float]:
    started = time.perf_counter()
    try:
        conn = HTTPConnection("127.0.0.1", port, timeout=timeout)
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        conn.close()
        ok = response.status == 200
    except OSError:
        ok = False
    return ok, (time.perf_counter() - started) * 1000


def summary(values: list[float]) -> dict:
    """Nearest-rank percentiles (with a handful of values, as when every probe waits out its timeout)."""
    values = sorted(values)
    if not values:
        return {}

    def rank(p):
        return values[max(0, math.ceil(p * len(values)) - 1)]

    return {"n": len(values), "p50": rank(0.50), "p95": rank(0.95), "max": values[-1]}


def probe(port: int, seconds: float, searches) -> dict:
    """One client alternating /healthz and a search, for ``seconds``."""
    latencies, failed = [], 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for path in ("/healthz", next(searches)):
            ok, ms = get(port, path)
            latencies.append(ms)
            failed += not ok
        time.sleep(0.05)
    return {**summary(latencies), "failed": failed}


def slow_reader(port: int) -> socket.socket:
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
    s.connect(("127.0.0.1", port))
    s.sendall(b"GET /embed.js HTTP/1.1\r\nHost: localhost\r\n\r\n" * 200)
    return s


def hold(port: int, count: int, kind: str, seconds: float, searches) -> dict:
    if kind == "reading slowly":
        sockets = [slow_reader(port) for _ in range(count)]
    else:
        sockets = [socket.create_connection(("127.0.0.1", port)) for _ in range(count)]
    opened = time.monotonic()
    stop = threading.Event()
    if kind == "reading slowly":

        def read_slowly():
            while not stop.wait(0.25):
                for s in sockets:
                    s.setblocking(False)
                    try:
                        s.recv(500)
                    except OSError:
                        pass

        threading.Thread(target=read_slowly, daemon=True).start()
    if kind == "trickling":
        for s in sockets:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n")

        def drip():
            while not stop.wait(1.0):
                for s in sockets:
                    try:
                        s.sendall(b"X-Slow: 1\r\n")
                    except OSError:
                        pass

        threading.Thread(target=drip, daemon=True).start()
    answered, first = get(port, "/healthz")
    result = {"first_healthz_ms": first if answered else None, **probe(port, seconds, searches)}
    stop.set()
    closed_at = []
    for s in sockets:
        s.setblocking(False)
    pending = set(sockets)
    while pending and time.monotonic() < opened + CLOSE_WAIT:
        for s in list(pending):
            try:
                while s.recv(65536):
                    pass
            except BlockingIOError:
                continue
            except OSError:
                pass
            closed_at.append(time.monotonic() - opened)
            pending.discard(s)
        time.sleep(0.05)
    for s in sockets:
        s.close()
    result.update(closed=len(closed_at), closed_within_s=max(closed_at) if closed_at else None)
    return result


def measure(index_dir: Path, worker_class: str, paths: list[str], args, workdir: Path) -> dict:
    with serving(
        index_dir, workdir / f"{worker_class}.log", workers=None, args=["--worker-class", worker_class]
    ) as site:
        port = site.port
        time.sleep(1)  # every worker up
        searches = iter(paths * 100)
        for path in paths[:100]:
            get(port, path)  # warm: searchers open, posting lists read
        row = {"worker": worker_class, "quiet": probe(port, 5, searches)}
        loaded = load(port, 8, args.seconds, paths, workdir)
        row["load"] = {
            "requests_s": loaded["rps"],
            "p50": loaded["p50"],
            "p95": loaded["p95"],
            "errors": loaded["errors"],
        }
        for kind in KINDS:
            row[kind] = hold(
                port, args.held // 10 if kind == "reading slowly" else args.held, kind, args.seconds, searches
            )
        return row


def table(rows: list[dict], args) -> str:
    def ms(value):
        if value is None:
            return f"none in {PROBE_TIMEOUT} s"
        return f"{value / 1000:.1f} s" if value >= 1000 else f"{value:.1f}"

    lines = [
        "| worker | quiet p50 / p95 ms | 8 clients: req/s, p95 ms | held | first /healthz ms | "
        "one client meanwhile p50 / p95 / max ms | failed | closed by the server |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        quiet, loaded = row["quiet"], row["load"]
        for kind in KINDS:
            held, count = row[kind], args.held // 10 if kind == "reading slowly" else args.held
            closed = f"{held['closed']} of {count} " + (
                f"within {held['closed_within_s']:.0f} s" if held["closed"] == count else f"in {CLOSE_WAIT} s"
            )
            lines.append(
                f"| `{row['worker']}` | {ms(quiet['p50'])} / {ms(quiet['p95'])} | {loaded['requests_s']:.0f}, "
                f"{ms(loaded['p95'])} | {count} {kind} | {ms(held['first_healthz_ms'])} | "
                f"{ms(held.get('p50'))} / {ms(held.get('p95'))} / {ms(held.get('max'))} | {held['failed']} | {closed} |"
            )
    return "\n".join(lines)


def main(args) -> str:
    with tempfile.TemporaryDirectory(prefix="bench-slow-") as tmp:
        tmp = Path(tmp)
        records, source = release_records(args.docs)
        source_file = tmp / "releases.jsonl"
        source_file.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
        subprocess.run(
            [str(PROJECT_ROOT / "scripts" / "reindex"), str(source_file), "--index", str(tmp / "ix"), "--quiet"],
            check=False,
            capture_output=True,
        )
        generation = next(p for p in (tmp / "ix").iterdir() if p.name.startswith("gen-"))
        years = sorted({int(r["date"][:4]) for r in records})
        searches = distinct_searches(
            vocabulary.load(generation),
            [(r["body"], int(r["date"][:4]), ()) for r in random.Random(5).sample(records, min(5000, len(records)))],
            years,
            [],
            20000,
        )
        paths = [s.path("/api/v1/search") for s in searches]
        rows = []
        for worker_class in args.worker:
            print(f"slow clients: {worker_class}", flush=True)
            rows.append(measure(tmp / "ix", worker_class, paths, args, tmp))
    return (
        f"{len(records):,} releases ({source}); `scripts/serve` with its default workers and threads, "
        f"each worker class in turn; searches no two alike (`/api/v1/search`); {args.held} connections held "
        f"for {args.seconds:.0f} s, silent or sending a request head a line a second, and a tenth as many "
        f"pipelining 200 requests for `/embed.js` and reading 2 KB a second; a probe waits at "
        f"most {PROBE_TIMEOUT} s.\n\n" + table(rows, args) + (f"\n\n{args.note}" if args.note else "")
    )
