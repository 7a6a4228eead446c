"""The starter data a fresh `parallax serve` loads: outlets and demo stories."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlalchemy import func, select

from server.models import Article, Story, utcnow
from server.services import get_services, get_session
from server.starter import DATA_DIR, demo_articles, load_starter_data, prepare


def test_starter_data_loads_once_and_demo_stories_have_several_sides(app: Flask) -> None:
    with app.app_context():
        session = get_session()
        service = get_services(app).stories
        said = load_starter_data(session, service)
        assert said.startswith("loaded 6") and said.endswith("179 demo articles")
        assert load_starter_data(session, service).startswith("database already holds outlets")
        # 28 stories covered by five outlets or more (6 of them blindspots, 3 each way), one by
        # four and 5 by a single outlet: a change to matching that merges or splits the demo's
        # stories shows here.
        assert session.scalar(select(func.count()).select_from(Story)) == 34
        assert session.scalar(select(func.count()).select_from(Article)) == 179
        assert {a.source for a in session.scalars(select(Article))} == {"demo"}
    client = app.test_client()
    blindspots = client.get("/api/v1/blindspots?limit=100").get_json()["stories"]
    assert sorted(s["blindspot"] for s in blindspots) == ["left"] * 3 + ["right"] * 3
    several = client.get("/api/v1/stories?limit=100").get_json()["stories"]
    assert sum(s["outlet_count"] >= 5 for s in several) == 28
    assert sum(s["outlet_count"] == 1 for s in several) == 5


def test_demo_stories_come_from_several_countries(app: Flask) -> None:
    with app.app_context():
        load_starter_data(get_session(), get_services(app).stories)
    client = app.test_client()
    several = client.get("/api/v1/stories?limit=100").get_json()["stories"]
    mostly = set()
    for brief in several:
        story = client.get(f"/api/v1/stories/{brief['id']}").get_json()
        assert story["demo"] is True
        assert all(article["demo"] is True for article in story["articles"])
        mostly.add(story["countries"]["mostly"])
    assert {"US", "GB", "FR", "DE", "IN", "CA", "AU"} <= mostly


def test_the_demo_still_matches_headlines_when_its_data_is_14_days_old(app: Flask) -> None:
    rows = demo_articles(DATA_DIR / "demo_articles.jsonl")
    newest = max(rows, key=lambda row: row.published_at)
    # A headline of the newest demo story, worded as another outlet would, at another address.
    question = {"url": "https://www.bbc.co.uk/news/articles/new-one", "title": newest.title}
    with app.app_context():
        services, session = get_services(app), get_session()
        load_starter_data(session, services.stories, now=utcnow() - timedelta(days=14))
        services.stories.reset()
    client = app.test_client()
    assert client.get("/api/v1/lookup", query_string=question).get_json()["story"] is None

    with app.app_context():
        said = prepare(get_services(app), get_session())  # what `parallax serve` runs first
    assert said.endswith("179 demo articles re-dated to now")
    story = client.get("/api/v1/lookup", query_string=question).get_json()["story"]
    assert story is not None and story["demo"] is True
    assert story["match"]["method"] == "title"
    newest_story = client.get(f"/api/v1/stories/{story['id']}").get_json()
    assert newest_story["last_seen"] >= (utcnow() - timedelta(minutes=5)).isoformat()[:16]
