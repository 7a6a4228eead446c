"""My reading and "See full coverage" in a real Chromium (issue 11).

The diary is kept in storage.local by the service worker after the lookup a rated page causes
anyway; its page reads it, exports it and forgets it. These tests prove that nothing of it
leaves the browser: no request from the diary page at all, none to the server beyond the
lookup, and no address or headline kept.
"""

from __future__ import annotations

import json
import time
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
from fixture_site import STORM_BBC, FixtureSite
from harness import ParallaxServer, Shadow

pytestmark = pytest.mark.e2e


def diary(browser: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the diary entries in the extension's storage.local."""
    entries = browser["worker"].evaluate(
        "async () => (await chrome.storage.local.get('diary')).diary ?? []"
    )
    assert isinstance(entries, list)
    return entries


def open_rated_article(page: Any, url: str) -> Shadow:
    page.goto(url)
    shadow = Shadow(page)
    shadow.wait_for(".badge:not([data-status=loading]) .badge-label")
    return shadow


def wait_until(check: Any, what: str, timeout: float = 5.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_panel_links_to_the_story_page_on_the_configured_server(
    page: Any, site: FixtureSite, parallax: ParallaxServer
) -> None:
    shadow = open_rated_article(page, site.url(STORM_BBC))
    shadow.click(".badge")
    hrefs = wait_until(lambda: shadow.attrs(".full-coverage", "href"), "the full coverage link")
    query = urllib.parse.urlencode({"url": site.url(STORM_BBC)})
    story = parallax.get_json(f"/api/v1/lookup?{query}")["story"]
    assert hrefs == [f"{parallax.base}/stories/{story['id']}"]
    assert shadow.texts(".full-coverage") == ["See full coverage →"]
    assert shadow.attrs(".full-coverage", "target") == ["_blank"]


def test_reading_diary_stays_in_the_browser(
    page: Any, site: FixtureSite, browser: dict[str, Any], parallax: ParallaxServer, artifacts: Any
) -> None:
    browser["worker"].evaluate("async () => chrome.storage.local.remove('diary')")
    open_rated_article(page, site.url(STORM_BBC))
    entries = wait_until(lambda: diary(browser), "a diary entry")
    assert [(e["outlet"], e["bias"], e["factuality"]) for e in entries] == [
        ("bbc-news", "center", "high")
    ]
    assert isinstance(entries[0]["story"], int) and entries[0]["at"] > 0
    kept = json.dumps(entries)
    assert "127.0.0.1" not in kept and "Storm" not in kept, "no address and no headline are kept"

    # From here on, the diary page may not cause a single request outside the extension.
    before = len(parallax.requests)
    sent: list[str] = []
    context = browser["context"]

    def note(request: Any) -> None:
        sent.append(request.url)

    context.on("request", note)
    diary_page = context.new_page()
    try:
        diary_page.set_viewport_size({"width": 900, "height": 900})
        diary_page.goto(f"chrome-extension://{browser['id']}/diary/diary.html")
        diary_page.wait_for_selector("#outlets li strong")
        assert "1 rated article from 1 outlet" in diary_page.text_content("#totals")
        assert diary_page.text_content("#outlets") == "BBC News · Center · 1 article"
        assert "You read 1 story" in diary_page.text_content("#one-sided")
        diary_page.click(".period[data-days='30']")
        diary_page.screenshot(path=str(artifacts / "diary.png"), full_page=True)
        with diary_page.expect_download() as download:
            diary_page.click("#export")
        exported = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
        assert exported["entries"] == entries
        diary_page.click("#forget")
        diary_page.click("#forget")
        wait_until(lambda: not diary(browser), "the diary to be forgotten")
        diary_page.click("#diary-on")  # the off switch
        wait_until(
            lambda: browser["worker"].evaluate(
                "async () => (await chrome.storage.local.get('settings')).settings.diary === false"
            ),
            "the diary to be switched off",
        )
    finally:
        diary_page.close()
        context.remove_listener("request", note)
    outside = [url for url in sent if not url.startswith(("chrome-extension://", "blob:"))]
    assert outside == [], outside
    assert parallax.requests[before:] == [], "the diary page sent nothing to the server"

    # Switched off, a rated page still shows its panel but the diary keeps nothing.
    open_rated_article(page, site.url(STORM_BBC))
    time.sleep(0.5)
    assert diary(browser) == []
    browser["worker"].evaluate(
        """async () => {
             const {settings} = await chrome.storage.local.get('settings');
             await chrome.storage.local.set({settings: {...settings, diary: true}});
           }"""
    )


def test_popup_fits_its_content_without_an_inner_scroll_bar(
    page: Any, site: FixtureSite, browser: dict[str, Any]
) -> None:
    page.set_viewport_size({"width": 380, "height": 600})
    page.goto(f"chrome-extension://{browser['id']}/popup/popup.html")
    page.wait_for_selector("#current .empty, #current parallax-panel")
    page.fill("#lookup-url", site.url(STORM_BBC))
    page.click("#lookup button[type=submit]")
    Shadow(page).wait_for(".full-coverage")
    scrolling = page.evaluate(
        """() => [...document.querySelectorAll('*')].filter((node) => {
             const overflow = getComputedStyle(node).overflowY;
             return (overflow === 'auto' || overflow === 'scroll')
               && node.scrollHeight > node.clientHeight + 1;
           }).map((node) => node.id || node.className || node.tagName)"""
    )
    assert scrolling == []
    # Chrome shows a popup at most 600 px high: the summary fits in it, no scrolling at all.
    height = page.evaluate("() => document.documentElement.scrollHeight")
    assert height <= 600, height
    assert page.get_attribute("#open-diary", "href") == "../diary/diary.html"
