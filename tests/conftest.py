"""Shared fixtures: an app on a migrated database, a client, a CLI runner, seeded outlets.

The suite runs on SQLite by default and on any database named by
``PARALLAX_TEST_DATABASE_URL`` (``.ci/run`` points it at PostgreSQL when one answers).
The schema is migrated once per session with Alembic; each test starts from empty tables.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import text

from server import create_app
from server.db import make_engine, upgrade
from server.models import Base
from server.services import get_services

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session", params=["sqlite", "other"])
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """Return the URL of a freshly migrated test database: SQLite, then the other one."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
    else:
        url = os.environ.get("PARALLAX_TEST_DATABASE_URL", "")
        if not url:
            pytest.skip("PARALLAX_TEST_DATABASE_URL is not set: SQLite only")
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    engine.dispose()
    yield url


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    """Return an app on the test database, its tables emptied."""
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "LOAD_STARTER_DATA": False,
            "CATALOG_TTL": 0.0,
            "RATE_LIMIT": "100000 per minute",
            "SECRET_KEY": "test-secret-key",
        }
    )
    engine = get_services(app).engine
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # TRUNCATE, not DELETE: the audit trail refuses row deletes (migration 0002).
            names = ", ".join(table.name for table in Base.metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())
    yield app
    engine.dispose()


@pytest.fixture
def make_app(database_url: str) -> Iterator[Callable[..., Flask]]:
    """Return a factory of extra apps on the test database (closed after the test)."""
    made: list[Flask] = []

    def make(**config: Any) -> Flask:
        made.append(create_app({"TESTING": True, "DATABASE_URL": database_url, **config}))
        return made[-1]

    yield make
    for app in made:
        get_services(app).engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """Return a test client."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """Return a runner for the ``parallax`` commands."""
    return app.test_cli_runner()


@pytest.fixture
def seeded(app: Flask, runner: FlaskCliRunner) -> Flask:
    """Load the small outlet fixture (tests/data/outlets_small.csv)."""
    result = runner.invoke(args=["outlets", "import", str(DATA / "outlets_small.csv")])
    assert result.exit_code == 0, result.output
    return app


# --- maintainers (issue 10) --------------------------------------------------------------------

PASSWORD = "correct horse battery staple"


@pytest.fixture
def maintainers(seeded: Flask, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Create editors ann, ben and cat, triager tom and admin ada; return a token per editor.

    Tokens are named ``<user>`` (scope review) and ``<user>-propose`` (scope propose).
    Passwords are still Argon2id, with the smallest cost, so the suite stays quick.
    """
    from argon2 import PasswordHasher

    from server import accounts
    from server.services import get_services

    monkeypatch.setattr(
        accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )

    tokens: dict[str, str] = {}
    with get_services(seeded).sessions() as session:
        for name, role in [
            ("ann", "editor"),
            ("ben", "editor"),
            ("cat", "editor"),
            ("tom", "triager"),
            ("ada", "admin"),
        ]:
            accounts.add_user(session, name, role, PASSWORD, name.title())
        session.flush()
        for name in ("ann", "ben", "cat"):
            tokens[name] = accounts.create_token(session, name, name, "review")[1]
            tokens[f"{name}-propose"] = accounts.create_token(
                session, f"{name}-p", name, "propose"
            )[1]
        session.commit()
    return tokens
