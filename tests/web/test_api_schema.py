"""The JSON API against its own OpenAPI document, with schemathesis through the WSGI app.

For every operation, generated requests that fit the document must get answers whose
status, content type, headers and body are as the document describes them, and requests
that do not fit it (wrong types, out-of-range numbers, unknown enum values) must still
get a documented answer, never a 5xx. A modest number of examples keeps this to seconds.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.generation import GenerationMode  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from web import openapi

CONFORMANCE = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
OPERATIONS = [(method.upper(), path) for path, item in openapi.paths().items() for method in item]
EXAMPLES = {"GET": 30, "OPTIONS": 5}


@pytest.fixture(scope="module")
def api_schema(app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


def run(schema, method: str, path: str, mode: GenerationMode, checks, examples: int) -> None:
    operation = schema[path][method]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def check(case):
        # Through WSGI nothing decodes a compressed answer, as an HTTP client would; the
        # compressed answers are checked in test_compression.py.
        case.call_and_validate(checks=checks, headers={"Accept-Encoding": "identity"})

    check()


@pytest.mark.parametrize("method,path", OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_valid_requests_get_documented_answers(api_schema, method, path):
    run(api_schema, method, path, GenerationMode.POSITIVE, CONFORMANCE, EXAMPLES[method])


# (the document itself takes no parameter that could be wrong)
NEGATABLE = [op for op in OPERATIONS if op[0] == "GET" and op[1] != "/openapi.json"]


@pytest.mark.parametrize("method,path", NEGATABLE, ids=[f"{m} {p}" for m, p in NEGATABLE])
def test_invalid_requests_get_documented_errors(api_schema, method, path):
    run(api_schema, method, path, GenerationMode.NEGATIVE, CONFORMANCE, 20)


def test_the_document_covers_every_api_address(app):
    paths = set(openapi.paths())
    rules = {
        rule.rule.removeprefix("/api/v1").replace("<rid>", "{id}")
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/")
    }
    assert rules == paths


def test_every_component_of_the_document_is_used(client):
    """A component no operation refers to documents nothing a client will meet."""
    import json

    document = client.get("/api/v1/openapi.json").get_json()
    text = json.dumps(document)
    unused = [
        f"{kind}/{name}"
        for kind, named in document["components"].items()
        for name in named
        if f'"#/components/{kind}/{name}"' not in text
    ]
    assert unused == []


@pytest.mark.parametrize("prefix", ["mig", "haití", "trat", "niñ"])
def test_every_suggestion_fits_the_document(client, prefix):
    """Words offered as they are typed carry no language ("lang": null): the document allows
    it. Random prefixes seldom reach such suggestions, so these are asked for by name."""
    import jsonschema_rs

    validator = jsonschema_rs.Draft202012Validator(openapi.schemas()["Suggestion"])
    answer = client.get("/api/v1/suggest", query_string={"q": prefix}).get_json()
    assert answer["suggestions"]
    for item in answer["suggestions"]:
        validator.validate(item)
    assert any(item["kind"] == "term" for item in answer["suggestions"])
