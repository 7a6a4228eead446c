"""Ingesting articles: feeds served on 127.0.0.1, bulk files, dedup, clustering, the CLI.

The feed server is the standard library's, in a thread, on an ephemeral port. It serves an
RSS 2.0 and an Atom feed that honour conditional GET, a gzip-compressed feed, a feed that is
not XML, a 500, a slow answer, redirects (``/r/301/rss.xml`` answers 301 to ``/rss.xml``)
and a FeedBurner-style feed; a closed port stands for a server that is down. The articles'
own URLs are on the outlets' domains but are never fetched.
"""

from __future__ import annotations

import csv
import gzip
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server import ingest
from server.ingest import FeedError, IngestFileError, fetch_feed, ingest_feeds, plain_text
from server.models import Article, Feed, Outlet, RatingChange, Story
from server.outlets import FEED_MOVE_ACTOR
from server.services import get_services, get_session

DATA = Path(__file__).parent / "data"
NOW = datetime.now(UTC).replace(microsecond=0)
UA = "ParallaxTest/1.0 (+https://example.org/parallax)"


def _rfc822(hours_ago: float) -> str:
    return format_datetime(NOW - timedelta(hours=hours_ago), usegmt=True)


def _iso(hours_ago: float) -> str:
    return (NOW - timedelta(hours=hours_ago)).isoformat().replace("+00:00", "Z")


RSS = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>BBC News</title><link>https://www.bbc.co.uk/news</link>
<item>
  <title>Chancellor Reeves unveils &lt;b&gt;£26bn&lt;/b&gt; tax rise in Budget</title>
  <link>https://www.bbc.co.uk/news/articles/budget-26bn?at_medium=RSS&amp;utm_source=rss</link>
  <description>&lt;p&gt;Rachel Reeves   raised taxes by &lt;a href="x"&gt;£26bn&lt;/a&gt;.&lt;/p&gt;
  &lt;img src="y.jpg"&gt;</description>
  <pubDate>{_rfc822(5)}</pubDate>
</item>
<item>
  <title>Storm Bert floods hundreds of homes in Wales</title>
  <link>/news/uk-wales-storm-bert</link>
  <guid isPermaLink="false">bbc-storm-bert</guid>
  <pubDate>{_rfc822(3)}</pubDate>
</item>
<item><title>An entry without a link is skipped</title></item>
</channel></rss>
"""

ATOM = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>The Guardian</title><id>tag:theguardian.com,2026:feed</id><updated>{_iso(1)}</updated>
  <entry>
    <title type="html">Reeves’s £26bn tax rise budget: what it means for you</title>
    <link rel="alternate" href="https://www.theguardian.com/uk-news/2026/budget-26bn-tax-rise"/>
    <id>tag:theguardian.com,2026:budget</id>
    <updated>{_iso(4)}</updated>
    <summary type="html">&lt;p&gt;Rachel Reeves set out £26bn of tax rises.&lt;/p&gt;</summary>
  </entry>
  <entry>
    <title>Louvre reopens after jewel heist</title>
    <link href="https://www.theguardian.com/world/2026/louvre-reopens"/>
    <id>tag:theguardian.com,2026:louvre</id>
    <published>{_iso(2)}</published><updated>{_iso(1)}</updated>
  </entry>
</feed>
"""

WSJ_RSS = f"""<?xml version="1.0"?><rss version="2.0"><channel><title>WSJ</title>
<item><title>Markets rally as Fed signals December cut</title>
<link>https://www.wsj.com/finance/markets-rally-fed-cut</link>
<pubDate>{_rfc822(6)}</pubDate></item></channel></rss>"""

BROKEN = b"<html><body><h1>Our feed moved</h1> <<< not a feed"

GOOGLE_NEWS_LINK = "https://news.google.com/rss/articles/CBMiWmh0dHBzOi8vd3d3LmZveG5ld3MuY29t?oc=5"
# A feed served through FeedBurner: its links are the proxy's, origLink the publisher's.
FEEDBURNER_RSS = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:feedburner="http://rssnamespace.org/feedburner/ext/1.0">
<channel><title>Fox News</title><link>https://www.foxnews.com</link>
<item>
  <title>Senate passes stopgap funding bill</title>
  <link>https://feedproxy.google.com/~r/foxnews/politics/~3/aB1/</link>
  <feedburner:origLink>https://www.foxnews.com/politics/senate-stopgap</feedburner:origLink>
  <pubDate>{_rfc822(2)}</pubDate>
</item>
<item>
  <title>Wildfire forces evacuations near Los Angeles</title>
  <link>https://feeds.feedburner.com/~r/foxnews/us/~3/cD2/</link>
  <pubDate>{_rfc822(3)}</pubDate>
</item>
<item>
  <title>Markets slide on tariff fears</title>
  <link>{GOOGLE_NEWS_LINK}</link>
  <pubDate>{_rfc822(4)}</pubDate>
</item>
<item>
  <title>Reuters: ceasefire talks resume in Cairo</title>
  <link>https://www.reuters.com/world/ceasefire-talks-cairo</link>
  <pubDate>{_rfc822(5)}</pubDate>
</item>
</channel></rss>
"""


@dataclass
class FeedServer:
    """A feed server on 127.0.0.1 that records the requests it saw."""

    base: str
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    def seen(self, path: str) -> list[dict[str, str]]:
        return [headers for seen_path, headers in self.requests if seen_path == path]


def _handler(server: FeedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            """Keep the test output quiet."""

        def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            server.requests.append((self.path, dict(self.headers.items())))
            if self.path.startswith("/r/"):  # /r/301/rss.xml: a 301 to /rss.xml
                code, _, target = self.path[3:].partition("/")
                location = target if "://" in target else server.url(f"/{target}")
                self._send(int(code), b"", {"Location": location})
            elif self.path == "/feedburner.xml":
                rss = {"Content-Type": "application/rss+xml"}
                self._send(200, FEEDBURNER_RSS.encode(), rss)
            elif self.path == "/rss.xml":
                if self.headers.get("If-None-Match") == '"rss-v1"':
                    self._send(304, b"", {"ETag": '"rss-v1"'})
                else:
                    rss = {"Content-Type": "application/rss+xml", "ETag": '"rss-v1"'}
                    self._send(200, RSS.encode(), rss)
            elif self.path == "/atom.xml":
                modified = "Sat, 28 Nov 2026 10:00:00 GMT"
                if self.headers.get("If-Modified-Since") == modified:
                    self._send(304, b"", {})
                else:
                    atom = {"Content-Type": "application/atom+xml", "Last-Modified": modified}
                    self._send(200, ATOM.encode(), atom)
            elif self.path == "/wsj.xml.gz":
                body = gzip.compress(WSJ_RSS.encode())
                self._send(200, body, {"Content-Type": "text/xml", "Content-Encoding": "gzip"})
            elif self.path == "/broken.xml":
                self._send(200, BROKEN, {"Content-Type": "application/rss+xml"})
            elif self.path == "/slow.xml":
                time.sleep(1.0)
                self._send(200, RSS.encode(), {"Content-Type": "application/rss+xml"})
            elif self.path == "/error":
                self._send(500, b"Internal Server Error", {"Content-Type": "text/plain"})
            else:
                self._send(404, b"Not Found", {"Content-Type": "text/plain"})

    return Handler


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    """Serve the test feeds on 127.0.0.1 on an ephemeral port."""
    state = FeedServer(base="")
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    httpd.daemon_threads = True
    state.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield state
    httpd.shutdown()
    httpd.server_close()
    thread.join()


@pytest.fixture
def closed_port_url() -> str:
    """Return a URL on 127.0.0.1 where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/feed.xml"


@pytest.fixture
def session(seeded: Flask) -> Iterator[Session]:
    """Return a session of the seeded app, inside its app context."""
    with seeded.app_context():
        yield get_session()


def _add_feeds(session: Session, feeds: dict[str, str]) -> None:
    """Give outlets feeds, as a maintainer would: {url: outlet slug}."""
    for url, slug in feeds.items():
        outlet = session.scalar(select(Outlet).where(Outlet.slug == slug))
        assert outlet is not None
        outlet.feeds.append(Feed(url=url))
    session.commit()


def _run(app: Flask, session: Session, only: set[str] | None = None) -> ingest.FeedsReport:
    catalog = get_services(app).catalog.get(session)
    stories = get_services(app).stories
    return ingest_feeds(session, catalog, stories, timeout=5.0, user_agent=UA, only=only)


def _ingest_file(app: Flask, session: Session, path: Path) -> ingest.IngestResult:
    catalog = get_services(app).catalog.get(session)
    return ingest.ingest_file(session, catalog, get_services(app).stories, path)


def _articles(session: Session) -> dict[str, Article]:
    return {a.url: a for a in session.scalars(select(Article))}


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Article)) or 0


# --- feeds ---------------------------------------------------------------------------------


@pytest.fixture
def good_feeds(seeded: Flask, session: Session, feed_server: FeedServer) -> FeedServer:
    _add_feeds(
        session,
        {
            feed_server.url("/rss.xml"): "bbc-news",
            feed_server.url("/atom.xml"): "guardian",
            feed_server.url("/wsj.xml.gz"): "wall-street-journal",
        },
    )
    return feed_server


def test_rss_and_atom_entries_become_articles_of_their_outlets(
    seeded: Flask, session: Session, good_feeds: FeedServer
) -> None:
    report = _run(seeded, session)

    assert [(f.outlet, f.state, f.added) for f in report.feeds] == [
        ("bbc-news", "ok", 2),
        ("guardian", "ok", 2),
        ("wall-street-journal", "ok", 1),
    ]
    articles = _articles(session)
    budget = articles["https://www.bbc.co.uk/news/articles/budget-26bn"]
    assert budget.outlet is not None and budget.outlet.slug == "bbc-news"
    assert budget.title == "Chancellor Reeves unveils £26bn tax rise in Budget"
    assert budget.description == "Rachel Reeves raised taxes by £26bn."
    assert budget.published_at == NOW - timedelta(hours=5)
    assert budget.source == "feed"
    # A relative link is resolved against the feed; the guid that is no permalink is ignored.
    assert "https://www.bbc.co.uk/news/uk-wales-storm-bert" not in articles
    storm = articles[good_feeds.url("/news/uk-wales-storm-bert")]
    assert storm.title == "Storm Bert floods hundreds of homes in Wales"
    guardian = articles["https://www.theguardian.com/world/2026/louvre-reopens"]
    assert guardian.outlet is not None and guardian.outlet.slug == "guardian"
    assert guardian.published_at == NOW - timedelta(hours=2)  # published, not updated


def test_gzip_feed_is_decompressed(seeded: Flask, session: Session, good_feeds: FeedServer) -> None:
    _run(seeded, session, only={"wall-street-journal"})

    assert set(_articles(session)) == {"https://www.wsj.com/finance/markets-rally-fed-cut"}
    assert "gzip" in good_feeds.seen("/wsj.xml.gz")[0]["Accept-Encoding"]


def test_feeds_are_fetched_with_a_polite_user_agent(
    seeded: Flask, session: Session, good_feeds: FeedServer
) -> None:
    _run(seeded, session)

    assert {headers["User-Agent"] for _, headers in good_feeds.requests} == {UA}


def test_second_run_sends_validators_and_adds_nothing_when_not_modified(
    seeded: Flask, session: Session, good_feeds: FeedServer
) -> None:
    _run(seeded, session, only={"bbc-news", "guardian"})
    feed = session.scalar(select(Feed).where(Feed.url == good_feeds.url("/rss.xml")))
    assert feed is not None and feed.etag == '"rss-v1"' and feed.last_status == 200
    stored = _count(session)

    report = _run(seeded, session, only={"bbc-news", "guardian"})

    assert [(f.state, f.added, f.summary()) for f in report.feeds] == [
        ("not-modified", 0, "not modified"),
        ("not-modified", 0, "not modified"),
    ]
    assert _count(session) == stored
    assert good_feeds.seen("/rss.xml")[1]["If-None-Match"] == '"rss-v1"'
    assert good_feeds.seen("/atom.xml")[1]["If-Modified-Since"] == "Sat, 28 Nov 2026 10:00:00 GMT"
    session.refresh(feed)
    assert feed.last_status == 304 and feed.etag == '"rss-v1"' and feed.last_error is None


def test_failing_feeds_never_stop_the_others(
    seeded: Flask, session: Session, feed_server: FeedServer, closed_port_url: str
) -> None:
    # Slugs sort the run: breitbart and fox-news fail before guardian and reuters are fetched.
    _add_feeds(
        session,
        {
            closed_port_url: "breitbart",
            feed_server.url("/rss.xml"): "bbc-news",
            feed_server.url("/broken.xml"): "fox-news",
            feed_server.url("/atom.xml"): "guardian",
            feed_server.url("/error"): "reuters",
            feed_server.url("/missing.xml"): "jacobin",
        },
    )

    report = _run(seeded, session)

    outcomes = {f.outlet: f for f in report.feeds}
    assert {slug: f.state for slug, f in outcomes.items()} == {
        "bbc-news": "ok",
        "breitbart": "error",
        "fox-news": "error",
        "guardian": "ok",
        "jacobin": "error",
        "reuters": "error",
    }
    assert report.added == 4 and _count(session) == 4
    assert outcomes["reuters"].summary() == "error: HTTP 500 Internal Server Error"
    assert outcomes["jacobin"].http_status == 404
    assert "not a readable RSS or Atom feed" in (outcomes["fox-news"].error or "")
    assert (outcomes["breitbart"].error or "").startswith("cannot connect")
    rows = {f.outlet.slug: f for f in session.scalars(select(Feed))}
    assert rows["reuters"].last_status == 500
    assert rows["reuters"].last_error == "HTTP 500 Internal Server Error"
    assert rows["breitbart"].last_status is None and rows["breitbart"].last_error
    assert rows["fox-news"].last_error and rows["fox-news"].last_fetched_at is not None
    assert rows["bbc-news"].last_error is None


def test_a_timeout_is_that_feeds_error(
    seeded: Flask, session: Session, feed_server: FeedServer
) -> None:
    with pytest.raises(FeedError, match="timed out"):
        fetch_feed(feed_server.url("/slow.xml"), None, None, timeout=0.2, user_agent=UA)


def test_a_feed_larger_than_the_cap_is_refused(
    feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ingest, "MAX_FEED_BYTES", 500)

    with pytest.raises(FeedError, match="larger than"):
        fetch_feed(feed_server.url("/rss.xml"), None, None, timeout=5.0, user_agent=UA)


def test_a_non_web_feed_url_is_refused() -> None:
    with pytest.raises(FeedError, match="not an http"):
        fetch_feed("file:///etc/passwd", None, None, timeout=1.0, user_agent=UA)


def test_unknown_outlet_is_an_error_before_any_fetch(
    seeded: Flask, session: Session, good_feeds: FeedServer
) -> None:
    with pytest.raises(ValueError, match="no such outlet: nope"):
        _run(seeded, session, only={"bbc-news", "nope"})
    assert good_feeds.requests == []


def test_feed_entries_already_stored_with_other_tracking_params_are_duplicates(
    seeded: Flask, session: Session, good_feeds: FeedServer, tmp_path: Path
) -> None:
    # The same BBC article, seen earlier with other tracking parameters and a fragment.
    path = tmp_path / "earlier.jsonl"
    path.write_text(
        json.dumps(
            {
                "url": "https://www.bbc.co.uk/news/articles/budget-26bn?utm_campaign=x#top",
                "title": "Chancellor Reeves unveils £26bn tax rise in Budget",
                "published_at": _iso(5),
            }
        )
        + "\n"
    )
    _ingest_file(seeded, session, path)

    report = _run(seeded, session, only={"bbc-news"})

    assert (report.feeds[0].added, report.feeds[0].duplicates) == (1, 1)
    assert report.feeds[0].summary() == "ok 1 new, 1 duplicates"
    assert _count(session) == 2


def test_articles_of_one_event_from_several_feeds_form_one_story(
    seeded: Flask, session: Session, good_feeds: FeedServer
) -> None:
    _run(seeded, session)

    bbc = _articles(session)["https://www.bbc.co.uk/news/articles/budget-26bn"]
    guardian = _articles(session)["https://www.theguardian.com/uk-news/2026/budget-26bn-tax-rise"]
    louvre = _articles(session)["https://www.theguardian.com/world/2026/louvre-reopens"]
    assert bbc.story_id is not None and bbc.story_id == guardian.story_id
    assert louvre.story_id != bbc.story_id
    story = session.get(Story, bbc.story_id)
    assert story is not None and story.outlet_count == 2 and story.article_count == 2


RDF = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
  xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://www.asahi.com/"><title>Asahi</title></channel>
  <item rdf:about="https://www.asahi.com/articles/quake-iwate.html">
    <title>Magnitude 6.9 earthquake off Iwate</title>
    <link>https://www.asahi.com/articles/quake-iwate.html</link>
    <dc:date>2026-11-28T09:30:00+09:00</dc:date>
  </item>
</rdf:RDF>"""


def test_rdf_feed_is_read() -> None:
    articles, warning = ingest.parse_feed(RDF, "https://www.asahi.com/rss.rdf")

    assert warning is None
    assert [(a.url, a.title, a.published_at) for a in articles] == [
        (
            "https://www.asahi.com/articles/quake-iwate.html",
            "Magnitude 6.9 earthquake off Iwate",
            datetime(2026, 11, 28, 0, 30, tzinfo=UTC),
        )
    ]


def test_malformed_feed_with_readable_entries_is_taken_with_a_warning() -> None:
    truncated = RSS.encode()[: RSS.index("<item><title>An entry")]

    articles, warning = ingest.parse_feed(truncated, "https://www.bbc.co.uk/news/rss.xml")

    assert len(articles) == 2
    assert warning is not None and warning.startswith("malformed feed, 2 entries read anyway")


def test_entry_dated_in_the_future_is_taken_as_published_now() -> None:
    future = RSS.replace(_rfc822(5), _rfc822(-48)).encode()

    articles, _ = ingest.parse_feed(future, "https://www.bbc.co.uk/news/rss.xml")

    assert articles[0].published_at is not None
    assert articles[0].published_at <= datetime.now(UTC)


@pytest.mark.parametrize(
    ("raw", "html", "expected"),
    [
        ("Fed &amp; ECB <b>hold</b> rates", True, "Fed & ECB hold rates"),
        ("  spaced \n\t out  ", True, "spaced out"),
        ("<p>one</p><p>two</p>", True, "one two"),
        ("<script>alert(1)</script>Text", True, "Text"),
        ("3 < 5 & <b> stays", False, "3 < 5 & <b> stays"),
    ],
)
def test_plain_text(raw: str, html: bool, expected: str) -> None:
    assert plain_text(raw, html) == expected


def test_plain_text_is_cut_at_a_word() -> None:
    text = plain_text("word " * 100, html=False, limit=50)
    assert len(text) <= 50 and text.endswith("word…")


# --- files ---------------------------------------------------------------------------------

Row = dict[str, object]
ROWS: list[Row] = [
    {
        "url": "https://www.foxnews.com/politics/senate-passes-stopgap-funding-bill?utm_source=x",
        "title": "Senate passes stopgap funding bill, averting government shutdown",
        "published_at": _iso(10),
        "description": "The vote was 71-29.",
    },
    {
        "url": "https://www.nytimes.com/2026/11/28/us/politics/senate-shutdown-vote.html",
        "title": "Senate Passes Stopgap Funding Bill to Avert Government Shutdown",
        "published_at": _iso(9),
    },
    {
        "url": "https://www.reuters.com/world/us/senate-passes-stopgap-bill-2026-11-28/",
        "title": "US Senate passes stopgap funding bill, averting government shutdown",
        "published_at": int((NOW - timedelta(hours=8)).timestamp() * 1000),
    },
    {
        "url": "https://jacobin.com/2026/11/nurses-strike-minnesota",
        "title": "Why Minnesota's nurses are striking again",
    },
]


def _write_jsonl(path: Path, rows: list[Row]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def _write_csv(path: Path, rows: list[Row]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, ["url", "title", "published_at", "description"])
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.mark.parametrize("write", [_write_jsonl, _write_csv], ids=["jsonl", "csv"])
def test_file_is_ingested_and_clustered(
    seeded: Flask, session: Session, tmp_path: Path, write: Callable[[Path, list[Row]], Path]
) -> None:
    suffix = ".jsonl" if write is _write_jsonl else ".csv"
    result = _ingest_file(seeded, session, write(tmp_path / f"articles{suffix}", ROWS))

    assert (result.added, result.duplicates, result.new_stories) == (4, 0, 2)
    articles = _articles(session)
    fox = articles["https://www.foxnews.com/politics/senate-passes-stopgap-funding-bill"]
    reuters = articles["https://www.reuters.com/world/us/senate-passes-stopgap-bill-2026-11-28/"]
    assert fox.outlet is not None and fox.outlet.slug == "fox-news"
    assert fox.description == "The vote was 71-29."
    assert fox.source == "file"
    assert reuters.published_at == NOW - timedelta(hours=8)  # epoch milliseconds
    assert fox.story_id == reuters.story_id
    jacobin = articles["https://jacobin.com/2026/11/nurses-strike-minnesota"]
    assert jacobin.story_id != fox.story_id and jacobin.published_at is None


def test_reingesting_a_file_adds_nothing(seeded: Flask, session: Session, tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "a.jsonl", ROWS)
    _ingest_file(seeded, session, path)

    again = _ingest_file(seeded, session, path)

    assert (again.added, again.duplicates, again.new_stories) == (0, 4, 0)
    assert _count(session) == 4


def test_tracking_params_and_fragments_do_not_make_a_new_article(
    seeded: Flask, session: Session, tmp_path: Path
) -> None:
    rows = [
        {"url": "https://www.bbc.co.uk/news/x-1?utm_source=twitter", "title": "A headline"},
        {"url": "https://www.bbc.co.uk/news/x-1", "title": "A headline"},
        {"url": "https://www.bbc.co.uk/news/x-1?fbclid=abc#comments", "title": "A headline"},
    ]
    result = _ingest_file(seeded, session, _write_jsonl(tmp_path / "v.jsonl", rows))

    assert (result.added, result.duplicates) == (1, 2)


def test_scheme_and_www_variants_do_not_make_a_new_article(
    seeded: Flask, session: Session, tmp_path: Path
) -> None:
    rows = [
        {"url": "https://www.bbc.co.uk/news/x-1", "title": "A headline"},
        {"url": "http://bbc.co.uk/news/x-1", "title": "A headline"},
        {"url": "https://m.bbc.co.uk/news/x-1", "title": "A headline"},
    ]
    result = _ingest_file(seeded, session, _write_jsonl(tmp_path / "v.jsonl", rows))

    assert (result.added, result.duplicates) == (1, 2)


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ({"title": "No URL"}, "line 3: url is missing"),
        ({"url": "mailto:x@example.org", "title": "T"}, "line 3: url 'mailto:x@example.org'"),
        ({"url": "https://www.bbc.co.uk/news/y", "title": "  "}, "line 3: title is missing"),
        (
            {"url": "https://www.bbc.co.uk/news/y", "title": "T", "published_at": "yesterday"},
            "line 3: published_at 'yesterday' is not an ISO 8601 time",
        ),
        (
            {
                "url": "https://www.bbc.co.uk/news/y",
                "title": "T",
                "published_at": "2026-11-28T09:00",
            },
            "has no time zone",
        ),
        (
            {"url": "https://www.bbc.co.uk/news/y", "title": "T", "published_at": 10**20},
            "line 3: published_at 100000000000000000000 is out of range",
        ),
    ],
)
def test_a_bad_row_rejects_the_whole_file(
    seeded: Flask, session: Session, tmp_path: Path, row: Row, problem: str
) -> None:
    path = _write_jsonl(tmp_path / "bad.jsonl", [ROWS[0], ROWS[1], row, ROWS[2]])

    with pytest.raises(IngestFileError, match=problem):
        _ingest_file(seeded, session, path)
    assert _count(session) == 0
    assert session.scalar(select(func.count()).select_from(Story)) == 0


def test_problems_name_every_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"url": "https://a.example/1", "title": "ok"}\n[1, 2]\n\n{oops\n')

    with pytest.raises(IngestFileError) as raised:
        ingest.read_articles(path)
    assert raised.value.problems == [
        "line 2: not a JSON object",
        "line 4: not valid JSON (Expecting property name enclosed in double quotes)",
    ]


def test_csv_without_a_title_column_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("url,headline\nhttps://a.example/1,Hi\n")

    with pytest.raises(IngestFileError, match="line 1: the header has no title column"):
        ingest.read_articles(path)


def test_csv_problems_name_the_line_of_the_record(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text('url,title\nhttps://a.example/1,"two\nlines"\nhttps://a.example/2,\n')

    with pytest.raises(IngestFileError, match="^line 4: title is missing$"):
        ingest.read_articles(path)


# --- the command line ----------------------------------------------------------------------


def test_cli_ingest_file_prints_what_was_added(
    seeded: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    path = _write_jsonl(tmp_path / "a.jsonl", ROWS)

    first = runner.invoke(args=["ingest", "file", str(path)])
    again = runner.invoke(args=["ingest", "file", str(path)])

    assert first.exit_code == 0, first.output
    assert first.output == "4 new articles, 0 duplicates, 2 new stories\n"
    assert again.output == "0 new articles, 4 duplicates, 0 new stories\n"


def test_cli_ingest_file_rejects_a_bad_file_with_status_1(
    seeded: Flask, runner: FlaskCliRunner, session: Session, tmp_path: Path
) -> None:
    path = _write_jsonl(tmp_path / "bad.jsonl", [ROWS[0], {"url": "https://a.example/x"}])

    result = runner.invoke(args=["ingest", "file", str(path)])

    assert result.exit_code == 1
    assert "nothing was ingested from bad.jsonl:\nline 2: title is missing" in result.output
    assert _count(session) == 0


def test_cli_ingest_feeds_prints_one_line_per_feed_and_exits_0_despite_failures(
    seeded: Flask, runner: FlaskCliRunner, session: Session, feed_server: FeedServer
) -> None:
    _add_feeds(
        session,
        {feed_server.url("/rss.xml"): "bbc-news", feed_server.url("/error"): "reuters"},
    )

    first = runner.invoke(args=["ingest", "feeds"])
    second = runner.invoke(args=["ingest", "feeds", "--outlet", "bbc-news"])

    assert first.exit_code == 0, first.output
    assert first.output.splitlines() == [
        f"bbc-news  {feed_server.url('/rss.xml')}  ok 2 new, 0 duplicates",
        f"reuters  {feed_server.url('/error')}  error: HTTP 500 Internal Server Error",
        "2 feeds: 1 ok, 0 not modified, 1 failed; 2 new articles, 0 duplicates",
    ]
    assert second.output.splitlines() == [
        f"bbc-news  {feed_server.url('/rss.xml')}  not modified",
        "1 feed: 0 ok, 1 not modified, 0 failed; 0 new articles, 0 duplicates",
    ]


def test_cli_ingest_feeds_refuses_an_unknown_outlet(seeded: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["ingest", "feeds", "--outlet", "nope"])

    assert result.exit_code == 1
    assert "no such outlet: nope" in result.output


def test_cli_feeds_add_gives_an_outlet_a_feed(
    seeded: Flask, runner: FlaskCliRunner, session: Session
) -> None:
    url = "https://feeds.bbci.co.uk/news/rss.xml"

    added = runner.invoke(args=["feeds", "add", "bbc-news", url])
    twice = runner.invoke(args=["feeds", "add", "guardian", url])
    listed = runner.invoke(args=["feeds", "list"])

    assert added.exit_code == 0 and added.output == f"added {url} to bbc-news\n"
    assert twice.exit_code == 1 and "already a feed of bbc-news" in twice.output
    assert listed.output == f"bbc-news  {url}  never fetched\n"
    assert session.scalar(select(Feed.url).join(Feed.outlet).where(Outlet.slug == "bbc-news"))


def test_cli_feeds_remove_takes_the_feed_off_and_keeps_its_articles(
    seeded: Flask, runner: FlaskCliRunner, session: Session, good_feeds: FeedServer
) -> None:
    url = good_feeds.url("/rss.xml")
    _run(seeded, session)
    stored = {a.url: (a.outlet_id, a.story_id) for a in _articles(session).values()}

    removed = runner.invoke(args=["feeds", "remove", "--outlet", "bbc-news", url])
    listed = runner.invoke(args=["feeds", "list", "--outlet", "bbc-news"])
    later = _run(seeded, session)

    assert removed.exit_code == 0 and removed.output == f"removed {url} from bbc-news\n"
    assert listed.output == ""
    assert url not in [feed.url for feed in later.feeds]
    session.expire_all()
    assert {a.url: (a.outlet_id, a.story_id) for a in _articles(session).values()} == stored
    budget = _articles(session)["https://www.bbc.co.uk/news/articles/budget-26bn"]
    assert budget.outlet is not None and budget.outlet.slug == "bbc-news"


def test_cli_feeds_remove_refuses_a_feed_that_is_not_stored(
    seeded: Flask, runner: FlaskCliRunner, session: Session
) -> None:
    url = "https://feeds.bbci.co.uk/news/rss.xml"

    result = runner.invoke(args=["feeds", "remove", url])

    assert result.exit_code == 1
    assert f"no such feed: {url}" in result.output
    removals = select(RatingChange).where(RatingChange.reason == "parallax feeds remove")
    assert session.scalars(removals).all() == []


def test_cli_feeds_remove_refuses_a_feed_of_another_outlet(
    seeded: Flask, runner: FlaskCliRunner, session: Session
) -> None:
    url = "https://feeds.bbci.co.uk/news/rss.xml"
    _add_feeds(session, {url: "bbc-news"})

    result = runner.invoke(args=["feeds", "remove", "--outlet", "guardian", url])

    assert result.exit_code == 1
    assert f"{url} is a feed of bbc-news, not of guardian" in result.output
    assert _feed_urls(session, "bbc-news") == [url]


def test_cli_feeds_remove_of_a_moved_feeds_old_url_says_where_it_went(
    seeded: Flask, runner: FlaskCliRunner, session: Session, feed_server: FeedServer
) -> None:
    old, new = feed_server.url("/r/301/rss.xml"), feed_server.url("/rss.xml")
    _add_feeds(session, {old: "bbc-news"})
    _run(seeded, session)

    result = runner.invoke(args=["feeds", "remove", old])

    assert result.exit_code == 1
    assert f"no such feed: {old} (it moved permanently to {new})" in result.output
    assert _feed_urls(session, "bbc-news") == [new]


# --- redirects: a feed that moved --------------------------------------------------------


def _feed_urls(session: Session, slug: str) -> list[str]:
    session.expire_all()
    outlet = session.scalar(select(Outlet).where(Outlet.slug == slug))
    assert outlet is not None
    return [feed.url for feed in outlet.feeds]


def test_permanent_redirect_updates_the_stored_url_and_the_next_run_goes_there(
    seeded: Flask, session: Session, feed_server: FeedServer
) -> None:
    old, new = feed_server.url("/r/301/rss.xml"), feed_server.url("/rss.xml")
    _add_feeds(session, {old: "bbc-news"})

    first = _run(seeded, session)
    second = _run(seeded, session)

    assert (first.feeds[0].state, first.feeds[0].added) == ("ok", 2)
    assert first.feeds[0].moved_to == new and first.moved == 1
    assert first.feeds[0].summary() == (
        f"ok 2 new, 0 duplicates; moved permanently, URL updated to {new}"
    )
    assert _feed_urls(session, "bbc-news") == [new]
    assert (second.feeds[0].url, second.feeds[0].state) == (new, "not-modified")
    assert second.moved == 0
    assert len(feed_server.seen("/r/301/rss.xml")) == 1  # the second run went straight there
    assert feed_server.seen("/rss.xml")[1]["If-None-Match"] == '"rss-v1"'
    change = session.scalars(
        select(RatingChange).where(RatingChange.actor == FEED_MOVE_ACTOR)
    ).one()
    assert change.outlet_slug == "bbc-news"
    assert change.changes == {"feeds": [[old], [new]]}
    assert old in change.reason and new in change.reason


@pytest.mark.parametrize(
    ("path", "moved"),
    [
        ("/r/308/rss.xml", True),
        ("/r/308/r/301/rss.xml", True),  # every hop permanent
        ("/r/302/rss.xml", False),
        ("/r/307/rss.xml", False),
        ("/r/303/rss.xml", False),
        ("/r/301/r/302/rss.xml", False),  # one temporary hop: keep asking the old address
        ("/r/302/r/301/rss.xml", False),
    ],
)
def test_only_permanent_redirects_all_the_way_update_the_stored_url(
    seeded: Flask, session: Session, feed_server: FeedServer, path: str, moved: bool
) -> None:
    _add_feeds(session, {feed_server.url(path): "bbc-news"})

    report = _run(seeded, session)

    assert (report.feeds[0].state, report.feeds[0].added) == ("ok", 2)
    expected = feed_server.url("/rss.xml") if moved else feed_server.url(path)
    assert _feed_urls(session, "bbc-news") == [expected]
    assert report.feeds[0].moved_to == (expected if moved else None)


def test_temporary_redirect_keeps_the_stored_url_on_the_next_run_too(
    seeded: Flask, session: Session, feed_server: FeedServer
) -> None:
    temporary = feed_server.url("/r/302/rss.xml")
    _add_feeds(session, {temporary: "bbc-news"})

    _run(seeded, session)
    second = _run(seeded, session)

    assert second.feeds[0].state == "not-modified"  # validators still work through a 302
    assert len(feed_server.seen("/r/302/rss.xml")) == 2
    assert _feed_urls(session, "bbc-news") == [temporary]
    assert (
        session.scalars(select(RatingChange).where(RatingChange.actor == FEED_MOVE_ACTOR)).all()
        == []
    )


def test_a_permanent_redirect_answered_with_304_updates_the_stored_url(
    seeded: Flask, session: Session, feed_server: FeedServer
) -> None:
    old, new = feed_server.url("/r/301/rss.xml"), feed_server.url("/rss.xml")
    _add_feeds(session, {old: "bbc-news"})
    feed = session.scalar(select(Feed).where(Feed.url == old))
    assert feed is not None
    feed.etag = '"rss-v1"'  # fetched before the move
    session.commit()

    report = _run(seeded, session)

    assert (report.feeds[0].state, report.feeds[0].moved_to) == ("not-modified", new)
    assert report.feeds[0].summary() == f"not modified; moved permanently, URL updated to {new}"
    assert _feed_urls(session, "bbc-news") == [new]


def test_a_permanent_redirect_ending_in_an_error_moves_nothing(
    seeded: Flask, session: Session, feed_server: FeedServer
) -> None:
    old = feed_server.url("/r/301/missing.xml")
    _add_feeds(session, {old: "bbc-news"})

    report = _run(seeded, session)

    assert (report.feeds[0].state, report.feeds[0].http_status) == ("error", 404)
    assert _feed_urls(session, "bbc-news") == [old]


def test_a_redirect_to_a_non_web_url_is_that_feeds_error(feed_server: FeedServer) -> None:
    url = feed_server.url("/r/301/ftp://127.0.0.1/x")
    with pytest.raises(FeedError, match="HTTP 301 Moved Permanently, to a URL that is not http"):
        fetch_feed(url, None, None, timeout=5.0, user_agent=UA)


@pytest.mark.parametrize("holder", ["bbc-news", "guardian"])
def test_permanent_redirect_to_a_stored_feed_keeps_the_old_url_and_warns(
    seeded: Flask, session: Session, feed_server: FeedServer, holder: str
) -> None:
    old, new = feed_server.url("/r/301/rss.xml"), feed_server.url("/rss.xml")
    _add_feeds(session, {new: holder})
    _add_feeds(session, {old: "bbc-news"})

    report = _run(seeded, session)

    outcome = next(f for f in report.feeds if f.url == old)
    assert outcome.state == "ok" and outcome.moved_to is None and report.moved == 0
    warning = f"moved permanently to {new}, already a feed of {holder}; kept the old URL"
    assert outcome.warning == warning
    assert outcome.summary().endswith(f"(warning: {warning})")
    feed = session.scalar(select(Feed).where(Feed.url == old))
    assert feed is not None and feed.last_error == warning
    assert sorted(f.url for f in session.scalars(select(Feed))) == sorted([old, new])


def test_cli_ingest_feeds_says_a_feed_moved(
    seeded: Flask, runner: FlaskCliRunner, session: Session, feed_server: FeedServer
) -> None:
    old, new = feed_server.url("/r/301/rss.xml"), feed_server.url("/rss.xml")
    _add_feeds(session, {old: "bbc-news"})

    result = runner.invoke(args=["ingest", "feeds"])

    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"bbc-news  {old}  ok 2 new, 0 duplicates; moved permanently, URL updated to {new}",
        "1 feed: 1 ok, 0 not modified, 0 failed; 2 new articles, 0 duplicates; "
        "1 moved permanently (URL updated)",
    ]
    listed = runner.invoke(args=["feeds", "list"])
    assert listed.output.startswith(f"bbc-news  {new}  ")


def test_import_listing_a_moved_feeds_old_url_keeps_the_new_one(
    seeded: Flask, runner: FlaskCliRunner, session: Session, feed_server: FeedServer, tmp_path: Path
) -> None:
    old, new = feed_server.url("/r/301/rss.xml"), feed_server.url("/rss.xml")
    rows = (DATA / "outlets_small.csv").read_text().splitlines()
    curated = tmp_path / "curated.csv"
    curated.write_text("\n".join(r + old if r.startswith("bbc-news,") else r for r in rows) + "\n")
    # The curated file lists the old address; the import puts it in the database.
    assert runner.invoke(args=["outlets", "import", "--update", str(curated)]).exit_code == 0
    runner.invoke(args=["ingest", "feeds"])

    for flags in ([], ["--update"]):
        result = runner.invoke(args=["outlets", "import", *flags, str(curated)])

        assert result.exit_code == 0, result.output
        assert result.output.splitlines() == [
            "0 created, 0 updated, 10 unchanged",
            f"feed of bbc-news moved (permanent redirect): {old} is now {new}",
        ]
        assert _feed_urls(session, "bbc-news") == [new]
    exported = runner.invoke(args=["outlets", "export"]).output
    assert new in exported and old not in exported


# --- redirectors: crediting the right outlet ---------------------------------------------


def test_feedburner_origlink_is_stored_and_credited_to_the_publisher() -> None:
    articles, _ = ingest.parse_feed(FEEDBURNER_RSS.encode(), "https://feeds.feedburner.com/fox")

    assert [a.url for a in articles] == [
        "https://www.foxnews.com/politics/senate-stopgap",
        "https://feeds.feedburner.com/~r/foxnews/us/~3/cD2/",
        GOOGLE_NEWS_LINK,
        "https://www.reuters.com/world/ceasefire-talks-cairo",
    ]


def test_links_to_redirectors_are_credited_to_the_feeds_outlet(
    seeded: Flask, session: Session, feed_server: FeedServer
) -> None:
    _add_feeds(session, {feed_server.url("/feedburner.xml"): "fox-news"})

    report = _run(seeded, session)

    assert (report.feeds[0].state, report.feeds[0].added) == ("ok", 4)
    outlets = {
        url: article.outlet.slug if article.outlet else None
        for url, article in _articles(session).items()
    }
    assert outlets == {
        # origLink: the publisher's own address, no redirector left in it
        "https://www.foxnews.com/politics/senate-stopgap": "fox-news",
        # no origLink: the redirector's link, but the feed's outlet (never fetched to find out)
        "https://feeds.feedburner.com/~r/foxnews/us/~3/cD2/": "fox-news",
        GOOGLE_NEWS_LINK: "fox-news",
        # a link to another rated outlet keeps that outlet
        "https://www.reuters.com/world/ceasefire-talks-cairo": "reuters",
    }
    assert [path for path, _ in feed_server.requests] == ["/feedburner.xml"]


def test_a_relative_link_is_credited_to_the_feeds_outlet(
    seeded: Flask, session: Session, good_feeds: FeedServer
) -> None:
    _run(seeded, session, only={"bbc-news"})

    storm = _articles(session)[good_feeds.url("/news/uk-wales-storm-bert")]
    assert storm.outlet is not None and storm.outlet.slug == "bbc-news"


# --- the demo articles ---------------------------------------------------------------------

DEMO = Path(__file__).parents[1] / "data" / "demo_articles.jsonl"


def test_demo_articles_are_valid_and_marked_as_demo() -> None:
    articles = ingest.read_articles(DEMO)

    assert len(articles) >= 60
    assert all("/parallax-demo/" in a.url for a in articles)
    assert all(a.published_at is not None for a in articles)


def test_every_demo_article_belongs_to_a_rated_outlet(app: Flask) -> None:
    from server.starter import load_starter_data

    with app.app_context():
        session = get_session()
        load_starter_data(session, get_services(app).stories)

        unrated = session.scalars(select(Article.url).where(Article.outlet_id.is_(None))).all()
        assert unrated == []
        assert _count(session) == len(DEMO.read_text(encoding="utf-8").splitlines())


def test_cli_ingest_feeds_every_keeps_running_with_conditional_gets(
    seeded: Flask, runner: FlaskCliRunner, session: Session, feed_server: FeedServer
) -> None:
    _add_feeds(session, {feed_server.url("/rss.xml"): "bbc-news"})

    result = runner.invoke(args=["ingest", "feeds", "--every", "0.0001", "--runs", "3"])

    assert result.exit_code == 0, result.output
    summaries = [line for line in result.output.splitlines() if line.startswith("1 feed:")]
    assert summaries == [
        "1 feed: 1 ok, 0 not modified, 0 failed; 2 new articles, 0 duplicates",
        "1 feed: 0 ok, 1 not modified, 0 failed; 0 new articles, 0 duplicates",
        "1 feed: 0 ok, 1 not modified, 0 failed; 0 new articles, 0 duplicates",
    ]
    assert _count(session) == 2


def test_cli_ingest_feeds_runs_needs_every(seeded: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["ingest", "feeds", "--runs", "2"])

    assert result.exit_code == 2
    assert "--runs needs --every" in result.output


def test_cli_ingest_file_drops_a_lone_surrogate_from_a_headline(
    seeded: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    # JSON may escape half a surrogate pair ("\ud800"), which UTF-8 cannot store.
    row = {**ROWS[0], "title": "Odd \ud800half-pair in a headline", "description": "d\udfff"}
    path = _write_jsonl(tmp_path / "odd.jsonl", [row])
    assert "\\ud800" in path.read_text(encoding="utf-8")

    result = runner.invoke(args=["ingest", "file", str(path)])

    assert result.exit_code == 0, result.output
    answer = seeded.test_client().get("/api/v1/lookup", query_string={"url": row["url"]})
    assert answer.get_json()["story"]["title"] == "Odd half-pair in a headline"
