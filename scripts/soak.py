"""Soak test: the site under gunicorn, driven by locust for a bounded time, with a full
reindex switching in half-way. See ``scripts/soak --help``.

It indexes ``data/samples`` into a temporary directory, serves it with ``scripts/serve``
on a free localhost port, and runs locust headless (``scripts/soak_locustfile.py``):
searches in English and Spanish, autocomplete, facet clicks, sorting, paging, release
pages, and the JSON API when it answers. In the middle of the run ``scripts/reindex
data/samples --index DIR`` builds a new generation and switches it in.

The report gives requests served, errors (5xx, other 4xx, 429, requests with no answer),
latency percentiles, the memory (RSS) of each gunicorn worker at boot, after the warm-up
and at the end, and whether searches after the switch answered from the new generation.
It is printed and appended, with the date and the machine, to ``docs/soak.md``.

Targets: no 5xx, no failed request and no 429; no worker grows by more than 10 % from the end of
the warm-up to the end of a run of 5 minutes or more (shorter runs report it, unjudged);
every search after the switch sees the new generation. Exit status 0 when they are met,
1 when not, 3 when the soak could not run.
"""

import argparse
import datetime as dt
import json
import math
import os
import platform
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from contextlib import ExitStack
from pathlib import Path

from web.served import SiteDidNotStart, free_port, get, running_site, stop_group, worker_pids

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "samples"
RESULTS = ROOT / "docs" / "soak.md"
LOCUSTFILE = ROOT / "scripts" / "soak_locustfile.py"
GROWTH_TARGET = 10.0  # per cent, warm-up to end
JUDGED_FROM = 300  # seconds: the memory target is for a run of 5 minutes or more
SWITCH_CHECKS = 20  # searches on fresh connections after the switch

# Queries as people type them on the two sites (words, phrases, operators, fields,
# accent-free Spanish, misspellings), all about the sample archive's subjects.
QUERIES = {
    "en": [
        "migrant workers",
        "hurricane",
        "climate change",
        "trafficking",
        '"trafficking in persons"',
        "returnees Honduras",
        "Venezuelan migrants",
        "shelters",
        "COVID-19 shelters",
        "displacement tracking",
        "hurricane OR earthquake",
        "smuggling -Mexico",
        "title:Tapachula",
        "country:PA",
        "topic:children",
        "child labour",
        "diaspora",
        "border officials training",
        "Haiti earthquake",
        "Darien",
        "(smuggling OR trafficking) Honduras",
        "year:2019 migration",
        "mental health",
        "migarnts",
        "trafiking",
        "Port of Spain",
        "ethical recruitment",
        "xenophobia",
        "remittances",
        "2017..2019 hurricane",
    ],
    "es": [
        "migrantes",
        "trata de personas",
        '"trata de personas"',
        "migración",
        "migracion irregular",
        "personas retornadas",
        "niñez migrante",
        "cambio climático",
        "cambio climatico",
        "huracán",
        "huracan",
        "venezolanos",
        "desplazamiento",
        "salud mental",
        'pais:"costa rica"',
        "año:2019",
        "tema:niñez",
        "Guatemala retornados",
        "Darién vacunación",
        "Puebla centro de información",
        "gobernanza migratoria",
        "cohesión social",
        "trabajo infantil",
        "migrantes -México",
        "OIM Panamá",
        "legisladores",
        "titulo:Trinidad",
        "idioma:español migración",
        "migrantse",
        "emergencia huracán",
    ],
}
BROAD = ["", "migrants", "migrantes", "IOM", "OIM", "migration", "migración", "Guatemala", "2019"]


def log(message: str) -> None:
    print(f"soak: {message}", file=sys.stderr, flush=True)


class SoakError(RuntimeError):
    """The soak could not run (exit status 3)."""


# --- the server -------------------------------------------------------------------------------
def serving(index_dir: Path, port: int, workers: int, threads: int | None, tmp: Path):
    """The site (``web/served.py``) with ``workers`` workers on ``port``, its logs in ``tmp``: a
    context manager, ready once /healthz answers 200 with every worker up."""
    env = {
        # Workers are not recycled during the soak, so their memory is measured over the whole run.
        "WEB_MAX_REQUESTS": "0",
        # One client address sends every request: the per-client limit must not throttle it.
        "RATE_LIMIT": "1000000/second",
        "RATE_LIMIT_BURST": "1000000",
        "ARCHIVE_RATE_LIMIT": None,
        "ARCHIVE_RATE_LIMIT_BURST": None,
        "ACCESS_LOG": str(tmp / "access.log"),
        "ERROR_LOG": str(tmp / "error.log"),
    }
    if threads:
        env["WEB_THREADS"] = str(threads)
    return running_site(index_dir, port=port, workers=workers, env=env, output=tmp / "serve.log", timeout=90)


def get_json(port: int, path: str) -> tuple[int, dict]:
    status, body = get(port, path)
    try:
        return status, json.loads(body)
    except ValueError:
        return status, {}


def reindex(index_dir: Path) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(
        [str(ROOT / "scripts" / "reindex"), str(SAMPLES), "--index", str(index_dir), "--quiet"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    took = time.perf_counter() - started
    if done.returncode != 0:
        raise SoakError(f"scripts/reindex exited with {done.returncode}: {done.stderr.strip()[-2000:]}")
    return took, (index_dir / "CURRENT").read_text().strip()


# --- memory -----------------------------------------------------------------------------------
def rss_mb(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


class MemoryWatch:
    """RSS of every worker at boot, at the end of the warm-up, at its peak and at the end."""

    def __init__(self, master: int):
        self.master = master
        self.workers: dict[int, dict] = {}
        self.sample("boot")

    def sample(self, label: str | None = None) -> None:
        now = worker_pids(self.master)
        for pid in now:
            rss = rss_mb(pid)
            if rss is None:
                continue
            info = self.workers.setdefault(pid, {"first_seen": time.time()})
            info["peak"] = max(info.get("peak", 0.0), rss)
            info["last"] = rss
            if label:
                info[label] = rss
        for pid, info in self.workers.items():
            if pid not in now:
                info.setdefault("gone", time.time())


# --- what the visitors will ask ---------------------------------------------------------------
def make_plan(port: int, tmp: Path, wait_max: float) -> dict:
    status, home = get_json(port, "/en/search.json?" + urllib.parse.urlencode({"per_page": 50, "sort": "newest"}))
    if status != 200:
        raise SoakError(f"/en/search.json answered {status}")
    releases = []
    for hit in home["hits"]:
        releases.append(hit["id"])
        if hit.get("translation"):
            releases.append(hit["translation"]["id"])
    # The page's facets, as its form lays them out: the values shown and those behind "more".
    facets = {
        facet["name"]: [str(v["value"]) for v in facet["values"] + facet["more"] if v["count"]]
        for facet in home["facets"]
    }
    words = sorted({w.lower() for hit in home["hits"] for w in re.findall(r"[^\W\d_]{5,}", hit["title"])})
    broad = []
    for q in BROAD:
        _, data = get_json(port, "/en/search.json?" + urllib.parse.urlencode({"q": q, "per_page": 1}))
        total = data.get("result", {}).get("total", 0)
        if total > 5:
            broad.append({"q": q, "pages": {"10": math.ceil(total / 10), "5": math.ceil(total / 5)}})
    api = [
        name
        for name, path in (("search", "/api/v1/search?q=migrants"), ("suggest", "/api/v1/suggest?q=mig"))
        if get(port, path)[0] == 200
    ]
    return {
        "queries": QUERIES,
        "words": words,
        "facets": {k: facets[k] for k in ("country", "topic", "year", "lang")},
        "releases": sorted(set(releases)),
        "broad": broad,
        "api": api,
        "wait_min": 0.0,
        "wait_max": wait_max,
        "status_file": str(tmp / "locust-status.json"),
    }


# --- the generation switch --------------------------------------------------------------------
def check_switch(port: int, new: str, plan: dict) -> dict:
    """After the reindex: /healthz reports the new generation, and searches answer from it."""
    switched = time.time()
    seen_after = None
    while time.time() - switched < 60:
        status, data = get_json(port, "/healthz")
        if status == 200 and data.get("generation") == new:
            seen_after = time.time() - switched
            break
        time.sleep(0.1)
    answers = []
    for n in range(SWITCH_CHECKS):
        lang = "en" if n % 2 else "es"
        q = random.choice(plan["queries"][lang])
        if "search" in plan["api"] and n % 4 == 3:
            status, data = get_json(port, "/api/v1/search?" + urllib.parse.urlencode({"q": q}))
            generation = data.get("generation")
        else:
            status, data = get_json(port, f"/{lang}/search.json?" + urllib.parse.urlencode({"q": q}))
            generation = data.get("result", {}).get("generation")
        answers.append((status, generation))
    answered = [g for s, g in answers if s == 200]
    return {
        "healthz_after": seen_after,
        "checks": len(answers),
        "answered": len(answered),
        "on_new": sum(1 for g in answered if g == new),
        "not_answered": sorted(s for s, g in answers if s != 200),
    }


# --- the run ----------------------------------------------------------------------------------
def loadavg() -> tuple[float, float, float]:
    with open("/proc/loadavg", encoding="ascii") as handle:
        return tuple(float(x) for x in handle.read().split()[:3])


def machine() -> str:
    model = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as handle:
            model = next((line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")), "")
    except OSError:
        pass
    memory = ""
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            kib = int(next(line for line in handle if line.startswith("MemTotal:")).split()[1])
            memory = f", {kib / 1024**2:.1f} GiB"
    except (OSError, StopIteration):
        pass
    return (
        f"{platform.node()} ({platform.machine()}, {os.cpu_count()} cores{memory}"
        f"{', ' + model if model else ''}; CPython {platform.python_version()})"
    )


def version(module: str) -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as v

    try:
        return v(module)
    except PackageNotFoundError:
        return "?"


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def run(args) -> tuple[str, bool]:
    tmp = Path(tempfile.mkdtemp(prefix="soak-"))
    index_dir = tmp / "index"
    load_before = loadavg()

    def clean_up():
        if args.keep:
            log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    with ExitStack() as stack:  # at the end, in this order: locust stopped, the server stopped, clean_up()
        stack.callback(clean_up)
        log(f"indexing {SAMPLES} into {index_dir}")
        reindex(index_dir)
        port = free_port()
        log(f"starting gunicorn with {args.workers} workers on 127.0.0.1:{port}")
        server = stack.enter_context(serving(index_dir, port, args.workers, args.threads, tmp))
        memory = MemoryWatch(server.pid)
        plan = make_plan(port, tmp, args.wait_max)
        plan_file = tmp / "plan.json"
        plan_file.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
        gen_before = get_json(port, "/healthz")[1].get("generation")

        prefix = tmp / "locust"
        command = [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(LOCUSTFILE),
            "--headless",
            "-u",
            str(args.users),
            "-r",
            str(args.spawn_rate or args.users),
            "--run-time",
            f"{args.seconds}s",
            "--stop-timeout",
            "10",
            "--host",
            f"http://127.0.0.1:{port}",
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
            "--logfile",
            str(tmp / "locust.log"),
        ]
        log(
            f"locust: {args.users} users for {args.seconds} s"
            + (f"; API: {', '.join(plan['api'])}" if plan["api"] else "; the JSON API does not answer")
        )
        started = time.time()
        locust = subprocess.Popen(
            command,
            env={**os.environ, "SOAK_PLAN": str(plan_file)},
            cwd=tmp,
            stdin=subprocess.DEVNULL,
            stdout=(tmp / "locust.out").open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        stack.callback(stop_group, locust, timeout=20)
        warmup = args.warmup if args.warmup is not None else min(30.0, args.seconds * 0.1)
        reindex_at = args.seconds * args.reindex_at
        switch: dict = {}
        reindex_thread = None

        def do_reindex():
            try:
                switch["started"] = time.time() - started
                switch["took"], switch["new"] = reindex(index_dir)
                switch["done"] = time.time()
                switch.update(check_switch(port, switch["new"], plan))
            except Exception as error:  # reported, not raised from the thread
                switch["error"] = f"{type(error).__name__}: {error}"

        warm_taken = False
        deadline = started + args.seconds + 120
        while locust.poll() is None:
            if time.time() > deadline:
                raise SoakError("locust did not stop at the end of its run time")
            elapsed = time.time() - started
            if not warm_taken and elapsed >= warmup:
                memory.sample("warm")
                warm_taken = True
            elif reindex_thread is None and elapsed >= reindex_at:
                log(f"reindexing at {elapsed:.0f} s")
                memory.sample("switch")
                reindex_thread = threading.Thread(target=do_reindex, daemon=True)
                reindex_thread.start()
            else:
                memory.sample()
            time.sleep(1)
        wall = time.time() - started
        if reindex_thread is not None:
            reindex_thread.join(timeout=120)
        memory.sample("end")
        load_after = loadavg()
        if locust.returncode not in (0, 1):  # 1: locust saw failures, which the report counts
            raise SoakError(f"locust exited with {locust.returncode}; see {tmp / 'locust.log'}, {tmp / 'locust.out'}")
        try:
            sampled = json.loads(Path(plan["status_file"]).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise SoakError(f"locust wrote no status counts; see {tmp / 'locust.log'}") from error
        # gunicorn's error log, and the application's own log (its standard error, in serve.log)
        server_log = "\n".join(
            path.read_text(encoding="utf-8", errors="replace")
            for path in (tmp / "error.log", tmp / "serve.log")
            if path.exists()
        )
        report, ok = render(
            args, sampled, memory, switch, gen_before, plan, wall, warmup, load_before, load_after, server_log
        )
        return report, ok


# --- the report -------------------------------------------------------------------------------
def n(value) -> str:
    return f"{value:,}"


def ms(value) -> str:
    return "n/a" if value in (None, "", "N/A") else f"{float(value):,.0f}"


def logged_exceptions(text: str) -> Counter:
    """The exception types at the foot of each traceback in a log."""
    found = Counter()
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("Traceback (most recent call last):"):
            for end in lines[i + 1 :]:
                if end and not end[0].isspace():
                    found[end.split(":", 1)[0].strip()] += 1
                    break
    return found


def render(
    args, sampled, memory, switch, gen_before, plan, wall, warmup, load_before, load_after, server_log
) -> tuple[str, bool]:
    by_name = sampled["requests"]
    everything = [t for entry in by_name.values() for t in entry["times"]]
    requests = len(everything)
    status = {k: int(v) for k, v in sampled["status"].items()}
    server_errors = sum(v for k, v in status.items() if k.isdigit() and int(k) >= 500)
    too_many = status.get("429", 0)
    other_4xx = sum(v for k, v in status.items() if k.isdigit() and 400 <= int(k) < 500 and k != "429")
    failed = status.get("failed", 0)
    errors = server_errors + too_many + other_4xx + failed
    cores = os.cpu_count() or 1
    busy = load_before[0] >= 0.5 * cores

    # memory
    rows, growths = [], []
    for pid, info in sorted(memory.workers.items(), key=lambda item: item[1]["first_seen"]):
        growth = None
        if "warm" in info and "end" in info:
            growth = (info["end"] - info["warm"]) / info["warm"] * 100
            growths.append(growth)
        note = "replaced during the run" if "gone" in info else ("started during the run" if "boot" not in info else "")
        rows.append(
            f"| {pid} | {ms(info.get('boot'))} | {ms(info.get('warm'))} | {ms(info.get('switch'))} | "
            f"{ms(info.get('peak'))} | {ms(info.get('end'))} | "
            f"{'n/a' if growth is None else f'{growth:+.1f} %'} | {note} |"
        )
    replaced = sum(1 for info in memory.workers.values() if "gone" in info)
    judged = args.seconds >= JUDGED_FROM
    memory_ok = bool(growths) and max(growths) <= GROWTH_TARGET and not replaced

    # generation switch
    new = switch.get("new")
    done = switch.get("done")
    grace = 2.0  # seconds after the reindex exits for requests already in flight
    samples = sampled.get("generations", [])
    after = [g for t, g in samples if done and t > done + grace]
    stale = sum(1 for g in after if g != new)
    # A search that answered an error is counted with the errors above; every one that answered
    # must come from the new generation.
    switch_ok = (
        bool(new)
        and new != gen_before
        and switch.get("answered", 0) > 0
        and switch.get("on_new") == switch.get("answered")
        and switch.get("healthz_after") is not None
        and stale == 0
        and "error" not in switch
    )
    unanswered = switch.get("not_answered", [])
    checked = f"{switch.get('on_new', 0)}/{switch.get('answered', 0)} checked" + (
        f" ({len(unanswered)} more answered {', '.join(map(str, unanswered))})" if unanswered else ""
    )

    targets = [
        ("no 5xx", server_errors == 0),
        ("no failed request", failed == 0),
        ("no 429", too_many == 0),
        ("searches after the switch see the new generation", switch_ok),
    ]
    if judged:
        targets.append((f"no worker grows by more than {GROWTH_TARGET:.0f} %", memory_ok))
    ok = all(passed for _, passed in targets)

    def mark(passed):
        return "met" if passed else "**missed**"

    lines = [
        f"{args.seconds} s, {args.users} concurrent users (locust {version('locust')}, headless, wait "
        f"0–{args.wait_max:g} s between actions), gunicorn {version('gunicorn')} with {args.workers} workers × "
        f"{args.threads or 4} threads, worker recycling off, sample archive "
        f"({len(plan['releases'])} releases in the result lists); full `scripts/reindex data/samples` at "
        f"{switch.get('started', float('nan')):.0f} s. JSON API: "
        f"{', '.join('/api/v1/' + a for a in plan['api']) if plan['api'] else 'not answering, not driven'}.",
        "",
        f"Load average (1/5/15 min) before: {' / '.join(f'{x:.2f}' for x in load_before)}; "
        f"at the end: {' / '.join(f'{x:.2f}' for x in load_after)}, on {cores} cores."
        + (
            " **Other work was running on this shared machine before the soak started: the latencies are pessimistic.**"
            if busy
            else ""
        ),
        "",
        "| measure | value | target |",
        "| --- | --- | --- |",
        f"| requests served | {n(requests)} in {wall:.0f} s ({requests / wall:,.1f}/s) | |",
        f"| 5xx answers | {n(server_errors)} | 0: {mark(server_errors == 0)} |",
        f"| failed requests (no HTTP answer) | {n(failed)} | 0: {mark(failed == 0)} |",
        f"| 429 answers (rate limited) | {n(too_many)} | 0: {mark(too_many == 0)} |",
        f"| other 4xx answers | {n(other_4xx)} | |",
        f"| errors in all (non-2xx/3xx and failed) | {n(errors)} | |",
        f"| latency p50 / p95 / p99 / max, ms | {ms(percentile(everything, 50))} / {ms(percentile(everything, 95))}"
        f" / {ms(percentile(everything, 99))} / {ms(max(everything, default=None))} | |",
        f"| worker RSS growth, warm-up → end | "
        f"{', '.join(f'{g:+.1f} %' for g in growths) or 'n/a'}{f'; {replaced} worker(s) replaced' if replaced else ''}"
        f" | ≤ {GROWTH_TARGET:.0f} %: "
        f"{mark(memory_ok) if judged else f'not judged (run shorter than {JUDGED_FROM // 60} minutes)'} |",
        f"| searches after the switch on the new generation | "
        f"{checked}; {len(after) - stale}/{len(after)} sampled from the load | all: {mark(switch_ok)} |",
        "",
        "By request type (latencies in ms, as locust measured them):",
        "",
        "| request | count | failures | p50 | p95 | p99 | max |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, entry in sorted(by_name.items(), key=lambda item: -len(item[1]["times"])):
        times = entry["times"]
        lines.append(
            f"| {name} | {n(len(times))} | {n(entry['failures'])} | {ms(percentile(times, 50))} | "
            f"{ms(percentile(times, 95))} | {ms(percentile(times, 99))} | {ms(max(times))} |"
        )
    lines += ["", "Answers by status: " + ", ".join(f"{k}: {n(v)}" for k, v in sorted(status.items())) + ".", ""]
    lines += [
        f"Memory of each gunicorn worker (RSS, MB from `/proc/<pid>/status`): at boot (before the first request "
        f"opens the index), after the warm-up ({warmup:.0f} s of load), when the reindex starts, the peak of 1 s "
        f"samples, and at the end.",
        "",
        "| worker pid | boot | after warm-up | at the reindex | peak | end | growth warm-up → end | |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
        *rows,
        "",
    ]
    if "error" in switch:
        lines.append(f"Reindex during the run: **failed**: {switch['error']}")
    elif new:
        lines.append(
            f"Reindex during the run: started at {switch['started']:.0f} s, took {switch['took']:.1f} s, "
            f"{gen_before} → {new}; /healthz reported {new} "
            + (
                f"{switch['healthz_after']:.1f} s after the reindex exited"
                if switch.get("healthz_after") is not None
                else "**never**"
            )
            + f"; of {switch['checks']} searches on fresh connections right after, {switch['answered']} answered, "
            f"{switch['on_new']} of them from {new}; of {len(samples)} search.json answers sampled from the load, "
            f"{sum(1 for t, g in samples if g == gen_before)} came from {gen_before} and "
            f"{sum(1 for t, g in samples if g == new)} from {new}, and none from {gen_before} more than "
            f"{grace:.0f} s after the switch" + (f" (**{stale} did**)" if stale else "") + "."
        )
    else:
        lines.append("Reindex during the run: **did not happen** (the run ended first).")
    exceptions = logged_exceptions(server_log)
    timeouts = server_log.count("WORKER TIMEOUT")
    lines += [
        "",
        "Server logs (gunicorn's and the application's): "
        + (
            ", ".join(f"{name} × {count}" for name, count in exceptions.most_common()) + " in tracebacks"
            if exceptions
            else "no tracebacks"
        )
        + (f"; {timeouts} worker timeouts" if timeouts else "")
        + ".",
        "",
        "Result: "
        + (
            "all targets met."
            if ok
            else "**targets missed: " + "; ".join(name for name, passed in targets if not passed) + ".**"
        ),
    ]
    return "\n".join(lines), ok


def main(argv=None) -> int:
    p = argparse.ArgumentParser(
        prog="scripts/soak", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--seconds", type=int, default=300, help="how long locust runs (default 300)")
    p.add_argument("--users", type=int, default=16, help="concurrent simulated visitors (default 16)")
    p.add_argument("--spawn-rate", type=float, default=None, help="visitors started per second (default: all at once)")
    p.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("WEB_WORKERS") or 2),
        help="gunicorn workers (default $WEB_WORKERS, else 2)",
    )
    p.add_argument(
        "--threads",
        type=int,
        default=int(os.environ["WEB_THREADS"]) if os.environ.get("WEB_THREADS") else None,
        help="threads per worker (default $WEB_THREADS, else gunicorn.conf.py's 2)",
    )
    p.add_argument("--reindex-at", type=float, default=0.5, help="when the reindex starts, as a fraction of the run")
    p.add_argument(
        "--warmup",
        type=float,
        default=None,
        help="seconds of load before the 'after warm-up' memory sample (default 10 %% of the run, at most 30)",
    )
    p.add_argument("--wait-max", type=float, default=0.3, help="longest pause of a visitor between actions, s")
    p.add_argument("--no-save", action="store_true", help=f"print only; do not append to {RESULTS.relative_to(ROOT)}")
    p.add_argument("--keep", action="store_true", help="keep the temporary directory (index, logs, locust CSV)")
    args = p.parse_args(argv)
    if args.seconds < 10 or args.users < 1 or not 0 < args.reindex_at < 1:
        p.error("--seconds must be at least 10, --users at least 1, --reindex-at between 0 and 1")
    import importlib.util

    if importlib.util.find_spec("locust") is None:  # not imported here: it patches the process for gevent
        log("locust is not installed: run 'make setup' (it is in the test extras)")
        return 3
    stamp = dt.datetime.now().astimezone()
    try:
        body, ok = run(args)
    except (SoakError, SiteDidNotStart) as error:
        log(str(error))
        return 3
    section = f"\n## {stamp:%Y-%m-%d %H:%M %Z}, {machine()}\n\n{body}\n"
    print(section)
    if not args.no_save:
        if not RESULTS.exists():
            RESULTS.write_text(
                "# Soak runs\n\nEach section is one run of `scripts/soak`, newest last "
                '(see the README, "Reliability and load").\n',
                encoding="utf-8",
            )
        with RESULTS.open("a", encoding="utf-8") as handle:
            handle.write(section)
        log(f"appended to {RESULTS.relative_to(ROOT)}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
