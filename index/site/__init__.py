"""Reading releases straight from the news site: discovery by sitemap, feeds and listing
pages, polite incremental fetching, and the release pages read by the HTML reader.

``config`` reads the sites file staff edit (``data/sites.toml``), ``fetch`` is the polite
HTTP client (robots.txt, delay, conditional GET, retries), ``discover`` finds the release
pages, ``pages`` tells a release page from the other pages a site serves, ``state`` is what
the last run fetched, and ``crawl`` puts them together as a source of the reindex.
"""
