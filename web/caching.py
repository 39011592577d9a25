"""ETags and Cache-Control for answers that only change when the index does.

An ETag is a hash of the index generation, the site's public address (links in the answer are
absolute), a revision of the answer's format and the normalised request, so a reindex or a
new format changes every tag, and two spellings of one search (``year=2019,2018`` and
``year=2018&year=2019``) share one. A request whose ``If-None-Match`` has the current tag
(strong or weak, with or without the mark of a compressed answer, ``"tag:br"``) gets
``304 Not Modified`` before any search runs.

An answer whose bytes differ from one time to the next though what it says does not (the API's
search answer gives the time it took) has a weak tag (``W/"tag"``, RFC 9110 8.8.1): it claims
the same meaning, not the same bytes, so it is the same for every encoding too.
"""

import hashlib
import json

from flask import make_response, request

from . import current, hosts

FORMAT_REVISION = "1"

# A compressed answer's strong ETag carries its encoding ("tag:br", set by Flask-Compress,
# web.app), so a client that stored the brotli answer sends that tag back.
ENCODINGS = ("br", "gzip")


def make_etag(*parts) -> str:
    data = json.dumps([FORMAT_REVISION, hosts.base_url(), *parts], sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()[:32]


def cache_control(max_age: int) -> str:
    return f"public, max-age={int(max_age)}"


def not_modified(etag: str, max_age: int, exists=None, weak: bool = False):
    """A 304 response when the client already has this version, else None.

    ``If-None-Match`` is compared as RFC 9110 says: weakly (``W/"tag"`` matches ``"tag"``),
    and ``*`` matches only a resource that exists: ``exists``, when given, is called to find
    out (it raises the resource's 404 when there is none).
    """
    tags = request.if_none_match
    if not tags:
        return None
    matched = etag
    if tags.star_tag:
        if exists is not None:
            exists()
    else:
        matched = next((tag for tag in (etag, *(f"{etag}:{e}" for e in ENCODINGS)) if tags.contains_weak(tag)), None)
        if matched is None:
            return None
    response = make_response("", 304)
    # The tag of the answer the client has (a weak one is the same for every encoding).
    response.set_etag(etag if weak else matched, weak=weak)
    response.headers["Cache-Control"] = cache_control(max_age)
    return response


def cacheable(response, etag: str, max_age: int, weak: bool = False):
    response.set_etag(etag, weak=weak)
    response.headers["Cache-Control"] = cache_control(max_age)
    return response


def generation() -> str:
    """The live index generation (raises IndexUnavailable when there is none)."""
    return current.archive().snapshot().name
