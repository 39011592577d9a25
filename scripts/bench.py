"""Benchmarks of the archive search; each run appends a dated Markdown section to docs/benchmarks-history.md
(docs/benchmarks.md opens with the targets and where the last runs left them).

    scripts/bench run [--docs 1000,10000,100000] [--queries N] [--no-http] [--no-tantivy]
        ours against SQLite FTS5 and tantivy, same documents and searches: a stream of distinct
        searches (the headline, in process and over HTTP, API and pages) and a fixed list
    scripts/bench profile [--docs N | --index DIR] [--searches N] [--calls]
        where a distinct search's time goes, layer by layer (in process, the API, the pages)
    scripts/bench stemmers [--docs N]    C (PyStemmer) vs pure-Python Snowball stemming in the analyser
    scripts/bench slow-clients [--worker CLASS ...]   gunicorn worker classes against held slow connections
    scripts/bench analytics [--no-http]  a search with the search counts off and on (web/analytics.py)
"""

import argparse
import datetime as dt
import platform
import time
from pathlib import Path

from whoosh.analysis import CharsetFilter, LowercaseFilter, PyStemmerFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.support.charset import accent_map

from index.analysis import TOKEN_PATTERN, stop_words
from index.benchmark_corpus import UN_DEBATES, synthetic_chunks, un_paragraph_chunks

RESULTS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks-history.md"


def corpus(n: int):
    if UN_DEBATES.exists():
        return [t for t, _, _ in un_paragraph_chunks(n)], "UN General Debates chunks"
    print("note: ../shared is absent: using synthetic text")
    return [t for t, _, _ in synthetic_chunks(n)], "synthetic text (../shared absent)"


def bench_stemmers(args) -> str:
    texts, source = corpus(args.docs)
    chars = sum(map(len, texts))

    def analyser(stemmer):
        return (
            RegexTokenizer(TOKEN_PATTERN)
            | LowercaseFilter()
            | CharsetFilter(accent_map)
            | StopFilter(stoplist=stop_words("en"), minsize=1)
            | stemmer
        )

    rows = []
    for name, make in (
        ("Whoosh's pure-Python Snowball", lambda c: StemFilter(lang="en", cachesize=c)),
        ("PyStemmer (C Snowball)", lambda c: PyStemmerFilter("english", cachesize=c or 0)),
    ):
        for cache in (None, 100_000):
            best = float("inf")
            for _ in range(args.repeat):
                chain = analyser(make(cache) if cache else make(None))
                started = time.perf_counter()
                for text in texts:
                    for _token in chain(text):
                        pass
                best = min(best, time.perf_counter() - started)
            rows.append((name, "none" if cache is None else f"{cache:,}", best, chars / best / 1e6))
    lines = [
        f"English analyser over {len(texts):,} documents ({chars / 1e6:.1f} M characters) of {source}; "
        f"best of {args.repeat}.",
        "",
        "| stemmer | stem cache | seconds | M chars/s |",
        "| --- | --- | --- | --- |",
    ]
    lines += [f"| {n} | {c} | {s:.2f} | {r:.2f} |" for n, c, s, r in rows]
    return "\n".join(lines)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(
        prog="scripts/bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = p.add_subparsers(dest="what", required=True)
    r = sub.add_parser("run", help="search, build, incremental and HTTP figures against SQLite FTS5 and tantivy")
    r.add_argument(
        "--docs",
        type=lambda v: [int(x) for x in v.split(",")],
        default=[1000, 10000],
        help="comma-separated sizes (default 1000,10000; the targets are for 100000)",
    )
    r.add_argument(
        "--queries", type=int, default=1000, help="distinct searches asked in process of each engine (default 1000)"
    )
    r.add_argument("--repeat", type=int, default=5, help="rounds of the fixed list, and incremental rounds")
    r.add_argument(
        "--no-tantivy",
        dest="tantivy",
        action="store_false",
        help="leave tantivy out (it is measured when installed: the bench dependency group)",
    )
    r.add_argument("--no-http", action="store_true", help="skip the gunicorn measurements")
    r.add_argument("--http-seconds", type=float, default=15.0)
    r.add_argument("--no-save", action="store_true", help="print only; do not append to docs/benchmarks-history.md")
    f = sub.add_parser("profile", help="where a distinct search's time goes, by layer (pyinstrument)")
    f.add_argument("--docs", type=int, default=10000, help="releases of the archive built to profile (default 10000)")
    f.add_argument("--index", help="profile this archive instead of building one")
    f.add_argument("--searches", type=int, default=500, help="distinct searches each way (default 500)")
    f.add_argument("--calls", action="store_true", help="add pyinstrument's call trees")
    f.add_argument("--no-save", action="store_true", help="print only; do not append to docs/benchmarks-history.md")
    s = sub.add_parser("stemmers", help="analyser throughput with each stemmer")
    s.add_argument("--docs", type=int, default=2000)
    s.add_argument("--repeat", type=int, default=3)
    s.add_argument("--no-save", action="store_true", help="print only; do not append to docs/benchmarks-history.md")
    c = sub.add_parser("slow-clients", help="worker classes against connections held silent or trickling")
    c.add_argument("--docs", type=int, default=10000)
    c.add_argument(
        "--worker",
        action="append",
        help="a gunicorn worker class (repeatable; default: the site's, gunicorn's gthread and gevent)",
    )
    c.add_argument("--held", type=int, default=200, help="connections held open")
    c.add_argument("--seconds", type=float, default=10.0, help="how long they are held, and the load lasts")
    c.add_argument("--note", default="", help="a line saved under the table (where a worker class came from)")
    c.add_argument("--no-save", action="store_true", help="print only; do not append to docs/benchmarks-history.md")
    a = sub.add_parser("analytics", help="what counting searches costs a search (web/analytics.py)")
    a.add_argument("--rounds", type=int, default=2, help="rounds of each setting, in turns")
    a.add_argument("--clients", type=int, default=4, help="HTTP clients at once")
    a.add_argument("--seconds", type=float, default=10.0, help="HTTP load per round")
    a.add_argument("--no-http", action="store_true", help="in process only")
    a.add_argument("--no-save", action="store_true", help="print only; do not append to docs/benchmarks-history.md")
    args = p.parse_args(argv)
    if args.what == "run":
        import bench_run

        body = bench_run.main(args)
    elif args.what == "analytics":
        import bench_analytics

        body = bench_analytics.main(args)
    elif args.what == "profile":
        import bench_profile

        body = bench_profile.main(args)
    elif args.what == "slow-clients":
        import bench_slow

        args.worker = args.worker or bench_slow.WORKERS
        body = bench_slow.main(args)
    else:
        body = {"stemmers": bench_stemmers}[args.what](args)
    stamp = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    section = (
        f"\n## {args.what}: {stamp}, {platform.node()} ({platform.machine()}, "
        f"{platform.python_implementation()} {platform.python_version()})\n\n{body}\n"
    )
    print(section)
    if not args.no_save:
        if not RESULTS.exists():
            RESULTS.write_text(
                "# Benchmark runs\n\nEach section is one run of `scripts/bench`, newest last.\n", encoding="utf-8"
            )
        with RESULTS.open("a", encoding="utf-8") as handle:
            handle.write(section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
