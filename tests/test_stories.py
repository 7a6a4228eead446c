"""Stories through the API: exact and headline matches, other coverage, splits, blindspots."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select

from server.ingest import NewArticle, add_articles
from server.lookup import warm_answers
from server.models import Article, Outlet, Story
from server.services import get_services, get_session
from server.stories import StoryService

NOW = datetime.now(UTC).replace(microsecond=0)

# One story covered by six outlets across the spectrum, one by the right only, and a
# single-outlet story. Slugs are those of tests/data/outlets_small.csv.
ARTICLES = [
    (
        "https://www.reuters.com/world/europe/eu-leaders-agree-ukraine-aid-2026",
        "EU leaders agree 50 billion euro Ukraine aid package at Brussels summit",
        30,
    ),
    (
        "https://www.bbc.co.uk/news/world-europe-1",
        "EU leaders agree €50bn Ukraine aid package after Brussels summit talks",
        28,
    ),
    (
        "https://www.theguardian.com/world/2026/eu-ukraine-aid",
        "EU agrees €50bn Ukraine aid as leaders overcome holdout at Brussels summit",
        27,
    ),
    (
        "https://www.foxnews.com/world/eu-ukraine-aid-50-billion",
        "EU leaders approve $54 billion Ukraine aid package at Brussels summit",
        26,
    ),
    (
        "https://jacobin.com/2026/eu-ukraine-aid",
        "The EU's 50 billion euro Ukraine aid package agreed at Brussels summit",
        25,
    ),
    (
        "https://www.breitbart.com/europe/eu-ukraine-aid",
        "Brussels summit: EU leaders agree 50 billion euro Ukraine aid package",
        24,
    ),
    (
        "https://blog.unrated.example/eu-ukraine-aid",
        "EU leaders agree Ukraine aid package of 50 billion euros in Brussels",
        23,
    ),
    (
        "https://www.foxnews.com/politics/border-wall-funding-vote",
        "House Republicans push border wall funding vote in Texas emergency bill",
        10,
    ),
    (
        "https://www.breitbart.com/politics/border-wall-funding",
        "House GOP forces vote on Texas border wall funding emergency bill",
        9,
    ),
    (
        "https://www.wsj.com/politics/border-wall-funding-vote",
        "House Republicans set vote on Texas border wall emergency funding bill",
        8,
    ),
    (
        "https://www.bbc.co.uk/news/science-environment-2",
        "Rare orchid species rediscovered in Madagascar rainforest after century",
        5,
    ),
]


@pytest.fixture
def stories(seeded: Flask) -> Flask:
    """Ingest the articles above into the seeded app."""
    with seeded.app_context():
        session = get_session()
        catalog = get_services(seeded).catalog.get(session)
        service = get_services(seeded).stories
        items = [NewArticle(url, title, NOW - timedelta(hours=h)) for url, title, h in ARTICLES]
        result = add_articles(session, catalog, service, items, "file")
        session.commit()
    assert result.added == len(ARTICLES)
    assert result.new_stories == 3
    return seeded


def lookup(client: FlaskClient, url: str, title: str | None = None) -> dict:
    query = {"url": url} if title is None else {"url": url, "title": title}
    response = client.get("/api/v1/lookup", query_string=query)
    assert response.status_code == 200
    return response.get_json()


def test_known_url_matches_its_story_exactly(stories: Flask, client: FlaskClient) -> None:
    story = lookup(client, "https://www.bbc.co.uk/news/world-europe-1?utm_source=x")["story"]
    assert story["match"] == {"method": "url", "score": 1.0}
    assert story["title"].startswith("EU leaders agree 50 billion euro Ukraine aid")
    assert (story["article_count"], story["outlet_count"]) == (7, 7)
    urls = [a["url"] for a in story["articles"]]
    assert "https://www.bbc.co.uk/news/world-europe-1" not in urls, "the article itself is left out"
    assert len(urls) == 6


def test_headline_of_unknown_url_matches_by_title(stories: Flask, client: FlaskClient) -> None:
    answer = lookup(
        client,
        "https://www.nytimes.com/2026/11/29/world/europe/eu-ukraine-aid.html",
        "E.U. Leaders Agree to $54 Billion Ukraine Aid Package at Brussels Summit"
        " - The New York Times",
    )
    story = answer["story"]
    assert story["match"]["method"] == "title"
    assert 0 < story["match"]["score"] <= 1
    assert len(story["articles"]) == 7


def test_split_counts_distinct_outlets_and_unrated_apart(
    stories: Flask, client: FlaskClient
) -> None:
    story = lookup(
        client, "https://www.reuters.com/world/europe/eu-leaders-agree-ukraine-aid-2026"
    )["story"]
    split = story["bias_split"]
    # Left: guardian (lean-left), jacobin (far-left); center: reuters, bbc; right: fox, breitbart.
    assert (split["left"], split["center"], split["right"]) == (2, 2, 2)
    assert (split["rated"], split["unrated"]) == (6, 1)
    assert split["percent"]["left"] == pytest.approx(33.3, abs=0.1)
    assert split["breakdown"]["far-left"] == 1 and split["breakdown"]["far-right"] == 1
    assert story["blindspot"] is None
    assert story["first_reported"]["url"].startswith("https://www.reuters.com/")


def test_other_coverage_carries_outlet_ratings(stories: Flask, client: FlaskClient) -> None:
    story = lookup(client, "https://www.bbc.co.uk/news/world-europe-1")["story"]
    by_url = {a["url"]: a for a in story["articles"]}
    fox = by_url["https://www.foxnews.com/world/eu-ukraine-aid-50-billion"]
    assert fox["outlet"] == {
        "slug": "fox-news",
        "name": "Fox News",
        "bias": "right",
        "side": "right",
        "factuality": "mixed",
        "country": "US",
    }
    assert by_url["https://blog.unrated.example/eu-ukraine-aid"]["outlet"] is None
    assert not any(article["demo"] for article in story["articles"])


def test_story_covered_only_by_the_right_is_a_left_blindspot(
    stories: Flask, client: FlaskClient
) -> None:
    story = lookup(client, "https://www.wsj.com/politics/border-wall-funding-vote")["story"]
    assert (story["bias_split"]["right"], story["bias_split"]["left"]) == (3, 0)
    assert story["blindspot"] == "left"
    listed = client.get("/api/v1/blindspots").get_json()["stories"]
    assert [s["id"] for s in listed] == [story["id"]]
    assert client.get("/api/v1/blindspots?side=right").get_json()["stories"] == []


def test_unrelated_headline_answers_story_null(stories: Flask, client: FlaskClient) -> None:
    answer = lookup(
        client, "https://www.nytimes.com/2026/x.html", "Local bakery wins national sourdough prize"
    )
    assert answer["story"] is None
    assert answer["outlet"]["slug"] == "new-york-times"


def test_single_outlet_story_has_no_other_coverage(stories: Flask, client: FlaskClient) -> None:
    story = lookup(client, "https://www.bbc.co.uk/news/science-environment-2")["story"]
    assert story["articles"] == []
    assert story["outlet_count"] == 1
    assert story["blindspot"] is None


def test_batch_lookup_accepts_titles(stories: Flask, client: FlaskClient) -> None:
    response = client.post(
        "/api/v1/lookup",
        json={
            "items": [
                {
                    "url": "https://www.nytimes.com/a",
                    "title": "House Republicans push Texas border wall funding vote",
                },
                {"url": "https://www.nytimes.com/b"},
            ]
        },
    )
    first, second = response.get_json()["results"]
    assert first["story"]["bias_split"]["right"] == 3
    assert second["story"] is None


def test_a_batch_answers_brief_stories_unless_asked_for_full(
    stories: Flask, client: FlaskClient
) -> None:
    urls = {"urls": [ARTICLES[0][0], ARTICLES[1][0]]}
    brief = client.post("/api/v1/lookup", json=urls).get_json()["results"]
    full = client.post("/api/v1/lookup", json={**urls, "detail": "full"}).get_json()["results"]
    single = client.get("/api/v1/lookup", query_string={"url": ARTICLES[0][0]}).get_json()
    assert full[0] == single  # a full batch answers as GET does
    story = brief[0]["story"]
    assert "articles" not in story and "key_points" not in story
    assert story["links"] == {
        "api": f"/api/v1/stories/{story['id']}",
        "page": f"/stories/{story['id']}",
    }
    for name in ("id", "title", "match", "bias_split", "blindspot", "first_reported"):
        assert story[name] == single["story"][name]
    assert brief[1]["story"]["id"] == story["id"]
    assert len(client.post("/api/v1/lookup", json=urls).data) * 2 < len(
        client.post("/api/v1/lookup", json={**urls, "detail": "full"}).data
    )
    bad = client.post("/api/v1/lookup", json={**urls, "detail": "everything"})
    assert bad.status_code == 400
    assert "brief" in bad.get_json()["detail"]


def test_stories_search_and_detail(stories: Flask, client: FlaskClient) -> None:
    found = client.get("/api/v1/stories?q=ukraine aid").get_json()["stories"]
    assert len(found) == 1
    detail = client.get(f"/api/v1/stories/{found[0]['id']}").get_json()
    assert len(detail["articles"]) == 7
    assert detail["factuality_split"]["very-high"] == 1  # reuters
    assert detail["ownership_split"]["public"] == 1  # bbc


@pytest.mark.parametrize("story_id", ["999999", "3457213161", "34984639093105674420224"])
def test_unknown_story_is_404(stories: Flask, client: FlaskClient, story_id: str) -> None:
    response = client.get(f"/api/v1/stories/{story_id}")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert client.get(f"/stories/{story_id}").status_code == 404


def test_reingesting_a_url_is_a_duplicate(stories: Flask) -> None:
    with stories.app_context():
        session = get_session()
        catalog = get_services(stories).catalog.get(session)
        url = "https://www.bbc.co.uk/news/world-europe-1?utm_medium=rss#comments"
        again = [NewArticle(url, "Other title", NOW)]
        result = add_articles(session, catalog, get_services(stories).stories, again, "feed")
    assert (result.added, result.duplicates) == (0, 1)


@pytest.mark.parametrize(
    ("url", "credited"),
    [
        ("https://feeds.feedburner.com/~r/foxnews/~3/aB1/", "fox-news"),  # no outlet: the feed's
        ("https://www.reuters.com/world/stopgap", "reuters"),  # a known outlet keeps its own
    ],
)
def test_feed_outlet_is_credited_only_when_the_url_resolves_to_no_outlet(
    seeded: Flask, url: str, credited: str
) -> None:
    with seeded.app_context():
        session = get_session()
        catalog = get_services(seeded).catalog.get(session)
        article = NewArticle(url, "Senate passes stopgap bill", NOW, feed_outlet="fox-news")
        add_articles(session, catalog, get_services(seeded).stories, [article], "feed")
        session.commit()
        stored = session.scalars(select(Article)).one()
        assert stored.outlet is not None and stored.outlet.slug == credited


def test_lookup_page_shows_rating_and_coverage(stories: Flask, client: FlaskClient) -> None:
    page = client.get("/?url=https://www.bbc.co.uk/news/world-europe-1").get_data(as_text=True)
    assert "BBC News" in page and "Center" in page
    assert "7 sources" in page
    assert "Fox News" in page


def test_lookup_page_escapes_and_explains_bad_input(stories: Flask, client: FlaskClient) -> None:
    page = client.get("/?url=<script>alert(1)</script>").get_data(as_text=True)
    assert "<script>alert(1)" not in page
    assert "not a web address" in page


def test_learning_from_lookups_adds_rated_articles_only(
    seeded: Flask, make_app: Callable[..., Flask]
) -> None:
    app = make_app(CATALOG_TTL=0.0, LEARN_FROM_LOOKUPS=True)
    client = app.test_client()
    title = "Volcano erupts near Reykjavik, forcing evacuation of Grindavik"
    first = lookup(client, "https://www.bbc.co.uk/news/world-europe-99", title)
    assert first["story"] is None, "nothing else covers it yet"
    lookup(
        client,
        "https://unrated.example/volcano",
        "Volcano erupts near Reykjavik, Grindavik evacuated",
    )
    second = lookup(
        client,
        "https://www.foxnews.com/world/iceland-volcano",
        "Iceland volcano erupts near Reykjavik, Grindavik evacuated again",
    )
    story = second["story"]
    assert story is not None and story["match"]["method"] == "title"
    assert [a["outlet"]["slug"] for a in story["articles"] if a["outlet"]] == ["bbc-news"]
    assert all(a["domain"] != "unrated.example" for a in story["articles"])
    again = lookup(client, "https://www.foxnews.com/world/iceland-volcano")
    assert again["story"]["match"]["method"] == "url", "the learned article is now known"


def test_learning_from_lookups_keeps_the_description(
    seeded: Flask, make_app: Callable[..., Flask]
) -> None:
    app = make_app(CATALOG_TTL=0.0, LEARN_FROM_LOOKUPS=True)
    opening = "Lava reached the edge of Grindavik overnight, officials said."
    response = app.test_client().get(
        "/api/v1/lookup",
        query_string={
            "url": "https://www.bbc.co.uk/news/world-europe-98",
            "title": "Volcano erupts near Reykjavik",
            "description": opening,
        },
    )
    assert response.status_code == 200
    with app.app_context():
        stored = get_session().scalar(select(Article).where(Article.url.like("%europe-98")))
    assert stored is not None and stored.description == opening


def test_a_learned_article_with_only_a_date_gets_no_invented_time(
    seeded: Flask, make_app: Callable[..., Flask]
) -> None:
    app = make_app(CATALOG_TTL=0.0, LEARN_FROM_LOOKUPS=True)
    query = {
        "url": "https://www.bbc.co.uk/news/world-europe-97",
        "title": "Volcano erupts near Reykjavik",
        "published": "2026-11-20",
    }
    assert app.test_client().get("/api/v1/lookup", query_string=query).status_code == 200
    with app.app_context():
        stored = get_session().scalar(select(Article).where(Article.url.like("%europe-97")))
    assert stored is not None
    assert stored.published_at is None, "a date alone is not an instant"
    assert stored.first_seen is not None


def test_nul_in_an_ingested_headline_is_dropped(seeded: Flask) -> None:
    with seeded.app_context():
        session = get_session()
        catalog = get_services(seeded).catalog.get(session)
        article = NewArticle(
            "https://www.bbc.co.uk/news/nul", "Bad\x00 byte headline", NOW, "d\x00"
        )
        result = add_articles(session, catalog, get_services(seeded).stories, [article], "file")
        session.commit()
    assert result.added == 1
    story = seeded.test_client().get("/api/v1/lookup?url=https://www.bbc.co.uk/news/nul")
    assert story.get_json()["story"]["title"] == "Bad byte headline"


def test_a_worker_sees_what_another_stored_before_its_own_ingest(
    seeded: Flask, make_app: Callable[..., Flask]
) -> None:
    # The first worker trusts its index for a second, as a worker does between refreshes.
    first, second = make_app(CATALOG_TTL=1.0), make_app(CATALOG_TTL=0.0)

    def ingest(app: Flask, url: str, title: str) -> None:
        with app.app_context():
            session = get_session()
            catalog = get_services(app).catalog.get(session)
            article = NewArticle(url, title, NOW)
            add_articles(session, catalog, get_services(app).stories, [article], "feed")
            session.commit()

    first.test_client().get("/api/v1/lookup?url=https://www.bbc.co.uk/news/warm-up")
    ingest(second, "https://www.foxnews.com/world/quake", "Magnitude 7.1 earthquake strikes Chile")
    ingest(first, "https://www.bbc.co.uk/news/other", "Parliament debates fishing quotas")
    time.sleep(1.1)  # the first worker's index is due for a refresh
    answer = lookup(first.test_client(), "https://www.foxnews.com/world/quake")
    assert answer["story"] is not None and answer["story"]["match"]["method"] == "url"


def test_match_threshold_is_a_setting(
    stories: Flask, client: FlaskClient, make_app: Callable[..., Flask]
) -> None:
    url, loose = (
        "https://www.nytimes.com/2026/11/29/eu.html",
        "Brussels summit ends with Ukraine aid deal",
    )
    matched = lookup(client, url, loose)["story"]
    assert matched is not None and 0.5 <= matched["match"]["score"] < 0.9
    strict = make_app(MATCH_THRESHOLD=0.9).test_client()
    assert lookup(strict, url, loose)["story"] is None, "a strict deployment would rather not say"
    known = lookup(strict, "https://www.bbc.co.uk/news/world-europe-1")
    assert known["story"]["match"] == {"method": "url", "score": 1.0}
    with pytest.raises(ValueError, match="PARALLAX_MATCH_THRESHOLD must be between 0 and 1"):
        make_app(MATCH_THRESHOLD=1.5)


def test_a_big_storys_lookup_lists_ten_per_side_and_counts_the_rest(
    seeded: Flask, client: FlaskClient
) -> None:
    with seeded.app_context():
        session = get_session()
        bbc = session.scalar(select(Outlet.id).where(Outlet.slug == "bbc-news"))
        story = Story(title="A very big story", first_seen=NOW, article_count=1000)
        session.add(story)
        session.flush()
        session.add_all(
            Article(
                url=f"https://www.{site}/news/big-{n}",
                url_key=f"{site}/news/big-{n}",
                domain=site,
                outlet_id=bbc if site == "bbc.co.uk" else None,
                title=f"A very big story, part {n}",
                published_at=NOW - timedelta(minutes=n),
                first_seen=NOW,
                source="file",
                story_id=story.id,
            )
            for n in range(1000)
            for site in ["bbc.co.uk" if n % 2 else "unrated.example"]
        )
        session.commit()
        story_id = story.id
    response = client.get(
        "/api/v1/lookup", query_string={"url": "https://www.bbc.co.uk/news/big-1"}
    )
    answer = response.get_json()["story"]
    assert len(response.data) < 20_000
    assert [a["title"] for a in answer["articles"][-2:]] == [
        "A very big story, part 2",
        "A very big story, part 0",
    ], "the newest of each side, oldest first as before"
    assert answer["more_articles"] == {"left": 0, "center": 489, "right": 0, "unrated": 490}
    assert answer["links"] == {"api": f"/api/v1/stories/{story_id}", "page": f"/stories/{story_id}"}
    full = client.get(f"/api/v1/stories/{story_id}").get_json()
    assert len(full["articles"]) == 1000


def test_cached_story_answers_still_leave_out_each_lookups_own_article(
    stories: Flask, make_app: Callable[..., Flask]
) -> None:
    client = make_app(CATALOG_TTL=60.0).test_client()  # answers cached for a minute
    urls = [
        "https://www.bbc.co.uk/news/world-europe-1",
        "https://www.foxnews.com/world/eu-ukraine-aid-50-billion",
    ]
    for url in urls * 2:
        story = lookup(client, url)["story"]
        listed = {a["url"] for a in story["articles"]}
        assert url not in listed and len(listed) == 6
        assert story["match"] == {"method": "url", "score": 1.0}
        assert list(story)[:7] == [
            "id",
            "title",
            "article_count",
            "outlet_count",
            "first_seen",
            "last_seen",
            "match",
        ]


def test_a_cached_story_answer_shows_an_article_added_since(
    stories: Flask, make_app: Callable[..., Flask]
) -> None:
    worker = make_app(CATALOG_TTL=60.0)
    client = worker.test_client()
    url = "https://www.bbc.co.uk/news/world-europe-1"
    assert lookup(client, url)["story"]["article_count"] == 7
    with worker.app_context():  # this worker clusters a new article into the story
        session = get_session()
        services = get_services(worker)
        article = NewArticle(
            "https://www.wsj.com/world/eu-ukraine-aid",
            "EU leaders agree 50 billion euro Ukraine aid package at Brussels summit",
            NOW - timedelta(hours=26),  # amid the story's own articles
        )
        result = add_articles(
            session, services.catalog.get(session), services.stories, [article], "feed"
        )
        session.commit()
    assert result.new_stories == 0
    story = lookup(client, url)["story"]
    assert story["article_count"] == 8
    assert "https://www.wsj.com/world/eu-ukraine-aid" in {a["url"] for a in story["articles"]}


def test_a_warmed_worker_answers_its_latest_stories_without_reading_them_again(
    stories: Flask, make_app: Callable[..., Flask]
) -> None:
    worker = make_app(CATALOG_TTL=60.0)
    with worker.app_context():  # what `parallax serve` does in each worker before requests
        session = get_session()
        services = get_services(worker)
        live = session.scalars(select(Story).where(Story.article_count > 0)).all()
        latest = max(live, key=lambda story: (story.last_seen, story.id))
        older = next(story for story in live if story.id != latest.id)
        urls = {
            story.id: session.scalars(
                select(Article.url).where(Article.story_id == story.id)
            ).all()[0]
            for story in (latest, older)
        }
        services.stories.index(session)
        assert warm_answers(services, session, limit=1) == 1
    statements: list[str] = []
    engine = get_services(worker).engine
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    warm = lookup(worker.test_client(), urls[latest.id])["story"]
    assert warm["id"] == latest.id
    assert not any("FROM article" in sql for sql in statements), "answered from the cache"
    assert lookup(worker.test_client(), urls[older.id])["story"]["id"] == older.id
    assert any("FROM article" in sql for sql in statements), "an older story is read"
    cold = lookup(make_app(CATALOG_TTL=60.0).test_client(), urls[latest.id])["story"]
    assert warm == cold  # the same answer as one built on demand
    with worker.app_context():
        assert warm_answers(get_services(worker), get_session(), limit=100) == len(live)


@pytest.mark.parametrize(
    ("published", "found"),
    [
        ("2026-11-24", True),  # any time that day, in any zone: the window widens by 25 hours
        ("2026-11-24T12:00:00", True),  # a wall-clock time in some zone: widened by 13 hours
        ("2026-11-24T12:00:00Z", False),  # an instant 3.6 days later: outside the window
    ],
)
def test_a_date_or_a_zoneless_time_widens_the_window(
    seeded: Flask, published: str, found: bool
) -> None:
    title = "Glacier collapse in the Italian Alps buries village of Marmolada"
    with seeded.app_context():
        session = get_session()
        catalog = get_services(seeded).catalog.get(session)
        late_evening = datetime(2026, 11, 20, 22, 0, tzinfo=UTC)
        article = NewArticle("https://www.reuters.com/world/glacier-1", title, late_evening)
        add_articles(session, catalog, get_services(seeded).stories, [article], "file")
        session.commit()
    query = {"url": "https://www.bbc.co.uk/news/glacier", "title": title, "published": published}
    answer = seeded.test_client().get("/api/v1/lookup", query_string=query).get_json()
    assert (answer["story"] is not None) is found


def test_story_lists_of_the_api_mark_demo_stories(seeded: Flask) -> None:
    title = "Demo storm closes every port on the fictional coast of Exampleland"
    with seeded.app_context():
        session = get_session()
        catalog = get_services(seeded).catalog.get(session)
        items = [
            NewArticle("https://www.foxnews.com/parallax-demo/storm", title, NOW),
            NewArticle("https://www.bbc.co.uk/news/parallax-demo/storm", title, NOW),
        ]
        add_articles(session, catalog, get_services(seeded).stories, items, "demo")
        session.commit()
    client = seeded.test_client()
    listed = client.get("/api/v1/stories").get_json()["stories"]
    assert [s["demo"] for s in listed if s["title"] == title] == [True]
    found = client.get("/api/v1/stories", query_string={"q": "Exampleland storm"}).get_json()
    assert [s["demo"] for s in found["stories"] if s["title"] == title] == [True]


def test_story_answers_kept_together_lapse_at_spread_times(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A warm start keeps thousands of answers at once; they must not all lapse at once."""
    service = StoryService(refresh_seconds=5.0)  # answers kept 30-60 s
    clock = [1000.0]
    monkeypatch.setattr("server.stories.time.monotonic", lambda: clock[0])
    for story_id in range(200):
        service.keep(story_id, "v1", "answer")

    def rebuilt_at(seconds: float) -> int:
        clock[0] = 1000.0 + seconds
        rebuilt = [service.cached(n, "v1", lambda: "new") == "new" for n in range(200)]
        clock[0] = 1000.0  # kept anew, as at the start, for the next reading
        for story_id in range(200):
            service.keep(story_id, "v1", "answer")
        return sum(rebuilt)

    assert rebuilt_at(29.9) == 0
    assert 20 < rebuilt_at(45.0) < 180
    assert rebuilt_at(60.1) == 200
