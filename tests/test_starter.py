"""The starter data a fresh `parallax serve` loads: outlets and demo stories."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from server.models import Article, Story
from server.services import get_services, get_session
from server.starter import load_starter_data


def test_starter_data_loads_once_and_demo_stories_have_several_sides(app: Flask) -> None:
    with app.app_context():
        session = get_session()
        service = get_services(app).stories
        said = load_starter_data(session, service)
        assert said.startswith("loaded 6") and said.endswith("95 demo articles")
        assert load_starter_data(session, service).startswith("database already holds outlets")
        # 12 stories covered across the spectrum, 2 blindspots and 4 single-outlet stories:
        # a change to matching that merges or splits the demo's stories shows here.
        assert session.scalar(select(func.count()).select_from(Story)) == 18
        assert session.scalar(select(func.count()).select_from(Article)) == 95
        assert all("Demo content:" in a.description for a in session.scalars(select(Article)))
    client = app.test_client()
    blindspots = client.get("/api/v1/blindspots").get_json()["stories"]
    assert sorted(s["blindspot"] for s in blindspots) == ["left", "right"]
    several = client.get("/api/v1/stories?limit=100").get_json()["stories"]
    assert sum(s["outlet_count"] >= 5 for s in several) == 14
