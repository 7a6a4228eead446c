"""The fixture news site the browser tests visit, served on 127.0.0.1.

Each outlet lives under its own path (``/bbc/``, ``/foxnews/``…) so that the seeded rules
(``127.0.0.1/bbc``) map its pages to it, as real domains map to real outlets. Pages are built
from the tables below; the same tables give the outlets CSV and the articles file the Parallax
server is seeded with, so pages, ratings and stories always agree.
"""

from __future__ import annotations

import csv
import html
import io
import json
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


@dataclass(frozen=True)
class Outlet:
    slug: str
    name: str
    path: str  # the outlet's path on the fixture host, also its rule
    domain: str  # a real-looking domain, for links on the list page
    bias: str
    factuality: str
    ownership: str
    owner: str
    country: str
    color: str  # masthead colour of the fixture page


# slug | name | path | domain | bias | factuality | ownership | owner | country | masthead
_OUTLET_TABLE = """
bbc-news|BBC News|/bbc|bbc.co.uk|center|high|public|BBC|GB|#b80000
reuters|Reuters|/reuters|reuters.com|center|very-high|corporate|Thomson Reuters|GB|#fa6400
guardian|The Guardian|/guardian|theguardian.com|lean-left|high|nonprofit|Scott Trust|GB|#052962
msnbc|MSNBC|/msnbc|msnbc.com|left|mixed|corporate|Versant|US|#0089d0
jacobin|Jacobin|/jacobin|jacobin.com|far-left|mixed|private|Jacobin Foundation|US|#e4002b
fox-news|Fox News|/foxnews|foxnews.com|right|mixed|corporate|Fox Corporation|US|#003366
new-york-post|New York Post|/nypost|nypost.com|lean-right|mixed|corporate|News Corp|US|#c8102e
wall-street-journal|The Wall Street Journal|/wsj|wsj.com|lean-right|high|corporate|News Corp|US|#111
breitbart|Breitbart|/breitbart|breitbart.com|far-right|low|private|Breitbart News|US|#f47a20
"""
OUTLETS = [Outlet(*line.split("|")) for line in _OUTLET_TABLE.strip().splitlines()]
BY_SLUG = {outlet.slug: outlet for outlet in OUTLETS}


@dataclass(frozen=True)
class Article:
    outlet: str  # slug, or "" for the unrated site
    path: str  # below the outlet's path
    title: str
    hours_ago: float
    section: str = "World"
    og_title: str | None = None  # when a site puts its name in og:title too
    dated: bool = False  # the page says when it was published (article:published_time)


STORM = [
    Article(
        "reuters",
        "/world/storm-darragh-uk-coast.html",
        "Storm Darragh batters UK coast with 90mph winds",
        7,
    ),
    Article(
        "bbc-news",
        "/news/storm-darragh-coast.html",
        "Storm Darragh batters coast with 90mph winds",
        6,
        "UK",
    ),
    Article(
        "guardian",
        "/uk-news/storm-darragh-winds.html",
        "Storm Darragh batters UK coast with winds of 90mph",
        5,
        "UK news",
    ),
    Article(
        "msnbc",
        "/news/storm-darragh-uk.html",
        "Storm Darragh batters the UK coast with 90mph winds",
        4,
    ),
    Article(
        "jacobin",
        "/2026/11/storm-darragh-coast.html",
        "Storm Darragh batters coast with 90mph winds, again",
        3,
        "Climate",
    ),
    Article(
        "fox-news",
        "/world/storm-darragh-batters-coast.html",
        "Storm Darragh batters UK coast with 90 mph winds",
        2,
    ),
]
BORDER = [
    Article(
        "fox-news",
        "/politics/border-funding-bill.html",
        "House passes border security funding bill in late-night vote",
        9,
        "Politics",
    ),
    Article(
        "new-york-post",
        "/news/border-funding-bill.html",
        "House passes border security funding bill in late night vote",
        8,
        "Politics",
    ),
    Article(
        "breitbart",
        "/politics/border-funding-bill-passes.html",
        "House passes border security funding bill after late-night vote",
        7,
        "Politics",
    ),
    Article(
        "wall-street-journal",
        "/politics/house-border-bill.html",
        "House passes border security funding bill in a late-night vote",
        6,
        "Politics",
    ),
]
QUIET = Article(
    "bbc-news",
    "/news/village-fete-record.html",
    "Village fete breaks record for largest marrow",
    1,
    "England",
)
# Not ingested: the server can only find its story through the headline the extension sends.
UNSEEN = Article(
    "wall-street-journal",
    "/world/storm-darragh-latest.html",
    "Storm Darragh batters UK coast with 90mph winds",
    0.5,
    og_title="Storm Darragh batters UK coast with 90mph winds | The Wall Street Journal",
)
# A story of last week: six days old, outside the ±3-day window around now that the server
# searches when a lookup gives no publication time.
LAST_WEEK = [
    Article(
        "reuters",
        "/business/ferry-operator-collapse.html",
        "Ferry operator collapses into administration, stranding passengers at ports",
        150,
        "Business",
    ),
    Article(
        "guardian",
        "/business/ferry-operator-administration.html",
        "Ferry operator collapses into administration, stranding passengers at ports overnight",
        149,
        "Business",
    ),
    Article(
        "fox-news",
        "/world/ferry-operator-collapses.html",
        "Ferry operator collapses into administration and strands passengers at ports",
        148,
        "Business",
    ),
]
# Not ingested either, and as old: only its article:published_time lets the server find it.
LAST_WEEK_UNSEEN = Article(
    "msnbc",
    "/news/ferry-operator-collapse.html",
    "Ferry operator collapses into administration, stranding passengers at ports",
    147,
    "Business",
    dated=True,
)
UNRATED = Article(
    "", "/unrated/blog/storm-thoughts.html", "My thoughts on Storm Darragh", 1, "Blog"
)
ARTICLES = [*STORM, *BORDER, QUIET, *LAST_WEEK]

# What the tests open, by name.
STORM_BBC = STORM[1]
BORDER_FOX = BORDER[0]

LOREM = (
    "Forecasters warned that the strongest gusts would arrive overnight, with coastal roads closed "
    "and ferry crossings cancelled. Emergency services urged people to stay indoors and away from "
    "sea fronts, where waves were expected to overtop defences at high tide.",
    "Thousands of homes lost power in the early hours, and engineers said repairs could take days "
    "in the worst-hit areas. Rail operators ran reduced timetables and asked passengers to check "
    "before travelling.",
    "The national weather service said the storm would weaken as it moved east, but warned of "
    "further disruption from flooding as rivers rose after days of heavy rain.",
)


def article_path(article: Article) -> str:
    """Return the path of an article on the fixture host."""
    outlet = BY_SLUG.get(article.outlet)
    return (outlet.path if outlet else "") + article.path


def outlets_csv() -> str:
    """Return the outlets as the CSV `parallax outlets import` reads."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        "slug,name,domains,homepage,country,language,bias,factuality,ownership,owner,"
        "paywall,basis,confidence,reviewed,feeds".split(",")
    )
    for o in OUTLETS:
        rules = f"127.0.0.1{o.path} {o.domain}"
        writer.writerow([
            o.slug, o.name, rules, f"https://www.{o.domain}/", o.country, "en", o.bias,
            o.factuality, o.ownership, o.owner, "no", "Browser test fixture.", "high",
            "2026-11-01", "",
        ])  # fmt: skip
    return out.getvalue()


def articles_jsonl(base: str, now: datetime) -> str:
    """Return the articles file `parallax ingest file` reads, with URLs on the fixture host."""
    lines = []
    for article in ARTICLES:
        published = (now - timedelta(hours=article.hours_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")
        record = {
            "url": base + article_path(article),
            "title": article.title,
            "published_at": published,
        }
        lines.append(json.dumps(record))
    return "\n".join(lines) + "\n"


STATIC = Path(__file__).parent / "static"
# Pages write their times with an offset, as sites in New York do in winter.
SITE_ZONE = timezone(timedelta(hours=-5))
NAV = (
    "<nav><a href='/'>Home</a><a href='#'>World</a><a href='#'>Business</a>"
    "<a href='#'>Sport</a></nav>"
)


def page(title: str, mast: str, color: str, body: str, head: str = "") -> str:
    """Return a whole HTML page."""
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title>{head}"
        f"<link rel='stylesheet' href='/static/news.css'>"
        f"<style>:root {{ --mast: {color}; }}</style></head>"
        f"<body><header class='mast'>{html.escape(mast)}</header>{NAV}"
        f"<main>{body}</main></body></html>"
    )


def article_page(base: str, article: Article, now: datetime) -> str:
    """Return an article page with the usual metadata: og:title, canonical link, site name,
    and article:published_time (in the site's own zone) when the article is `dated`."""
    outlet = BY_SLUG.get(article.outlet)
    name = outlet.name if outlet else "Dan's weather blog"
    url = base + article_path(article)
    title = html.escape(article.title)
    head = (
        f"<meta property='og:title' content='{html.escape(article.og_title or article.title)}'>"
        f"<meta property='og:site_name' content='{html.escape(name)}'>"
        f"<link rel='canonical' href='{html.escape(url)}?utm_source=test'>"
    )
    if article.dated:
        published = (now - timedelta(hours=article.hours_ago)).astimezone(SITE_ZONE)
        head += f"<meta property='article:published_time' content='{published.isoformat()}'>"
    paragraphs = "".join(f"<p>{html.escape(text)}</p>" for text in LOREM)
    body = (
        f"<div class='section'>{html.escape(article.section)}</div><h1>{title}</h1>"
        f"<div class='byline'>By a staff reporter · {html.escape(name)}</div>"
        f"<div class='hero'></div>{paragraphs}"
    )
    return page(f"{article.title} - {name}", name, outlet.color if outlet else "#555", body, head)


LARGE_ARTICLE = "/bbc/bench/large-article.html"


def large_article_page(base: str, now: datetime, paragraphs: int = 1500, related: int = 400) -> str:
    """Return a large article page for the extraction benchmark: about 0.4 MB of markup, a long
    body, JSON-LD, microdata and a sidebar of related stories that each carry their own date."""
    published = now.astimezone(SITE_ZONE).isoformat()
    data = {"@type": "NewsArticle", "headline": STORM_BBC.title, "datePublished": published}
    head = (
        f"<meta property='og:title' content='{html.escape(STORM_BBC.title)} - BBC News'>"
        "<meta property='og:site_name' content='BBC News'>"
        f"<meta property='og:description' content='{html.escape(LOREM[0])}'>"
        f"<link rel='canonical' href='{base}{LARGE_ARTICLE}'>"
        f"<script type='application/ld+json'>{json.dumps(data)}</script>"
    )
    teasers = "".join(
        f"<li itemscope itemtype='https://schema.org/NewsArticle'><a href='/bbc/news/{i}.html'"
        f" itemprop='headline'>Related story {i}</a><time itemprop='datePublished'"
        f" datetime='2026-01-01T00:00:00Z'>1 January</time></li>"
        for i in range(related)
    )
    text = "".join(f"<p>{html.escape(LOREM[i % len(LOREM)])}</p>" for i in range(paragraphs))
    body = (
        f"<aside class='related'><ul>{teasers}</ul></aside>"
        f"<article><h1>{html.escape(STORM_BBC.title)}</h1>"
        f"<time datetime='{published}'>today</time>{text}</article>"
    )
    return page(f"{STORM_BBC.title} - BBC News", "BBC News", "#b80000", body, head)


def list_item(href: str, text: str, source: str) -> str:
    """Return one entry of a list of links."""
    return (
        f"<li><a href='{html.escape(href)}'>{html.escape(text)}</a>"
        f"<small>{html.escape(source)}</small></li>"
    )


def list_page(base: str) -> str:
    """Return a page of news links (an aggregator): some links are added after load."""
    items = [
        list_item(base + article_path(a), a.title, BY_SLUG[a.outlet].name)
        for a in [*STORM, *BORDER]
    ]
    # The same target twice, links to real domains, and links that must get no badge.
    google = "https://www.google.com/url?q=https%3A%2F%2Fwww.foxnews.com%2Fus%2Fstorm"
    items += [
        list_item(f"{base}{article_path(STORM[0])}#comments", "Comments on the story", "Reuters"),
        list_item(
            "https://www.theguardian.com/world/2026/nov/28/example",
            "Guardian live blog on the storm",
            "theguardian.com",
        ),  # fmt: skip
        list_item(google, "Fox News via a Google redirect", "google.com"),
        list_item(base + article_path(UNRATED), "A blog post about the storm", "Unrated blog"),
        list_item("mailto:tips@example.com", "Send us a tip", "Not a news link"),
    ]
    body = (
        "<div class='section'>Top stories</div><h1>Today's news from every side</h1>"
        f"<ul id='stories' class='stories'>{''.join(items)}</ul>"
        "<script src='/static/late-links.js'></script>"
    )
    return page("Newsstand — today's top stories", "Newsstand", "#334155", body)


def links_page(base: str, count: int) -> str:
    """Return a page of `count` links to rated outlets, for the benchmark."""
    items = "".join(
        list_item(f"{base}{OUTLETS[i % len(OUTLETS)].path}/story-{i}.html", f"Story {i}", "")
        for i in range(count)
    )
    return page(f"{count} links", "Link farm", "#334155", f"<ul class='stories'>{items}</ul>")


class FixtureSite:
    """A threaded HTTP server for the fixture pages that records every request path."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                site.requests.append(self.path)
                path = self.path.split("?", 1)[0]
                kind = "text/html; charset=utf-8"
                if path in ("/static/news.css", "/static/late-links.js"):
                    body: str | None = (STATIC / path.rsplit("/", 1)[1]).read_text("utf-8")
                    kind = "text/css" if path.endswith(".css") else "text/javascript"
                else:
                    body = site.render(path)
                if body is None:
                    self.send_error(404)
                    return
                data = body.encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.now = datetime.now(UTC)

    def render(self, path: str) -> str | None:
        """Return the page at a path, or None."""
        if path == "/list.html":
            return list_page(self.base)
        if path.startswith("/bench/links-") and path.endswith(".html"):
            return links_page(self.base, int(path[len("/bench/links-") : -len(".html")]))
        if path == LARGE_ARTICLE:
            return large_article_page(self.base, self.now)
        for article in [*ARTICLES, UNSEEN, LAST_WEEK_UNSEEN, UNRATED]:
            if article_path(article) == path:
                return article_page(self.base, article, self.now)
        for outlet in OUTLETS:
            if path.startswith(outlet.path + "/"):
                generic = Article(
                    outlet.slug, path[len(outlet.path) :], "An article with no other coverage", 1
                )
                return article_page(self.base, generic, self.now)
        return None

    def url(self, article: Article) -> str:
        """Return the URL of an article on this site."""
        return self.base + article_path(article)

    def start(self) -> FixtureSite:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
