"""A long SQLite ingest never stalls the service's own writes (issue 13, item 0).

The ingest commits in batches and a request waits for SQLite's write lock only
``BUSY_TIMEOUT`` (0.5 s): it answers stored, or 503 with Retry-After, within a second.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server import ingest
from server.ingest import ingest_file
from server.models import Article
from server.services import get_services

PARALLAX = Path(sys.executable).with_name("parallax")
NOW = datetime.now(UTC).replace(microsecond=0)


def _sqlite_path(app: Flask) -> str:
    engine = get_services(app).engine
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's one write lock is what this is about")
    assert engine.url.database
    return engine.url.database


def write_articles(path: Path, count: int, prefix: str = "a") -> Path:
    """Write ``count`` articles on a few hundred subjects as JSON lines."""
    with path.open("w", encoding="utf-8") as out:
        for n in range(count):
            when = NOW - timedelta(minutes=n % 4000)
            row = {
                "url": f"https://site{n % 50}.example/{prefix}/{n}",
                "title": f"Council {n % 300} votes on budget plan {n % 7} for district {n}",
                "published_at": when.isoformat(),
            }
            out.write(json.dumps(row) + "\n")
    return path


def test_a_write_blocked_by_the_lock_answers_503_with_retry_after(app: Flask) -> None:
    holder = sqlite3.connect(_sqlite_path(app), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # as an ingest's batch holds it
    try:
        started = time.monotonic()
        response = app.test_client().post("/api/v1/feedback", json={"message": "too left"})
        waited = time.monotonic() - started
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "1"
    assert response.mimetype == "application/problem+json"
    assert waited < 1.0


def test_feedback_during_a_long_ingest_answers_within_a_second(app: Flask, tmp_path: Path) -> None:
    database = _sqlite_path(app)
    path = write_articles(tmp_path / "big.jsonl", 4000)
    env = {**os.environ, "PARALLAX_DATABASE_URL": f"sqlite:///{database}"}
    env["PARALLAX_LOAD_STARTER_DATA"] = "false"
    loader = subprocess.Popen(
        [str(PARALLAX), "ingest", "file", str(path)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    client = app.test_client()
    answers: list[tuple[int, float]] = []
    while loader.poll() is None:
        started = time.monotonic()
        response = client.post("/api/v1/feedback", json={"message": "during the ingest"})
        answers.append((response.status_code, time.monotonic() - started))
        time.sleep(0.05)
    output, _ = loader.communicate()
    assert loader.returncode == 0, output
    assert b"4000 new articles" in output
    assert len(answers) >= 10, "the ingest ended before the requests could overlap it"
    assert {status for status, _ in answers} <= {201, 503}
    assert max(waited for _, waited in answers) < 1.0


def test_a_file_is_committed_in_batches_and_a_rerun_finishes_it(
    app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_articles(tmp_path / "five.jsonl", 5)
    services = get_services(app)
    monkeypatch.setattr(ingest, "BATCH", 2)
    real = ingest.add_articles
    calls = 0

    def failing_third_batch(*args: object, **kwargs: object) -> ingest.IngestResult:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise RuntimeError("the machine went down")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ingest, "add_articles", failing_third_batch)
    with services.sessions() as session, pytest.raises(RuntimeError):
        ingest_file(session, services.catalog.get(session), services.stories, path)
    assert _count(services.sessions()) == 4, "the two batches before the failure stay"
    monkeypatch.setattr(ingest, "add_articles", real)
    with services.sessions() as session:
        again = ingest_file(session, services.catalog.get(session), services.stories, path)
    assert (again.added, again.duplicates) == (1, 4)
    assert _count(services.sessions()) == 5


def _count(session: Session) -> int:
    with session:
        return session.scalar(select(func.count()).select_from(Article)) or 0


def test_a_lookup_that_cannot_learn_for_the_lock_still_answers(
    seeded: Flask, make_app: Callable[..., Flask]
) -> None:
    app = make_app(LEARN_FROM_LOOKUPS=True, CATALOG_TTL=0.0)
    holder = sqlite3.connect(_sqlite_path(app), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        response = app.test_client().get(
            "/api/v1/lookup",
            query_string={"url": "https://www.bbc.co.uk/news/x", "title": "Storm hits coast"},
        )
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert response.status_code == 200
    assert response.get_json()["outlet"]["slug"] == "bbc-news"
