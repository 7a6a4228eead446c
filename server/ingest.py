"""Getting articles in: outlets' RSS/Atom feeds and bulk files.

Feeds are fetched politely: a conditional GET (``If-None-Match`` / ``If-Modified-Since``)
so an unchanged feed costs one small 304, a timeout, a User-Agent that says who we are and
a size cap. Redirects are followed; when every one on the way was permanent (301, 308) the
feed's stored URL becomes the final one, audited like any change to an outlet's feeds, so
the next run goes straight there. Feeds fail all the time (a server down, a 500, a feed
that is not XML), so each feed is isolated: its failure is recorded on its
:class:`~server.models.Feed` row and in the report, and the loop goes on. Each feed's
articles are committed on their own, so one bad feed never loses another's work. Only the
fetching runs in threads; every database write stays in the calling thread, because a
Session is not thread-safe.

An entry is credited to the outlet its link resolves to. Feeds served through a redirector
(FeedBurner, Google's feed proxy) carry the publisher's address in ``feedburner:origLink``,
which is preferred; a link that resolves to no outlet at all (a redirector's host, a link
relative to the feed) is credited to the feed's own outlet. Article links are never fetched.

A bulk file, unlike a feed, is validated all-or-nothing: every row is checked first and
any problem, named by its line, rejects the whole file before anything is stored. A valid
file is then written in batches of :data:`BATCH` articles, each committed on its own, so a
long ingest never holds the database's write lock (SQLite has one for the whole file) for
more than a fraction of a second, and other workers see its articles as they go. A write
cut short (a crash, a kill) leaves whole batches only; running the command again skips them
as duplicates and stores the rest.

Both go through :func:`add_articles`, the one writer of articles: it deduplicates by
canonical URL, credits each article to its outlet and clusters the new ones into stories
through this worker's :class:`~server.stories.StoryService`. When an article bridges two
stories the index merges them, and the writer stores the merge with the articles (see
:func:`_store_merge`). Nothing here imports Flask.
"""

from __future__ import annotations

import http.client
import re
import time
import urllib.error
import urllib.request
import zlib
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .catalog import Catalog
from .models import Article, Feed, Outlet, Story, StoryMerge, utcnow
from .outlets import move_feed
from .records import RecordError, read_rows
from .stories import StoryService, recount
from .text import plain
from .times import parse_time
from .urls import ParsedURL, URLError, canonicalize

MAX_FEED_BYTES = 5 * 1024 * 1024
"""Largest feed body read (after decompression); real feeds are well under 1 MB."""
MAX_TITLE = 500
MAX_DESCRIPTION = 500  # the opening sentences: what matching uses and pages show
BATCH = 500
"""Articles per commit of a bulk file: about 0.2 s of clustering, so that a request waiting
for SQLite's write lock (``BUSY_TIMEOUT``) gets it well within its second."""
MAX_PROBLEMS = 50
"""A rejected file lists at most this many problems: enough to fix it, not a flood."""
FUTURE_SLACK = timedelta(hours=1)
"""An entry dated further ahead than this is taken as published now: a wrong clock or zone
in a feed must not put an article in a story days away."""
PERMANENT_REDIRECTS = frozenset({301, 308})
"""The length of the ``feed.url`` column: a longer redirect target is not stored."""
_TOO_LARGE = f"feed larger than {MAX_FEED_BYTES // (1024 * 1024)} MB"
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.8, text/xml;q=0.8, */*;q=0.1"
)


_HARMLESS = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)


class FeedError(Exception):
    """A feed that could not be fetched or read; ``status`` is the HTTP status if any."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class IngestFileError(ValueError):
    """A bulk file that was rejected; ``problems`` names each line at fault."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


# --- plain text ----------------------------------------------------------------------------


# --- the writer ------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewArticle:
    """An article to ingest, as a feed entry or a bulk-file row gives it.

    Control characters and lone surrogates are dropped from the text (`text.plain`):
    PostgreSQL refuses NUL, UTF-8 cannot encode a lone surrogate, and a feed or file that
    carries one should not fail its whole batch.
    """

    url: str
    title: str
    published_at: datetime | None = None
    description: str | None = None
    feed_outlet: str | None = None
    """The slug of the outlet whose feed listed the article: credited when the URL resolves
    to no outlet (a redirector's link, such as FeedBurner's or Google News')."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "title", plain(self.title))
        if self.description is not None:
            object.__setattr__(self, "description", plain(self.description))


@dataclass
class IngestResult:
    """What an ingest did: articles added, duplicates skipped, stories opened."""

    added: int = 0
    duplicates: int = 0
    new_stories: int = 0
    merges: int = 0
    """Stories absorbed into another because an article showed they tell one event."""
    errors: list[str] = field(default_factory=list)


def add_articles(
    session: Session,
    catalog: Catalog,
    stories: StoryService,
    articles: Iterable[NewArticle],
    source: str,
) -> IngestResult:
    """Store new articles and cluster them into stories, in time order.

    Articles are known by their canonical URL: one already stored (or twice in this
    batch) is a duplicate and is skipped. Each is credited to the outlet its URL
    resolves to, else to its ``feed_outlet``. The caller commits, so a bulk file is
    all-or-nothing; a caller that rolls back must call ``stories.reset()``, since the
    index already holds the articles. An undated article is clustered as published when
    it was first seen (now): without a time it would be a candidate for every story.
    """
    result = IngestResult()
    parsed: list[tuple[ParsedURL, NewArticle]] = []
    for item in articles:
        try:
            parsed.append((canonicalize(item.url), item))
        except URLError as exc:
            result.errors.append(f"{item.url!r}: {exc}")
    keys = [p.key for p, _ in parsed]
    known: set[str] = set()
    for chunk in range(0, len(keys), 500):
        known.update(
            session.scalars(
                select(Article.url_key).where(Article.url_key.in_(keys[chunk : chunk + 500]))
            )
        )
    fresh: dict[str, tuple[ParsedURL, NewArticle]] = {}
    for p, item in parsed:
        if p.key in known or p.key in fresh:
            result.duplicates += 1
        else:
            fresh[p.key] = (p, item)
    outlet_ids = {slug: id_ for slug, id_ in session.execute(select(Outlet.slug, Outlet.id))}
    now = utcnow()
    ordered = sorted(fresh.values(), key=lambda pair: pair[1].published_at or now)
    with stories.writing(session) as index:
        touched: set[int] = set()
        merges: list[tuple[int, int]] = []  # (absorbed, kept), in the order they happened
        for p, item in ordered:
            slug = catalog.resolver.resolve(p) or item.feed_outlet

            def open_story(item: NewArticle = item) -> int:
                story = Story(title=item.title, first_seen=item.published_at or now)
                session.add(story)
                session.flush()
                result.new_stories += 1
                return story.id

            story_id, _ = index.assign(
                item.title,
                item.published_at or now,
                open_story,
                description=item.description or "",
            )
            article = Article(
                url=p.url,
                url_key=p.key,
                domain=p.domain,
                outlet_id=outlet_ids.get(slug) if slug else None,
                title=item.title,
                description=item.description,
                published_at=item.published_at,
                first_seen=now,
                source=source,
                story_id=story_id,
            )
            session.add(article)
            stories.stored(p.key, story_id)
            touched.add(story_id)
            result.added += 1
            merges += index.drain_merges()
        session.flush()
        for absorbed, kept in merges:
            _store_merge(session, absorbed, kept, now)
            stories.stored_merge(absorbed, kept)
        recount(session, {index.resolve(story_id) for story_id in touched | _named(merges)})
    result.merges = len(merges)
    return result


def _named(merges: list[tuple[int, int]]) -> set[int]:
    """Return every story id a list of (absorbed, kept) merges names."""
    return {story_id for pair in merges for story_id in pair}


def _store_merge(session: Session, absorbed: int, kept: int, when: datetime) -> None:
    """Store a merge the index made: move the absorbed story's articles, keep its row empty.

    In the transaction of the articles that caused it, so a worker never sees one without
    the other. The absorbed :class:`Story` row stays, for its id to keep resolving; it keeps
    its title and time span and holds no articles (counts 0), so lists leave it out.
    """
    session.add(StoryMerge(absorbed_id=absorbed, kept_id=kept, merged_at=when))
    session.execute(
        update(Article)
        .where(Article.story_id == absorbed)
        .values(story_id=kept)
        .execution_options(synchronize_session="fetch")
    )
    story = session.get(Story, absorbed)
    if story is not None:
        story.article_count = story.outlet_count = 0


# --- feeds -----------------------------------------------------------------------------------


class _TextOnly(HTMLParser):
    """Collect the text of an HTML fragment; script and style content is dropped."""

    _SKIP = frozenset({"script", "style"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in ("br", "p", "div", "li"):
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self._skipping:
            self._skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


_SPACES = re.compile(r"\s+")


def plain_text(text: str, html: bool = True, limit: int | None = None) -> str:
    """Return ``text`` as one line of plain text, HTML removed, cut at ``limit`` characters.

    Feed titles and summaries arrive as HTML as often as not (``&amp;``, ``<b>``, whole
    paragraphs with images); stored headlines must be what a reader sees.
    """
    if html:
        parser = _TextOnly()
        parser.feed(text)
        parser.close()
        text = "".join(parser.parts)
    text = _SPACES.sub(" ", text).strip()
    if limit is not None and len(text) > limit:
        cut = text[: limit - 1]
        if " " in cut[limit // 2 :]:
            cut = cut[: cut.rfind(" ")]
        text = cut.rstrip(" ,;:.-") + "…"
    return text


# --- fetching one feed ---------------------------------------------------------------------


@dataclass(frozen=True)
class FetchResult:
    """What one fetch of a feed gave: its articles, or "not modified", and the validators."""

    status: int
    """The HTTP status of the final answer (200, or 304 when not modified)."""
    articles: list[NewArticle] = field(default_factory=list)
    etag: str | None = None
    last_modified: str | None = None
    warning: str | None = None
    """Set when the feed was malformed but entries could still be read from it."""
    moved_to: str | None = None
    """The final URL, when the feed was reached through permanent redirects (301, 308) only."""

    @property
    def not_modified(self) -> bool:
        """Return True when the server said the feed has not changed since the last fetch."""
        return self.status == 304


def _read_capped(response: Any, deadline: float) -> bytes:
    """Read the body, decompressing gzip or deflate, refusing more than MAX_FEED_BYTES.

    The socket timeout bounds each read; the deadline bounds the whole body, so a server
    that trickles a byte at a time cannot hold the run.
    """
    chunks: list[bytes] = []
    size = 0
    while chunk := response.read(64 * 1024):
        chunks.append(chunk)
        size += len(chunk)
        if size > MAX_FEED_BYTES:
            raise FeedError(_TOO_LARGE, response.status)
        if time.monotonic() > deadline:
            raise FeedError("timed out while reading the body", response.status)
    raw = b"".join(chunks)
    encoding = (response.headers.get("Content-Encoding") or "").strip().lower()
    if encoding not in ("gzip", "x-gzip", "deflate") or not raw:
        return raw
    # 47 reads a gzip or zlib header, -15 raw deflate (some servers send that as "deflate").
    for wbits in (47, -15) if encoding == "deflate" else (47,):
        inflater = zlib.decompressobj(wbits)
        try:
            # max_length guards against a decompression bomb.
            body = inflater.decompress(raw, MAX_FEED_BYTES + 1)
        except zlib.error:
            continue
        if len(body) > MAX_FEED_BYTES or inflater.unconsumed_tail:
            raise FeedError(_TOO_LARGE, response.status)
        return body
    raise FeedError(f"the {encoding} body is corrupt", response.status)


class _RedirectLog(urllib.request.HTTPRedirectHandler):
    """Follow redirects as urllib does, only to http(s), noting each one's status."""

    def __init__(self) -> None:
        self.statuses: list[int] = []

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: Any,
        code: int,
        msg: str,
        headers: Any,
        newurl: str,
    ) -> urllib.request.Request | None:
        """Return the next request, refusing a target that is not http(s) (urllib allows ftp)."""
        if urlsplit(newurl).scheme.lower() not in ("http", "https"):
            raise urllib.error.HTTPError(
                req.full_url, code, f"{msg}, to a URL that is not http(s)", headers, fp
            )
        following = super().redirect_request(req, fp, code, msg, headers, newurl)
        if following is not None:
            self.statuses.append(code)
        return following

    def moved_to(self, feed_url: str, final_url: str) -> str | None:
        """Return the final URL if every redirect on the way was permanent, else None.

        One temporary hop (302, 303, 307) anywhere means the old address is still the one
        to ask, as feed readers do.
        """
        statuses = self.statuses
        if statuses and PERMANENT_REDIRECTS.issuperset(statuses) and final_url != feed_url:
            return final_url
        return None


def fetch_feed(
    feed_url: str,
    etag: str | None,
    last_modified: str | None,
    timeout: float,
    user_agent: str,
) -> FetchResult:
    """Fetch and parse one feed with a conditional GET; raise :class:`FeedError` on failure.

    ``etag`` and ``last_modified`` are what the previous answer carried; a 304 comes back as
    a result without articles. Redirects are followed; ``moved_to`` says where, when all of
    them were permanent.
    """
    if urlsplit(feed_url).scheme not in ("http", "https"):
        raise FeedError("not an http(s) URL")
    headers = {"User-Agent": user_agent, "Accept": ACCEPT, "Accept-Encoding": "gzip, deflate"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    request = urllib.request.Request(feed_url, headers=headers)
    redirects = _RedirectLog()
    opener = urllib.request.build_opener(redirects)  # one per fetch: the log is this fetch's
    deadline = time.monotonic() + 2 * timeout
    try:
        with opener.open(request, timeout=timeout) as response:
            body = _read_capped(response, deadline)
            status = response.status
            final_url = response.geturl()
            content_type = response.headers.get("Content-Type", "")
            new_etag = response.headers.get("ETag")
            new_modified = response.headers.get("Last-Modified")
    except urllib.error.HTTPError as exc:
        exc.close()  # an HTTPError holds the open response
        if exc.code == 304:
            return FetchResult(
                status=304,
                etag=exc.headers.get("ETag") or etag,
                last_modified=exc.headers.get("Last-Modified") or last_modified,
                moved_to=redirects.moved_to(feed_url, exc.geturl()),
            )
        raise FeedError(f"HTTP {exc.code} {exc.reason}".strip(), exc.code) from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError):
            raise FeedError(f"timed out after {timeout:g} s") from None
        raise FeedError(f"cannot connect: {reason}") from None
    except TimeoutError:
        raise FeedError(f"timed out after {timeout:g} s") from None
    except (OSError, ValueError, http.client.HTTPException) as exc:  # resets, bad answers
        raise FeedError(f"cannot fetch: {exc}") from None
    try:
        articles, warning = parse_feed(body, final_url, content_type)
    except FeedError as exc:
        exc.status = status
        raise
    moved_to = redirects.moved_to(feed_url, final_url)
    return FetchResult(status, articles, new_etag, new_modified, warning, moved_to)


def parse_feed(
    body: bytes, base_url: str, content_type: str = ""
) -> tuple[list[NewArticle], str | None]:
    """Read the articles of an RSS 2.0, Atom or RDF feed; also return a warning if malformed.

    feedparser reads most broken feeds anyway; a body it cannot read a single entry from,
    and that is not a feed at all, is a :class:`FeedError`.
    """
    headers = {"content-location": base_url}
    if content_type:
        headers["content-type"] = content_type
    parsed = feedparser.parse(body, response_headers=headers)
    entries = parsed.get("entries") or []
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if not entries and (problem is not None or not parsed.get("version")):
        detail = f": {problem}" if problem is not None else ""
        raise FeedError(f"not a readable RSS or Atom feed{detail}")
    now = utcnow()
    articles = [a for a in (_article(e, base_url, now) for e in entries) if a is not None]
    warning = None
    # A wrong Content-Type or charset is the server's slip, not a broken feed.
    if problem is not None and not isinstance(problem, _HARMLESS):
        warning = f"malformed feed, {len(articles)} entries read anyway: {problem}"
    return articles, warning


def _article(entry: Any, base_url: str, now: datetime) -> NewArticle | None:
    """Turn one feed entry into a NewArticle; None when it has no link or no title."""
    link = entry.get("link")
    # FeedBurner-style proxies put their own tracking link in <link> and the publisher's
    # address in <feedburner:origLink>: the article is the publisher's.
    original = (entry.get("feedburner_origlink") or "").strip()
    if original.startswith(("http://", "https://")):
        link = original
    if not link:
        guid = entry.get("id") or ""
        # An RSS guid is a permalink unless it says otherwise; Atom ids are often tag: URIs.
        if guid.startswith(("http://", "https://")) and entry.get("guidislink", True):
            link = guid
    detail = entry.get("title_detail") or {}
    title = plain_text(entry.get("title") or "", "html" in detail.get("type", ""), MAX_TITLE)
    if not link or not title:
        return None
    summary_detail = entry.get("summary_detail") or {}
    summary = plain_text(
        entry.get("summary") or "", "plain" not in summary_detail.get("type", ""), MAX_DESCRIPTION
    )
    return NewArticle(
        url=urljoin(base_url, link.strip()),
        title=title,
        published_at=_entry_time(entry, now),
        description=summary or None,
    )


def _entry_time(entry: Any, now: datetime) -> datetime | None:
    """Return the entry's publication (else update) time in UTC, never far in the future."""
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed: time.struct_time | None = entry.get(key)
        if parsed is not None:
            try:
                when = datetime(*parsed[:6], tzinfo=UTC)
            except (TypeError, ValueError):
                continue
            return now if when > now + FUTURE_SLACK else when
    return None


# --- all feeds -----------------------------------------------------------------------------


@dataclass
class FeedOutcome:
    """What happened to one feed in one run."""

    outlet: str
    url: str
    state: str
    """``ok``, ``not-modified`` or ``error``."""
    http_status: int | None = None
    added: int = 0
    duplicates: int = 0
    new_stories: int = 0
    error: str | None = None
    warning: str | None = None
    moved_to: str | None = None
    """The feed's new stored URL, when it moved permanently and ``url`` was updated."""

    def summary(self) -> str:
        """Return the outcome as the CLI prints it: ``ok 12 new, 3 duplicates``."""
        if self.state == "error":
            return f"error: {self.error}"
        if self.state == "not-modified":
            text = "not modified"
        else:
            text = f"ok {self.added} new, {self.duplicates} duplicates"
        if self.moved_to:
            text += f"; moved permanently, URL updated to {self.moved_to}"
        return f"{text} (warning: {self.warning})" if self.warning else text


@dataclass
class FeedsReport:
    """Every feed's outcome, in the order the feeds were listed."""

    feeds: list[FeedOutcome] = field(default_factory=list)

    @property
    def added(self) -> int:
        """Return the number of articles added across all feeds."""
        return sum(f.added for f in self.feeds)

    @property
    def duplicates(self) -> int:
        """Return the number of entries skipped as already stored."""
        return sum(f.duplicates for f in self.feeds)

    def count(self, state: str) -> int:
        """Return how many feeds ended in ``state``."""
        return sum(1 for f in self.feeds if f.state == state)

    @property
    def moved(self) -> int:
        """Return how many feeds had their stored URL updated after a permanent redirect."""
        return sum(1 for f in self.feeds if f.moved_to)


def ingest_feeds(
    session: Session,
    catalog: Catalog,
    stories: StoryService,
    timeout: float,
    user_agent: str,
    only: set[str] | None = None,
    workers: int = 4,
) -> FeedsReport:
    """Fetch every outlet's feeds (or those of the outlets in ``only``) and add their articles.

    A feed that fails is recorded on its row (``last_status``, ``last_error``) and in the
    report; the others go on. Each feed's articles and row are committed on their own.
    Raises ValueError, before fetching anything, when ``only`` names an unknown outlet.
    """
    query = select(Feed).join(Feed.outlet).order_by(Outlet.slug, Feed.id)
    if only:
        known = set(session.scalars(select(Outlet.slug).where(Outlet.slug.in_(only))))
        unknown = sorted(set(only) - known)
        if unknown:
            raise ValueError(f"no such outlet: {', '.join(unknown)}")
        query = query.where(Outlet.slug.in_(only))
    feeds = list(session.scalars(query))
    # Plain values only cross into the threads: ORM objects belong to this thread's session.
    jobs = [(f.id, f.outlet.slug, f.url, f.etag, f.last_modified) for f in feeds]
    session.commit()  # release the read transaction while the network is slow
    report = FeedsReport()
    if not jobs:
        return report

    def fetch(job: tuple[int, str, str, str | None, str | None]) -> FetchResult | FeedError:
        _, _, url, etag, modified = job
        try:
            return fetch_feed(url, etag, modified, timeout, user_agent)
        except FeedError as exc:
            return exc
        except Exception as exc:  # one feed's surprise must not stop the run
            return FeedError(f"{type(exc).__name__}: {exc}")

    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(jobs)))) as pool:
        for job, fetched in zip(jobs, pool.map(fetch, jobs), strict=True):
            report.feeds.append(_store(session, catalog, stories, job, fetched))
    return report


def _store(
    session: Session,
    catalog: Catalog,
    stories: StoryService,
    job: tuple[int, str, str, str | None, str | None],
    fetched: FetchResult | FeedError,
) -> FeedOutcome:
    """Record one feed's fetch on its row, add its articles and commit; follow a move."""
    feed_id, slug, url, _, _ = job
    outcome = FeedOutcome(outlet=slug, url=url, state="error")
    feed = session.get(Feed, feed_id)
    if feed is None:  # removed while we were fetching
        outcome.error = "the feed was removed during the run"
        return outcome
    feed.last_fetched_at = utcnow()
    if isinstance(fetched, FeedError):
        outcome.http_status = feed.last_status = fetched.status
        outcome.error = feed.last_error = str(fetched)
        session.commit()
        return outcome
    outcome.http_status = feed.last_status = fetched.status
    feed.etag, feed.last_modified = fetched.etag, fetched.last_modified
    feed.last_error = fetched.warning
    outcome.warning = fetched.warning
    if fetched.not_modified:
        outcome.state = "not-modified"
        session.commit()
    else:
        try:
            # The feed says whose articles they are: following each redirector's link to
            # find out would cost a request per entry. A link to a known outlet keeps it.
            articles = [replace(a, feed_outlet=slug) for a in fetched.articles]
            result = add_articles(session, catalog, stories, articles, "feed")
            session.commit()
        except Exception as exc:  # a database failure is this feed's error
            session.rollback()
            stories.reset()  # the in-memory index may hold stories that were rolled back
            feed = session.get(Feed, feed_id)
            if feed is not None:
                feed.last_fetched_at = utcnow()
                feed.last_error = outcome.error = f"storing failed: {type(exc).__name__}: {exc}"
                session.commit()
            return outcome
        outcome.state = "ok"
        outcome.added, outcome.duplicates = result.added, result.duplicates
        outcome.new_stories = result.new_stories
        if result.errors:  # entries whose link is not an http(s) URL
            outcome.warning = _join(
                outcome.warning, f"{len(result.errors)} entries with a bad link"
            )
    if fetched.moved_to:
        # After the articles are committed: a move that cannot be stored loses nothing else.
        problem = move_feed(session, feed_id, fetched.moved_to)
        if problem is None:
            outcome.moved_to = fetched.moved_to
        else:
            outcome.warning = _join(outcome.warning, problem)
            feed = session.get(Feed, feed_id)
            if feed is not None:
                feed.last_error = _join(feed.last_error, problem)
                session.commit()
    return outcome


def _join(*warnings: str | None) -> str | None:
    """Return the warnings that are set, joined with semicolons, or None."""
    return "; ".join(w for w in warnings if w) or None


# --- bulk files ----------------------------------------------------------------------------


def _row_article(row: dict[str, Any]) -> NewArticle:
    """Validate one file row; raise ValueError saying what is wrong."""
    problems = []
    url = row.get("url")
    if not isinstance(url, str) or not url.strip():
        problems.append("url is missing")
    else:
        try:
            canonicalize(url)
        except URLError as exc:
            problems.append(f"url {url[:80]!r}: {exc}")
    title = row.get("title")
    if not isinstance(title, str) or not plain_text(title, html=False):
        problems.append("title is missing")
    published = None
    try:
        # A time without a zone is refused rather than guessed: guessing UTC for a file written
        # in New York would put its articles five hours off and into the wrong stories.
        published = parse_time(row.get("published_at"), naive_utc=False, field="published_at")
    except ValueError as exc:
        problems.append(str(exc))
    description = row.get("description")
    if description is not None and not isinstance(description, str):
        problems.append("description must be text")
    if problems:
        raise ValueError("; ".join(problems))
    assert isinstance(url, str) and isinstance(title, str)
    text = plain_text(description or "", html=False, limit=MAX_DESCRIPTION)
    return NewArticle(
        url=url.strip(),
        title=plain_text(title, html=False, limit=MAX_TITLE),
        published_at=published,
        description=text or None,
    )


def read_articles(path: Path) -> list[NewArticle]:
    """Read and validate every row of a JSONL or CSV file; raise IngestFileError if any is bad."""
    suffix = path.suffix.lower()
    if suffix not in (".jsonl", ".ndjson", ".csv"):
        raise IngestFileError([f"{path.name}: expected a .jsonl or .csv file"])
    articles: list[NewArticle] = []
    problems: list[str] = []
    try:
        for number, row in read_rows(path, required=("url", "title")):
            if isinstance(row, str):
                problems.append(f"line {number}: {row}")
                continue
            try:
                articles.append(_row_article(row))
            except ValueError as exc:
                problems.append(f"line {number}: {exc}")
    except RecordError as exc:
        raise IngestFileError([f"{path.name}: {exc}"]) from None
    if problems:
        if len(problems) > MAX_PROBLEMS:
            problems = problems[:MAX_PROBLEMS] + [f"… and {len(problems) - MAX_PROBLEMS} more"]
        raise IngestFileError(problems)
    return articles


def ingest_file(
    session: Session, catalog: Catalog, stories: StoryService, path: Path
) -> IngestResult:
    """Validate every article of a JSONL or CSV file, then add them in committed batches.

    Raises :class:`IngestFileError` naming the lines at fault, with nothing stored. Articles
    already stored (by canonical URL) are counted as duplicates, so a file can be
    re-ingested safely, and an interrupted ingest is finished by running it again.
    """
    articles = read_articles(path)
    # In time order across the whole file, as one call would cluster them.
    now = utcnow()
    articles.sort(key=lambda item: item.published_at or now)
    total = IngestResult()
    for start in range(0, len(articles), BATCH):
        try:
            result = add_articles(
                session, catalog, stories, articles[start : start + BATCH], "file"
            )
            if result.errors:  # cannot happen: every URL was read when validating
                raise IngestFileError(result.errors)
            session.commit()
        except BaseException:
            session.rollback()
            stories.reset()  # the in-memory index may hold stories that were rolled back
            raise
        total.added += result.added
        total.duplicates += result.duplicates
        total.new_stories += result.new_stories
        total.merges += result.merges
    return total
