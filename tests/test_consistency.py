"""Every worker finds every stored article, whatever order the writers commit in (issue 13).

On PostgreSQL ids are handed out at insert and become visible at commit, so an ingest that
commits inside a longer one shows higher ids first; a worker that only read ``id > mark``
lost the longer one's articles until a restart.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session

from server import stories as stories_module
from server.ingest import NewArticle, add_articles
from server.services import get_services
from server.stories import open_ranges

NOW = datetime.now(UTC).replace(microsecond=0)
SUBJECTS = ["volcano erupts near Reykjavik", "orchid rediscovered in Madagascar"]


def _articles(prefix: str, subject: str, count: int) -> list[NewArticle]:
    return [
        NewArticle(
            f"https://www.bbc.co.uk/news/{prefix}-{n}",
            f"{subject.capitalize()}, report {prefix} {n}",
            NOW - timedelta(minutes=n),
        )
        for n in range(count)
    ]


def _ingest(app: Flask, session: Session, articles: list[NewArticle]) -> None:
    """Add articles through ``app``'s worker in ``session``, leaving the commit to the caller."""
    services = get_services(app)
    add_articles(session, services.catalog.get(session), services.stories, articles, "file")


def _found_by_url(app: Flask, urls: list[str]) -> list[str]:
    """Return the URLs whose lookup on ``app`` names no story."""
    client = app.test_client()
    lost = []
    for url in urls:
        answer = client.get("/api/v1/lookup", query_string={"url": url}).get_json()
        if answer["story"] is None or answer["story"]["match"]["method"] != "url":
            lost.append(url)
    return lost


@pytest.fixture
def workers(seeded: Flask, make_app: Callable[..., Flask]) -> list[Flask]:
    """Return three workers on the seeded database, each with its own story index."""
    if get_services(seeded).engine.dialect.name == "sqlite":
        pytest.skip("SQLite has one writer at a time: commits cannot interleave")
    made = [make_app(CATALOG_TTL=0.0, LOAD_STARTER_DATA=False) for _ in range(3)]
    for app in made:  # each builds its index now, as a serving worker does
        assert _found_by_url(app, ["https://www.bbc.co.uk/news/warm-up"])
    return made


def _interleave(workers: list[Flask]) -> list[str]:
    """Run a long ingest on the first worker with a short one committed inside it."""
    long, short = _articles("long", SUBJECTS[0], 40), _articles("short", SUBJECTS[1], 10)
    first, second, third = workers
    services = get_services(first)
    with services.sessions() as long_session, get_services(second).sessions() as short_session:
        _ingest(first, long_session, long)  # inserted (lower ids), not committed
        _ingest(second, short_session, short)
        short_session.commit()
        # Every worker catches up now: the short ingest's higher ids are all it can see.
        for app in workers:
            assert _found_by_url(app, [short[0].url]) == []
        assert _found_by_url(third, [long[0].url]) == [long[0].url]
        long_session.commit()
    return [a.url for a in long + short]


def test_interleaved_ingests_are_found_by_url_on_every_worker(workers: list[Flask]) -> None:
    urls = _interleave(workers)
    for number, app in enumerate(workers):
        assert _found_by_url(app, urls) == [], f"worker {number} lost articles"


def test_reconciliation_finds_what_a_given_up_gap_hid(
    workers: list[Flask], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stories_module, "GAP_SECONDS", 0.0)  # every gap given up at once
    urls = _interleave(workers)
    third = workers[2]
    assert _found_by_url(third, urls[:1]) == urls[:1], "without reconciling, the gap is lost"
    monkeypatch.setattr(stories_module, "RECONCILE_SECONDS", 0.0)
    assert _found_by_url(third, urls) == []


@pytest.mark.parametrize(
    ("lo", "hi", "found", "expected"),
    [
        (1, 10, [], [(1, 10)]),
        (1, 10, [1, 10], [(2, 9)]),
        (1, 10, [3, 4, 8], [(1, 2), (5, 7), (9, 10)]),
        (5, 6, [1, 5, 6, 20], []),
        (5, 4, [], []),
    ],
)
def test_open_ranges_are_the_ids_not_found(
    lo: int, hi: int, found: list[int], expected: list[tuple[int, int]]
) -> None:
    assert open_ranges(lo, hi, found) == expected


def test_a_serving_worker_catches_up_in_its_own_thread_not_in_requests(
    seeded: Flask, make_app: Callable[..., Flask]
) -> None:
    """`serve` starts a refresher per worker: a lookup never reads new articles itself."""
    reader, writer = make_app(CATALOG_TTL=0.0), make_app(CATALOG_TTL=0.0)  # always stale
    services = get_services(reader)
    with services.sessions() as session:
        services.stories.index(session)
    reads: list[str] = []  # the threads that read new articles
    event.listen(
        services.engine,
        "before_cursor_execute",
        lambda *args: (
            reads.append(threading.current_thread().name) if "article.id >" in args[2] else None
        ),
    )
    services.stories.keep_fresh(services.sessions)
    articles = _articles("later", SUBJECTS[0], 5)
    try:
        with get_services(writer).sessions() as session:
            _ingest(writer, session, articles)
            session.commit()
        deadline = time.monotonic() + 10
        while _found_by_url(reader, [a.url for a in articles]) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _found_by_url(reader, [a.url for a in articles]) == []
        assert reads and set(reads) == {"story-index"}
    finally:
        services.stories.stop_refreshing()
