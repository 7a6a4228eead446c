"""Stories merged when a later article bridges them (issue #8): stored, replayed, still answering.

Two stories are told first (an eruption; an evacuation), each by two outlets; a later
article tells both at once and the writer's index merges them. The merge must be stored
with the articles, every worker must replay it, and the absorbed story's id must keep
answering: the API redirects, the page redirects, a lookup of one of its articles' URLs
answers with the kept story, and no list shows it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select, text

from server import create_app
from server.db import make_engine, upgrade
from server.ingest import NewArticle, add_articles, ingest_file
from server.matching import StoryIndex
from server.models import Article, Story, StoryMerge
from server.services import get_services, get_session

T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=6)
ERUPTION = [
    (
        "https://www.bbc.co.uk/news/iceland-volcano",
        "Volcano erupts on Iceland's Reykjanes peninsula",
    ),
    (
        "https://www.reuters.com/world/iceland-volcano-again",
        "Volcano erupts again on Reykjanes peninsula in Iceland",
    ),
]
EVACUATION = [
    (
        "https://www.foxnews.com/world/grindavik-evacuated",
        "Grindavik evacuated as lava flows toward town",
    ),
    (
        "https://www.theguardian.com/world/grindavik-lava",
        "Lava flows toward Grindavik as town is evacuated",
    ),
]
BRIDGE = (
    "https://www.wsj.com/world/iceland-eruption-grindavik",
    "Volcano erupts on Iceland's Reykjanes peninsula, Grindavik evacuated as lava flows "
    "toward town",
)


def ingest(app: Flask, pairs: list[tuple[str, str]], start: int = 0) -> int:
    """Ingest articles an hour apart through the app's writer; return how many stories merged."""
    with app.app_context():
        session = get_session()
        services = get_services(app)
        items = [
            NewArticle(url, title, T0 + timedelta(hours=start + i))
            for i, (url, title) in enumerate(pairs)
        ]
        result = add_articles(
            session, services.catalog.get(session), services.stories, items, "feed"
        )
        session.commit()
        return result.merges


def story_of(app: Flask, url: str) -> int:
    """Return the story id a lookup of a stored URL answers with, on this app."""
    answer = app.test_client().get("/api/v1/lookup", query_string={"url": url}).get_json()
    assert answer["story"] is not None and answer["story"]["match"]["method"] == "url"
    return answer["story"]["id"]


@pytest.fixture
def told_twice(seeded: Flask) -> tuple[Flask, int, int]:
    """Return the app with the eruption and the evacuation stored as two stories."""
    ingest(seeded, ERUPTION + EVACUATION)
    eruption, evacuation = story_of(seeded, ERUPTION[0][0]), story_of(seeded, EVACUATION[0][0])
    assert eruption != evacuation
    return seeded, eruption, evacuation


def test_a_bridging_article_merges_two_stories_and_stores_the_merge(
    told_twice: tuple[Flask, int, int],
) -> None:
    app, kept, absorbed = told_twice  # two articles each: the older story keeps its id
    assert ingest(app, [BRIDGE], start=4) == 1
    with app.app_context():
        session = get_session()
        (merge,) = session.scalars(select(StoryMerge)).all()
        assert (merge.absorbed_id, merge.kept_id) == (absorbed, kept)
        stories = set(session.scalars(select(Article.story_id)))
        assert stories == {kept}, "the absorbed story's articles moved to the kept one"
        kept_row, absorbed_row = session.get(Story, kept), session.get(Story, absorbed)
        assert kept_row is not None and absorbed_row is not None, "the absorbed row stays"
        assert (kept_row.article_count, kept_row.outlet_count) == (5, 5)
        assert (absorbed_row.article_count, absorbed_row.outlet_count) == (0, 0)
        assert absorbed_row.title == EVACUATION[0][1]


def test_the_absorbed_id_keeps_answering_on_the_writer(told_twice: tuple[Flask, int, int]) -> None:
    app, kept, absorbed = told_twice
    client = app.test_client()
    client.get(f"/api/v1/stories/{absorbed}")  # cached before the merge: must not linger
    ingest(app, [BRIDGE], start=4)
    assert_answers_with_the_kept_story(app, kept, absorbed)


def test_every_worker_replays_the_merge(
    told_twice: tuple[Flask, int, int], make_app: Callable[..., Flask]
) -> None:
    app, kept, absorbed = told_twice
    before = make_app(CATALOG_TTL=0.0)  # indexed both stories before the merge
    assert story_of(before, EVACUATION[0][0]) == absorbed
    ingest(app, [BRIDGE], start=4)
    after = make_app(CATALOG_TTL=0.0)  # builds its index after the merge
    for worker in (before, after):
        assert_answers_with_the_kept_story(worker, kept, absorbed)
        assert story_of(worker, BRIDGE[0]) == kept
        with worker.app_context():
            index = get_services(worker).stories.index(get_session())
        assert index.resolve(absorbed) == kept
        assert index.story_count == 1


def assert_answers_with_the_kept_story(app: Flask, kept: int, absorbed: int) -> None:
    """Check the API, the page, lookups and lists of one worker after the merge."""
    client = app.test_client()
    api = client.get(f"/api/v1/stories/{absorbed}")
    assert api.status_code == 308
    assert api.headers["Location"] == f"/api/v1/stories/{kept}"
    followed = client.get(f"/api/v1/stories/{absorbed}", follow_redirects=True).get_json()
    assert followed["id"] == kept and len(followed["articles"]) == 5
    page = client.get(f"/stories/{absorbed}")
    assert page.status_code == 308 and page.headers["Location"] == f"/stories/{kept}"
    for url, _ in ERUPTION + EVACUATION:
        answer = client.get("/api/v1/lookup", query_string={"url": url}).get_json()
        assert answer["story"]["id"] == kept
        assert answer["story"]["links"]["api"] == f"/api/v1/stories/{kept}"
        assert answer["story"]["article_count"] == 5
    listed = client.get("/api/v1/stories").get_json()["stories"]
    assert [story["id"] for story in listed] == [kept]
    found = client.get("/api/v1/stories?q=grindavik lava").get_json()["stories"]
    assert [story["id"] for story in found] == [kept]
    assert f'href="/stories/{absorbed}"' not in client.get("/").get_data(as_text=True)


def test_a_worker_that_has_not_replayed_yet_answers_with_the_kept_story(
    told_twice: tuple[Flask, int, int], make_app: Callable[..., Flask]
) -> None:
    app, kept, absorbed = told_twice
    lagging = make_app(CATALOG_TTL=60.0)  # trusts its index for a minute
    assert story_of(lagging, ERUPTION[0][0]) == kept
    with app.app_context():  # the merge, as another process's writer stores it
        session = get_session()
        session.add(StoryMerge(absorbed_id=absorbed, kept_id=kept))
        for article in session.scalars(select(Article).where(Article.story_id == absorbed)):
            article.story_id = kept
        story = session.get(Story, absorbed)
        assert story is not None
        story.article_count = story.outlet_count = 0
        session.commit()
    answer = lagging.test_client().get("/api/v1/lookup", query_string={"url": EVACUATION[0][0]})
    story = answer.get_json()["story"]
    assert story["id"] == kept and len(story["articles"]) == 3  # all four but its own


def test_reingesting_the_same_file_is_harmless(
    told_twice: tuple[Flask, int, int], tmp_path: Path
) -> None:
    app, kept, absorbed = told_twice
    path = tmp_path / "iceland.jsonl"
    rows = [
        {"url": url, "title": title, "published_at": (T0 + timedelta(hours=i)).isoformat()}
        for i, (url, title) in enumerate([*ERUPTION, *EVACUATION, BRIDGE])
    ]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    with app.app_context():
        session, services = get_session(), get_services(app)
        catalog = services.catalog.get(session)
        first = ingest_file(session, catalog, services.stories, path)
        again = ingest_file(session, catalog, services.stories, path)
        assert (first.added, first.duplicates, first.merges) == (1, 4, 1)
        assert (again.added, again.duplicates, again.merges) == (0, 5, 0)
        assert session.scalar(select(func.count()).select_from(StoryMerge)) == 1
    assert_answers_with_the_kept_story(app, kept, absorbed)


def test_merging_is_a_setting(seeded: Flask, make_app: Callable[..., Flask]) -> None:
    never = make_app(MERGE_THRESHOLD=5.0)
    ingest(never, ERUPTION + EVACUATION)
    assert ingest(never, [BRIDGE], start=4) == 0
    with pytest.raises(ValueError, match="PARALLAX_MERGE_THRESHOLD"):
        make_app(MERGE_THRESHOLD=-1.0)


def test_migration_0003_keeps_the_stories_and_adds_the_merge_table(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    engine = make_engine(url)
    upgrade(engine, "0002")
    when = "2026-11-29 08:00:00.000000"
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO story (id, title, first_seen, last_seen, article_count, "
                f"outlet_count) VALUES (7, 'Volcano erupts', '{when}', '{when}', 1, 1)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO article (id, url, url_key, domain, title, published_at, "
                "first_seen, source, story_id) VALUES (3, 'https://www.bbc.co.uk/news/volcano', "
                f"'bbc.co.uk/news/volcano', 'bbc.co.uk', 'Volcano erupts', '{when}', '{when}', "
                "'file', 7)"
            )
        )
    upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM story_merge")).scalar() == 0
        assert conn.execute(text("SELECT story_id FROM article")).scalar() == 7
    engine.dispose()
    app = create_app({"DATABASE_URL": url, "LOAD_STARTER_DATA": False, "TESTING": True})
    client = app.test_client()
    assert client.get("/api/v1/stories/7").get_json()["id"] == 7
    get_services(app).engine.dispose()


def test_a_merge_replayed_before_its_stories_articles_still_applies() -> None:
    # A worker can read a merge before the articles of its stories (a gap on PostgreSQL).
    index = StoryIndex(embedder=None)
    index.merge(2, 1)
    index.add(2, ERUPTION[0][1], T0, article_id=1)
    index.add(1, ERUPTION[1][1], T0, article_id=2)
    index.merge(2, 1)  # replayed again: harmless
    assert index.story_count == 1
    assert index.story_of_article(1) == index.story_of_article(2) == 1
    found = index.match(ERUPTION[0][1], T0)
    assert found is not None and found.story_id == 1


def test_merges_that_loop_never_redirect_in_a_loop(told_twice: tuple[Flask, int, int]) -> None:
    app, first, second = told_twice
    with app.app_context():  # two writers on stale indexes, each absorbing the other's story
        session = get_session()
        session.add_all(
            [
                StoryMerge(absorbed_id=first, kept_id=second),
                StoryMerge(absorbed_id=second, kept_id=first),
            ]
        )
        session.commit()
    client = app.test_client()
    assert client.get(f"/api/v1/stories/{min(first, second)}").status_code == 200
    moved = client.get(f"/api/v1/stories/{max(first, second)}")
    assert moved.headers["Location"] == f"/api/v1/stories/{min(first, second)}"
