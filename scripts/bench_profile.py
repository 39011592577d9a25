"""``scripts/bench profile``: where the time of a distinct search goes, layer by layer.

Builds an archive of ``--docs`` benchmark releases (or opens ``--index``), then asks the
stream of distinct searches ``scripts/bench run`` asks (``bench_queries``, none twice) three
ways, each under pyinstrument (a sampling profiler: the figures are shares of samples):

- in process, ``Archive.search`` (its result cache on, as deployed: it cannot answer);
- through the web application, the JSON API (``/api/v1/search``);
- through the web application, the HTML results page (``/en/search``);

the last two through Flask's test client: the whole WSGI application, routing, parameters,
the search, the result model, JSON or template rendering, the after-request steps
(security headers, ETags; not compression: the client asks for none), without gunicorn's
socket work. The time is shared out by the module each sample's innermost frame is in.
"""

import json
import os
import random
import subprocess
import sysconfig
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from bench_queries import distinct_searches, top_countries

from index import vocabulary
from index.benchmark_corpus import release_records
from index.build import prepare
from index.config import PROJECT_ROOT
from search.engine import Archive
from search.params import SearchParams

# A sample's innermost frame, by the start of its module's path, gives its layer (first match).
LAYERS = [
    (
        "query parsing and compilation",
        (
            "search/query.py",
            "search/compile.py",
            "search/spelling.py",
            "search/cognates.py",
            "search/glossary.py",
            "search/translated.py",
            "search/correction.py",
            "index/analysis.py",
            "index/language.py",  # which language a query is in
            "lingua",
            "whoosh/analysis",
            "Stemmer",
        ),
    ),
    (
        "scoring (posting lists, BM25, top hits)",
        ("search/scoring.py", "search/coordinated.py", "index/posting_arrays.py", "search/lru.py", "numpy"),
    ),
    ("facets and labels, document values", ("search/docvalues.py", "search/facets.py", "search/labels.py")),
    ("snippets", ("search/highlight.py",)),
    ("the page of hits (stored fields, pairs)", ("search/hits.py", "search/releases.py")),
    ("the result model", ("search/results.py", "dataclasses.py", "<string>")),
    ("the search's own steps (search/engine.py, search/generation.py)", ("search/engine.py", "search/generation.py")),
    ("reading the index (Whoosh)", ("whoosh/", "index/whoosh_internals.py")),
    (
        "the pages' models, links and shapes (web/pages.py, web/links.py, web/shapes.py, web/views.py, web/api.py)",
        (
            "web/pages.py",
            "web/links.py",
            "web/shapes.py",
            "web/views.py",
            "web/api.py",
            "web/templating.py",
            "web/i18n.py",
        ),
    ),
    ("templates (Jinja2, MarkupSafe)", ("jinja2/", "markupsafe/", "<template>", "web/templates/", "web/facet_list.py")),
    ("translations (Babel, Flask-Babel)", ("babel/", "flask_babel/", "gettext.py")),
    ("JSON", ("json/", "flask/json", "web/json_output.py", "orjson")),
    ("Flask and Werkzeug", ("flask/", "werkzeug/")),
    ("the site's other request steps (web/: headers, ETags, hosts, rate limit...)", ("web/",)),
]
STDLIB = sysconfig.get_paths()["stdlib"]


OTHER = "other (the profiler, the test client)"


def layer(path: str) -> str:
    for name, prefixes in LAYERS:
        if any(p in path for p in prefixes):
            return name
    return OTHER


def by_layer(session) -> dict[str, float]:
    """Seconds of the session's samples by layer: a Python frame's own time goes to its module's
    layer; a built-in's (C code: a regular expression, numpy, lingua) and a standard library
    module's not named in LAYERS (re, urllib.parse...) to its caller's."""
    totals: dict[str, float] = defaultdict(float)

    def walk(frame, caller: str):
        path = frame.file_path or ""
        here = caller if path.startswith("<built-in>") or not path else layer(path)
        if here == OTHER and path.startswith(STDLIB) and "site-packages" not in path:
            here = caller
        if not frame.is_synthetic:  # a frame's own time counts its [self] children's
            totals[here] += frame.total_self_time
        for child in frame.children:
            walk(child, here)

    root = session.root_frame()
    if root is not None:
        walk(root, OTHER)
    return totals


def profiled(run, items) -> tuple[float, dict[str, float], str]:
    """Milliseconds per item, the seconds by layer, and pyinstrument's own summary of the calls."""
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005)
    started = time.perf_counter()
    profiler.start()
    for item in items:
        run(item)
    profiler.stop()
    wall = time.perf_counter() - started
    summary = profiler.output_text(unicode=True, color=False, show_all=False, short_mode=True)
    return wall * 1000 / len(items), by_layer(profiler.last_session), summary


def table(results: dict[str, tuple[float, dict[str, float], str]]) -> str:
    names = list(results)
    out = ["| layer | " + " | ".join(names) + " |", "| --- |" + " --- |" * len(names)]
    out.append(
        "| milliseconds per search (under the profiler) | " + " | ".join(f"{results[n][0]:.2f}" for n in names) + " |"
    )
    order = [name for name, _ in LAYERS] + [OTHER]
    for row in order:
        shares = []
        for n in names:
            totals = results[n][1]
            whole = sum(totals.values()) or 1.0
            shares.append(f"{100 * totals.get(row, 0.0) / whole:.0f} %")
        if any(s != "0 %" for s in shares):
            out.append(f"| {row} | " + " | ".join(shares) + " |")
    return "\n".join(out)


def main(args) -> str:
    os.environ.setdefault("RATE_LIMIT", "off")  # one client is not many visitors
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as tmp:
        tmp = Path(tmp)
        if args.index:
            index_dir, n, source = Path(args.index), None, f"the archive in {args.index}"
            generation = max(p for p in index_dir.iterdir() if p.name.startswith("gen-"))
            texts = []
            countries: list[str] = []
            years = list(range(1946, 2025))
        else:
            records, source = release_records(args.docs)
            n = len(records)
            source_file = tmp / "releases.jsonl"
            source_file.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
            index_dir = tmp / "ix"
            subprocess.run(
                [str(PROJECT_ROOT / "scripts" / "reindex"), str(source_file), "--index", str(index_dir), "--quiet"],
                check=True,
                capture_output=True,
            )
            generation = next(p for p in index_dir.iterdir() if p.name.startswith("gen-"))
            releases, _ = prepare([source_file])
            sample = random.Random(5).sample(releases, min(5000, len(releases)))
            texts = [(r.body, r.date.year, tuple(r.countries or ())) for r in sample]
            countries, years = top_countries(releases), sorted({r.date.year for r in releases})
            del releases, sample
        searches = distinct_searches(vocabulary.load(generation), texts, years, countries, 4 * args.searches)
        warm, rest = searches[: args.searches // 4], searches[args.searches // 4 :]
        slices = {
            name: rest[k * args.searches : (k + 1) * args.searches]
            for k, name in enumerate(("in process", "API", "pages"))
        }

        archive = Archive(index_dir)
        archive.warm()  # as gunicorn's master does before it forks the workers
        for s in warm:
            archive.search(SearchParams(**s.params()))
        results = {"in process": profiled(lambda s: archive.search(SearchParams(**s.params())), slices["in process"])}
        from web.app import create_app

        app = create_app({"INDEX_DIR": str(index_dir)})
        app.extensions["archive"].warm()
        client = app.test_client()
        for s in warm:
            client.get(s.path("/api/v1/search"))
            client.get(s.path("/en/search"))

        def get(path):
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)

        results["API"] = profiled(lambda s: get(s.path("/api/v1/search")), slices["API"])
        results["pages"] = profiled(lambda s: get(s.path("/en/search")), slices["pages"])
    size = f"{n:,} releases ({source})" if n else source
    body = (
        f"{size}; {args.searches:,} distinct searches each way (`bench_queries`, none asked twice), after "
        f"{len(warm)} others to warm up; pyinstrument sampling every 0.5 ms; the share of the samples whose "
        f"innermost frame is in each layer.\n\n" + table(results)
    )
    if args.calls:
        for name, (_, _, summary) in results.items():
            body += f"\n\n<details><summary>pyinstrument, {name}</summary>\n\n```\n{summary}\n```\n</details>"
    return body
