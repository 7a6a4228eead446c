"""The database: the engine and the migrations.

Plain SQLAlchemy rather than a Flask extension, so the CLI, the benches and the tests use
the same engine with or without an app (:mod:`server.services` opens one session per
request). The schema is owned by Alembic (``server/migrations``); ``upgrade`` brings any
database to the newest revision.
"""

from __future__ import annotations

import shlex
import sqlite3
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

MIGRATIONS = Path(__file__).with_name("migrations")


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and a busy timeout."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        # WAL lets readers go on while one writer commits; an in-memory database has none.
        if parsed.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return engine


def backup_sqlite(engine: Engine, target: Path) -> None:
    """Copy an SQLite database to ``target`` with SQLite's online backup API.

    The copy is consistent (one read transaction, which in WAL mode blocks no writer) while
    the service goes on serving and ingesting; it is then checked with ``integrity_check``.
    Raises FileExistsError rather than overwrite ``target``, ValueError when it is not sound.
    """
    if target.exists():
        raise FileExistsError(f"{target} exists: choose a new file, a backup never overwrites")
    source = engine.raw_connection()
    try:
        destination = sqlite3.connect(target)
        try:
            source.driver_connection.backup(destination)  # type: ignore[union-attr]
            (verdict,) = destination.execute("PRAGMA integrity_check").fetchone()
        finally:
            destination.close()
    finally:
        source.close()
    if verdict != "ok":
        target.unlink()
        raise ValueError(f"the copy failed SQLite's integrity check: {verdict}")


def pg_dump_command(engine: Engine, target: Path) -> str:
    """Return the ``pg_dump`` command that backs up this PostgreSQL database to ``target``."""
    url = engine.url.set(drivername="postgresql", password=None)
    command = ["pg_dump", "--format=custom", f"--file={target}", url.render_as_string()]
    return " ".join(shlex.quote(part) for part in command)


def alembic_config(engine: Engine) -> Config:
    """Return an Alembic configuration bound to an engine."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database to ``revision`` (the newest by default)."""
    command.upgrade(alembic_config(engine), revision)


def default_url(instance_path: str | Path) -> str:
    """Return the embedded default: an SQLite file in the instance folder."""
    Path(instance_path).mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{Path(instance_path) / 'parallax.sqlite'}"
