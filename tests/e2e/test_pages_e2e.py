"""The public pages in Debian's Chromium, on the demo a fresh `parallax serve` shows (issue 11).

A reader opens `/`, looks up a demo article by its address and headline, follows the story
title to the story page, opens an outlet, then blindspots, local news and search. Full-page
screenshots at 1280 and 390 px go to test-artifacts/pages/ (look at them: they are the
product's shop window).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fixture_site import FixtureSite
from harness import CHROMIUM, ROOT, ParallaxServer

pytestmark = pytest.mark.e2e

WIDTHS = (1280, 390)


@pytest.fixture(scope="module")
def demo_server(site: FixtureSite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`parallax serve` on an empty database: it loads the outlets and the demo itself."""
    server = ParallaxServer(tmp_path_factory.mktemp("demo"), site)
    server.env["PARALLAX_LOAD_STARTER_DATA"] = "true"
    server.start()
    yield server.base
    server.stop()


@pytest.fixture(scope="module")
def chromium(browser: dict[str, Any]) -> Iterator[Any]:
    """A plain Chromium without the extension, from the session's Playwright driver."""
    plain = browser["playwright"].chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
    yield plain
    plain.close()


def demo_article(title_start: str) -> dict[str, Any]:
    """Return a row of the demo file by the start of its headline."""
    rows = (ROOT / "data" / "demo_articles.jsonl").read_text(encoding="utf-8").splitlines()
    return next(row for row in map(json.loads, rows) if row["title"].startswith(title_start))


def shoot(page: Any, folder: Path, name: str) -> None:
    """Save a full-page screenshot and check nothing is wider than the window."""
    width = page.viewport_size["width"]
    overflow = page.evaluate("() => document.documentElement.scrollWidth")
    assert overflow <= width, f"{name} is {overflow} px wide in a {width} px window"
    page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)


@pytest.mark.parametrize("width", WIDTHS)
def test_a_reader_walks_through_the_public_pages(
    chromium: Any, demo_server: str, artifacts: Path, width: int
) -> None:
    folder = artifacts / "pages"
    folder.mkdir(exist_ok=True)
    errors: list[str] = []
    page = chromium.new_page(viewport={"width": width, "height": 900})
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    page.goto(demo_server + "/")
    assert page.title() == "Parallax: every side of the story"
    assert page.locator(".story-card").count() == 12
    shoot(page, folder, "home")

    article = demo_article("Fed cuts rates by a quarter point to 3.25%-3.5%, signals")
    page.fill("input[name=url]", article["url"])
    page.fill("input[name=title]", article["title"])
    page.click("form.lookup button[type=submit]")
    page.wait_for_selector("text=See the full coverage")
    assert "Reuters" in page.text_content("section[aria-label='The outlet'] h2")
    shoot(page, folder, "lookup")

    page.click("section[aria-label='The story'] h2 a")
    page.wait_for_selector("h1")
    assert page.text_content("h1") == article["title"]
    assert page.is_visible("text=Key points") and page.is_visible("text=Demo story.")
    assert "broke the news in" in page.text_content("#origin-h + .facts")
    if width < 600:  # the sides are tabs: one column at a time
        assert page.is_visible(".column.left") and not page.is_visible(".column.right")
        page.click("label[for=tab-right]")
        assert page.is_visible(".column.right") and not page.is_visible(".column.left")
        page.click("label[for=tab-left]")
    else:
        assert page.is_visible(".column.left") and page.is_visible(".column.right")
    shoot(page, folder, "story")

    page.click(".column.left .article .source a >> nth=0")
    page.wait_for_selector("text=Other raters")
    assert page.is_visible("a[href$='/history']")
    shoot(page, folder, "outlet")

    page.click("nav.nav >> text=Blindspots")
    page.wait_for_selector("#for-left")
    assert page.locator(".story-card").count() == 6
    shoot(page, folder, "blindspots")

    page.click("nav.nav >> text=Local")
    page.click("ul.chips >> text=France")
    page.wait_for_selector("h1 >> text=France")
    assert page.is_visible("text=Paris transit strike halts most Metro lines")
    shoot(page, folder, "local")

    page.fill("form.site-search input[name=q]", "metro")
    page.press("form.site-search input[name=q]", "Enter")
    page.wait_for_selector("h1 >> text=Results for")
    assert page.locator(".story-card").count() == 2
    shoot(page, folder, "search")

    page.goto(demo_server + "/outlets?bias=right")
    shoot(page, folder, "outlets")
    assert errors == []  # no script error, no missing file, nothing the CSP would block
    page.goto(demo_server + "/stories/999999")
    assert page.text_content("h1") == "Story not found"
    shoot(page, folder, "not-found")
    page.close()


def test_story_page_in_dark_mode(chromium: Any, demo_server: str, artifacts: Path) -> None:
    page = chromium.new_page(viewport={"width": 1280, "height": 900}, color_scheme="dark")
    page.goto(demo_server + "/blindspots/left")
    page.click(".story-card h3 a >> nth=0")
    page.wait_for_selector("text=Coverage from every side")
    background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(11, 17, 32)"
    assert page.is_visible("text=No coverage from the left yet.")
    shoot(page, artifacts / "pages", "story-dark")
    page.close()
