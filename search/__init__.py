"""Searching the archive: query parsing, ranking, facets, highlights and suggestions.

The one entry point is :func:`search.engine.search` (through an :class:`~search.engine.Archive`);
the web pages, the JSON API and ``scripts/search`` all call it.
"""
