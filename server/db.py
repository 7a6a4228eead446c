"""The database: engine, one session per request, and migrations.

Plain SQLAlchemy rather than a Flask extension, so the CLI, the benches and the tests use
the same engine and sessions with or without an app. The schema is owned by Alembic
(``server/migrations``); ``upgrade`` brings any database to the newest revision.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

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


def alembic_config(engine: Engine) -> Config:
    """Return an Alembic configuration bound to an engine."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database to ``revision`` (the newest by default)."""
    command.upgrade(alembic_config(engine), revision)


def init_app(app: Flask) -> None:
    """Create the app's engine and session factory and close sessions on teardown."""
    url = app.config["DATABASE_URL"] or default_url(app)
    app.config["DATABASE_URL"] = url
    engine = make_engine(url)
    app.extensions["parallax.engine"] = engine
    app.extensions["parallax.sessions"] = sessionmaker(engine, expire_on_commit=False)
    app.teardown_appcontext(close_session)


def default_url(app: Flask) -> str:
    """Return the embedded default: an SQLite file in the instance folder."""
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{Path(app.instance_path) / 'parallax.sqlite'}"


def get_engine() -> Engine:
    """Return the current app's engine."""
    engine: Engine = current_app.extensions["parallax.engine"]
    return engine


def get_session() -> Session:
    """Return this request's session, opening it on first use."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["parallax.sessions"]()
    session: Session = g.db_session
    return session


def close_session(_exc: BaseException | None = None) -> None:
    """Close this request's session, if one was opened."""
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
