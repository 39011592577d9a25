"""Counting what visitors search for, without knowing who they are (issue 21).

Counting is on when ``ANALYTICS_DIR`` is set (off by default): each worker process counts in
memory, and writes its counts to ``ANALYTICS_DIR/searches.sqlite3`` (web/analytics_store.py)
every ``ANALYTICS_FLUSH_SECONDS`` from a thread of its own, and when it exits. A search pays
for a few dictionary updates under a lock, never for a write; a worker that is killed loses
the counts of its last seconds only.

What is counted, from the request alone (no IP address, cookie, user agent or session):

* a **search**: page 1 of ``/<lang>/search`` (or its ``.json`` twin), answered 200: its
  normalised query (``normalise``), whether it found nothing or was searched for with a spelling
  correction, its filters and sort, its interface language, and (when the thread writes) the
  query's language;
* a search **narrowed**: one whose ``Referer`` is a results page of this site with the same
  words (a filter or the sort changed on the results page): its filters are counted, not a
  second search;
* a search **refined at once**: one whose ``Referer`` is a results page of this site with other
  words: the earlier query is counted as refined, and replaced by these words;
* a search that **reached a release**: a release page opened from a results page of this site
  (its ``Referer``, which browsers send whole between pages of one site), counted for that
  results page's query. A visitor who opens two releases from one search counts twice: the
  share of searches that reached a release is an estimate, release pages opened ÷ searches,
  capped at 100 %.

Pages after the first, the API (its callers are programs, and its answers are cached by ETag
before any search runs) and the feeds are not counted; nor are requests from a client that
calls itself a robot in its ``User-Agent`` (read to leave the request out, never stored), and
pages a browser fetches ahead of a click (``Sec-Purpose`` or ``Purpose: prefetch``).

Settings (Flask config, ``ARCHIVE_<NAME>``, or the plain environment variable):

ANALYTICS_DIR            where the counts file is kept; unset: nothing is counted
ANALYTICS_WEEKS          weeks kept, this one included (13); older weeks are deleted
ANALYTICS_MIN_COUNT      a query asked fewer times in a period is never shown (3)
ANALYTICS_FLUSH_SECONDS  how often each worker writes its counts (5)
"""

import atexit
import logging
import os
import re
import threading
import time
import unicodedata
import weakref
from urllib.parse import parse_qsl

from flask import current_app, g, request, url_for

from search.params import LANGUAGES

from . import hosts
from .analytics_store import CHANNEL, DROPPED, FILTER, QUERY_LANG, SORT, TOTALS, UI, Counts, Store, this_week
from .settings import setting

log = logging.getLogger(__name__)

DEFAULT_WEEKS = 13
DEFAULT_MIN_COUNT = 3
DEFAULT_FLUSH_SECONDS = 5.0
MAX_QUERY_CHARS = 200  # a longer query is counted by its first 200 characters
# Distinct queries and refinements a worker keeps between two writes; past it (a flood of
# distinct queries, or a store that cannot be written) only the totals are counted.
MAX_PENDING = 50_000
PRUNE_SECONDS = 3600  # how often a worker deletes the weeks past the retention
WARN_SECONDS = 60  # one warning a minute at most when the counts cannot be written
# Crawlers follow the links of the home and results pages (topics, countries, the help page's
# example searches): a client naming itself a bot, crawler or spider is not a visitor.
ROBOT = re.compile(r"bot\b|bot/|crawl|spider|slurp", re.IGNORECASE)


def normalise(query: str) -> str:
    """A query as counted: Unicode NFKC, case folded, spaces collapsed, 200 characters at most
    ("  Trata  de PERSONAS" and "trata de personas" are one query; accents are kept: "año"
    and "ano" are different words)."""
    text = " ".join(unicodedata.normalize("NFKC", query or "").casefold().split())
    return text[:MAX_QUERY_CHARS].rstrip()


def positive(value, name: str, kind=int):
    try:
        number = kind(value)
    except (TypeError, ValueError):
        number = 0
    if number <= 0:
        raise ValueError(f"{name} must be a positive number, not {value!r}")
    return number


def _query_language(text: str) -> str:
    """``en``, ``es``, or ``either`` when the query is too short or unclear to tell (as the search
    itself decides whether to translate a query from one language)."""
    from index.language import clearly
    from search.compile import QUERY_LANGUAGE_CONFIDENCE

    return clearly(text, QUERY_LANGUAGE_CONFIDENCE) or "either"


class Recorder:
    """Counts kept in memory by one process and written to the store every few seconds.

    Safe across ``fork``: a child starts with nothing counted and starts its own writing thread
    on its first count (gunicorn loads the site in its master and forks the workers from it).
    """

    def __init__(
        self,
        store: Store,
        flush_seconds: float = DEFAULT_FLUSH_SECONDS,
        keep_weeks: int = DEFAULT_WEEKS,
        max_pending: int = MAX_PENDING,
    ):
        self.store = store
        self.flush_seconds = flush_seconds
        self.keep_weeks = keep_weeks
        self.max_pending = max_pending
        self._languages: dict[str, str] = {}  # query -> its language, as found by earlier writes
        self._reset()
        me = weakref.ref(self)  # the fork and exit hooks must not keep an app's recorder alive
        os.register_at_fork(after_in_child=lambda: (r := me()) and r._reset())
        atexit.register(lambda: (r := me()) and r.close())

    def _reset(self) -> None:
        self._lock = threading.Lock()  # guards _pending
        self._write_lock = threading.Lock()  # one write at a time (the thread's, or the exit's)
        self._pending = Counts()
        self._pid = None
        self._thread = None
        self._stop = threading.Event()
        self._conn = None
        self._next_prune = 0.0
        self._warned = 0.0

    # --- counting (in the request) -------------------------------------------------------------
    def _started(self) -> None:
        """Called holding the lock: the writing thread of this process, started once."""
        if self._pid != os.getpid():
            self._pid = os.getpid()
            self._thread = threading.Thread(target=self._run, name="analytics-writer", daemon=True)
            self._thread.start()

    def search(
        self,
        *,
        query: str,
        previous: str | None,
        total: int,
        corrected: bool,
        params,
        channel: str,
        week: str | None = None,
    ) -> None:
        """Count a search; ``query`` and ``previous`` (the query of the results page it came from,
        None when it came from elsewhere) normalised."""
        if params.page != 1:
            return  # another page of a search already counted
        week = week or this_week()
        tallies = []
        tallies += [(FILTER, f"lang:{v}") for v in params.langs]
        tallies += [(FILTER, f"year:{v}") for v in params.years]
        tallies += [(FILTER, f"country:{v}") for v in params.countries]
        tallies += [(FILTER, f"topic:{v}") for v in params.topics]
        if params.date_from or params.date_to:
            tallies.append((FILTER, "dates"))
        if params.separate:
            tallies.append((FILTER, "translations:separate"))
        tallies.append((SORT, params.sort))
        with self._lock:
            self._started()
            pending = self._pending
            for kind, value in tallies:
                pending.tallies[(week, kind, value)] += 1
            if previous is not None and previous == query:
                pending.tallies[(week, TOTALS, "narrowed")] += 1
                return
            pending.tallies[(week, TOTALS, "searches")] += 1
            pending.tallies[(week, UI, params.ui)] += 1
            pending.tallies[(week, CHANNEL, channel)] += 1
            if not total:
                pending.tallies[(week, TOTALS, "empty")] += 1
            if corrected:
                pending.tallies[(week, TOTALS, "corrected")] += 1
            refined = bool(previous and query)
            if refined:
                pending.tallies[(week, TOTALS, "refined")] += 1
            if not query:
                return
            pending.tallies[(week, TOTALS, "with_words")] += 1
            if pending.size() >= self.max_pending:
                pending.tallies[(week, DROPPED, "queries")] += 1
                return
            pending.add_query(week, query, "searches")
            if not total:
                pending.add_query(week, query, "empty")
            if corrected:
                pending.add_query(week, query, "corrected")
            if refined:
                pending.add_query(week, previous, "refined")
                pending.refinements[(week, previous, query)] += 1

    def reached(self, query: str, week: str | None = None) -> None:
        """Count a release page opened from the results of ``query`` (normalised)."""
        week = week or this_week()
        with self._lock:
            self._started()
            self._pending.tallies[(week, TOTALS, "reached")] += 1
            if not query:
                return
            if self._pending.size() >= self.max_pending:
                self._pending.tallies[(week, DROPPED, "queries")] += 1
                return
            self._pending.add_query(week, query, "reached")

    # --- writing (in the thread) -----------------------------------------------------------------
    def _run(self) -> None:
        while not self._stop.wait(self.flush_seconds):
            self.flush()

    def _connection(self):
        if self._conn is None:
            self._conn = self.store.connect()
        return self._conn

    def flush(self) -> bool:
        """Write what was counted since the last write, in one transaction; False when it could
        not be written (it is kept, and written with the next)."""
        with self._write_lock:
            with self._lock:
                pending, self._pending = self._pending, Counts()
            try:
                if pending:
                    batch = Counts(
                        queries=pending.queries, refinements=pending.refinements, tallies=pending.tallies.copy()
                    )
                    for (week, query), counts in pending.queries.items():
                        if counts[0]:
                            batch.tallies[(week, QUERY_LANG, self._language(query))] += counts[0]
                    Store.add(self._connection(), batch)
                if time.monotonic() >= self._next_prune:
                    Store.prune(self._connection(), self.keep_weeks)
                    self._next_prune = time.monotonic() + PRUNE_SECONDS
            except Exception as error:  # counting never takes the site down
                with self._lock:
                    pending.merge(self._pending)
                    self._pending = pending
                self._close_connection()
                if time.monotonic() - self._warned > WARN_SECONDS:
                    self._warned = time.monotonic()
                    log.warning(
                        "search counts not written to %s (kept, tried again in %g s): %s",
                        self.store.path,
                        self.flush_seconds,
                        error,
                    )
                return False
            return True

    def _language(self, query: str) -> str:
        lang = self._languages.get(query)
        if lang is None:
            if len(self._languages) > MAX_PENDING:
                self._languages.clear()
            lang = self._languages[query] = _query_language(query)
        return lang

    def _close_connection(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception:
                pass
            self._conn = None

    def close(self) -> None:
        """Write what is left and stop the thread (at exit: a worker stopped, or replaced)."""
        if self._stop.is_set():
            return  # closed already (by its owner, then at exit)
        self._stop.set()
        if self._pid == os.getpid():
            self.flush()
        self._close_connection()


# --- the site's side ---------------------------------------------------------------------------
def recorder():
    """The running site's recorder, or None when counting is off."""
    return current_app.extensions.get("analytics")


def searched(params, result) -> None:
    """Called by the search page with what it searched for and found (counted once answered)."""
    g.analytics_search = (params, result)


def _search_paths() -> frozenset[str]:
    paths = current_app.extensions.get("analytics_search_paths")
    if paths is None:
        paths = current_app.extensions["analytics_search_paths"] = frozenset(
            url_for("site.search", lang=code, fmt=fmt) for code in LANGUAGES for fmt in ("html", "json")
        )
    return paths


def referring_query(req) -> str | None:
    """The normalised query of the results page of this site that this request came from (its
    ``Referer``), "" for a results page without words; None when it came from elsewhere."""
    parts = hosts.own_referrer(req)
    if parts is None:
        return None
    if parts.path not in _search_paths():
        return None
    return normalise(dict(parse_qsl(parts.query)).get("q", ""))


def _not_a_visit(headers) -> bool:
    """A robot, or a page fetched ahead of a click that may never come."""
    purpose = headers.get("Sec-Purpose") or headers.get("Purpose") or ""
    return "prefetch" in purpose.lower() or bool(ROBOT.search(headers.get("User-Agent", "")))


def count(response):
    """After a request: count it if it is a search or a release opened from results."""
    found = current_app.extensions.get("analytics")
    req = request._get_current_object()  # read a dozen times: once through the proxy
    endpoint = req.endpoint
    if (
        found is None
        or endpoint not in ("site.search", "site.release")
        or req.method != "GET"
        or response.status_code != 200
        or _not_a_visit(req.headers)
    ):
        return response
    try:
        if endpoint == "site.search":
            params, result = g.get("analytics_search") or (None, None)
            if params is not None:
                found.search(
                    query=normalise(params.q),
                    previous=referring_query(req),
                    total=result.total,
                    corrected=bool(result.corrected),
                    params=params,
                    channel="json" if (req.view_args or {}).get("fmt") == "json" else "page",
                )
        elif response.mimetype == "text/html":
            query = referring_query(req)
            if query is not None:
                found.reached(query)
    except Exception:  # counting never costs a visitor an answer
        log.exception("a search could not be counted")
    return response


def init_app(app) -> None:
    directory = setting(app.config, "ANALYTICS_DIR")
    app.config["ANALYTICS_MIN_COUNT"] = positive(
        setting(app.config, "ANALYTICS_MIN_COUNT", DEFAULT_MIN_COUNT), "ANALYTICS_MIN_COUNT"
    )
    app.config["ANALYTICS_WEEKS"] = positive(setting(app.config, "ANALYTICS_WEEKS", DEFAULT_WEEKS), "ANALYTICS_WEEKS")
    flush_seconds = positive(
        setting(app.config, "ANALYTICS_FLUSH_SECONDS", DEFAULT_FLUSH_SECONDS), "ANALYTICS_FLUSH_SECONDS", float
    )
    if not directory:
        app.extensions["analytics"] = None
        return
    app.config["ANALYTICS_DIR"] = str(directory)
    app.extensions["analytics"] = Recorder(
        Store(directory), flush_seconds=flush_seconds, keep_weeks=app.config["ANALYTICS_WEEKS"]
    )
    app.after_request(count)
