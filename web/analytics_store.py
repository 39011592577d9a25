"""The file the search counts are kept in, and the report read from it.

One SQLite database, ``searches.sqlite3`` in ``ANALYTICS_DIR`` (never in the index
directory: the site only reads the index). It holds counters, never a request: for each week
(by the date of its Monday, UTC) how often each normalised query was searched for, found
nothing, was searched for with a spelling correction, was replaced by other words from its
results page, and led to a release page; which words replaced it; and tallies of the filters,
the sort, the interface language, the query language and the address that took the search.
No IP address, cookie, user agent, referrer or time of day is written.

Every worker process of the site adds its counts in one transaction every few seconds
(``upsert``: the counters grow, rows are never rewritten from a worker's own view), in WAL
mode so that a report reads while the workers write. Weeks older than the retention are
deleted by :meth:`Store.prune`.
"""

import datetime as dt
import fcntl
import os
import sqlite3
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

FILE_NAME = "searches.sqlite3"
SCHEMA_VERSION = 1
# The per-query counters, in the order of the ``queries`` table's columns and of the lists kept
# in memory by web.analytics.
QUERY_COUNTS = ("searches", "empty", "corrected", "refined", "reached")
BUSY_TIMEOUT_MS = 10_000  # another worker's transaction is a few milliseconds; a report's read never blocks a write

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS queries (
    week TEXT NOT NULL,
    query TEXT NOT NULL,
    {", ".join(f"{name} INTEGER NOT NULL DEFAULT 0" for name in QUERY_COUNTS)},
    PRIMARY KEY (week, query)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS refinements (
    week TEXT NOT NULL,
    query TEXT NOT NULL,
    next TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (week, query, next)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS tallies (
    week TEXT NOT NULL,
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (week, kind, value)
) WITHOUT ROWID;
"""


def week_of(day: dt.date) -> str:
    """A week's key: the ISO date of its Monday."""
    return (day - dt.timedelta(days=day.weekday())).isoformat()


_week_cache: tuple[int, str] = (-1, "")  # (days since the epoch, UTC; its week), as the last search had it


def this_week(today: dt.date | None = None) -> str:
    global _week_cache
    if today is not None:
        return week_of(today)
    day = int(time.time() // 86400)
    if _week_cache[0] != day:  # once a day: every search asks
        _week_cache = (day, week_of(dt.date(1970, 1, 1) + dt.timedelta(days=day)))
    return _week_cache[1]


def recent_weeks(count: int, today: dt.date | None = None) -> list[str]:
    """The keys of the last ``count`` weeks, this one first."""
    monday = dt.date.fromisoformat(this_week(today))
    return [(monday - dt.timedelta(weeks=k)).isoformat() for k in range(max(0, count))]


def week_label(week: str) -> str:
    """``2026-W49``: the ISO week number of a week's key."""
    year, number, _ = dt.date.fromisoformat(week).isocalendar()
    return f"{year}-W{number:02d}"


@dataclass
class Counts:
    """Counts not yet written: what one process gathered since its last flush."""

    queries: dict[tuple[str, str], list[int]] = field(default_factory=dict)  # (week, query) -> QUERY_COUNTS
    refinements: Counter = field(default_factory=Counter)  # (week, query, next query)
    tallies: Counter = field(default_factory=Counter)  # (week, kind, value)

    def __bool__(self) -> bool:
        return bool(self.queries or self.refinements or self.tallies)

    def add_query(self, week: str, query: str, column: str, n: int = 1) -> None:
        counts = self.queries.get((week, query))
        if counts is None:
            counts = self.queries[(week, query)] = [0] * len(QUERY_COUNTS)
        counts[QUERY_COUNTS.index(column)] += n

    def merge(self, other: "Counts") -> None:
        for key, values in other.queries.items():
            mine = self.queries.setdefault(key, [0] * len(QUERY_COUNTS))
            for i, value in enumerate(values):
                mine[i] += value
        self.refinements.update(other.refinements)
        self.tallies.update(other.tallies)

    def size(self) -> int:
        return len(self.queries) + len(self.refinements) + len(self.tallies)


class Store:
    """The counts file: written by the site's workers, read by the report and the staff page."""

    def __init__(self, directory: Path | str):
        self.directory = Path(directory)
        self.path = self.directory / FILE_NAME

    def exists(self) -> bool:
        return self.path.exists()

    def connect(self) -> sqlite3.Connection:
        """A connection for writing, the file and its tables made if missing (the directory too,
        readable by its owner only: the queries visitors typed are in it)."""
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not self.path.exists():
            # made readable by its owner only before SQLite opens it
            os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        # SQLite answers "database is locked" at once, without waiting out the busy timeout, to a
        # second process that switches a new file to WAL at the same moment (two workers stopped
        # together, each writing its first counts): one switch at a time, under a lock on the folder.
        folder = os.open(self.directory, os.O_RDONLY)
        try:
            fcntl.flock(folder, fcntl.LOCK_EX)
            conn.execute("PRAGMA journal_mode = WAL")
        finally:
            os.close(folder)  # releases the lock
        # WAL with NORMAL: a committed flush survives a crash of the process (not of the machine's
        # power, where the last transactions may be lost: seconds of counts, never a corrupt file).
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        return conn

    def reader(self) -> sqlite3.Connection | None:
        """A read-only connection, or None when nothing was ever counted here."""
        if not self.path.exists():
            return None
        conn = sqlite3.connect(
            f"{self.path.absolute().as_uri()}?mode=ro",
            uri=True,
            timeout=BUSY_TIMEOUT_MS / 1000,
            check_same_thread=False,
        )
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not {"queries", "refinements", "tallies"} <= tables:
            conn.close()
            return None  # made, but its tables not yet written (a worker stopped at that moment)
        return conn

    @staticmethod
    def add(conn: sqlite3.Connection, counts: Counts) -> None:
        """Add counts to the file's counters, all of them or none (one transaction)."""
        columns = ", ".join(QUERY_COUNTS)
        updates = ", ".join(f"{name} = {name} + excluded.{name}" for name in QUERY_COUNTS)
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.executemany(
                f"INSERT INTO queries (week, query, {columns}) VALUES (?, ?, {', '.join('?' * len(QUERY_COUNTS))}) "
                f"ON CONFLICT (week, query) DO UPDATE SET {updates}",
                [(week, query, *values) for (week, query), values in counts.queries.items()],
            )
            conn.executemany(
                "INSERT INTO refinements (week, query, next, n) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (week, query, next) DO UPDATE SET n = n + excluded.n",
                [(*key, n) for key, n in counts.refinements.items()],
            )
            conn.executemany(
                "INSERT INTO tallies (week, kind, value, n) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (week, kind, value) DO UPDATE SET n = n + excluded.n",
                [(*key, n) for key, n in counts.tallies.items()],
            )
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    @staticmethod
    def prune(conn: sqlite3.Connection, keep_weeks: int, today: dt.date | None = None) -> int:
        """Delete the weeks before the last ``keep_weeks`` (this one counted); the rows deleted."""
        oldest = recent_weeks(max(1, keep_weeks), today)[-1]
        deleted = 0
        conn.execute("BEGIN IMMEDIATE")
        try:
            for table in ("queries", "refinements", "tallies"):
                deleted += conn.execute(f"DELETE FROM {table} WHERE week < ?", (oldest,)).rowcount
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        return deleted


# --- the report ------------------------------------------------------------------------------
# Tallies of every search (page 1 of a search, new or narrowed by a filter or a sort) and those of
# new searches only: kind -> what it counts.
TOTALS = "total"  # searches, with_words, empty, corrected, refined, reached, narrowed
FILTER = "filter"  # lang:es, year:2019, country:PA, topic:ID, dates, translations:separate
SORT = "sort"
UI = "ui"  # interface language of new searches
QUERY_LANG = "query_lang"  # en, es, either (too short or unclear to tell), of new searches with words
CHANNEL = "channel"  # page (the results page), json (its JSON twin), api (/api/v1/search)
DROPPED = "dropped"  # counts a worker could not keep (its memory bound reached before a flush)


def _rows(conn, sql: str, weeks: list[str], *args):
    marks = ", ".join("?" * len(weeks))
    return conn.execute(sql.replace("{weeks}", marks), (*weeks, *args)).fetchall()


def _share(part: int, whole: int) -> float | None:
    return round(min(part, whole) / whole, 4) if whole else None


def summarise(conn: sqlite3.Connection | None, weeks: list[str], min_count: int, limit: int = 20) -> dict:
    """What staff see of ``weeks`` taken together: totals, the queries asked at least
    ``min_count`` times in them (no other query text is ever returned), those that found nothing,
    those replaced at once by other words (and by which), the filters, sorts and languages."""
    empty = {"searches": 0, "with_words": 0, "empty": 0, "corrected": 0, "refined": 0, "reached": 0, "narrowed": 0}
    out = {
        "totals": dict(empty),
        "reached_share": None,
        "queries": [],
        "nothing_found": [],
        "refined": [],
        "corrected": [],
        "filters": {},
        "sorts": {},
        "interface_languages": {},
        "query_languages": {},
        "channels": {},
        "hidden": {"queries": 0, "searches": 0},
        "dropped": 0,
    }
    if conn is None or not weeks:
        return out
    tallies: dict[str, Counter] = {}
    for kind, value, n in _rows(
        conn, "SELECT kind, value, SUM(n) FROM tallies WHERE week IN ({weeks}) GROUP BY kind, value", weeks
    ):
        tallies.setdefault(kind, Counter())[value] = n
    totals = tallies.get(TOTALS, Counter())
    out["totals"] = {name: int(totals.get(name, 0)) for name in empty}
    out["reached_share"] = _share(out["totals"]["reached"], out["totals"]["searches"])

    def ranked(kind: str) -> dict:
        return dict(sorted(tallies.get(kind, Counter()).items(), key=lambda item: (-item[1], item[0])))

    filters: dict[str, dict] = {}
    for value, n in ranked(FILTER).items():
        name, _, code = value.partition(":")
        filters.setdefault(name, {})[code or name] = n
    out["filters"] = filters
    out["sorts"] = ranked(SORT)
    out["interface_languages"] = ranked(UI)
    out["query_languages"] = ranked(QUERY_LANG)
    out["channels"] = ranked(CHANNEL)
    out["dropped"] = int(sum(tallies.get(DROPPED, Counter()).values()))

    rows = _rows(
        conn,
        f"SELECT query, {', '.join(f'SUM({c})' for c in QUERY_COUNTS)} FROM queries "
        "WHERE week IN ({weeks}) GROUP BY query",
        weeks,
    )
    shown = []
    for query, *values in rows:
        counts = dict(zip(QUERY_COUNTS, map(int, values), strict=True))  # one SUM per count
        if counts["searches"] >= min_count:
            shown.append({"query": query, **counts, "reached_share": _share(counts["reached"], counts["searches"])})
        elif counts["searches"]:
            out["hidden"]["queries"] += 1
            out["hidden"]["searches"] += counts["searches"]
    shown.sort(key=lambda q: (-q["searches"], q["query"]))
    known = {q["query"] for q in shown}
    out["queries"] = shown[:limit]
    out["nothing_found"] = sorted((q for q in shown if q["empty"]), key=lambda q: (-q["empty"], q["query"]))[:limit]
    out["corrected"] = sorted((q for q in shown if q["corrected"]), key=lambda q: (-q["corrected"], q["query"]))[:limit]
    refined = sorted((q for q in shown if q["refined"]), key=lambda q: (-q["refined"], q["query"]))[:limit]
    # The words that replaced a query, where both were asked often enough to be shown.
    nexts: dict[str, list] = {}
    for query, following, n in _rows(
        conn, "SELECT query, next, SUM(n) FROM refinements WHERE week IN ({weeks}) GROUP BY query, next", weeks
    ):
        if query in known and following in known and n >= min_count:
            nexts.setdefault(query, []).append({"query": following, "count": int(n)})
    out["refined"] = [
        {**q, "replaced_by": sorted(nexts.get(q["query"], []), key=lambda r: (-r["count"], r["query"]))[:5]}
        for q in refined
    ]
    return out


def report(store: Store, weeks: int = 4, min_count: int = 3, limit: int = 20, today: dt.date | None = None) -> dict:
    """The last ``weeks`` weeks, each by itself and all together (a query rare in each week may be
    asked often enough over the period to be shown in it)."""
    keys = recent_weeks(weeks, today)
    conn = store.reader()
    try:
        return {
            "min_count": min_count,
            "weeks": [
                {
                    "week": key,
                    "label": week_label(key),
                    "end": (dt.date.fromisoformat(key) + dt.timedelta(days=6)).isoformat(),
                    **summarise(conn, [key], min_count, limit),
                }
                for key in keys
            ],
            "period": {
                "from": keys[-1] if keys else None,
                "to": (dt.date.fromisoformat(keys[0]) + dt.timedelta(days=6)).isoformat() if keys else None,
                **summarise(conn, keys, min_count, limit),
            },
        }
    finally:
        if conn is not None:
            conn.close()
