"""Property-based fuzzing of the JSON API from its own OpenAPI document (Schemathesis).

Every operation of ``/api/v1/openapi.json`` is called over WSGI (no server, no network)
with schema-valid and schema-violating input (odd unicode, NUL, huge numbers, wrong
types), on a database holding a few outlets and stories. Every answer must be below 500,
every 4xx a problem document with a ``detail`` sentence, and every answer must conform
to the document: its status, content type and body. The generation is derandomized with
a fixed seed, so a run is reproducible; a failure prints the request as a curl command.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from server.ingest import NewArticle, add_articles
from server.openapi import spec
from server.services import get_services, get_session

EXAMPLES = 60

# Left out: `positive_data_acceptance` and `negative_data_rejection`. The document describes
# the shape of the input, not every rule: a `url` must be a web address and a `limit`
# between 1 and 100 though the schema says "string" and "integer" (so schema-valid input
# is rightly refused with a 400), and a batch item with a wrong `title` is answered in
# its place in a 200, as documented, while labels are read case-insensitively (so some
# schema-violating input is rightly accepted). The checks below hold either way.
# "all": schema-violating input as well as valid; the seed fixes what Schemathesis draws
# outside Hypothesis (its coverage phase), `derandomize` below what Hypothesis draws.
CONFIG = schemathesis.Config.from_dict({"seed": 20261129, "generation": {"mode": "all"}})

# The document the app serves, built by the function its view calls (a test below checks
# they agree): the operations must be known when pytest collects the tests. (Schemathesis'
# `pytest.from_fixture`, which would read it from the fixture's app, fails on pytest 9.2.)
schema = schemathesis.openapi.from_dict(spec(), config=CONFIG)

NOW = datetime.now(UTC).replace(microsecond=0)
ARTICLES = [
    ("https://www.reuters.com/world/eu-ukraine-aid", "EU leaders agree Ukraine aid package", 30),
    ("https://www.bbc.co.uk/news/world-1", "EU leaders agree €50bn Ukraine aid package", 28),
    ("https://www.foxnews.com/world/eu-ukraine-aid", "EU leaders approve Ukraine aid package", 26),
    ("https://www.foxnews.com/politics/border-wall", "House vote on border wall funding bill", 10),
    ("https://www.breitbart.com/politics/border-wall", "House GOP vote on border wall bill", 9),
]

# Random text is almost never a web address, and a lookup reads its `url` first: so that
# the fuzzed titles and times reach the story matching too, a lookup's URL is often
# replaced by one of these (an ingested article, an outlet's new page, an unknown site).
URLS = st.sampled_from(
    [
        *(url for url, _, _ in ARTICLES),
        "https://www.theguardian.com/world/2026/new-story",
        "bbc.co.uk/news/world-2",
        "https://blog.unknown.example/post?id=1",
    ]
)

# Characters Schemathesis does not send on its own: it never puts NUL in a path and never
# a lone surrogate in JSON (which a JSON text may carry as "\ud800"). Both have been 500s.
# Surrogates cannot be encoded into a URL, so they go in bodies only.
ODD = ["\x00", "\u0130", "\ufeff", "\u202e", "%", "_", "\\", "\U0001f4f0"]
SURROGATES = ["\ud800", "\udfff"]


def _odd(value: Any, chars: list[str]) -> st.SearchStrategy[Any]:
    """Return ``value``, its strings sometimes with an odd character added."""
    if isinstance(value, str):
        odd = st.sampled_from(chars)
        return st.one_of(st.just(value), odd.map(value.__add__), odd.map(lambda c: c + value))
    if isinstance(value, list):
        return st.tuples(*(_odd(item, chars) for item in value)).map(list)
    if isinstance(value, dict):
        return st.fixed_dictionaries({key: _odd(item, chars) for key, item in value.items()})
    return st.just(value)


def _label(context: schemathesis.HookContext) -> str:
    return context.operation.label if context.operation is not None else ""


@schema.hook
def flatmap_path_parameters(
    context: schemathesis.HookContext, parameters: Any
) -> st.SearchStrategy[Any]:
    """Add odd characters to the path parameters."""
    return _odd(parameters, ODD)


@schema.hook
def flatmap_query(context: schemathesis.HookContext, query: Any) -> st.SearchStrategy[Any]:
    """Add odd characters; give ``GET /lookup`` a web address half of the time."""
    strategy = _odd(query, ODD)
    if _label(context) != "GET /api/v1/lookup" or not isinstance(query, dict):
        return strategy
    return strategy.flatmap(lambda q: st.one_of(st.just(q), URLS.map(lambda u: {**q, "url": u})))


@schema.hook
def flatmap_body(context: schemathesis.HookContext, body: Any) -> st.SearchStrategy[Any]:
    """Add odd characters; give the items of ``POST /lookup`` web addresses half of the time."""
    strategy = _odd(body, ODD + SURROGATES)
    if _label(context) != "POST /api/v1/lookup" or not isinstance(body, dict):
        return strategy
    items = body.get("items")
    if not isinstance(items, list):
        return strategy

    def with_urls(body: dict[str, Any], urls: list[str]) -> dict[str, Any]:
        items = [
            {**item, "url": url} if isinstance(item, dict) else item
            for item, url in zip(body["items"], urls, strict=True)
        ]
        return {**body, "items": items}

    urls = st.lists(URLS, min_size=len(items), max_size=len(items))
    return strategy.flatmap(lambda b: st.one_of(st.just(b), urls.map(lambda u: with_urls(b, u))))


@pytest.fixture
def fuzzed(seeded: Flask) -> Flask:
    """Return the seeded app with a few stories, so lookups and searches find some."""
    with seeded.app_context():
        session = get_session()
        catalog = get_services(seeded).catalog.get(session)
        items = [NewArticle(url, title, NOW - timedelta(hours=h)) for url, title, h in ARTICLES]
        add_articles(session, catalog, get_services(seeded).stories, items, "file")
        session.commit()
    return seeded


def problem_details(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case
) -> None:
    """Check that every 4xx is ``application/problem+json`` with its status and a `detail`."""
    if not 400 <= response.status_code < 500:
        return
    content_type = response.headers.get("content-type", [""])[0]
    assert content_type.startswith("application/problem+json"), f"a {content_type} 4xx"
    body = response.json()
    assert isinstance(body, dict), body
    assert body.get("status") == response.status_code, body
    assert isinstance(body.get("detail"), str) and body["detail"], body


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
def test_api_answers_every_input_without_a_server_error(
    case: schemathesis.Case, fuzzed: Flask
) -> None:
    case.call_and_validate(
        app=fuzzed,
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
            unsupported_method,
            problem_details,
        ],
    )


def test_the_fuzzed_document_is_the_served_one(app: Flask) -> None:
    assert app.test_client().get("/api/v1/openapi.json").get_json() == spec()
