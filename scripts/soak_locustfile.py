"""The visitors that ``scripts/soak`` sends at the site, run by locust (headless).

Each simulated visitor keeps doing what people do on the archive: types into the search
box (autocomplete as they type), searches in English or Spanish, clicks facets (country,
topic, year, language), changes the sort, pages through results, opens releases, and,
when the JSON API answers, uses it the way the embed box and other sites do.

Everything it needs about the archive (queries, facet values, release ids, whether the
API answers) comes from a plan file written by ``scripts/soak.py``: ``SOAK_PLAN`` names
it. When locust quits, the answers by status, every request's response time, and the
generation that each sampled search answered from are written to the plan's ``status_file``.
"""

import json
import os
import random
import threading
import time
from collections import Counter, defaultdict
from urllib.parse import urlencode

from locust import FastHttpUser, between, events, task

PLAN = json.loads(open(os.environ["SOAK_PLAN"], encoding="utf-8").read())
STATUS = Counter()  # "200", "404", "failed" (no HTTP answer) ...
TIMES: dict[str, list[float]] = defaultdict(list)  # request name -> response times, ms
FAILURES = Counter()  # request name -> failures
GENERATIONS: list[tuple[float, str]] = []  # (time, generation) of sampled search.json answers
_lock = threading.Lock()


@events.request.add_listener
def _count(name=None, response_time=None, response=None, exception=None, **_):
    status = getattr(response, "status_code", 0) or 0
    with _lock:
        STATUS[str(status) if status else "failed"] += 1
        TIMES[name].append(round(float(response_time or 0), 2))
        if exception:
            FAILURES[name] += 1


@events.quitting.add_listener
def _write_status(environment, **_):
    """Every request's outcome, written when locust quits (after the last request of the run)."""
    with open(PLAN["status_file"], "w", encoding="utf-8") as handle:
        json.dump(
            {
                "status": dict(STATUS),
                "generations": GENERATIONS,
                "requests": {name: {"times": times, "failures": FAILURES[name]} for name, times in TIMES.items()},
            },
            handle,
        )


def _query_string(pairs) -> str:
    return urlencode([(k, v) for k, v in pairs if v not in (None, "")])


class Visitor(FastHttpUser):
    wait_time = between(PLAN.get("wait_min", 0.0), PLAN.get("wait_max", 0.3))

    def on_start(self):
        self.ui = random.choice(("en", "es"))

    # --- helpers ---------------------------------------------------------------------------
    def get(self, path: str, name: str):
        """GET ``path``; anything but 2xx/3xx is a failure, named by its status."""
        with self.client.get(path, name=name, catch_response=True) as response:
            if response.status_code and 200 <= response.status_code < 400:
                response.success()
            elif response.status_code:
                response.failure(f"HTTP {response.status_code}")
            return response

    def query(self) -> str:
        """A query as people type them: mostly in the interface language, sometimes the other."""
        lang = self.ui if random.random() < 0.8 else ("es" if self.ui == "en" else "en")
        pool = PLAN["queries"][lang]
        if random.random() < 0.25 and PLAN["words"]:
            # two words from the archive's own titles: searches the result cache has not seen
            return " ".join(random.sample(PLAN["words"], 2))
        return random.choice(pool)

    def facet(self) -> tuple[str, str]:
        name = random.choice(["country", "country", "topic", "topic", "year", "lang"])
        return name, random.choice(PLAN["facets"][name])

    # --- what visitors do ------------------------------------------------------------------
    @task(8)
    def search(self):
        """Type a query (autocomplete along the way), search, maybe refine and open a result."""
        q = self.query()
        if random.random() < 0.5:
            for n in range(2, min(len(q), 5) + 1):
                self.get(f"/{self.ui}/suggest.json?" + _query_string([("q", q[:n])]), "suggest.json")
        pairs = [("q", q)]
        self.get(f"/{self.ui}/search?" + _query_string(pairs), "search")
        if random.random() < 0.6:  # tick a facet, then maybe a second one
            pairs.append(self.facet())
            self.get(f"/{self.ui}/search?" + _query_string(pairs), "search + facets")
            if random.random() < 0.3:
                pairs.append(self.facet())
                self.get(f"/{self.ui}/search?" + _query_string(pairs), "search + facets")
        if random.random() < 0.2:
            pairs.append(("sort", random.choice(("newest", "oldest"))))
            self.get(f"/{self.ui}/search?" + _query_string(pairs), "search + sort")
        if random.random() < 0.4:
            self.release()

    @task(3)
    def browse_pages(self):
        """A broad search, paged through as far as it goes."""
        broad = random.choice(PLAN["broad"])  # {"q": ..., "pages": {"10": n, "5": n}}
        per_page = random.choice(("10", "10", "5"))
        q, last = broad["q"], broad["pages"][per_page]
        for page in range(1, min(last, random.randint(2, 5)) + 1):
            pairs = [("q", q), ("page", page if page > 1 else ""), ("per_page", "" if per_page == "10" else per_page)]
            self.get(f"/{self.ui}/search?" + _query_string(pairs), "search page 2+" if page > 1 else "search")

    @task(3)
    def browse_facet(self):
        """From the home page, a country, topic or year with no query, as the home page links them."""
        self.get(f"/{self.ui}/", "home")
        name, value = self.facet()
        self.get(f"/{self.ui}/search?" + _query_string([(name, value)]), "search + facets")

    @task(3)
    def release(self):
        rid = random.choice(PLAN["releases"])
        if random.random() < 0.15:
            self.get(f"/{self.ui}/releases/{rid}.json", "release.json")
        else:
            self.get(f"/{self.ui}/releases/{rid}", "release")

    @task(2)
    def search_json(self):
        """The JSON twin of the results page; samples which generation answered."""
        pairs = [("q", self.query())]
        if random.random() < 0.5:
            pairs.append(self.facet())
        response = self.get(f"/{self.ui}/search.json?" + _query_string(pairs), "search.json")
        if response.status_code == 200:
            try:
                generation = response.json()["result"]["generation"]
            except (ValueError, KeyError, TypeError):
                return
            with _lock:
                GENERATIONS.append((time.time(), generation))

    @task(2)
    def api(self):
        if not PLAN["api"]:
            return
        if "search" in PLAN["api"] and random.random() < 0.6:
            pairs = [("q", self.query()), ("ui", self.ui)]
            if random.random() < 0.4:
                pairs.append(self.facet())
            if random.random() < 0.2:
                pairs.append(("page", 2))
            self.get("/api/v1/search?" + _query_string(pairs), "api/v1/search")
        elif "suggest" in PLAN["api"]:
            q = self.query()
            self.get(
                "/api/v1/suggest?" + _query_string([("q", q[: random.randint(2, 5)]), ("ui", self.ui)]),
                "api/v1/suggest",
            )

    @task(1)
    def help(self):
        self.get(f"/{self.ui}/help", "help")
