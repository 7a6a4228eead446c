"""The extension in a real Chromium against a live Parallax server (issue 4).

What a user sees on an article of a rated outlet (badge, panel, split, coverage), on a page of
links (badges, also for links added later, never twice), on an unrated page (nothing, and
nothing sent), in the toolbar and in the popup. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import base64
import time
import urllib.parse
from datetime import timedelta
from typing import Any

import pytest
from fixture_site import (
    BORDER_FOX,
    LAST_WEEK_UNSEEN,
    LOREM,
    QUIET,
    STORM,
    STORM_BBC,
    UNRATED,
    UNSEEN,
    Article,
    FixtureSite,
)
from harness import ParallaxServer, Shadow, TargetSession

pytestmark = pytest.mark.e2e


def open_article(page: Any, url: str) -> Shadow:
    """Open a page and wait for the Parallax badge to show the finished lookup."""
    page.goto(url)
    shadow = Shadow(page)
    shadow.wait_for(".badge:not([data-status=loading]) .badge-label")
    return shadow


def open_panel(shadow: Shadow) -> None:
    """Click the badge and wait until the panel shows the coverage, not the skeleton."""
    shadow.click(".badge")
    shadow.wait_for(".floating:not([hidden]) .section")
    deadline = time.monotonic() + 5
    while shadow.query_all(".skeleton") and time.monotonic() < deadline:
        time.sleep(0.05)


def wait_for_request(parallax: ParallaxServer, method: str, prefix: str) -> None:
    """Wait until the server's access log shows a request (log lines arrive a little later)."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if any(m == method and p.startswith(prefix) for m, p in parallax.requests):
            return
        time.sleep(0.05)
    raise AssertionError(
        f"no {method} {prefix} in {parallax.requests}\n" + "\n".join(parallax.log[-8:])
    )


def test_badge_shows_the_outlets_bias(page: Any, site: FixtureSite, artifacts: Any) -> None:
    shadow = open_article(page, site.url(STORM_BBC))
    assert shadow.texts(".badge-label") == ["Center"]
    assert shadow.texts(".badge-outlet") == ["BBC News"]
    label = shadow.attrs(".badge", "aria-label")[0]
    assert label.startswith("Parallax: BBC News is rated center")
    assert shadow.attrs(".badge", "aria-expanded") == ["false"]
    page.screenshot(path=str(artifacts / "badge.png"))


def test_panel_shows_rating_split_and_other_coverage(
    page: Any, site: FixtureSite, artifacts: Any
) -> None:
    shadow = open_article(page, site.url(STORM_BBC))
    open_panel(shadow)
    assert shadow.texts(".outlet-name") == ["BBC News"]
    assert "High" in shadow.texts(".ratings .chip")
    assert shadow.texts(".story-meta")[0].startswith("6 sources · first reported by Reuters")
    # Left: Guardian, MSNBC, Jacobin; center: BBC, Reuters; right: Fox News.
    assert [t.strip() for t in shadow.texts(".legend li")][:3] == [
        "Left 50%",
        "Center 33%",
        "Right 17%",
    ]
    assert shadow.attrs(".split span", "data-side") == ["left", "center", "right"]
    groups = shadow.attrs(".group", "data-side")
    assert groups == ["left", "center", "right"]
    links = shadow.attrs(".articles a", "href")
    assert len(links) == 5
    assert site.url(STORM_BBC) not in links, "the article itself is not in the other coverage"
    assert all(link.startswith("http://127.0.0.1:") for link in links)
    assert all(rel == "noopener noreferrer" for rel in shadow.attrs(".articles a", "rel"))
    assert shadow.query_all(".blindspot") == []
    page.screenshot(path=str(artifacts / "panel.png"))


def test_panel_in_dark_mode(page: Any, site: FixtureSite, artifacts: Any) -> None:
    page.emulate_media(color_scheme="dark")
    shadow = open_article(page, site.url(STORM_BBC))
    open_panel(shadow)
    background = shadow.call(
        shadow.query_all(".floating")[0],
        "function () { return getComputedStyle(this).backgroundColor; }",
    )
    assert background == "rgb(17, 24, 39)"
    page.screenshot(path=str(artifacts / "panel-dark.png"))


@pytest.mark.parametrize(
    ("article", "label", "sources"),
    [(UNSEEN, "Lean right", "6 sources"), (LAST_WEEK_UNSEEN, "Left", "3 sources")],
    ids=["today", "last-week"],
)
def test_an_article_the_server_never_saw_is_matched_by_its_headline(
    page: Any,
    site: FixtureSite,
    parallax: ParallaxServer,
    article: Article,
    label: str,
    sources: str,
) -> None:
    if article.dated:
        # Last week's story lies outside the window around now: the headline alone finds
        # nothing, so a match below can only come from the page's article:published_time.
        elsewhere = urllib.parse.urlencode(
            {"url": site.base + "/msnbc/news/elsewhere.html", "title": article.title}
        )
        assert parallax.get_json(f"/api/v1/lookup?{elsewhere}")["story"] is None
    shadow = open_article(page, site.url(article))
    open_panel(shadow)
    assert shadow.texts(".badge-label") == [label]
    assert shadow.texts("[data-role=match]")[0].startswith("Matched by its headline (")
    assert shadow.texts(".story-meta")[0].startswith(sources)
    # og:title is "… | The Wall Street Journal"; the server got the headline alone, the first
    # paragraph as the description (the page has no description meta), and the publication
    # time (in UTC, the page writes it at -05:00) when the page gives one.
    wait_for_request(parallax, "GET", f"/api/v1/lookup?url={site.url(article)}")
    queries = [urllib.parse.urlsplit(raw).query for raw in parallax.raw_paths]
    sent = [
        dict(urllib.parse.parse_qsl(query))
        for query in queries
        if dict(urllib.parse.parse_qsl(query)).get("url") == site.url(article)
    ]
    expected = {"url": site.url(article), "title": article.title, "description": LOREM[0]}
    if article.dated:
        published = site.now - timedelta(hours=article.hours_ago)
        expected["published"] = published.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    assert sent[-1] == expected


def test_keyboard_opens_and_escape_closes_the_panel(page: Any, site: FixtureSite) -> None:
    shadow = open_article(page, site.url(STORM_BBC))
    shadow.focus(".badge")
    page.keyboard.press("Enter")
    shadow.wait_for(".floating:not([hidden])")
    assert shadow.attrs(".badge", "aria-expanded") == ["true"]
    assert shadow.attrs(".floating", "role") == ["dialog"]
    assert shadow.attrs(".close", "aria-label") == ["Close the Parallax panel"]
    page.keyboard.press("Escape")
    shadow.wait_for(".floating[hidden]")
    assert shadow.attrs(".badge", "aria-expanded") == ["false"]
    focused = shadow.call(
        shadow.query_all(".badge")[0],
        "function () { return this.getRootNode().activeElement === this; }",
    )
    assert focused, "the focus returns to the badge"


def test_page_styles_do_not_reach_the_panel(page: Any, site: FixtureSite) -> None:
    shadow = open_article(page, site.url(STORM_BBC))
    # The fixture page sets `button { background: hotpink !important }` and small caps everywhere.
    badge = shadow.query_all(".badge")[0]
    style = shadow.call(
        badge,
        """function () {
             const s = getComputedStyle(this);
             const host = getComputedStyle(this.getRootNode().host);
             return [s.backgroundColor, s.fontVariant, host.opacity];
           }""",
    )
    assert style == ["rgb(255, 255, 255)", "normal", "1"]
    assert page.evaluate("document.querySelector('parallax-panel').shadowRoot") is None, (
        "closed root"
    )


def test_blindspot_note_when_one_side_ignores_the_story(
    page: Any, site: FixtureSite, artifacts: Any
) -> None:
    shadow = open_article(page, site.url(BORDER_FOX))
    assert shadow.texts(".badge-label") == ["Right"]
    open_panel(shadow)
    assert shadow.texts(".blindspot") == [
        "Blindspot: few or no left-leaning sources cover this story."
    ]
    page.screenshot(path=str(artifacts / "panel-blindspot.png"))


def test_unmatched_article_says_no_other_coverage(page: Any, site: FixtureSite) -> None:
    shadow = open_article(page, site.url(QUIET))
    open_panel(shadow)
    assert shadow.texts("[data-role=coverage-note]") == ["No other coverage found yet."]
    assert shadow.query_all(".split") == []


def test_unrated_page_shows_nothing_and_sends_nothing(
    page: Any, site: FixtureSite, parallax: ParallaxServer
) -> None:
    # Warm up: a rated page first, so the worker and its index are surely loaded.
    open_article(page, site.url(STORM_BBC))
    before = list(parallax.requests)
    page.goto(site.url(UNRATED))
    page.wait_for_load_state("load")
    time.sleep(1.5)
    assert page.locator("parallax-panel").count() == 0
    assert parallax.requests == before, (
        f"requests sent for an unrated page: {parallax.requests[len(before) :]}"
    )


def test_single_page_navigation_updates_the_badge(page: Any, site: FixtureSite) -> None:
    page.goto(site.url(UNRATED))
    page.wait_for_load_state("load")
    time.sleep(0.5)
    assert page.locator("parallax-panel").count() == 0
    # A single-page site moves to an article of a rated outlet without loading a document.
    page.evaluate(
        "([path, title]) => { history.pushState({}, '', path); document.title = title; }",
        [site.url(BORDER_FOX).removeprefix(site.base), BORDER_FOX.title],
    )
    shadow = Shadow(page)
    shadow.wait_for(".badge:not([data-status=loading]) .badge-label")
    assert shadow.texts(".badge-label") == ["Right"]
    page.evaluate("() => history.pushState({}, '', '/unrated/elsewhere.html')")
    page.wait_for_selector("parallax-panel", state="detached", timeout=5000)


def test_link_badges_on_a_list_page(
    page: Any, site: FixtureSite, parallax: ParallaxServer, artifacts: Any
) -> None:
    open_article(page, site.url(STORM_BBC))  # the worker and its index are warm
    time.sleep(0.3)  # the access log line of that lookup
    before = len(parallax.requests)
    page.goto(site.base + "/list.html")
    page.wait_for_selector("a.late[data-parallax]:not([data-parallax=''])", timeout=5000)
    time.sleep(0.5)
    badges = page.locator("parallax-badge")
    labels = [badges.nth(i).get_attribute("aria-label") for i in range(badges.count())]
    # 10 story links, the #comments duplicate, a Guardian link, a Google redirect, 2 late ones.
    assert len(labels) == 15, labels
    assert "Reuters: center (Parallax)" in labels
    assert "Fox News: right (Parallax)" in labels  # through www.google.com/url?q=…
    assert labels.count("Breitbart: far right (Parallax)") == 2  # one in the list, one added late
    # Every badge sits right after its link, and no link has two.
    pairs = page.evaluate(
        """() => [...document.querySelectorAll('parallax-badge')].map((b) =>
             b.previousElementSibling && b.previousElementSibling.tagName === 'A'
             && b.nextElementSibling?.tagName !== 'PARALLAX-BADGE')"""
    )
    assert all(pairs)
    assert page.locator("a[href^='mailto:'] + parallax-badge").count() == 0
    assert page.locator("a[href*='/unrated/'] + parallax-badge").count() == 0
    assert page.locator("a[href*='/unrated/']").get_attribute("data-parallax") == ""
    # More page changes: nothing is annotated twice.
    page.evaluate("document.getElementById('stories').append(document.createElement('li'))")
    time.sleep(0.6)
    assert page.locator("parallax-badge").count() == 15
    # Link badges are resolved locally: the list page cost the server nothing.
    assert parallax.requests[before:] == []
    page.screenshot(path=str(artifacts / "list.png"), full_page=True)


def test_toolbar_badge_shows_the_tabs_outlet(
    page: Any, site: FixtureSite, browser: dict[str, Any]
) -> None:
    open_article(page, site.url(BORDER_FOX))
    page.bring_to_front()
    text = browser["worker"].evaluate(
        """async () => {
             const [tab] = await chrome.tabs.query({ active: true, lastFocusedWindow: true });
             const details = { tabId: tab.id };
             const text = await chrome.action.getBadgeText(details);
             return [text, await chrome.action.getTitle(details)];
           }"""
    )
    assert text == ["R", "Parallax: Fox News — Right"]


def test_toolbar_popup_shows_the_current_tabs_panel(
    page: Any, site: FixtureSite, browser: dict[str, Any], artifacts: Any
) -> None:
    open_article(page, site.url(STORM_BBC))
    page.bring_to_front()
    browser["worker"].evaluate("() => chrome.action.openPopup()")
    popup = TargetSession(page, "/popup/popup.html")
    shadow = Shadow(None, cdp=popup)
    deadline = time.monotonic() + 5
    while "BBC News" not in shadow.texts(".outlet-name") and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    assert shadow.texts(".outlet-name") == ["BBC News"]
    assert any(text.startswith("6 sources") for text in shadow.texts(".story-meta"))
    site_label = popup.send(
        "Runtime.evaluate",
        {"expression": "document.getElementById('site-label').textContent", "returnByValue": True},
    )
    assert site_label["result"]["value"] == "Parallax on 127.0.0.1"
    height = popup.send(
        "Runtime.evaluate",
        {"expression": "document.documentElement.scrollHeight", "returnByValue": True},
    )["result"]["value"]
    assert height <= 600, f"the popup needs {height} px: Chrome shows at most 600 without scrolling"
    shot = popup.send("Page.captureScreenshot")
    (artifacts / "popup-current-tab.png").write_bytes(base64.b64decode(shot["data"]))
    popup.send("Runtime.evaluate", {"expression": "window.close()"})


def test_popup_looks_up_a_pasted_url(
    page: Any, site: FixtureSite, browser: dict[str, Any], parallax: ParallaxServer, artifacts: Any
) -> None:
    page.set_viewport_size({"width": 380, "height": 760})
    page.goto(f"chrome-extension://{browser['id']}/popup/popup.html")
    page.wait_for_selector("#current .empty, #current parallax-panel")
    guardian = site.url(STORM[2])
    page.fill("#lookup-url", guardian)
    page.click("#lookup button[type=submit]")
    shadow = Shadow(page)
    deadline = time.monotonic() + 5
    while "The Guardian" not in shadow.texts(".outlet-name") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "The Guardian" in shadow.texts(".outlet-name")
    assert any("6 sources" in text for text in shadow.texts(".story-meta"))
    wait_for_request(parallax, "GET", f"/api/v1/lookup?url={guardian}")
    page.screenshot(path=str(artifacts / "popup.png"), full_page=True)


def test_report_link_in_the_panel_opens_the_prefilled_form(
    page: Any, site: FixtureSite, browser: dict[str, Any]
) -> None:
    shadow = open_article(page, site.url(STORM_BBC))
    open_panel(shadow)
    with browser["context"].expect_page() as opened:
        shadow.click(".foot .linkish")
    options = opened.value
    options.wait_for_selector("#report-outlet option[value='bbc-news']", state="attached")
    options.wait_for_function("document.getElementById('report-outlet').value === 'bbc-news'")
    assert options.input_value("#report-url").startswith(site.url(STORM_BBC))
    options.close()


def test_report_a_wrong_rating_from_the_options_page(
    page: Any, browser: dict[str, Any], parallax: ParallaxServer, artifacts: Any
) -> None:
    page.goto(f"chrome-extension://{browser['id']}/options/options.html")
    page.wait_for_selector("#report-outlet option[value='fox-news']", state="attached")
    page.select_option("#report-outlet", "fox-news")
    page.select_option("#report-bias", "far-right")
    page.fill("#report-url", "https://www.foxnews.com/politics/x")
    page.fill("#report-message", "Their politics coverage reads further right than this.")
    page.click("#report-form button[type=submit]")
    page.wait_for_selector("#report-result.ok")
    wait_for_request(parallax, "POST", "/api/v1/feedback")
    assert "outlets" in page.text_content("#index-status")
    # Without an article and without a suggestion, too.
    page.fill("#report-url", "")
    page.select_option("#report-bias", "")
    page.fill("#report-message", "The factuality seems too generous.")
    page.evaluate("document.getElementById('report-result').className = 'message'")
    page.click("#report-form button[type=submit]")
    page.wait_for_selector("#report-result.ok")
    page.screenshot(path=str(artifacts / "options.png"), full_page=True)


def test_the_index_is_revalidated_with_its_etag(
    page: Any, browser: dict[str, Any], parallax: ParallaxServer
) -> None:
    before = len(parallax.requests)
    page.goto(f"chrome-extension://{browser['id']}/options/options.html")
    page.click("#server-form button[type=submit]")  # the same server: revalidate
    page.wait_for_selector("#server-message.ok >> text=up to date")
    wait_for_request(parallax, "GET", "/api/v1/outlets/index")
    index_statuses = [s for _, path, s in parallax.responses if path == "/api/v1/outlets/index"]
    assert len(parallax.requests) > before
    assert index_statuses[-1] == 304, "If-None-Match with the stored ETag: nothing downloaded"


def test_site_switch_turns_parallax_off(
    page: Any, site: FixtureSite, browser: dict[str, Any]
) -> None:
    worker = browser["worker"]
    switch_off = """async (sites) => {
        const { settings } = await chrome.storage.local.get('settings');
        await chrome.storage.local.set({ settings: { ...settings, disabledSites: sites } });
      }"""
    worker.evaluate(switch_off, ["127.0.0.1"])
    try:
        page.goto(site.url(STORM_BBC))
        page.wait_for_load_state("load")
        time.sleep(1)
        assert page.locator("parallax-panel").count() == 0
    finally:
        worker.evaluate(switch_off, [])


def test_link_badges_can_be_switched_off(
    page: Any, site: FixtureSite, browser: dict[str, Any]
) -> None:
    set_links = """async (on) => {
        const { settings } = await chrome.storage.local.get('settings');
        await chrome.storage.local.set({ settings: { ...settings, linkBadges: on } });
      }"""
    browser["worker"].evaluate(set_links, False)
    try:
        page.goto(site.base + "/list.html")
        page.wait_for_selector("a.late", state="attached")
        time.sleep(1)
        assert page.locator("parallax-badge").count() == 0
        assert page.locator("a[data-parallax]").count() == 0
    finally:
        browser["worker"].evaluate(set_links, True)
