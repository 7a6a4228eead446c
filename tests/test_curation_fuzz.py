"""Fuzzing the write API with a valid token, from the OpenAPI document (issue 10).

``test_api_fuzz.py`` calls every operation without a token, which the write API answers
with 401 before reading anything. Here an editor's ``review`` token is sent, so the input
reaches the curation rules: odd unicode, NUL, lone surrogates, wrong types. Every answer
must be below 500, a problem document when 4xx, and conform to the document.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from server.openapi import spec

CONFIG = schemathesis.Config.from_dict({"seed": 20261202, "generation": {"mode": "all"}})
WRITE_API = (
    r"^/api/v1/(outlets(/\{slug\}/(proposals|history))?|proposals.*|changes/.*"
    r"|change-sets/.*|feedback)$"
)
schema = schemathesis.openapi.from_dict(spec(), config=CONFIG).include(path_regex=WRITE_API)
ODD = ["\x00", "\ud800", "\u202e", "%", "\U0001f4f0"]


def _odd(value: Any) -> st.SearchStrategy[Any]:
    """Return ``value``, its strings sometimes with an odd character added."""
    if isinstance(value, str):
        return st.one_of(st.just(value), st.sampled_from(ODD).map(value.__add__))
    if isinstance(value, list):
        return st.tuples(*(_odd(item) for item in value)).map(list)
    if isinstance(value, dict):
        return st.fixed_dictionaries({key: _odd(item) for key, item in value.items()})
    return st.just(value)


@schema.hook
def flatmap_body(context: schemathesis.HookContext, body: Any) -> st.SearchStrategy[Any]:
    """Add odd characters (NUL, a lone surrogate) to the strings of bodies."""
    return _odd(body)


def problem_details(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case
) -> None:
    """Check that every 4xx is ``application/problem+json`` with its status and a `detail`."""
    if not 400 <= response.status_code < 500:
        return
    content_type = response.headers.get("content-type", [""])[0]
    assert content_type.startswith("application/problem+json"), f"a {content_type} 4xx"
    body = response.json()
    assert body.get("status") == response.status_code and body.get("detail"), body


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
def test_write_api_answers_every_input_without_a_server_error(
    case: schemathesis.Case, seeded: Flask, maintainers: dict[str, str]
) -> None:
    case.call_and_validate(
        app=seeded,
        headers={"Authorization": f"Bearer {maintainers['ann']}"},
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
            problem_details,
        ],
    )
