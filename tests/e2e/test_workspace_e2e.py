"""The maintainers' workspace in a real Chromium against a live Parallax server (issue 10).

Editor A logs in, proposes a bias change with a reason and an evidence link; editor B logs
in and approves it; the change shows in the outlet's public history; A proposes the revert
and B approves it. No JavaScript is needed: every step is a plain form. Each workspace
page is saved as a screenshot in test-artifacts/ (workspace-*.png).
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fixture_site import FixtureSite
from harness import CHROMIUM, PARALLAX, ParallaxServer

pytestmark = pytest.mark.e2e

PASSWORD = "a long browser test password"
REASON = "A month of front pages frames the news from the centre-left, as the sample shows."
EVIDENCE = "https://example.org/bbc-sample-2026-11"
HOSTILE = "<img src=x onerror=\"document.title='pwned'\"> Please rate this outlet differently."


@pytest.fixture(scope="module")
def workspace(
    site: FixtureSite, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ParallaxServer]:
    """A seeded server with the workspace on, editors ann and ben, and queues to show."""
    server = ParallaxServer(tmp_path_factory.mktemp("workspace"), site)
    server.env["PARALLAX_SECRET_KEY"] = secrets.token_hex(32)
    server.seed()
    for name in ("ann", "ben"):
        subprocess.run(
            [str(PARALLAX), "users", "add", name, "--role", "editor", "--display-name",
             name.title(), "--password-stdin"],
            input=PASSWORD + "\n", env=server.env, check=True, capture_output=True, text=True,
            timeout=60,
        )  # fmt: skip
    # Unmatched lookups reach the table in the background, every 30 s: seed a few directly.
    with sqlite3.connect(server.workdir / "e2e.sqlite") as db:
        db.executemany(
            "INSERT INTO lookup_miss (domain, count, last_seen) VALUES (?, ?, ?)",
            [
                ("unrated-example.org", 42, "2026-12-01 10:00:00"),
                ("rare.example", 3, "2026-12-01 10:00:00"),
            ],
        )
    server.start()
    feedback = json.dumps(
        {"outlet": "bbc-news", "message": HOSTILE, "suggested_bias": "lean-left"}
    ).encode()
    request = urllib.request.Request(
        server.base + "/api/v1/feedback",
        data=feedback,
        headers={"Content-Type": "application/json"},
    )
    urllib.request.urlopen(request, timeout=10).close()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def chromium(playwright: Any) -> Iterator[Any]:
    """Debian's Chromium, headless, without the extension: the workspace needs none."""
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
    )
    yield browser
    browser.close()


def log_in(chromium: Any, server: ParallaxServer, name: str) -> Any:
    context = chromium.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.goto(server.base + "/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/maintain/outlets")
    return page


def shot(page: Any, artifacts: Path, name: str) -> None:
    page.screenshot(path=str(artifacts / f"workspace-{name}.png"), full_page=True)


def test_propose_approve_publish_and_revert_in_the_browser(
    workspace: ParallaxServer, chromium: Any, artifacts: Path
) -> None:
    base = workspace.base
    login = chromium.new_page()
    login.goto(base + "/login")
    shot(login, artifacts, "login")
    login.close()

    ann = log_in(chromium, workspace, "ann")
    ann.goto(base + "/maintain/outlets?country=GB")
    shot(ann, artifacts, "outlets")
    ann.click("text=BBC News")
    ann.wait_for_url("**/maintain/outlets/bbc-news")
    ann.select_option("#propose select[name=bias]", "lean-left")
    ann.fill("#propose textarea[name=reason]", REASON)
    ann.fill("#propose input[name=evidence_url_1]", EVIDENCE)
    ann.fill("#propose textarea[name=note]", "Checked with the style guide; internal.")
    shot(ann, artifacts, "outlet")
    ann.click("#propose button[type=submit]")
    assert "waiting for another editor" in ann.inner_text(".flash")

    ben = log_in(chromium, workspace, "ben")
    ben.goto(base + "/maintain/review")
    assert REASON in ben.inner_text("main")
    shot(ben, artifacts, "review")
    ben.click("article.proposal form:first-of-type button:has-text('Approve')")
    assert "is applied" in ben.inner_text(".flash")
    assert workspace.get_json("/api/v1/outlets/bbc-news")["bias"] == "lean-left"

    public = chromium.new_page()
    public.goto(base + "/outlets/bbc-news/history")
    text = public.inner_text("main")
    assert REASON in text and EVIDENCE in text and "approved by Ben" in text
    assert "internal" not in text
    shot(public, artifacts, "history")

    ann.goto(base + "/maintain/outlets/bbc-news")
    ann.click("article.change summary")
    ann.fill(
        "article.change textarea[name=reason]", "Reverting: the sample was from one week only."
    )
    ann.click("article.change button:has-text('Propose the revert')")
    assert "reverts change" in ann.inner_text(".flash")
    ben.goto(base + "/maintain/review")
    ben.click("article.proposal form:first-of-type button:has-text('Approve')")
    assert "is applied" in ben.inner_text(".flash")
    assert workspace.get_json("/api/v1/outlets/bbc-news")["bias"] == "center"
    public.goto(base + "/outlets/bbc-news/history")
    assert public.inner_text("main").count("Reverting: the sample") == 1

    ben.goto(base + "/maintain/feedback")
    assert HOSTILE in ben.inner_text("main")  # shown as text, never run
    assert ben.title() != "pwned"
    shot(ben, artifacts, "feedback")
    ben.goto(base + "/maintain/demand")
    assert "propose a new outlet" in ben.inner_text("main")
    shot(ben, artifacts, "demand")
    ben.click("text=propose a new outlet")
    assert ben.input_value("input[name=rules]") == "unrated-example.org"
    shot(ben, artifacts, "new-outlet")
    ben.goto(base + "/maintain/account")
    shot(ben, artifacts, "account")
    for page in (ann, ben, public):
        page.context.close()
