"""Security headers, pages without inline script or style, a private access log (issue 13)."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from server import ratings
from server.ingest import NewArticle, add_articles
from server.services import get_services, get_session

NOW = datetime.now(UTC).replace(microsecond=0)

STATIC = Path(__file__).resolve().parents[1] / "server" / "static"
PAGES = ["/", "/?url=https://www.bbc.co.uk/news/x&title=Some+headline", "/no-such-page"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_a_strict_csp_and_the_security_headers(
    client: FlaskClient, path: str
) -> None:
    response = client.get(path, headers={"Accept": "text/html"})
    assert response.mimetype == "text/html"
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "script-src" not in policy  # default-src 'none'
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in response.headers, "not over plain http"


@pytest.mark.parametrize("path", PAGES)
def test_pages_carry_no_inline_style_or_script(client: FlaskClient, path: str) -> None:
    html = client.get(path, headers={"Accept": "text/html"}).get_data(as_text=True)
    assert not re.search(r"<style|<script|\sstyle=|\son[a-z]+=", html, re.IGNORECASE)


def test_a_lookup_with_coverage_has_no_inline_style_either(seeded: Flask) -> None:
    with seeded.app_context():
        session = get_session()
        services = get_services(seeded)
        items = [
            NewArticle(url, "EU leaders agree Ukraine aid package at Brussels summit", NOW)
            for url in [
                "https://www.bbc.co.uk/news/eu-1",
                "https://www.foxnews.com/world/eu-1",
                "https://blog.unrated.example/eu-1",
            ]
        ]
        add_articles(session, services.catalog.get(session), services.stories, items, "file")
        session.commit()
    page = seeded.test_client().get("/?url=https://www.bbc.co.uk/news/eu-1").get_data(as_text=True)
    assert 'class="badge b-' in page and "w-" in page, "the badges and the bar are drawn"
    assert not re.search(r"\sstyle=|<style", page)


def test_api_answers_carry_nosniff_and_a_closed_csp(client: FlaskClient) -> None:
    response = client.get("/api/v1/ping")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert (
        response.headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
    )


def test_hsts_over_https_behind_a_trusted_proxy(make_app: Callable[..., Flask]) -> None:
    client = make_app(TRUSTED_PROXIES=1).test_client()
    response = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    untrusted = make_app().test_client().get("/", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in untrusted.headers


def test_the_stylesheet_is_served_and_its_badges_are_the_ratings_colours(
    client: FlaskClient,
) -> None:
    with client.get("/static/parallax.css") as response:
        css = response.get_data(as_text=True)
    for level in ratings.BIAS:
        assert re.search(rf"\.b-{level.label} {{ background: {level.color};", css), level.label
    assert all(f".w-{n} {{ flex-grow: {n}; }}" in css for n in range(1, 101))


def test_the_private_access_log_holds_no_url_or_headline(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    url, title = "https://www.bbc.co.uk/news/secret-reading-123", "A headline I read"
    with caplog.at_level(logging.INFO, logger="parallax.access"):
        client.get("/api/v1/lookup", query_string={"url": url, "title": title})
        client.get("/api/v1/outlets/bbc-news")
    lines = [r.getMessage() for r in caplog.records if r.name == "parallax.access"]
    assert lines[0].startswith("GET /api/v1/lookup 200 ")
    assert lines[1].startswith("GET /api/v1/outlets/<slug> ")
    logged = "\n".join(lines)
    assert "secret" not in logged and "headline" not in logged.lower() and "bbc" not in logged


def test_the_access_log_can_be_off(
    make_app: Callable[..., Flask], caplog: pytest.LogCaptureFixture
) -> None:
    client = make_app(ACCESS_LOG="off").test_client()
    with caplog.at_level(logging.INFO, logger="parallax.access"):
        client.get("/api/v1/ping")
    assert not [r for r in caplog.records if r.name == "parallax.access"]


def test_an_unknown_access_log_mode_is_refused(make_app: Callable[..., Flask]) -> None:
    with pytest.raises(ValueError, match="PARALLAX_ACCESS_LOG must be off, private or full"):
        make_app(ACCESS_LOG="verbose")
