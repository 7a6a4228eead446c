"""Data safety (issue 13, item 7): backups, SIGKILL mid-import, migrating a database with data.

The SIGKILL tests run the real ``parallax`` command on an SQLite file and kill it while it
writes; the database must be consistent afterwards and running the command again must give
what one uninterrupted run gives.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import create_engine, text

from server import create_app
from server.db import make_engine, upgrade
from server.services import get_services

PARALLAX = Path(sys.executable).with_name("parallax")
OUTLETS_CSV = Path(__file__).resolve().parents[1] / "data" / "outlets.csv"
NOW = datetime.now(UTC).replace(microsecond=0)


def _env(database: Path) -> dict[str, str]:
    env = {**os.environ, "PARALLAX_DATABASE_URL": f"sqlite:///{database}"}
    env["PARALLAX_LOAD_STARTER_DATA"] = "false"
    return env


def _parallax(database: Path, *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(PARALLAX), *args], env=_env(database), capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def _count(database: Path, table: str) -> int:
    with sqlite3.connect(database, timeout=30) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def _kill_midway(database: Path, table: str, total: int, *args: str) -> int:
    """Start ``parallax *args``, SIGKILL it once ``table`` holds some of ``total`` rows."""
    process = subprocess.Popen(
        [str(PARALLAX), *args],
        env=_env(database),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            rows = _count(database, table) if database.exists() else 0
            if 0 < rows < total:
                process.send_signal(signal.SIGKILL)
                break
            time.sleep(0.05)
    finally:
        process.wait(timeout=30)
        if process.stderr:
            process.stderr.close()
    assert process.returncode == -signal.SIGKILL, "the command ended before it could be killed"
    return _count(database, table)


def _assert_consistent(database: Path) -> None:
    """Check SQLite's integrity, foreign keys and every story's counts against its articles."""
    with sqlite3.connect(database) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        wrong = conn.execute(
            "SELECT s.id FROM story s LEFT JOIN article a ON a.story_id = s.id "
            "GROUP BY s.id HAVING count(a.id) != s.article_count"
        ).fetchall()
        assert wrong == [], "stories whose article_count is not their articles'"
        assert conn.execute("SELECT count(*) FROM article WHERE story_id IS NULL").fetchone() == (
            0,
        )


def _stories_by_url(database: Path) -> set[frozenset[str]]:
    """Return the partition of article URLs into stories, whatever the stories' ids."""
    with sqlite3.connect(database) as conn:
        groups: dict[int, set[str]] = {}
        for story_id, url in conn.execute("SELECT story_id, url FROM article"):
            groups.setdefault(story_id, set()).add(url)
    return {frozenset(urls) for urls in groups.values()}


def _articles(path: Path, count: int) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for n in range(count):
            row = {
                "url": f"https://www.bbc.co.uk/news/item-{n}",
                "title": f"Council {n % 400} votes on the {n % 9} budget plan, report {n}",
                "published_at": (NOW - timedelta(minutes=3 * n)).isoformat(),
            }
            out.write(json.dumps(row) + "\n")
    return path


def test_sigkill_mid_ingest_leaves_whole_batches_and_a_rerun_completes_it(
    tmp_path: Path,
) -> None:
    articles = _articles(tmp_path / "articles.jsonl", 6000)
    killed, clean = tmp_path / "killed.sqlite", tmp_path / "clean.sqlite"
    for database in (killed, clean):
        _parallax(database, "db", "upgrade")
        _parallax(database, "outlets", "import", str(OUTLETS_CSV))
    stored = _kill_midway(killed, "article", 6000, "ingest", "file", str(articles))
    assert stored % 500 == 0, "only whole committed batches stay"
    _assert_consistent(killed)
    again = _parallax(killed, "ingest", "file", str(articles))
    assert f"{6000 - stored} new articles, {stored} duplicates" in again.stdout
    _assert_consistent(killed)
    _parallax(clean, "ingest", "file", str(articles))
    assert _stories_by_url(killed) == _stories_by_url(clean), "the same stories as one clean run"


def _outlets(path: Path, copies: int) -> tuple[Path, int]:
    """Write data/outlets.csv ``copies`` times over, each copy under new slugs and domains."""
    with OUTLETS_CSV.open(encoding="utf-8", newline="") as source:
        rows = list(csv.DictReader(source))
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        for copy in range(copies):
            for row in rows:
                domains = " ".join(f"c{copy}.{d}" for d in row["domains"].split())
                feeds = " ".join(f"{f}?c={copy}" for f in row["feeds"].split())
                writer.writerow(
                    {**row, "slug": f"{row['slug']}-{copy}", "domains": domains, "feeds": feeds}
                )
    return path, copies * len(rows)


def test_sigkill_mid_outlet_import_leaves_nothing_half_done(tmp_path: Path) -> None:
    path, total = _outlets(tmp_path / "outlets.csv", 8)
    database = tmp_path / "outlets.sqlite"
    _parallax(database, "db", "upgrade")
    process = subprocess.Popen(
        [str(PARALLAX), "outlets", "import", str(path)],
        env=_env(database),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(1.5)  # reading, validating and writing take several seconds
    assert process.poll() is None, "the import ended before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert _count(database, "outlet") in (0, total), "an import is all or nothing"
    assert _count(database, "rating_change") in (0, total)
    _assert_consistent(database)
    done = _parallax(database, "outlets", "import", str(path))
    assert _count(database, "outlet") == total
    assert _count(database, "rating_change") == total
    assert "created" in done.stdout


def test_backup_copies_a_consistent_database_while_a_writer_holds_the_lock(
    seeded: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    engine = get_services(seeded).engine
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL backups are pg_dump's: see the next test")
    assert engine.url.database
    writer = sqlite3.connect(engine.url.database, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # an ingest in the middle of a batch
    writer.execute("DELETE FROM outlet")  # not committed: the copy must not see it
    try:
        result = runner.invoke(args=["db", "backup", str(tmp_path / "copy.sqlite")])
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert result.exit_code == 0, result.output
    assert "integrity ok" in result.output
    with sqlite3.connect(tmp_path / "copy.sqlite") as copy:
        assert copy.execute("SELECT count(*) FROM outlet").fetchone()[0] == 10
    again = runner.invoke(args=["db", "backup", str(tmp_path / "copy.sqlite")])
    assert again.exit_code == 1 and "never overwrites" in again.output


def test_backup_of_postgresql_prints_the_pg_dump_command(
    seeded: Flask, runner: FlaskCliRunner
) -> None:
    if get_services(seeded).engine.dialect.name != "postgresql":
        pytest.skip("SQLite is copied by the command itself")
    result = runner.invoke(args=["db", "backup", "parallax.dump"])
    assert result.exit_code == 0
    assert "pg_dump --format=custom --file=parallax.dump postgresql://" in result.output
    assert "+psycopg" not in result.output


def test_a_database_at_the_first_migration_keeps_its_data_through_head(tmp_path: Path) -> None:
    from alembic.script import ScriptDirectory

    from server.db import alembic_config

    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    engine = make_engine(url)
    (first,) = ScriptDirectory.from_config(alembic_config(engine)).get_bases()
    upgrade(engine, first)
    when = "2026-11-29 08:00:00.000000"
    rows = {
        "outlet": "INSERT INTO outlet (id, slug, name, country, bias, factuality, ownership, "
        "paywall, version, created_at, updated_at) VALUES (1, 'bbc-news', 'BBC News', 'GB', "
        f"'center', 'high', 'public', 0, 1, '{when}', '{when}')",
        "outlet_rule": "INSERT INTO outlet_rule (id, outlet_id, host, path) VALUES "
        "(1, 1, 'bbc.co.uk', '')",
        "provider_rating": "INSERT INTO provider_rating (id, outlet_id, provider, bias) VALUES "
        "(1, 1, 'mbfc', 'left-center')",
        "story": "INSERT INTO story (id, title, first_seen, last_seen, article_count, "
        f"outlet_count) VALUES (7, 'Volcano erupts', '{when}', '{when}', 1, 1)",
        "article": "INSERT INTO article (id, url, url_key, domain, outlet_id, title, "
        "published_at, first_seen, source, story_id) VALUES (3, "
        "'https://www.bbc.co.uk/news/volcano', 'bbc.co.uk/news/volcano', 'bbc.co.uk', 1, "
        f"'Volcano erupts', '{when}', '{when}', 'file', 7)",
        "feed": "INSERT INTO feed (id, outlet_id, url) VALUES (1, 1, "
        "'https://feeds.bbci.co.uk/news/rss.xml')",
        "feedback": "INSERT INTO feedback (id, outlet_slug, message, created_at) VALUES "
        f"(1, 'bbc-news', 'too kind', '{when}')",
        "rating_change": "INSERT INTO rating_change (id, outlet_slug, changed_at, actor, "
        f"changes, reason) VALUES (1, 'bbc-news', '{when}', 'cli', '{{}}', 'first import')",
    }
    with engine.begin() as conn:
        for statement in rows.values():
            conn.execute(text(statement))
    before = _dump(engine.url.render_as_string(), rows)
    upgrade(engine)  # to head
    engine.dispose()
    assert _dump(url, rows) == before, "every row of the first schema is still there"
    app = create_app({"DATABASE_URL": url, "LOAD_STARTER_DATA": False, "TESTING": True})
    answer = app.test_client().get("/api/v1/lookup?url=https://www.bbc.co.uk/news/volcano")
    assert answer.get_json()["outlet"]["slug"] == "bbc-news"
    assert answer.get_json()["story"]["id"] == 7
    get_services(app).engine.dispose()


def _dump(url: str, tables: dict[str, str]) -> dict[str, list[tuple[object, ...]]]:
    """Return every row of ``tables`` in the columns the first schema had."""
    engine = create_engine(url)
    columns = {
        table: statement.split("(", 1)[1].split(")", 1)[0] for table, statement in tables.items()
    }
    with engine.connect() as conn:
        dumped = {
            table: [tuple(row) for row in conn.execute(text(f"SELECT {cols} FROM {table}"))]
            for table, cols in columns.items()
        }
    engine.dispose()
    return dumped
