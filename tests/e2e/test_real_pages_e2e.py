"""The extension on real pages at their own hosts (issue 12): the badge, and the headline,
publication time and description that the lookup carries to the server.

The trimmed pages of extension/test/pages/ always run; three saved pages of ../shared run when
it is there. What the server received is read from its access log, as sent.
"""

from __future__ import annotations

import time
import urllib.parse
from typing import Any

import pytest
from fixture_site import OUTLETS
from harness import ParallaxServer, Shadow
from real_pages import SHARED_PAGES, PageHost, RealPage, shared_pages, trimmed_pages

pytestmark = pytest.mark.e2e

LABELS = {
    "far-left": "Far left",
    "left": "Left",
    "lean-left": "Lean left",
    "center": "Center",
    "lean-right": "Lean right",
    "right": "Right",
    "far-right": "Far right",
}


def rated_label(page: RealPage) -> str | None:
    """Return the badge label of the page's outlet among the fixture outlets, or None."""
    host = urllib.parse.urlsplit(page.url).hostname or ""
    for outlet in OUTLETS:
        if host == outlet.domain or host.endswith("." + outlet.domain):
            return LABELS[outlet.bias]
    return None


def lookup_sent(parallax: ParallaxServer, url: str, timeout: float = 5.0) -> dict[str, str]:
    """Return the query of the last lookup the server received for `url` (http or https: a
    saved page's canonical link keeps the scheme it was saved with)."""
    wanted = url.split("://", 1)[1]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for raw in reversed(parallax.raw_paths):
            parts = urllib.parse.urlsplit(raw)
            query = dict(urllib.parse.parse_qsl(parts.query))
            if parts.path == "/api/v1/lookup" and query.get("url", "").split("://")[-1] == wanted:
                return query
        time.sleep(0.05)
    raise AssertionError(f"no lookup of {url}:\n" + "\n".join(parallax.log[-8:]))


RATED = [page for page in trimmed_pages() if rated_label(page)]
UNRATED = [page for page in trimmed_pages() if not rated_label(page)]


@pytest.fixture(autouse=True)
def _page_host(page_host: PageHost | None) -> None:
    """Skip when the real pages cannot be served (no openssl for their certificate)."""
    if page_host is None:
        pytest.skip("no openssl to serve the real pages over https")


def check_page(page: Any, parallax: ParallaxServer, real: RealPage, label: str) -> None:
    """Open a page; check its badge and what its lookup carried."""
    page.goto(real.url, wait_until="domcontentloaded")
    shadow = Shadow(page)
    shadow.wait_for(".badge:not([data-status=loading]) .badge-label", timeout=10)
    assert shadow.texts(".badge-label") == [label]
    # The canonical URL as the page writes it, when it has one the extension keeps.
    sent = lookup_sent(parallax, real.expected.get("canonicalUrl") or real.url)
    for name in ("title", "description", "published"):
        if name in real.expected:
            assert sent.get(name) == (real.expected[name] or None), name


@pytest.mark.parametrize("real", RATED, ids=[page.name for page in RATED])
def test_a_trimmed_page_of_a_rated_outlet_sends_what_it_states(
    page: Any, parallax: ParallaxServer, real: RealPage
) -> None:
    label = rated_label(real)
    assert label is not None
    check_page(page, parallax, real, label)


def test_an_unrated_page_sends_nothing(page: Any, parallax: ParallaxServer) -> None:
    before = len(parallax.raw_paths)
    page.goto(UNRATED[0].url, wait_until="load")
    time.sleep(1.5)
    assert page.locator("parallax-panel").count() == 0
    assert parallax.raw_paths[before:] == []


SHARED = shared_pages()


@pytest.mark.skipif(not SHARED, reason="no ../shared")
@pytest.mark.parametrize("real", SHARED, ids=[page.name for page in SHARED])
def test_a_saved_real_page_sends_its_headline_time_and_description(
    page: Any, parallax: ParallaxServer, real: RealPage
) -> None:
    check_page(page, parallax, real, SHARED_PAGES[real.name])
