"""The engines ``scripts/bench run`` measures ours against, doing the same work on the same releases.

Each is built from the enriched releases our build indexes, and each search asks for one
page of 10 hits (by BM25 with the title weighted 2.5, or by date), the exact year and
country counts over every match, and a highlighted snippet for each of the 10 hits.

- SQLite FTS5 (in the standard library);
- tantivy, through tantivy-py (the optional ``bench`` dependency group): a Rust search
  library, the fast peer. Its analyser is made like ours for English (lower case, accents
  folded, Snowball English stemmer); facets are counted by its terms aggregations.
"""

import re
import sqlite3
import time
from pathlib import Path

TITLE_WEIGHT = 2.5
SNIPPET_CHARS = 200


def _words_anded(query: str) -> list[str]:
    """Quoted phrases kept, words split: every part must match."""
    return re.findall(r'"[^"]+"|\S+', query)


def _day(release) -> int:
    return release.date.year * 10000 + release.date.month * 100 + release.date.day


# --- SQLite FTS5 --------------------------------------------------------------------------
class FTS5:
    name = "SQLite FTS5"

    def __init__(self, path: Path):
        self.path = path
        self.db = None

    def build(self, releases) -> float:
        started = time.perf_counter()
        db = sqlite3.connect(self.path)
        db.executescript("""
            CREATE TABLE docs(rowid INTEGER PRIMARY KEY, id TEXT, year INTEGER, day INTEGER, lang TEXT);
            CREATE TABLE doc_countries(rowid INTEGER, country TEXT);
            CREATE VIRTUAL TABLE fts USING fts5(title, body, tokenize = 'porter unicode61 remove_diacritics 2');
        """)
        with db:
            for rowid, r in enumerate(releases, 1):
                db.execute("INSERT INTO docs VALUES (?,?,?,?,?)", (rowid, r.id, r.date.year, _day(r), r.lang))
                db.executemany("INSERT INTO doc_countries VALUES (?,?)", [(rowid, c) for c in r.countries or ()])
                db.execute("INSERT INTO fts(rowid, title, body) VALUES (?,?,?)", (rowid, r.title, r.body))
            db.execute("CREATE INDEX docs_year ON docs(year)")
            db.execute("CREATE INDEX dc_rowid ON doc_countries(rowid, country)")
            db.execute("CREATE INDEX dc_country ON doc_countries(country, rowid)")
        db.close()
        return time.perf_counter() - started

    def disk_mb(self) -> float:
        return self.path.stat().st_size / 1e6

    def open(self) -> None:
        self.db = sqlite3.connect(self.path)

    @staticmethod
    def match(query: str) -> str:
        """The query in FTS5 syntax: quoted phrases kept, words ANDed."""
        return " AND ".join(p if p.startswith('"') else '"' + p.replace('"', "") + '"' for p in _words_anded(query))

    def search(self, search):
        """Written the way FTS5 is fast: the matches are found first and joined to the document
        tables by rowid (CROSS JOIN keeps SQLite from starting with a year or country index and
        matching row by row), and snippet() runs for the ten rows shown, not for every match."""
        filters = search.filters
        where, args = ["fts MATCH ?"], [self.match(search.q)]
        if filters.get("years"):
            where.append(f"docs.year IN ({','.join('?' * len(filters['years']))})")
            args += list(filters["years"])
        if filters.get("countries"):
            where.append(
                f"EXISTS (SELECT 1 FROM doc_countries c WHERE c.rowid = fts.rowid AND c.country IN "
                f"({','.join('?' * len(filters['countries']))}))"
            )
            args += list(filters["countries"])
        cond = " AND ".join(where)
        matches = "fts CROSS JOIN docs ON docs.rowid = fts.rowid"
        inner = {"newest": "docs.day DESC", "oldest": "docs.day ASC"}.get(search.sort, "s")
        outer = {"newest": "best.day DESC", "oldest": "best.day ASC"}.get(search.sort, "best.s")
        top = self.db.execute(
            f"WITH best AS (SELECT fts.rowid AS r, bm25(fts, {TITLE_WEIGHT}, 1.0) AS s, docs.day AS day "
            f"FROM {matches} WHERE {cond} ORDER BY {inner} LIMIT 10 OFFSET {10 * (search.page - 1)}) "
            f"SELECT docs.id, best.s, snippet(fts, 1, '<mark>', '</mark>', '…', 32) FROM best "
            f"CROSS JOIN fts ON fts.rowid = best.r CROSS JOIN docs ON docs.rowid = best.r "
            f"WHERE fts MATCH ? ORDER BY {outer}",
            args + [args[0]],
        ).fetchall()
        years = self.db.execute(
            f"SELECT docs.year, count(*) FROM {matches} WHERE {cond} GROUP BY docs.year", args
        ).fetchall()
        countries = self.db.execute(
            f"SELECT dc.country, count(*) FROM {matches} CROSS JOIN doc_countries dc "
            f"ON dc.rowid = fts.rowid WHERE {cond} GROUP BY dc.country",
            args,
        ).fetchall()
        return top, years, countries


# --- tantivy ------------------------------------------------------------------------------
def tantivy_available() -> bool:
    try:
        import tantivy  # noqa: F401
    except ImportError:
        return False
    return True


class Tantivy:
    name = "tantivy-py"
    ANALYSER = "folded_en"

    def __init__(self, path: Path):
        import tantivy

        self.tantivy = tantivy
        self.path = path
        self.index = self.searcher = self.schema = None

    def version(self) -> str:
        from importlib.metadata import version

        return version("tantivy")

    def _analyser(self):
        t = self.tantivy
        return (
            t.TextAnalyzerBuilder(t.Tokenizer.simple())
            .filter(t.Filter.remove_long(40))
            .filter(t.Filter.lowercase())
            .filter(t.Filter.ascii_fold())
            .filter(t.Filter.stemmer("english"))
            .build()
        )

    def build(self, releases) -> float:
        t = self.tantivy
        started = time.perf_counter()
        builder = t.SchemaBuilder()
        builder.add_text_field("id", stored=True, tokenizer_name="raw")
        builder.add_text_field("title", stored=True, tokenizer_name=self.ANALYSER)
        builder.add_text_field("body", stored=True, tokenizer_name=self.ANALYSER)
        builder.add_unsigned_field("year", indexed=True, fast=True)
        builder.add_unsigned_field("day", fast=True)
        builder.add_text_field("country", fast=True, tokenizer_name="raw")
        self.schema = builder.build()
        self.path.mkdir(parents=True, exist_ok=True)
        self.index = t.Index(self.schema, path=str(self.path))
        self.index.register_tokenizer(self.ANALYSER, self._analyser())
        writer = self.index.writer(heap_size=256_000_000)
        for r in releases:
            doc = t.Document(id=r.id, title=r.title, body=r.body)
            doc.add_unsigned("year", r.date.year)
            doc.add_unsigned("day", _day(r))
            for c in r.countries or ():
                doc.add_text("country", c)
            writer.add_document(doc)
        writer.commit()
        writer.wait_merging_threads()
        return time.perf_counter() - started

    def disk_mb(self) -> float:
        return sum(f.stat().st_size for f in self.path.rglob("*") if f.is_file()) / 1e6

    def open(self) -> None:
        self.index.reload()
        self.searcher = self.index.searcher()

    def search(self, search):
        t = self.tantivy
        query = self.index.parse_query(
            " ".join(_words_anded(search.q)),
            ["title", "body"],
            field_boosts={"title": TITLE_WEIGHT},
            conjunction_by_default=True,
        )
        musts = [(t.Occur.Must, query)]
        for field, values in (
            ("year", search.filters.get("years", ())),
            ("country", search.filters.get("countries", ())),
        ):
            if values:
                any_of = t.Query.boolean_query(
                    [(t.Occur.Should, t.Query.term_query(self.schema, field, v)) for v in values]
                )
                musts.append((t.Occur.Must, t.Query.const_score_query(any_of, 0.0)))  # a filter: no score
        if len(musts) > 1:
            query = t.Query.boolean_query(musts)
        offset = 10 * (search.page - 1)
        if search.sort == "relevance":
            found = self.searcher.search(query, limit=10, offset=offset)
        else:
            found = self.searcher.search(
                query,
                limit=10,
                offset=offset,
                order_by_field="day",
                order=t.Order.Desc if search.sort == "newest" else t.Order.Asc,
            )
        counts = self.searcher.aggregate(
            query,
            {
                "years": {"terms": {"field": "year", "size": 500}},
                "countries": {"terms": {"field": "country", "size": 500}},
            },
        )
        snippets = t.SnippetGenerator.create(self.searcher, query, self.schema, "body")
        snippets.set_max_num_chars(SNIPPET_CHARS)
        top = []
        for _score, address in found.hits:
            doc = self.searcher.doc(address)
            top.append((doc.get_first("id"), snippets.snippet_from_doc(doc).to_html()))
        return top, counts["years"]["buckets"], counts["countries"]["buckets"]
