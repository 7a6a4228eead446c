"""Starter data: the curated outlets and the demo articles, loaded into an empty database.

A fresh ``parallax serve`` should show something real: the project's own ratings from
``data/outlets.csv`` and, so that stories have several sides from the first minute, the
demo articles in ``data/demo_articles.jsonl`` (marked as demo content, their times moved
so the newest is now). Neither is loaded into a database that already holds outlets.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .catalog import load_catalog
from .db import upgrade
from .ingest import NewArticle, add_articles
from .models import Outlet
from .outlet_csv import read_csv
from .outlets import import_records
from .services import Services
from .stories import StoryService

DATA_DIR = Path(__file__).resolve().parents[1] / "data"


def is_empty(session: Session) -> bool:
    """Return True when no outlet is stored yet."""
    return not session.scalar(select(func.count()).select_from(Outlet))


def load_outlets(session: Session, path: Path) -> int:
    """Import the curated outlets file; return how many outlets were created."""
    with path.open(encoding="utf-8", newline="") as stream:
        records = read_csv(stream)
    result = import_records(
        session, records, actor="parallax", reason=f"starter data from {path.name}"
    )
    return len(result.created)


def demo_articles(path: Path, now: datetime | None = None) -> list[NewArticle]:
    """Read the demo articles, shifted in time so the newest was published ``now``."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    times = [datetime.fromisoformat(r["published_at"]) for r in rows]
    shift = (now or datetime.now(UTC)) - max(times)
    return [
        NewArticle(
            url=row["url"],
            title=row["title"],
            published_at=when + shift,
            description=row.get("description"),
        )
        for row, when in zip(rows, times, strict=True)
    ]


def load_starter_data(session: Session, stories: StoryService, data_dir: Path = DATA_DIR) -> str:
    """Load the outlets and demo articles into an empty database; say what was done."""
    if not is_empty(session):
        return "database already holds outlets: starter data not loaded"
    created = load_outlets(session, data_dir / "outlets.csv")
    session.flush()
    demo = data_dir / "demo_articles.jsonl"
    added = 0
    if demo.exists():
        catalog = load_catalog(session)
        result = add_articles(session, catalog, stories, demo_articles(demo), "demo")
        added = result.added
    session.commit()
    return f"loaded {created} outlets and {added} demo articles"


def prepare(services: Services, session: Session, load: bool = True) -> str:
    """Migrate the database and, when ``load``, fill an empty one; say what was done."""
    upgrade(services.engine)
    if not load:
        return "starter data switched off"
    return load_starter_data(session, services.stories)
