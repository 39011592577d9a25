"""The OpenAPI 3.1 document of the JSON API (served at ``/api/v1/openapi.json``).

It is written by hand next to the code it describes and checked against the running API
by the test suite (schemathesis): every parameter, every response body (errors included)
and the headers clients rely on (``ETag``, ``Cache-Control``, ``Retry-After``).
"""

from functools import lru_cache

from index.places import country_codes
from index.topics import Taxonomy
from search.params import DEFAULT_PER_PAGE, LANGUAGES, MAX_PAGE, MAX_PER_PAGE, MAX_YEAR, MIN_YEAR, PARAM_NAMES, SORTS

API_VERSION = "1.0.0"
ERROR_CODES = [
    "invalid_parameter",
    "not_found",
    "release_not_found",
    "method_not_allowed",
    "rate_limited",
    "index_unavailable",
    "internal_error",
    "bad_request",
    # what the server refuses before the site sees a request (web/worker.py)
    "request_timeout",
    "uri_too_long",
    "request_header_fields_too_large",
    "not_implemented",
]

DESCRIPTION = """\
Search the news releases of the IOM regional office for Central America, North America and
the Caribbean, in English and Spanish: the same search as the web site's results pages.

**Errors.** Every answer is JSON, errors included: `{"error": {"status", "code", "message"}}`,
with `param` naming the parameter to fix on a 400 and `retry_after` on a 429. Codes:
`invalid_parameter` (400), `not_found` (404, an unknown API address), `release_not_found`
(404), `method_not_allowed` (405, with an `Allow` header; only GET, HEAD and OPTIONS are
answered), `rate_limited` (429, with `Retry-After` in seconds), `index_unavailable` (503,
with `Retry-After`), `internal_error` (500), `bad_request` (another 4xx). What the server
refuses before the site sees a request has its own codes: `request_timeout` (408),
`uri_too_long` (414), `request_header_fields_too_large` (431), `not_implemented` (501).

**Repeatable parameters** (`lang`, `year`, `country`, `topic`) may be repeated
(`year=2018&year=2019`) or comma-separated (`year=2018,2019`); values of one parameter
combine with OR, different parameters with AND; a value given twice counts once. Unknown
parameters are ignored, and so is a parameter given empty (`to=`): it counts as absent.

**CORS.** GET answers may be read by pages from any origin (`Access-Control-Allow-Origin: *`)
unless the server is configured with a list of origins; `OPTIONS` answers preflights.

**Caching.** Successful answers carry an `ETag` that changes with the index (a reindex) and
with the request; send it back in `If-None-Match` to get `304 Not Modified`. The search
answer's tag is weak (`W/"…"`): its `took_ms` changes from one answer to the next.
`Cache-Control` says how long an answer may be reused.

**Spelling.** When the words of a query find fewer than three releases, its misspelt words
are looked for, word by word: a word the archive does not know (through neither language's
analysis nor the glossary), or uses in two releases at most beside a near word it uses twenty
times as much, is replaced by that nearest word; the other words are kept. When the words as
typed find nothing and the corrected ones find something, the results are the corrected
query's: `corrected` is true, `searched_for` holds the corrected query and `query` what was
typed, and `links.instead` is the same search with `spell=0`, which searches exactly what was
typed. Otherwise a correction that finds more releases is only offered, in `suggestion`.
Releases with any of the words (an `any_word` notice) are shown only when neither the query
as typed nor its correction finds a release with all of them: any of the corrected words when
the words as typed find no release, or only one or two and each correction is one slip (a
letter left out, added or mistyped, or two letters swapped); else any of the words as typed.
When the words as typed find fewer than ten releases, and any of them more, those few come
first and the releases with some of the words follow (a `few_all_words` notice, its
`all_words` the number of the first ones); `total` and the facets count them all. Releases
with only some of the words rank by their score times the share of the words they contain.

**Rate limit.** Each client address has a budget of requests that refills over time; beyond
it the answer is 429 with `Retry-After`.
"""


def _nullable(schema: dict) -> dict:
    kind = schema.get("type")
    if isinstance(kind, str):
        nullable = {**schema, "type": [kind, "null"]}
        if "enum" in schema:  # an enum lists every value allowed, null too
            nullable["enum"] = [*schema["enum"], None]
        return nullable
    return {"anyOf": [schema, {"type": "null"}]}


def _obj(properties: dict, required=None, description: str | None = None) -> dict:
    schema = {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
        "additionalProperties": False,
    }
    if description:
        schema["description"] = description
    return schema


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


STRING = {"type": "string"}
URL = {"type": "string", "format": "uri"}
LANG = {"type": "string", "enum": list(LANGUAGES)}
DATE = {"type": "string", "format": "date"}


@lru_cache(maxsize=1)
def _known_values() -> tuple[list[str], list[str]]:
    return sorted(country_codes()), sorted(Taxonomy.load().topics)


def schemas() -> dict:
    labels = _obj({"en": STRING, "es": STRING}, description="The label in English and in Spanish.")
    label = _obj(
        {
            "value": STRING,
            "label": {**STRING, "description": "in the interface language (ui)"},
            "labels": _ref("Labels"),
        }
    )
    brief = _obj(
        {
            "id": STRING,
            "lang": LANG,
            "date": DATE,
            "title": STRING,
            "url": {**URL, "description": "the release's page on the site"},
            "api_url": {**URL, "description": "the release in this API"},
        }
    )
    translation = _obj(
        {
            "id": STRING,
            "lang": LANG,
            "title": STRING,
            "url": URL,
            "api_url": URL,
            "matched": {"type": "boolean", "description": "whether the translation matched the query too"},
        }
    )
    hit = _obj(
        {
            "id": STRING,
            "lang": LANG,
            "date": DATE,
            "title": {**STRING, "description": "plain text"},
            "url": {**URL, "description": "the release's page on the site, in the interface language"},
            "api_url": URL,
            "source_url": _nullable(
                {**URL, "description": "the original address on the news site (http or https only)"}
            ),
            "title_html": {**STRING, "description": "the title as HTML: escaped text with <mark> around matched words"},
            "snippets": {
                "type": "array",
                "items": STRING,
                "maxItems": 3,
                "description": "up to three fragments as HTML: escaped text with <mark> around matched words",
            },
            "summary": {**STRING, "description": "plain text"},
            "countries": {"type": "array", "items": _ref("Label")},
            "topics": {"type": "array", "items": _ref("Label")},
            "translation": _nullable(_ref("Translation")),
            "score": _nullable({"type": "number", "description": "relevance score (null when sorted by date)"}),
        }
    )
    facet_value = _obj(
        {
            "value": STRING,
            "label": STRING,
            "labels": _ref("Labels"),
            "count": {"type": "integer", "minimum": 0},
            "selected": {"type": "boolean", "description": "whether the request filters on this value"},
        }
    )
    facets = _obj(
        {name: {"type": "array", "items": _ref("FacetValue")} for name in ("year", "country", "topic", "lang")},
        description="Counts over all matching releases (a translation pair counts once unless "
        "translations=separate); each facet is counted without its own selection.",
    )
    notice = _obj(
        {
            "code": {
                **STRING,
                "description": "truncated, common_words, any_word, missing_words, few_all_words, corrected, "
                "page_out_of_range, not_a_date, unknown_value",
            },
            "message": {**STRING, "description": "in the interface language"},
            "corrected": {**STRING, "description": "the corrected query searched for (code corrected)"},
            "missing": {
                "type": "array",
                "items": STRING,
                "description": "the words as typed that no release contains, in any form or "
                "translation (codes any_word and missing_words)",
            },
            "filters": {
                "type": "array",
                "items": STRING,
                "description": "year or date filters as typed that name no year or day there is (code "
                "not_a_date: date:2019-02-30), or country or topic filters that name none of the archive "
                "(code unknown_value: country:Narnia), searched as words instead",
            },
            "excluded": {
                "type": "array",
                "items": STRING,
                "description": "the words left out with '-' (code any_word): a release may have all the other "
                "words and one of these",
            },
            "all_words": {
                "type": "integer",
                "minimum": 1,
                "description": "how many of the results, listed first, contain all the words (code few_all_words)",
            },
        },
        required=["code", "message"],
    )
    echo = {
        "q": STRING,
        "lang": {"type": "array", "items": LANG},
        "year": {"type": "array", "items": {"type": "integer"}},
        "from": _nullable({**STRING, "description": "a year or a date"}),
        "to": _nullable({**STRING, "description": "a year or a date"}),
        "country": {"type": "array", "items": STRING},
        "topic": {"type": "array", "items": STRING},
        "sort": {"type": "string", "enum": list(SORTS)},
        "page": {"type": "integer"},
        "per_page": {"type": "integer"},
        "ui": LANG,
        "translations": {"type": "string", "enum": ["merged", "separate"]},
        "spell": {"type": "integer", "enum": [0, 1]},
    }
    searched = {
        "query": {**STRING, "description": "the query as typed"},
        "searched_for": {
            **STRING,
            "description": "the query whose results these are: the query as typed, or "
            "its spelling correction when corrected is true",
        },
        "corrected": {
            "type": "boolean",
            "description": "whether misspelt words of the query were replaced (searched_for differs from query)",
        },
    }
    search_result = _obj(
        {
            **searched,
            "params": _obj(echo, description="The request's parameters, normalised."),
            "total": {
                "type": "integer",
                "minimum": 0,
                "description": "matching releases (a translation pair counts once)",
            },
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1},
            "pages": {"type": "integer", "minimum": 1},
            "sort": {
                "type": "string",
                "enum": list(SORTS),
                "description": "the order used (newest when there are no words)",
            },
            "hits": {"type": "array", "items": _ref("Hit")},
            "facets": _ref("Facets"),
            "suggestion": _nullable(
                {
                    **STRING,
                    "description": "a spelling correction of the query: the one "
                    "searched for when corrected is true, else one that finds more releases than "
                    "the query as typed, offered",
                }
            ),
            "notices": {"type": "array", "items": _ref("Notice")},
            "took_ms": {"type": "number", "minimum": 0},
            "generation": {**STRING, "description": "the index generation that answered"},
            "next": _nullable({**URL, "description": "the next page, with the same parameters"}),
            "prev": _nullable({**URL, "description": "the previous page, with the same parameters"}),
            "links": _obj(
                {
                    "self": URL,
                    "html": {**URL, "description": "the same search on the site"},
                    "atom": {**URL, "description": "an Atom feed of the same search, newest first"},
                    "instead": {
                        **URL,
                        "description": "only when corrected: the same search with the query exactly as typed (spell=0)",
                    },
                },
                required=["self", "html", "atom"],
            ),
        }
    )
    facets_result = _obj(
        {
            **searched,
            "params": _obj({k: v for k, v in echo.items() if k not in ("sort", "page", "per_page")}),
            "total": {"type": "integer", "minimum": 0},
            "facets": _ref("Facets"),
            "generation": STRING,
            "links": _obj({"search": URL, "html": URL}),
        }
    )
    release = _obj(
        {
            "id": STRING,
            "lang": LANG,
            "date": DATE,
            "title": STRING,
            "summary": STRING,
            "paragraphs": {"type": "array", "items": STRING, "description": "the full text, plain text paragraphs"},
            "url": URL,
            "source_url": _nullable(URL),
            "countries": {"type": "array", "items": _ref("Label")},
            "topics": {"type": "array", "items": _ref("Label")},
            "translation": _nullable(_ref("ReleaseBrief")),
            "related": {"type": "array", "items": _ref("ReleaseBrief")},
            "generation": STRING,
        }
    )
    suggestion = _obj(
        {
            "text": {**STRING, "description": "what to put in the search box"},
            "kind": {
                "type": "string",
                "enum": ["term", "title"],
                "description": "term: words to search for (a phrase the archive holds: a glossary term, a "
                "place, a topic, words of titles; or one of its words, in its commonest form); "
                "title: a release's title",
            },
            "id": _nullable({**STRING, "description": "the release (titles)"}),
            "lang": _nullable(LANG),
            "url": {**URL, "description": "the results for a term, the release page for a title"},
            "parts": {
                "type": "array",
                "items": _obj({"text": STRING, "typed": {"type": "boolean"}}),
                "description": "text cut into consecutive pieces (joined, they are text): typed true for what "
                "the visitor typed, false for the rest. For a term, what was typed then its "
                "completion; show the pieces with typed false in bold. For a title, the starts of "
                "its words that begin with a word typed.",
            },
        }
    )
    suggest_result = _obj({"query": STRING, "suggestions": {"type": "array", "items": _ref("Suggestion")}})
    opensearch = {
        "type": "array",
        "minItems": 4,
        "maxItems": 4,
        "items": {"anyOf": [STRING, {"type": "array", "items": STRING}]},
        "description": "OpenSearch suggestions: [the query, [completions], [descriptions], [addresses]].",
    }
    error = _obj(
        {
            "error": _obj(
                {
                    "status": {"type": "integer", "description": "the HTTP status"},
                    "code": {"type": "string", "enum": ERROR_CODES},
                    "message": {**STRING, "description": "what went wrong and what to change"},
                    "param": {**STRING, "description": "the parameter to fix (invalid_parameter)"},
                    "hint": {
                        **STRING,
                        "description": "what to fix, in the interface language ui names (invalid_parameter)",
                    },
                    "retry_after": {"type": "integer", "minimum": 1, "description": "seconds to wait (rate_limited)"},
                },
                required=["status", "code", "message"],
            )
        }
    )
    document = {
        "type": "object",
        "required": ["openapi", "info", "paths"],
        "properties": {"openapi": STRING, "info": {"type": "object"}, "paths": {"type": "object"}},
    }
    return {
        "Labels": labels,
        "Label": label,
        "ReleaseBrief": brief,
        "Translation": translation,
        "Hit": hit,
        "FacetValue": facet_value,
        "Facets": facets,
        "Notice": notice,
        "SearchResult": search_result,
        "FacetsResult": facets_result,
        "Release": release,
        "Suggestion": suggestion,
        "SuggestResult": suggest_result,
        "OpenSearchSuggestions": opensearch,
        "Error": error,
        "OpenAPIDocument": document,
    }


def parameters() -> dict:
    countries, topics = _known_values()

    def query(name, schema, description, **extra):
        param = {"name": name, "in": "query", "required": False, "description": description, "schema": schema}
        if schema.get("type") == "array":
            param.update(style="form", explode=True)
        param.update(extra)
        return param

    def repeatable(items, description):
        return {"type": "array", "items": items, "maxItems": 50, "uniqueItems": True}, description

    return {
        "q": query(
            "q",
            {"type": "string", "maxLength": 2000},
            "The search words in the query language of the site's help page (phrases in quotes, OR, -word, "
            "title:, country:, topic:, year ranges...). Empty or absent: every release, newest first. "
            "Only the first 500 characters are used.",
        ),
        "lang": query("lang", *repeatable(LANG, "Releases in these languages.")),
        "year": query(
            "year",
            *repeatable({"type": "integer", "minimum": MIN_YEAR, "maximum": MAX_YEAR}, "Releases of these years."),
        ),
        "from": query(
            "from",
            {"type": "string", "pattern": r"^[0-9]{4}(-[0-9]{2}-[0-9]{2})?$"},
            f"Releases from this year (2019) or date (2019-08-07) on, between {MIN_YEAR} and {MAX_YEAR}; "
            "not after `to`.",
        ),
        "to": query(
            "to",
            {"type": "string", "pattern": r"^[0-9]{4}(-[0-9]{2}-[0-9]{2})?$"},
            f"Releases up to this year (2019) or date (2019-08-07), between {MIN_YEAR} and {MAX_YEAR}.",
        ),
        "country": query(
            "country",
            *repeatable(
                {"type": "string", "enum": countries}, "Releases about these countries (ISO 3166-1 alpha-2 codes)."
            ),
        ),
        "topic": query("topic", *repeatable({"type": "string", "enum": topics}, "Releases on these topics.")),
        "sort": query(
            "sort",
            {"type": "string", "enum": list(SORTS), "default": "relevance"},
            "The order of the hits; without search words relevance means newest.",
        ),
        "page": query("page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}, "The page."),
        "per_page": query(
            "per_page",
            {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": DEFAULT_PER_PAGE},
            "Hits per page.",
        ),
        "ui": query(
            "ui",
            {"type": "string", "enum": list(LANGUAGES), "default": "en"},
            "The interface language: labels, messages, page links, and which version of a translation "
            "pair is shown when both match.",
        ),
        "translations": query(
            "translations",
            {"type": "string", "enum": ["merged", "separate"], "default": "merged"},
            "merged: a translation pair is one hit; separate: both versions are hits.",
        ),
        "spell": query(
            "spell",
            {"type": "integer", "enum": [0, 1], "default": 1},
            "1: when the words as typed find nothing, misspelt words are replaced by the archive's "
            "nearest words and the corrected query is searched (corrected, searched_for); 0: the "
            "query is searched exactly as typed, a correction being only offered in suggestion.",
        ),
        "If-None-Match": {
            "name": "If-None-Match",
            "in": "header",
            "required": False,
            "schema": STRING,
            "description": "The ETag of an earlier answer: 304 when it is still current.",
        },
    }


def _param(name: str) -> dict:
    return {"$ref": f"#/components/parameters/{name}"}


def _error(description: str, headers: dict | None = None) -> dict:
    response = {"description": description, "content": {"application/json": {"schema": _ref("Error")}}}
    if headers:
        response["headers"] = headers
    return response


def responses() -> dict:
    retry_after = {
        "description": "Seconds to wait before trying again.",
        "required": True,
        "schema": {"type": "integer", "minimum": 1},
    }
    return {
        "NotModified": {
            "description": "The ETag in If-None-Match is current: reuse the earlier answer.",
            "headers": {
                "ETag": {"$ref": "#/components/headers/ETag"},
                "Cache-Control": {"$ref": "#/components/headers/Cache-Control"},
            },
        },
        "BadRequest": _error("A parameter is not valid (code invalid_parameter; param names it)."),
        "TooManyRequests": _error(
            "The client's rate limit is used up (code rate_limited).", {"Retry-After": retry_after}
        ),
        "ServerError": _error("An error on our side (code internal_error)."),
        "Unavailable": _error("There is no search index yet (code index_unavailable).", {"Retry-After": retry_after}),
        # (a 405 answers a method no operation describes: the description's list of codes says it)
        "NotFound": _error("There is nothing at this address (code not_found or release_not_found)."),
        "Preflight": {
            "description": "A CORS preflight answer: the methods and headers a page may use.",
            "headers": {
                "Allow": {"required": True, "schema": STRING},
                "Access-Control-Allow-Origin": {"$ref": "#/components/headers/Access-Control-Allow-Origin"},
                "Access-Control-Allow-Methods": {"schema": STRING},
                "Access-Control-Allow-Headers": {"schema": STRING},
                "Access-Control-Max-Age": {"schema": {"type": "integer"}},
            },
        },
    }


def _ok(schema: str, description: str, media_type: str = "application/json", extra: dict | None = None) -> dict:
    content = {media_type: {"schema": _ref(schema)}}
    content.update(extra or {})
    return {
        "description": description,
        "headers": {
            "ETag": {"$ref": "#/components/headers/ETag"},
            "Cache-Control": {"$ref": "#/components/headers/Cache-Control"},
            "Access-Control-Allow-Origin": {"$ref": "#/components/headers/Access-Control-Allow-Origin"},
        },
        "content": content,
    }


def _operation(
    operation_id: str, summary: str, description: str, params: list, ok: dict, not_found: bool = False
) -> dict:
    result = {
        "operationId": operation_id,
        "summary": summary,
        "description": description,
        "parameters": [_param(p) for p in params] + [_param("If-None-Match")],
        "responses": {
            "200": ok,
            "304": {"$ref": "#/components/responses/NotModified"},
            "429": {"$ref": "#/components/responses/TooManyRequests"},
            "500": {"$ref": "#/components/responses/ServerError"},
            "503": {"$ref": "#/components/responses/Unavailable"},
        },
    }
    if any(not p.startswith("If-") for p in params):
        result["responses"]["400"] = {"$ref": "#/components/responses/BadRequest"}
    if not_found:
        result["responses"]["404"] = {"$ref": "#/components/responses/NotFound"}
    return result


def _preflight(operation_id: str, path_params: list | None = None) -> dict:
    return {
        "operationId": operation_id,
        "summary": "CORS preflight",
        "parameters": path_params or [],
        "responses": {"204": {"$ref": "#/components/responses/Preflight"}},
    }


SEARCH_PARAMS = list(PARAM_NAMES)
FILTER_PARAMS = ["q", "lang", "year", "from", "to", "country", "topic", "ui", "translations", "spell"]


def paths() -> dict:
    release_id = {
        "name": "id",
        "in": "path",
        "required": True,
        "description": "The release's identifier.",
        "schema": {"type": "string", "pattern": r"^[^/]+$", "minLength": 1},
    }
    suggest_params = {
        "suggest_q": {
            "name": "q",
            "in": "query",
            "required": False,
            "schema": {"type": "string", "maxLength": 200},
            "description": "What has been typed so far; empty gives no suggestions.",
        },
        "limit": {
            "name": "limit",
            "in": "query",
            "required": False,
            "schema": {"type": "integer", "minimum": 1, "maximum": 20, "default": 8},
            "description": "At most this many suggestions.",
        },
        "format": {
            "name": "format",
            "in": "query",
            "required": False,
            "schema": {"type": "string", "enum": ["json", "opensearch"], "default": "json"},
            "description": "opensearch: the OpenSearch suggestions array (application/x-suggestions+json).",
        },
    }
    suggest = _operation(
        "suggest",
        "Autocomplete",
        "Completions for what has been typed: phrases the archive holds that start with it (glossary terms, "
        "places, topic labels, words of release titles), the archive's words that complete the last word "
        "(one form per word, the commonest), then matching release titles. Each suggestion's parts say which "
        "of its text was typed: a box shows the rest, the completion, in bold.",
        ["ui"],
        _ok(
            "SuggestResult",
            "The suggestions.",
            extra={"application/x-suggestions+json": {"schema": _ref("OpenSearchSuggestions")}},
        ),
    )
    suggest["parameters"] = [suggest_params["suggest_q"], suggest_params["limit"], suggest_params["format"]] + suggest[
        "parameters"
    ]
    suggest["responses"]["400"] = {"$ref": "#/components/responses/BadRequest"}
    release = _operation(
        "getRelease",
        "One release",
        "The full text of a release, with its countries, topics, translation and related releases.",
        ["ui"],
        _ok("Release", "The release."),
        not_found=True,
    )
    release["parameters"].insert(0, release_id)
    openapi_op = _operation(
        "getOpenAPI",
        "This document",
        "The OpenAPI description of this API.",
        [],
        _ok("OpenAPIDocument", "The OpenAPI document."),
    )
    return {
        "/search": {
            "get": _operation(
                "search",
                "Search releases",
                "Ranked, highlighted, faceted results: the same search as the site's results page.",
                SEARCH_PARAMS,
                _ok("SearchResult", "One page of results, the facets and the links to other pages."),
            ),
            "options": _preflight("searchPreflight"),
        },
        "/facets": {
            "get": _operation(
                "facets",
                "Facet counts",
                "Years, countries, topics and languages with their counts, over the whole archive or over the "
                "releases that match the given words and filters.",
                FILTER_PARAMS,
                _ok("FacetsResult", "The facets."),
            ),
            "options": _preflight("facetsPreflight"),
        },
        "/releases/{id}": {"get": release, "options": _preflight("releasePreflight", [release_id])},
        "/suggest": {"get": suggest, "options": _preflight("suggestPreflight")},
        "/openapi.json": {"get": openapi_op, "options": _preflight("openapiPreflight")},
    }


def document(server_url: str) -> dict:
    """The OpenAPI document, with the API's absolute address as its server."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "IOM news release archive API", "version": API_VERSION, "description": DESCRIPTION},
        "servers": [{"url": server_url}],
        "paths": paths(),
        "components": {
            "schemas": schemas(),
            "parameters": parameters(),
            "responses": responses(),
            "headers": {
                "ETag": {
                    "required": True,
                    "schema": STRING,
                    "description": "The version of this answer; send it in If-None-Match.",
                },
                "Cache-Control": {
                    "required": True,
                    "schema": STRING,
                    "description": "How long the answer may be reused (public, max-age=...).",
                },
                "Access-Control-Allow-Origin": {
                    "required": False,
                    "schema": STRING,
                    "description": "* or the calling page's origin when it is allowed.",
                },
            },
        },
    }
