"""The public pages, on the demo data a fresh `parallax serve` shows.

Each page: its status, what it says, its head (title, Open Graph, viewport, favicon), no
inline script or style (the CSP forbids them), hostile text shown as text, paging bounds
and the 400 and 404 pages.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from server.catalog import load_catalog
from server.ingest import NewArticle, add_articles
from server.matching import StoryIndex
from server.models import utcnow
from server.services import get_services, get_session
from server.starter import load_starter_data


@pytest.fixture
def demo(app: Flask) -> Flask:
    """Load the outlets and the demo articles, as a fresh `parallax serve` does."""
    with app.app_context():
        load_starter_data(get_session(), get_services(app).stories)
    return app


def api(client: FlaskClient, path: str, **query: Any) -> Any:
    response = client.get(path, query_string=query)
    assert response.status_code == 200, response.data
    return response.get_json()


def story_id(client: FlaskClient, words: str) -> int:
    """Return the id of the demo story whose title holds ``words``."""
    stories = api(client, "/api/v1/stories", q=words)["stories"]
    assert stories, words
    return int(stories[0]["id"])


def html(client: FlaskClient, path: str, status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, response.data[:500]
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


PAGES = [
    "/",
    "/?page=2",
    "/blindspots",
    "/blindspots/left",
    "/blindspots/right",
    "/local",
    "/local/GB",
    "/search",
    "/search?q=metro",
    "/outlets",
    "/outlets?bias=right&country=GB",
    "/outlets/bbc-news",
]


@pytest.mark.parametrize("path", [*PAGES, "/stories/FIRST"])
def test_every_page_has_a_head_for_people_browsers_and_link_previews(
    demo: Flask, client: FlaskClient, path: str
) -> None:
    if path == "/stories/FIRST":
        path = f"/stories/{story_id(client, 'Fed cuts rates')}"
    page = html(client, path)
    assert re.search(r"<title>[^<]*Parallax[^<]*</title>", page)
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    for tag in ("og:title", "og:description", "og:url", "og:type", "og:site_name"):
        assert f'property="{tag}"' in page
    assert 'rel="icon" href="/static/favicon.svg"' in page
    assert 'rel="stylesheet" href="/static/parallax.css"' in page
    # A strict CSP allows no inline script or style, and no resource from elsewhere.
    assert "<script" not in page and "style=" not in page and "<style" not in page
    assert not re.search(
        r'(src|href)="(https?:)?//(?!127\.0\.0\.1|localhost)[^"]*\.(css|js|woff2?)', page
    )


@pytest.mark.parametrize(
    ("path", "mimetype"), [("parallax.css", "text/css"), ("favicon.svg", "image/svg+xml")]
)
def test_static_files_are_served(client: FlaskClient, path: str, mimetype: str) -> None:
    with client.get(f"/static/{path}") as response:
        assert (response.status_code, response.mimetype) == (200, mimetype)


def test_story_page_shows_every_part_of_the_coverage(demo: Flask, client: FlaskClient) -> None:
    sid = story_id(client, "Fed cuts rates")
    page = html(client, f"/stories/{sid}")
    assert "9 articles · 9 sources" in page
    assert "44% of the sources lean left" in page
    assert 'class="bar seven"' in page  # the 7-point distribution
    assert "Factuality of the sources" in page and "Ownership of the sources" in page
    assert "<strong>Reuters</strong> broke the news in the United Kingdom on " in page
    assert "Sources are mostly out of the United States." in page
    assert "Key points" in page and "Nothing here is generated." in page
    assert 'id="tab-left"' in page and 'class="column right"' in page
    assert "Timeline" in page
    assert 'href="/outlets/reuters"' in page


def test_demo_story_is_marked_and_its_articles_are_not_links(
    demo: Flask, client: FlaskClient
) -> None:
    sid = story_id(client, "Fed cuts rates")
    page = html(client, f"/stories/{sid}")
    assert "Demo story." in page
    assert "parallax-demo" not in page  # no demo address is offered as an article to open
    assert api(client, f"/api/v1/stories/{sid}")["demo"] is True


def test_a_side_without_coverage_says_so(demo: Flask, client: FlaskClient) -> None:
    page = html(client, f"/stories/{story_id(client, 'Magnitude 6.9 earthquake')}")
    assert "No coverage from the right yet." in page


def test_one_source_story_says_so_instead_of_a_full_bar(demo: Flask, client: FlaskClient) -> None:
    page = html(client, f"/stories/{story_id(client, 'Seattle council')}")
    assert "Only one rated source so far (left)." in page
    assert "100%" not in page and "of the sources lean" not in page
    assert "1 article · 1 source" in page


def test_unknown_story_is_a_styled_404_page(demo: Flask, client: FlaskClient) -> None:
    page = html(client, "/stories/999999", 404)
    assert "There is no story 999999." in page and "/static/parallax.css" in page
    assert client.get("/api/v1/stories/999999").mimetype == "application/problem+json"


def test_home_lookup_links_the_story_and_counts_the_article_being_read(
    demo: Flask, client: FlaskClient
) -> None:
    sid = story_id(client, "Seattle council")
    query = {
        "url": "https://www.foxnews.com/us/seattle-bike-lanes-rainier",
        "title": "Seattle council approves protected bike lanes on Rainier Avenue",
    }
    answer = api(client, "/api/v1/lookup", **query)
    assert answer["story"]["id"] == sid
    # Seattle Times (lean left) and the Fox News article being read (right).
    assert (answer["story"]["bias_split"]["left"], answer["story"]["bias_split"]["right"]) == (1, 1)
    page = client.get("/", query_string=query).get_data(as_text=True)
    assert f'<h2><a href="/stories/{sid}">Seattle council approves' in page
    assert "The split counts this article's outlet, Fox News, with the rest." in page


def test_home_lists_top_stories_most_sources_first_with_pages(
    demo: Flask, client: FlaskClient
) -> None:
    first = html(client, "/")
    assert "Top stories" in first and "34 stories this week" in first
    assert first.index("Fed cuts rates") < first.index("Senate passes stopgap")
    assert first.count('class="story-card"') == 12
    assert 'href="/?page=2"' in first and "Page 1 of 3" in first
    last = html(client, "/?page=3")
    assert "Page 3 of 3" in last and 'rel="next"' not in last
    assert last.count('class="story-card"') == 10
    assert "There is no page 4: the last page is 3." in html(client, "/?page=4", 404)


@pytest.mark.parametrize(
    "path",
    [
        "/?page=0",
        "/?page=abc",
        "/?page=-1",
        "/?page=99999",
        "/blindspots/left?page=1.5",
        "/search?q=" + "a" * 201,
        "/search?q=a%00b",
        "/outlets?bias=purple",
        "/outlets?country=Britain",
        "/local/GBR",
        "/local?country=1",
    ],
)
def test_bad_query_strings_get_the_400_page(demo: Flask, client: FlaskClient, path: str) -> None:
    page = html(client, path, 400)
    assert "That address is not quite right" in page and "/static/parallax.css" in page


def test_blindspots_for_each_side(demo: Flask, client: FlaskClient) -> None:
    both = html(client, "/blindspots")
    assert "For the left" in both and "For the right" in both
    assert "Inspector general finds FEMA paid" in both  # ignored by the left
    assert "Union membership rises" in both  # ignored by the right
    left = html(client, "/blindspots/left")
    assert left.count('class="story-card"') == 3 and "Union membership" not in left
    assert html(client, "/blindspots/center", 404)


def test_local_stories_and_the_country_picker(demo: Flask, client: FlaskClient) -> None:
    picker = html(client, "/local")
    assert 'href="/local/FR"' in picker and "France" in picker
    france = html(client, "/local/fr")
    assert "Paris transit strike" in france and "Bundestag" not in france
    assert client.get("/local?country=de").headers["Location"] == "/local/DE"
    assert "No recent story from ZZ yet." in html(client, "/local/ZZ")


def test_search_finds_stories_through_the_index_and_outlets(
    demo: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []
    candidates = StoryIndex.candidates

    def spy(self: StoryIndex, title: str, *args: Any, **kwargs: Any) -> Any:
        asked.append(title)
        return candidates(self, title, *args, **kwargs)

    monkeypatch.setattr(StoryIndex, "candidates", spy)
    page = html(client, "/search?q=metro")
    assert "metro" in asked
    assert "Paris transit strike halts most Metro lines" in page
    assert "Mumbai Metro Line 3 opens fully" in page
    assert "Bank of Canada" not in page
    outlets = html(client, "/search?q=guardian")
    assert 'href="/outlets/guardian"' in outlets
    assert "No story matches" in html(client, "/search?q=zzyzx")


def test_outlet_list_filters_and_pages(demo: Flask, client: FlaskClient) -> None:
    right_gb = html(client, "/outlets?bias=right&country=GB")
    assert "The Daily Telegraph" in right_gb or "Telegraph" in right_gb
    assert "BBC News" not in right_gb
    everything = html(client, "/outlets")
    assert "635 outlets" in everything and "Page 1 of 11" in everything
    assert "There is no page 12" in html(client, "/outlets?page=12", 404)


def test_outlet_page_shows_rating_basis_rules_stories_and_history_link(
    demo: Flask, client: FlaskClient
) -> None:
    page = html(client, "/outlets/bbc-news")
    assert "BBC News" in page and "Basis" in page and "bbc.co.uk" in page
    assert 'href="/outlets/bbc-news/history"' in page
    assert "Stories it covered" in page and "Bank of England holds interest rates" in page
    assert "No such outlet" in html(client, "/outlets/no-such-outlet", 404)


def test_hostile_headlines_and_long_urls_are_text(demo: Flask, client: FlaskClient) -> None:
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)> Seattle council approves'
    long_url = "https://www.foxnews.com/us/" + "very-long-segment-" * 40
    with demo.app_context():
        session = get_session()
        catalog = load_catalog(session)
        add_articles(
            session,
            catalog,
            get_services(demo).stories,
            [NewArticle(long_url, hostile + " protected bike lanes on Rainier Avenue", utcnow())],
            "file",
        )
        session.commit()
    page = html(client, f"/stories/{story_id(client, 'Seattle council')}")
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert f'href="{long_url}"' in page  # a real article links; the stylesheet wraps it
    lookup = client.get("/", query_string={"url": long_url}).get_data(as_text=True)
    assert f'<p class="url">{long_url}</p>' in lookup


def test_home_with_an_unreadable_address_says_why(demo: Flask, client: FlaskClient) -> None:
    page = client.get("/", query_string={"url": "not a url"}).get_data(as_text=True)
    assert 'role="alert"' in page and "That is not a web address we can read" in page


def test_top_stories_count_from_the_newest_story_not_the_clock(
    demo: Flask, client: FlaskClient
) -> None:
    # Another week of quiet: the demo's stories are still this week's top stories.
    with demo.app_context():
        from server.starter import redate_demo

        redate_demo(get_session(), utcnow() - timedelta(days=30))
    assert "34 stories this week" in html(client, "/")
