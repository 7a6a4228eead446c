"""The services one app holds, typed, and the one way to reach them.

``create_app`` builds a :class:`Services` once and keeps it on the app; views and commands
reach it with :func:`get_services` (and this request's database session with
:func:`get_session`) instead of string keys, so a type checker sees what each one uses.
Use cases take the services they need as arguments and never look them up themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, g, has_request_context
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from .catalog import Catalog, CatalogCache
from .coverage import BlindspotRule
from .db import default_url, make_engine
from .misses import MissCounter
from .stories import StoryService

EXTENSION = "parallax"


@dataclass(frozen=True)
class Services:
    """Everything a request or a command needs beyond its own input."""

    engine: Engine
    sessions: sessionmaker[Session]
    catalog: CatalogCache
    stories: StoryService
    misses: MissCounter
    blindspot_rule: BlindspotRule
    learn_from_lookups: bool
    max_batch: int

    @classmethod
    def from_config(cls, config: dict[str, Any], instance_path: str) -> Services:
        """Build the services from the app's settings; an empty URL means SQLite."""
        url = config["DATABASE_URL"] or default_url(instance_path)
        config["DATABASE_URL"] = url
        engine = make_engine(url)
        if engine.dialect.name == "sqlite":
            _short_waits_for_requests(engine, float(config["BUSY_TIMEOUT"]))
        return cls(
            engine=engine,
            sessions=sessionmaker(engine, expire_on_commit=False),
            catalog=CatalogCache(float(config["CATALOG_TTL"])),
            stories=StoryService.from_config(config),
            misses=MissCounter(engine),
            blindspot_rule=BlindspotRule(
                min_rated_outlets=int(config["BLINDSPOT_MIN_OUTLETS"]),
                dominant_share=float(config["BLINDSPOT_DOMINANT"]),
                max_other_share=float(config["BLINDSPOT_MAX_SHARE"]),
            ),
            learn_from_lookups=bool(config["LEARN_FROM_LOOKUPS"]),
            max_batch=int(config["MAX_BATCH"]),
        )


def _short_waits_for_requests(engine: Engine, seconds: float) -> None:
    """Make a request wait ``seconds`` for SQLite's write lock, a command 30 s as before.

    A long ingest holds the lock for one batch at a time; a request that waited 30 s for it
    held a worker's thread all along (eight of them stopped /healthz). A request that cannot
    get it in time answers 503 with Retry-After (:mod:`server.errors`).
    """
    request_ms, command_ms = int(seconds * 1000), 30_000

    @event.listens_for(engine, "checkout")
    def _busy_timeout(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        waiting = request_ms if has_request_context() else command_ms
        dbapi_connection.execute(f"PRAGMA busy_timeout = {waiting}")


def init_app(app: Flask) -> Services:
    """Build the app's services, keep them on the app and close sessions on teardown."""
    services = Services.from_config(app.config, app.instance_path)
    app.extensions[EXTENSION] = services
    app.teardown_appcontext(close_session)
    return services


def get_services(app: Flask | None = None) -> Services:
    """Return the services of ``app`` (the current app by default)."""
    services = (app or current_app).extensions[EXTENSION]
    assert isinstance(services, Services)
    return services


def get_session() -> Session:
    """Return this request's (or command's) session, opening it on first use."""
    if "db_session" not in g:
        g.db_session = get_services().sessions()
    session: Session = g.db_session
    return session


def close_session(_exc: BaseException | None = None) -> None:
    """Close this request's session, if one was opened."""
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def current_catalog() -> Catalog:
    """Return this worker's catalog of outlets; the database is asked only when it is stale."""
    cache = get_services().catalog
    return cache.fresh() or cache.get(get_session())
