"""A copy of a regional news site, served on loopback for the crawler's tests.

The releases are those of ``data/samples/releases.jsonl``, laid out as the regional office's
site lays out its news: a page per release under ``/en/news/`` or ``/es/noticias/``,
paginated listings in both languages, an RSS feed and an Atom feed, a sitemap index with
one sitemap per language (the Spanish one gzipped), and robots.txt.  Some pages carry
Open Graph and article metadata, others only a visible date line; pages answer with an
ETag and Last-Modified and honour conditional requests, and are gzipped when asked.

The site also has the faults the crawler must name: a slow page, a failing page, a page
that is no longer there but answers 200, a category page, a login wall, a redirect loop, a
huge page, a page in French, a draft that robots.txt forbids, and (``broken_sitemap``) a
malformed sitemap.  ``NewsSite.log`` records every request, as the server saw it.
"""

import datetime as dt
import gzip
import hashlib
import html
import json
import socket
import threading
import time
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from babel.dates import format_date

from index.config import SAMPLES_DIR

PER_PAGE = 6
LISTING = {"en": "/en/news", "es": "/es/noticias"}
UPDATED = dt.datetime(2025, 1, 15, 9, 30, tzinfo=dt.UTC)

# The faults, by path.
SLOW = "/en/news/regional-workshop-on-labour-migration-statistics"
FAILING = "/en/news/migrant-health-week-in-the-caribbean"
GONE = "/en/news/seasonal-workers-programme-results-2016"  # answers 200 with the "not found" page
CATEGORY = "/en/news/category/migration-and-health"
LOGIN = "/es/noticias/intranet-informe-interno-de-misiones"
LOOP_A, LOOP_B = "/en/news/loop-first", "/en/news/loop-second"
HUGE = "/en/news/annual-report-full-text"
FRENCH = "/en/news/atelier-regional-sur-la-mobilite-climatique"
DRAFT = "/en/news/drafts/unpublished-statement"
EXTRA_SITEMAP = "/sitemap-extra.xml"
FEED_ONLY = "/en/news/new-office-opens-in-tegucigalpa"


def sample_releases() -> list[dict]:
    with open(SAMPLES_DIR / "releases.jsonl", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _slug(record: dict) -> str:
    return record["id"][11:].rsplit("-", 1)[0]  # "2017-05-24-jamaica-diaspora-mapping-en" -> "jamaica-diaspora-mapping"


class NewsSite:
    """The site's content and its switches; ``serve()`` starts it on a free loopback port."""

    def __init__(self):
        self.releases = {}  # path -> record
        for record in sample_releases():
            self.releases[f"{LISTING[record['lang']]}/{_slug(record)}"] = record
        self.removed: set[str] = set()  # release paths no longer on the site (nor in its sitemaps or listings)
        self.failing: set[str] = {FAILING}  # paths answered 503
        self.broken_sitemap = True
        self.slow_seconds = 1.0  # longer than the tests' timeout
        self.huge_rows = 100  # about 290 KB of page
        self.robots_status = 200
        self.crawl_delay: float | None = None
        self.rss_body: bytes | None = None  # served instead of the RSS feed
        self.etags = True  # False: pages carry Last-Modified only
        self.documents: dict[str, tuple[str, bytes]] = {}  # more paths the English sitemap lists: type, body
        self.log: list[dict] = []
        self.lock = threading.Lock()
        self.base = ""
        self.edited: dict[str, str] = {}  # path -> text added to the release (a correction)

    # --- serving -----------------------------------------------------------------------------

    def serve(self):
        site = self

        class Handler(_Handler):
            pass

        Handler.site = site
        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        self.base = f"http://127.0.0.1:{server.server_address[1]}"
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        thread.start()
        return server

    def requests(self, path: str | None = None) -> list[dict]:
        with self.lock:
            return [r for r in self.log if path is None or r["path"] == path]

    # --- content -----------------------------------------------------------------------------

    def live(self) -> dict[str, dict]:
        return {p: r for p, r in self.releases.items() if p not in self.removed}

    def page(self, path: str) -> tuple[int, dict, bytes]:
        """(status, headers, body) for a path, before conditional requests and compression."""
        query = ""
        if "?" in path:
            path, query = path.split("?", 1)
        path = path.rstrip("/") or "/"
        if path == "/robots.txt":
            if self.robots_status != 200:
                return self.robots_status, {"Content-Type": "text/plain"}, b"Service unavailable"
            return 200, {"Content-Type": "text/plain"}, self.robots().encode()
        if path == "/sitemap.xml":
            return 200, {"Content-Type": "application/xml"}, self.sitemap_index().encode()
        if path == "/sitemap-en.xml":
            return 200, {"Content-Type": "application/xml"}, self.sitemap("en").encode()
        if path == "/sitemap-es.xml.gz":
            return 200, {"Content-Type": "application/x-gzip"}, gzip.compress(self.sitemap("es").encode(), mtime=0)
        if path == EXTRA_SITEMAP:
            if self.broken_sitemap:  # cut off in the middle of an entry, as a failed upload leaves it
                return 200, {"Content-Type": "application/xml"}, self.sitemap("extra").encode()[:300]
            return 200, {"Content-Type": "application/xml"}, self.sitemap("extra").encode()
        if path == "/en/rss.xml" and self.rss_body is not None:
            return 200, {"Content-Type": "application/xml"}, self.rss_body
        if path in ("/en/rss.xml", "/es/atom.xml"):
            return (
                200,
                {"Content-Type": "application/xml"},
                (self.rss() if path.startswith("/en") else self.atom()).encode(),
            )
        for lang, listing in LISTING.items():
            if path == listing:
                number = int(query.split("page=", 1)[1]) if "page=" in query else 1
                return 200, {"Content-Type": "text/html; charset=utf-8"}, self.listing(lang, number).encode()
        if path in self.failing:
            return 503, {"Retry-After": "0"}, b"<h1>Service unavailable</h1>"
        if path == SLOW:
            time.sleep(self.slow_seconds)
            return (
                200,
                {"Content-Type": "text/html; charset=utf-8"},
                _article_page(
                    "en",
                    "Regional Workshop on Labour Migration Statistics",
                    dt.date(2019, 4, 2),
                    "Statistics officers of nine countries met in San José to align how labour migration is counted.",
                    self.base + SLOW,
                    metadata=True,
                ).encode(),
            )
        if path == CATEGORY:
            return 200, {"Content-Type": "text/html; charset=utf-8"}, self.category().encode()
        if path == LOGIN:
            return 302, {"Location": "/user/login?destination=" + LOGIN}, b""
        if path == "/user/login":
            return 200, {"Content-Type": "text/html; charset=utf-8"}, _login_page().encode()
        if path == LOOP_A:
            return 301, {"Location": self.base + LOOP_B}, b""
        if path == LOOP_B:
            return 301, {"Location": LOOP_A}, b""
        if path == HUGE:
            filler = "<p>" + "Annex table row with figures of assisted returns by month and country. " * 40 + "</p>\n"
            body = _article_page(
                "en",
                "Annual Report: Full Text",
                dt.date(2024, 2, 1),
                "The full report.",
                self.base + HUGE,
                metadata=True,
            ).replace("</article>", filler * self.huge_rows + "</article>")
            return 200, {"Content-Type": "text/html; charset=utf-8"}, body.encode()
        if path == FRENCH:
            return 200, {"Content-Type": "text/html; charset=utf-8"}, _french_page(self.base + FRENCH).encode()
        if path in self.documents:
            kind, body = self.documents[path]
            return 200, {"Content-Type": kind}, body
        if path == FEED_ONLY:
            return (
                200,
                {"Content-Type": "text/html; charset=utf-8"},
                _article_page(
                    "en",
                    "New Office Opens in Tegucigalpa",
                    dt.date(2025, 1, 14),
                    "IOM opened a new office in Tegucigalpa to support returnees with documents, "
                    "psychosocial care and referrals to employment programmes in Honduras.",
                    self.base + FEED_ONLY,
                    metadata=True,
                ).encode(),
            )
        record = self.live().get(path)
        if record is not None:
            number = list(self.releases).index(path)
            body = record["body"] + self.edited.get(path, "")
            return (
                200,
                {"Content-Type": "text/html; charset=utf-8"},
                _article_page(
                    record["lang"],
                    record["title"],
                    dt.date.fromisoformat(record["date"]),
                    body,
                    self.base + path,
                    metadata=number % 3 != 0,
                    declare_lang=number % 4 != 1,
                ).encode(),
            )
        if path.startswith(("/en/", "/es/")):  # the site answers 200 for what it does not have
            return 200, {"Content-Type": "text/html; charset=utf-8"}, _not_found_page(path[1:3]).encode()
        return 404, {"Content-Type": "text/plain"}, b"Not found"

    def robots(self) -> str:
        delay = f"Crawl-delay: {self.crawl_delay}\n" if self.crawl_delay is not None else ""
        return (
            f"# robots.txt of the regional office's site\n"
            f"User-agent: *\n{delay}Disallow: /en/news/drafts/\nDisallow: /*?print=\n\n"
            f"User-agent: OtherBot\nDisallow: /\n\n"
            f"Sitemap: {self.base}/sitemap.xml\n"
        )

    def sitemap_index(self) -> str:
        entries = "".join(
            f"<sitemap><loc>{self.base}{name}</loc><lastmod>2025-01-15</lastmod></sitemap>"
            for name in ("/sitemap-en.xml", "/sitemap-es.xml.gz", EXTRA_SITEMAP)
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</sitemapindex>'
        )

    def sitemap(self, part: str) -> str:
        if part == "extra":  # what the newsroom added by hand
            paths = [(FEED_ONLY, "2025-01-14"), ("/fr/communiques/atelier-regional", "2024-12-01")]
        else:
            paths = [(p, r["date"]) for p, r in self.live().items() if r["lang"] == part]
            faults = (SLOW, FAILING, GONE, LOOP_A, HUGE, FRENCH, DRAFT) if part == "en" else (LOGIN,)
            paths += [(p, "2024-12-01") for p in faults + (tuple(self.documents) if part == "en" else ())]
        entries = "".join(
            f"<url><loc>{self.base}{html.escape(p)}</loc><lastmod>{d}</lastmod><changefreq>monthly</changefreq></url>\n"
            for p, d in paths
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{entries}</urlset>\n'
        )

    def listing(self, lang: str, number: int) -> str:
        items = sorted(
            ((p, r) for p, r in self.live().items() if r["lang"] == lang),
            key=lambda item: item[1]["date"],
            reverse=True,
        )
        pages = max(1, -(-len(items) // PER_PAGE))
        shown = items[(number - 1) * PER_PAGE : number * PER_PAGE]
        teasers = "".join(
            f'<article class="teaser"><h2><a href="{p}">{html.escape(r["title"])}</a></h2>'
            f'<time datetime="{r["date"]}">{_date_line(lang, dt.date.fromisoformat(r["date"]))}</time>'
            f"<p>{html.escape(r.get('summary', '') or r['body'][:160])}</p></article>\n"
            for p, r in shown
        )
        pager = "".join(f'<a href="{LISTING[lang]}?page={n}">{n}</a> ' for n in range(1, pages + 1))
        if number < pages:
            pager += (
                f'<a rel="next" href="{LISTING[lang]}?page={number + 1}">{"Next" if lang == "en" else "Siguiente"}</a>'
            )
        feed = (
            '<link rel="alternate" type="application/rss+xml" title="News" href="/en/rss.xml">'
            if lang == "en"
            else '<link rel="alternate" type="application/atom+xml" title="Noticias" href="/es/atom.xml">'
        )
        filters = (
            f'<p class="filters">Topics: <a href="{CATEGORY}">Migration and health</a></p>' if lang == "en" else ""
        )
        return _frame(
            lang,
            "News" if lang == "en" else "Noticias",
            feed,
            f'<main role="main"><h1>{"News" if lang == "en" else "Noticias"}</h1>{filters}{teasers}'
            f'<nav class="pager" aria-label="Pages">{pager}</nav></main>',
        )

    def category(self) -> str:
        items = [(p, r) for p, r in self.live().items() if r["lang"] == "en"][:8]
        teasers = "".join(
            f'<div class="teaser"><h3><a href="{p}">{html.escape(r["title"])}</a></h3>'
            f'<p class="date">{_date_line("en", dt.date.fromisoformat(r["date"]))}</p>'
            f"<p>{html.escape(r.get('summary', ''))}</p></div>"
            for p, r in items
        )
        return _frame(
            "en",
            "Migration and health",
            '<meta property="og:type" content="website">',
            f'<main role="main"><h1>Migration and health</h1>'
            f"<p>News of the office on the health of migrants and of the communities that host them.</p>"
            f"{teasers}</main>",
        )

    def rss(self) -> str:
        items = sorted(((p, r) for p, r in self.live().items() if r["lang"] == "en"), key=lambda i: i[1]["date"])[-5:]
        entries = [(FEED_ONLY, "New Office Opens in Tegucigalpa", dt.date(2025, 1, 14))]
        entries += [(p, r["title"], dt.date.fromisoformat(r["date"])) for p, r in items]
        body = "".join(
            f"<item><title>{html.escape(t)}</title><link>{self.base}{p}</link>"
            f"<pubDate>{format_datetime(dt.datetime.combine(d, dt.time(12), dt.UTC))}</pubDate>"
            "</item>"
            for p, t, d in entries
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>News</title>'
            f"<link>{self.base}/en/news</link><description>Regional news</description>{body}</channel></rss>"
        )

    def atom(self) -> str:
        items = sorted(((p, r) for p, r in self.live().items() if r["lang"] == "es"), key=lambda i: i[1]["date"])[-5:]
        body = "".join(
            f'<entry><title>{html.escape(r["title"])}</title><link href="{self.base}{p}"/>'
            f"<id>{self.base}{p}</id><updated>{r['date']}T12:00:00Z</updated></entry>"
            for p, r in items
        )
        return (
            '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>Noticias</title><id>{self.base}/es/noticias</id><updated>2025-01-15T09:30:00Z</updated>"
            f"{body}</feed>"
        )


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: the crawler is to reuse its connection
    site: NewsSite

    def log_message(self, *args):
        pass

    def setup(self):
        super().setup()
        # Headers and body go out in two writes: without this, Nagle's algorithm holds the body
        # until the client's delayed ACK, some 40 ms a page.
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self):
        site = self.site
        entry = {
            "path": self.path,
            "agent": self.headers.get("User-Agent", ""),
            "port": self.client_address[1],
            "conditional": bool(self.headers.get("If-None-Match") or self.headers.get("If-Modified-Since")),
            "at": time.monotonic(),
            "status": None,
            "encoding": "",
        }
        with site.lock:  # logged as it arrives (a slow page is answered after its client gave up)
            site.log.append(entry)
        status, headers, body = site.page(self.path)
        if status == 200 and headers.get("Content-Type", "").startswith("text/html"):
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            if site.etags:
                headers["ETag"] = etag
            headers["Last-Modified"] = format_datetime(UPDATED, usegmt=True)
            since = self.headers.get("If-Modified-Since")
            if self.headers.get("If-None-Match") == etag or (
                not self.headers.get("If-None-Match") and since and parsedate_to_datetime(since) >= UPDATED
            ):
                status, body = 304, b""
                headers.pop("Content-Type", None)
        if (
            body
            and "gzip" in (self.headers.get("Accept-Encoding") or "")
            and status == 200
            and not headers.get("Content-Type", "").endswith("gzip")
        ):
            body = gzip.compress(body, mtime=0)
            headers["Content-Encoding"] = "gzip"
        entry["status"], entry["encoding"] = status, headers.get("Content-Encoding", "")
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # the crawler gave up on a huge or slow page
            self.close_connection = True


def _date_line(lang: str, day: dt.date) -> str:
    if lang == "es":
        return format_date(day, "d 'de' MMMM 'de' y", locale="es")
    return format_date(day, "d MMMM, y", locale="en")


def _frame(lang: str, title: str, head: str, main: str, declare_lang: bool = True) -> str:
    attr = f' lang="{lang}"' if declare_lang else ""
    menu = (
        '<a href="/en">Home</a> <a href="/en/news">News</a> <a href="/en/about">About</a>'
        if lang == "en"
        else '<a href="/es">Inicio</a> <a href="/es/noticias">Noticias</a> <a href="/es/acerca">Acerca de</a>'
    )
    return (
        f'<!doctype html>\n<html{attr}><head><meta charset="utf-8"><title>{html.escape(title)} | '
        f"Regional Office for Central America, North America and the Caribbean</title>{head}</head>\n"
        f'<body><header role="banner"><a href="/">Regional Office</a><nav role="navigation">{menu}</nav></header>\n'
        f'{main}\n<footer role="contentinfo"><p>Copyright 2025 Regional Office</p></footer></body></html>\n'
    )


def _article_page(
    lang: str, title: str, day: dt.date, body: str, url: str, metadata: bool = True, declare_lang: bool = True
) -> str:
    """A release page; with ``metadata`` Open Graph, a publication time and a canonical link, without it only
    a heading and a visible date line."""
    head = ""
    if metadata:
        head = (
            f'<meta property="og:type" content="article"><meta property="og:title" content="{html.escape(title)}">'
            f'<meta property="article:published_time" content="{day.isoformat()}T10:00:00-06:00">'
            f'<link rel="canonical" href="{html.escape(url)}">'
        )
    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in body.split("\n\n") if p.strip())
    related = (
        '<aside class="related"><h3>Related news</h3><ul><li><a href="/en/news">More news</a></li></ul></aside>'
        if lang == "en"
        else '<aside class="related"><h3>Noticias relacionadas</h3>'
        '<ul><li><a href="/es/noticias">Más</a></li></ul></aside>'
    )
    main = (
        f'<main role="main"><article class="node--article"><h1>{html.escape(title)}</h1>'
        f'<p class="date">{_date_line(lang, day)}</p><div class="field-body">{paragraphs}</div></article>'
        f"{related}</main>"
    )
    return _frame(lang, title, head, main, declare_lang)


def _not_found_page(lang: str) -> str:
    title, text = (
        ("Page not found", "The page you asked for could not be found. Try the search or the news list.")
        if lang == "en"
        else ("Página no encontrada", "No encontramos la página que busca. Pruebe el buscador o la lista de noticias.")
    )
    return _frame(
        lang,
        title,
        "",
        f'<main role="main"><h1>{title}</h1><p>{text}</p>'
        f'<p class="date">{_date_line(lang, dt.date(2025, 1, 15))}</p></main>',
    )


def _login_page() -> str:
    return _frame(
        "es",
        "Iniciar sesión",
        "",
        '<main role="main"><h1>Iniciar sesión</h1><form method="post">'
        '<label>Usuario <input name="name"></label><label>Contraseña <input type="password" name="pass">'
        "</label><button>Entrar</button></form><p>Acceso para el personal de la Oficina Regional.</p></main>",
    )


def _french_page(url: str) -> str:
    body = (
        "Des responsables de la protection civile de huit pays se sont réunis à Saint-Domingue pour "
        "préparer la réponse aux déplacements causés par les ouragans et la sécheresse.\n\n"
        "L'atelier a porté sur les abris temporaires, l'enregistrement des familles déplacées et la "
        "coordination entre les autorités locales et les organisations humanitaires."
    )
    return _article_page("fr", "Atelier régional sur la mobilité climatique", dt.date(2024, 5, 22), body, url).replace(
        ' lang="fr"', ' lang="fr"'
    )
