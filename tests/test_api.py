"""The JSON API: answers, errors as problem details, CORS, ETags and the OpenAPI document."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from server.models import Feedback, LookupMiss
from server.services import get_services, get_session

pytestmark = pytest.mark.usefixtures("seeded")


def problem(response) -> dict:  # type: ignore[no-untyped-def]
    """Assert a response is a problem document and return it."""
    assert response.mimetype == "application/problem+json"
    body = response.get_json(force=True)
    assert body["status"] == response.status_code
    assert body["title"] and body["detail"]
    return body


@pytest.mark.parametrize(
    ("url", "slug"),
    [
        ("https://www.bbc.co.uk/news/world-123", "bbc-news"),
        ("bbc.com/news/articles/abc", "bbc-news"),
        ("https://m.theguardian.com/world/2026/nov/28/x?utm_source=twitter", "guardian"),
        ("https://www.nytimes.com/2026/11/28/us/politics/x.html", "new-york-times"),
        ("https://www.nytimes.com/opinion/2026/11/28/x.html", "nytimes-opinion"),
        ("https://www.nytimes.com/2026/11/28/opinion/x.html", "nytimes-opinion"),
        ("https://www.nytimes.com/2026/11/28/us/opinion-poll.html", "new-york-times"),
        ("https://mattyglesias.substack.com/p/some-post", "slow-boring"),
    ],
)
def test_lookup_resolves_url_to_outlet(client: FlaskClient, url: str, slug: str) -> None:
    response = client.get("/api/v1/lookup", query_string={"url": url})
    assert response.status_code == 200
    body = response.get_json()
    assert body["outlet"]["slug"] == slug
    assert body["outlet"]["bias"] in {"center", "lean-left", "left"}
    assert body["story"] is None


def test_lookup_answer_carries_the_rating(client: FlaskClient) -> None:
    body = client.get("/api/v1/lookup?url=https://www.foxnews.com/politics/x").get_json()
    outlet = body["outlet"]
    assert (outlet["bias"], outlet["bias_score"], outlet["side"]) == ("right", 2.0, "right")
    assert outlet["factuality"] == "mixed"
    assert (outlet["ownership"], outlet["owner"]) == ("corporate", "Fox Corporation")
    assert outlet["country"] == "US"
    assert body["canonical_url"] == "https://www.foxnews.com/politics/x"
    assert body["domain"] == "foxnews.com"


def test_lookup_strips_tracking_parameters(client: FlaskClient) -> None:
    body = client.get(
        "/api/v1/lookup",
        query_string={"url": "https://www.reuters.com/world/x?utm_source=tw&id=7&fbclid=abc#top"},
    ).get_json()
    assert body["canonical_url"] == "https://www.reuters.com/world/x?id=7"


def test_unrated_domain_answers_null_outlet_with_domain(client: FlaskClient) -> None:
    body = client.get("/api/v1/lookup?url=https://blog.example.org/post/1").get_json()
    assert body["outlet"] is None
    assert body["domain"] == "example.org"


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"url": ""},
        {"url": "javascript:alert(1)"},
        {"url": "ftp://bbc.co.uk/file"},
        {"url": "http://"},
        {"url": "https://" + "a" * 3000 + ".com/"},
        {"url": "https://bbc.co.uk/x", "title": "t" * 1001},
        {"url": "https://bbc.co.uk/x", "published": "yesterday"},
        {"url": "https://bbc.co.uk/x", "description": "d" * 2001},
    ],
)
def test_bad_lookup_input_is_a_400_problem(client: FlaskClient, query: dict) -> None:
    response = client.get("/api/v1/lookup", query_string=query)
    assert response.status_code == 400
    problem(response)
    assert "Retry-After" not in response.headers


def test_batch_lookup_answers_each_url_in_order(client: FlaskClient) -> None:
    urls = ["https://www.bbc.com/news/1", "not a url at all", "https://unknown.example/x"]
    response = client.post("/api/v1/lookup", json={"urls": urls})
    assert response.status_code == 200
    results = response.get_json()["results"]
    assert [r.get("outlet", {}) and r["outlet"]["slug"] for r in results[:1]] == ["bbc-news"]
    assert results[1]["error"]["status"] == 400
    assert results[2]["outlet"] is None


def test_lookup_takes_a_description_get_and_post(client: FlaskClient) -> None:
    opening = "The Bank of England held its main rate at 5.25% on Thursday."
    response = client.get(
        "/api/v1/lookup",
        query_string={
            "url": "https://www.bbc.co.uk/news/x",
            "title": "Rates",
            "description": opening,
        },
    )
    assert response.status_code == 200
    assert response.get_json()["outlet"]["slug"] == "bbc-news"
    items = [
        {"url": "https://www.bbc.co.uk/news/x", "title": "Rates", "description": opening},
        {"url": "https://www.bbc.co.uk/news/y", "title": "Rates", "description": ["not text"]},
    ]
    results = client.post("/api/v1/lookup", json={"items": items}).get_json()["results"]
    assert results[0]["outlet"]["slug"] == "bbc-news"
    assert results[1]["error"] == {
        "status": 400,
        "detail": "`description`: the description must be text.",
    }


@pytest.mark.parametrize(
    "published", ["2026-11-29T08:00:00Z", "2026-11-29", "2026-11-29T09:00:00", "1764403200000"]
)
def test_lookup_takes_a_time_a_date_or_a_local_time(client: FlaskClient, published: str) -> None:
    response = client.get(
        "/api/v1/lookup",
        query_string={
            "url": "https://www.bbc.co.uk/news/x",
            "title": "Rates",
            "published": published,
        },
    )
    assert response.status_code == 200


def test_half_a_surrogate_pair_in_a_batch_url_is_answered_not_fatal(client: FlaskClient) -> None:
    # The answer echoes each URL as sent; JSON may carry half a pair, which UTF-8 cannot write.
    response = client.post(
        "/api/v1/lookup",
        data='{"urls": ["https://www.bbc.com/news/\\ud800", "https://www.bbc.com/news/1"]}',
        content_type="application/json",
    )
    assert response.status_code == 200
    results = response.get_json()["results"]
    assert results[1]["outlet"]["slug"] == "bbc-news"


def test_batch_of_more_than_200_urls_is_413(client: FlaskClient) -> None:
    response = client.post("/api/v1/lookup", json={"urls": ["https://bbc.com/"] * 201})
    assert response.status_code == 413
    assert "200" in problem(response)["detail"]


def test_huge_body_is_413(client: FlaskClient) -> None:
    response = client.post(
        "/api/v1/lookup", data=b"{" + b" " * 2_000_000 + b"}", content_type="application/json"
    )
    assert response.status_code == 413
    problem(response)


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'{"urls": "x"}', b'{"nothing": 1}'])
def test_malformed_batch_is_400(client: FlaskClient, body: bytes) -> None:
    response = client.post("/api/v1/lookup", data=body, content_type="application/json")
    assert response.status_code == 400
    problem(response)


def test_unknown_outlet_slug_is_404(client: FlaskClient) -> None:
    response = client.get("/api/v1/outlets/no-such-outlet")
    assert response.status_code == 404
    assert "no-such-outlet" in problem(response)["detail"]


def test_unknown_route_is_404_problem(client: FlaskClient) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    problem(response)


def test_wrong_method_is_405_problem_with_allow_header(client: FlaskClient) -> None:
    response = client.delete("/api/v1/lookup")
    assert response.status_code == 405
    problem(response)
    assert "GET" in response.headers["Allow"]


def test_too_many_requests_is_429_problem(make_app: Callable[..., Flask]) -> None:
    app = make_app(RATE_LIMIT="3 per minute")
    client = app.test_client()
    statuses = [client.get("/api/v1/scales").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.get("/api/v1/scales")
    problem(response)
    assert "Retry-After" in response.headers


def test_outlet_detail(client: FlaskClient) -> None:
    body = client.get("/api/v1/outlets/nytimes-opinion").get_json()
    assert body["rules"] == ["nytimes.com/*/opinion"]
    assert body["bias"] == "left"
    assert body["provider_ratings"] == []


@pytest.mark.parametrize(
    ("query", "slugs"),
    [
        ("bias=far-left,far-right", ["breitbart", "jacobin"]),
        ("factuality=very-high", ["reuters"]),
        ("country=gb&bias=center", ["bbc-news", "reuters"]),
        ("q=new+york", ["new-york-times", "nytimes-opinion"]),
    ],
)
def test_outlets_filter(client: FlaskClient, query: str, slugs: list[str]) -> None:
    body = client.get(f"/api/v1/outlets?{query}").get_json()
    assert [o["slug"] for o in body["outlets"]] == slugs
    assert body["total"] == len(slugs)


def test_outlets_are_paged(client: FlaskClient) -> None:
    first = client.get("/api/v1/outlets?per_page=4").get_json()
    third = client.get("/api/v1/outlets?per_page=4&page=3").get_json()
    assert first["total"] == 10
    assert len(first["outlets"]) == 4 and len(third["outlets"]) == 2


@pytest.mark.parametrize("query", ["bias=centre", "page=0", "per_page=1000", "country=GBR"])
def test_outlets_bad_filter_is_400(client: FlaskClient, query: str) -> None:
    response = client.get(f"/api/v1/outlets?{query}")
    assert response.status_code == 400
    problem(response)


def test_index_is_compact_and_revalidates_with_etag(client: FlaskClient) -> None:
    response = client.get("/api/v1/outlets/index")
    assert response.status_code == 200
    body = response.get_json()
    assert ["nytimes.com", "/*/opinion", "nytimes-opinion"] in body["rules"]
    assert ["bbc.com", "", "bbc-news"] in body["rules"]
    assert body["outlets"]["fox-news"] == {
        "name": "Fox News",
        "bias": "right",
        "factuality": "mixed",
    }
    etag = response.headers["ETag"]
    again = client.get("/api/v1/outlets/index", headers={"If-None-Match": etag})
    assert again.status_code == 304


def test_index_etag_changes_when_a_rating_changes(
    client: FlaskClient, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    etag = client.get("/api/v1/outlets/index").headers["ETag"]
    changed = tmp_path / "changed.csv"
    source = (Path(__file__).parent / "data" / "outlets_small.csv").read_text()
    changed.write_text(source.replace(",US,en,right,mixed,", ",US,en,far-right,mixed,"))
    assert runner.invoke(args=["outlets", "import", "--update", str(changed)]).exit_code == 0
    response = client.get("/api/v1/outlets/index", headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert response.get_json()["outlets"]["fox-news"]["bias"] == "far-right"


EXTENSION = "chrome-extension://abcdefghijklmnopabcdefghijklmnop"


def test_cors_admits_extension_origins(client: FlaskClient) -> None:
    response = client.get("/api/v1/lookup?url=bbc.com/x", headers={"Origin": EXTENSION})
    assert response.headers["Access-Control-Allow-Origin"] == EXTENSION
    firefox = "moz-extension://0b6f3b8e-1c2d-4e5f-8a9b-0c1d2e3f4a5b"
    response = client.get("/api/v1/lookup?url=bbc.com/x", headers={"Origin": firefox})
    assert response.headers["Access-Control-Allow-Origin"] == firefox


@pytest.mark.parametrize("origin", ["https://evil.example", "null", "chrome-extension://short"])
def test_cors_refuses_other_origins(client: FlaskClient, origin: str) -> None:
    response = client.get("/api/v1/lookup?url=bbc.com/x", headers={"Origin": origin})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_feedback_is_recorded(client: FlaskClient) -> None:
    response = client.post(
        "/api/v1/feedback",
        json={"outlet": "fox-news", "message": "Too generous", "suggested_bias": "far-right"},
    )
    assert response.status_code == 201
    assert response.get_json()["status"] == "received"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"outlet": "fox-news"}, 400),
        ({"outlet": "nope", "message": "x"}, 404),
        ({"outlet": "fox-news", "message": "x", "suggested_bias": "centre"}, 400),
        ({"message": "x", "url": "javascript:1"}, 400),
    ],
)
def test_bad_feedback_is_a_problem(client: FlaskClient, body: dict, status: int) -> None:
    response = client.post("/api/v1/feedback", json=body)
    assert response.status_code == status
    problem(response)


def test_openapi_documents_every_route(app: Flask, client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.1")
    documented = {(path, method) for path, item in spec["paths"].items() for method in item}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(("/api/", "/healthz")):
            continue
        path = rule.rule.replace("<int:", "{").replace("<", "{").replace(">", "}")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method.lower()) in documented, f"{method} {path} is undocumented"


def test_healthz(client: FlaskClient) -> None:
    assert client.get("/healthz").get_json() == {"status": "ok"}


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(url=st.text(max_size=300) | st.from_regex(r"https?://[^\s]{0,80}", fullmatch=True))
def test_any_url_yields_200_or_400_never_500(client: FlaskClient, url: str) -> None:
    response = client.get("/api/v1/lookup", query_string={"url": url, "title": url[:50]})
    assert response.status_code in (200, 400, 404)
    if response.status_code != 200:
        problem(response)


def test_unrated_lookups_count_the_domain_only(app: Flask, client: FlaskClient) -> None:
    for path in ("a?secret=1", "b", "c"):
        client.get("/api/v1/lookup", query_string={"url": f"https://news.unrated-news.org/{path}"})
    client.get("/api/v1/lookup?url=https://www.bbc.co.uk/news/1")
    get_services(app).misses.flush()
    with app.app_context():
        rows = get_session().execute(select(LookupMiss.domain, LookupMiss.count)).all()
    assert [tuple(row) for row in rows] == [("unrated-news.org", 3)]


def _redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_answers(), reason="no Redis on 127.0.0.1:6379")
def test_rate_limits_are_shared_between_workers_through_redis(
    make_app: Callable[..., Flask],
) -> None:
    config = {
        "RATE_LIMIT": "3 per minute",
        "RATE_LIMIT_STORAGE_URL": "redis://127.0.0.1:6379",
        "RATE_LIMIT_KEY_PREFIX": f"parallax-test-{uuid.uuid4().hex}",
    }
    first, second = make_app(**config).test_client(), make_app(**config).test_client()
    statuses = [c.get("/api/v1/ping").status_code for c in (first, second, first, second)]
    assert statuses == [200, 200, 200, 429]


def test_control_characters_in_text_are_dropped_not_fatal(client: FlaskClient) -> None:
    response = client.post(
        "/api/v1/feedback", json={"outlet": "bbc-news", "message": "wrong\x00 rating\x07"}
    )
    assert response.status_code == 201
    response = client.get("/api/v1/lookup", query_string={"url": "bbc.com/x", "title": "a\x00b"})
    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/api/v1/outlets?q=a%00b", "/api/v1/stories?q=a%00b"])
def test_nul_in_a_search_is_harmless(client: FlaskClient, path: str) -> None:
    assert client.get(path).status_code == 200


def test_a_lone_surrogate_in_feedback_is_dropped_not_fatal(app: Flask, client: FlaskClient) -> None:
    # JSON may escape half a surrogate pair, which UTF-8 cannot encode (tests/test_api_fuzz.py).
    for message, status in [('"wrong \\ud800rating\\udfff"', 201), ('"\\ud800"', 400)]:
        response = client.post(
            "/api/v1/feedback",
            data=f'{{"outlet": "bbc-news", "message": {message}}}',
            content_type="application/json",
        )
        assert response.status_code == status
    problem(response)
    with app.app_context():
        assert get_session().scalars(select(Feedback.message)).all() == ["wrong rating"]


def test_nul_in_an_outlet_slug_is_a_404(client: FlaskClient) -> None:
    # PostgreSQL refuses a NUL in a query (tests/test_api_fuzz.py).
    response = client.get("/api/v1/outlets/bbc%00news")
    assert response.status_code == 404
    problem(response)
