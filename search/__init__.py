"""Searching the archive: query parsing, ranking, facets, highlights and suggestions.

The one entry point is :meth:`search.engine.Archive.search`, given the parameters
:func:`search.params.parse_params` reads; the web pages, the JSON API and ``scripts/search``
all call it.
"""
