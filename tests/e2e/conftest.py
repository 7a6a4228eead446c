"""Fixtures of the end-to-end tests: the fixture site, a seeded Parallax server, the built
extension and one Chromium (launched once per session: the extension's index stays warm).

Skipped cleanly when Debian's Chromium or the `parallax` command is missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fixture_site import FixtureSite
from harness import (
    ARTIFACTS,
    PARALLAX,
    ParallaxServer,
    build_extension,
    chromium_available,
    configure_server,
    extension_browser,
)
from real_pages import PageHost, certificate, shared_pages, trimmed_pages


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Skip the browser tests when there is no browser to run them in."""
    if chromium_available() and PARALLAX.exists():
        return
    reason = (
        "Debian's chromium is not installed" if not chromium_available() else "no parallax command"
    )
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def site() -> Iterator[FixtureSite]:
    """The fixture news site on 127.0.0.1."""
    fixture = FixtureSite().start()
    yield fixture
    fixture.stop()


@pytest.fixture(scope="session")
def page_host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PageHost | None]:
    """Real pages at their own hosts (see real_pages.py), which the browser resolves here;
    None without openssl to make their certificate."""
    tls = certificate(tmp_path_factory.mktemp("tls"))
    if tls is None:
        yield None
        return
    host = PageHost([*trimmed_pages(), *shared_pages()], tls).start()
    yield host
    host.stop()


@pytest.fixture(scope="session")
def parallax(
    site: FixtureSite, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ParallaxServer]:
    """The real Parallax server, seeded with the fixture outlets and stories."""
    server = ParallaxServer(tmp_path_factory.mktemp("parallax"), site)
    server.seed()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Any]:
    """One Playwright for the whole session: its sync API cannot be started twice at once."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="session")
def browser(
    parallax: ParallaxServer,
    page_host: PageHost | None,
    playwright: Any,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[dict[str, Any]]:
    """Chromium with the built extension, pointed at the test server through its options page."""
    extension_dir = build_extension(tmp_path_factory.mktemp("dist"))
    extra = page_host.chromium_args() if page_host else ()
    profile = tmp_path_factory.mktemp("profile")
    with extension_browser(playwright, extension_dir, profile, extra) as (
        context,
        worker,
        extension_id,
    ):
        configure_server(context, extension_id, parallax.base)
        # The playwright driver too: a test may launch a plain Chromium beside this one.
        yield {"context": context, "worker": worker, "id": extension_id, "playwright": playwright}


@pytest.fixture
def page(browser: dict[str, Any]) -> Iterator[Any]:
    """A fresh tab."""
    tab = browser["context"].new_page()
    yield tab
    tab.close()


@pytest.fixture(scope="session")
def artifacts() -> Any:
    """The folder screenshots are saved in (git-ignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
