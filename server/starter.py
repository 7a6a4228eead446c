"""Starter data: the curated outlets and the demo articles, loaded into an empty database.

A fresh ``parallax serve`` should show something real: the project's own ratings from
``data/outlets.csv`` and, so that stories have several sides from the first minute, the
demo articles in ``data/demo_articles.jsonl`` (stored with the source ``demo``, which every
page and answer shows; their times moved so the newest is now). Neither is loaded into a
database that already holds outlets.

Demo articles are re-dated each time the server starts (:func:`redate_demo`): stories are
matched within a window of days, so demo stories dated at the first start would stop
matching headlines a few days later.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .catalog import load_catalog
from .db import upgrade
from .ingest import NewArticle, add_articles
from .models import Article, Outlet, Story, utcnow
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


DEMO_SOURCE = "demo"  # the Article.source of demo articles


def load_starter_data(
    session: Session, stories: StoryService, data_dir: Path = DATA_DIR, now: datetime | None = None
) -> str:
    """Load the outlets and demo articles into an empty database; say what was done.

    The newest demo article is dated ``now`` (the current time by default)."""
    if not is_empty(session):
        return "database already holds outlets: starter data not loaded"
    created = load_outlets(session, data_dir / "outlets.csv")
    session.flush()
    demo = data_dir / "demo_articles.jsonl"
    added = 0
    if demo.exists():
        catalog = load_catalog(session)
        result = add_articles(session, catalog, stories, demo_articles(demo, now), DEMO_SOURCE)
        added = result.added
    session.commit()
    return f"loaded {created} outlets and {added} demo articles"


def redate_demo(session: Session, now: datetime | None = None) -> int:
    """Move every demo article in time so the newest was published ``now``; return how many.

    The stories holding them get their time span again from their articles. Other articles
    keep their times. Nothing moves when the demo is less than a minute old.
    """
    demo = session.scalars(select(Article).where(Article.source == DEMO_SOURCE)).all()
    times = [a.published_at for a in demo if a.published_at is not None]
    if not times:
        return 0
    shift = (now or utcnow()) - max(times)
    if abs(shift) < timedelta(minutes=1):
        return 0
    for article in demo:
        if article.published_at is not None:
            article.published_at += shift
        article.first_seen += shift
    story_ids = {a.story_id for a in demo if a.story_id is not None}
    for story_id in sorted(story_ids):
        story = session.get(Story, story_id)
        members = session.scalars(select(Article).where(Article.story_id == story_id)).all()
        spans = [a.published_at or a.first_seen for a in members]
        if story is not None and spans:
            story.first_seen, story.last_seen = min(spans), max(spans)
    session.commit()
    return len(demo)


def prepare(services: Services, session: Session, load: bool = True) -> str:
    """Migrate the database, fill an empty one when ``load`` and re-date the demo.

    Says what was done."""
    upgrade(services.engine)
    said = load_starter_data(session, services.stories) if load else "starter data switched off"
    moved = redate_demo(session)
    if moved:
        services.stories.reset()  # this process's index holds the old times
        said += f"; {moved} demo articles re-dated to now"
    return said
