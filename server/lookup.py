"""Looking an article up: the product's main use case, and the story answers around it.

Given an article's address (and, when the reader's page gives them, its headline and
publication time) :func:`lookup` answers who published it, how that outlet is rated and
which story it belongs to, with the other coverage and the bias split. The JSON API, the
lookup page and ``parallax lookup`` all call it and differ only in how they show the
answer. Input it cannot take raises :class:`BadInput`; each edge says so in its own words.

A story absorbed by a merge (:class:`~server.models.StoryMerge`) keeps answering: its id
leads to the story that absorbed it (:func:`current_story_id`), a story answer asked for it
is the kept story's, and no list shows it (:data:`LIVE`).

A lookup is a read: the database session is opened only when it is needed (most lookups
of articles without a story never touch it). The one write is learning from lookups, when
switched on: a rated article seen with its headline joins the index (:mod:`server.ingest`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import ColumnElement, bindparam, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from .coverage import BlindspotRule, CoverageItem, iso_utc, item_json, key_points, summarize
from .ingest import NewArticle, add_articles
from .matching import Match
from .models import Article, Outlet, Story, StoryMerge, utcnow
from .services import Services
from .starter import DEMO_SOURCE
from .text import plain
from .times import interval_centre, published_interval
from .urls import ParsedURL, URLError, canonicalize

log = logging.getLogger(__name__)

MAX_URL = 2048
MAX_TITLE = 1000
MAX_DESCRIPTION = 2000
MAX_PUBLISHED = 40
ARTICLES_PER_SIDE = 10
"""Other coverage a lookup answer lists per side (left, center, right, unrated), the newest:
a story of 1,300 articles made every answer 430 KB and cut throughput from 1,213 to 170
requests/s. ``more_articles`` counts the rest; the story's own address lists them all."""


LIVE: ColumnElement[bool] = Story.id.not_in(select(StoryMerge.absorbed_id))
"""The condition on ``Story`` of the stories lists show: those no merge absorbed."""


class StoryFigures(Protocol):
    """What :func:`story_brief` reads: a :class:`Story`, or a row of its columns."""

    @property
    def id(self) -> int: ...
    @property
    def title(self) -> str: ...
    @property
    def article_count(self) -> int: ...
    @property
    def outlet_count(self) -> int: ...
    @property
    def first_seen(self) -> datetime: ...
    @property
    def last_seen(self) -> datetime: ...


class BadInput(ValueError):
    """Input a lookup cannot take: ``field`` names it and the message says what to fix."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def parse_url(raw: object, field: str = "url") -> ParsedURL:
    """Return an article address read and canonicalised; raise :class:`BadInput`."""
    if not isinstance(raw, str) or not raw.strip():
        raise BadInput(field, "no article address was given")
    if len(raw) > MAX_URL:
        raise BadInput(
            field, f"the address is longer than {MAX_URL} characters; give the article's own"
        )
    try:
        return canonicalize(raw)
    except URLError as exc:
        raise BadInput(field, f"that is not a web address we can read: {exc}") from None


def parse_title(raw: object) -> str | None:
    """Return a headline made storable, or None when there is none."""
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise BadInput("title", "the headline must be text")
    title = plain(raw)
    if len(title) > MAX_TITLE:
        raise BadInput("title", f"the headline is longer than {MAX_TITLE} characters")
    return title or None


def parse_description(raw: object) -> str | None:
    """Return an article's description (its opening) made storable, or None when there is none.

    Pages give 300 characters or so (``og:description``); a longer text is refused rather
    than cut, so a client sending a whole article body learns it at once.
    """
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise BadInput("description", "the description must be text")
    description = plain(raw).strip()
    if len(description) > MAX_DESCRIPTION:
        raise BadInput(
            "description", f"the description is longer than {MAX_DESCRIPTION} characters"
        )
    return description or None


@dataclass(frozen=True)
class Published:
    """When a looked-up article was published, as precisely as its page says.

    ``when`` is the middle of the instants the page's text stands for and ``slack`` half
    their spread: zero for a time with a zone, about a day and a half for a date alone
    (every zone's day), 13 hours for a wall-clock time without a zone.
    """

    when: datetime
    slack: timedelta

    @property
    def instant(self) -> datetime | None:
        """Return the time when the page gave an exact one, else None (nothing invented)."""
        return self.when if not self.slack else None


def parse_published(raw: object) -> Published | None:
    """Return a publication time: ISO 8601 with a zone, a date, or a time without a zone."""
    if raw is None or raw == "":
        return None
    message = (
        "the publication time must be an ISO 8601 time such as 2026-11-29T08:00:00Z, "
        "a date such as 2026-11-29, or a local time such as 2026-11-29T09:00:00"
    )
    if not isinstance(raw, str) or len(raw) > MAX_PUBLISHED:
        raise BadInput("published", message)
    try:
        interval = published_interval(raw, field="published")
    except ValueError:
        raise BadInput("published", message) from None
    if interval is None:
        return None
    when, slack = interval_centre(interval)
    return Published(when, slack)


def lookup(
    services: Services,
    sessions: Callable[[], Session],
    raw_url: object,
    raw_title: object = None,
    raw_published: object = None,
    raw_description: object = None,
    brief: bool = False,
) -> dict[str, Any]:
    """Answer one lookup: the canonical URL, the outlet and, when matched, the story.

    ``sessions`` returns the caller's session, opened on first call. A ``brief`` answer's
    story has its figures and links but not its articles or key points (see
    :func:`brief_story`).
    """
    parsed = parse_url(raw_url)
    title = parse_title(raw_title)
    published = parse_published(raw_published)
    description = parse_description(raw_description)
    catalog = services.catalog.fresh() or services.catalog.get(sessions())
    slug = catalog.resolver.resolve(parsed)
    outlet = catalog.outlets.get(slug) if slug else None
    if outlet is None:
        services.misses.count(parsed.domain)
    stories = services.stories
    if stories.fresh_index() is None:
        stories.index(sessions())
    match: dict[str, Any] | None = None
    story_id = stories.story_of_url(parsed.key)
    if story_id is not None:
        match = {"method": "url", "score": 1.0}
    elif title:
        # The window is centred on the middle of what the page's time stands for, and widened
        # by its slack (a date alone, a time without a zone).
        when, slack = (published.when, published.slack) if published else (utcnow(), None)
        found: Match | None = stories.match(title, when, description or "", slack)
        if found is not None:
            story_id = found.story_id
            match = {"method": "title", "score": round(found.score, 3)}
        if services.learn_from_lookups and outlet is not None:
            # Stored with the page's exact time only; without one it is dated when first seen.
            exact = published.instant if published else None
            learned = NewArticle(parsed.url, title, exact, description)
            try:
                add_articles(sessions(), catalog, stories, [learned], "lookup")
                sessions().commit()
            # SQLite busy with an ingest, or another writer stored the same article or merge
            # first: answer without learning
            except (OperationalError, IntegrityError):
                sessions().rollback()
                stories.reset()  # the index may hold a story that was rolled back
                log.warning("a lookup's article was not learned: the database was busy or changed")
    story = None
    if story_id is not None:
        # The article being read is coverage too: counted in the split when its outlet is
        # rated, whether or not it is stored (a stored one is counted from the database).
        reading = None
        if outlet is not None and outlet.get("bias"):
            reading = CoverageItem(
                url=parsed.url,
                title=title or "",
                published_at=published.instant if published else None,
                domain=parsed.domain,
                outlet_slug=outlet["slug"],
                outlet_name=outlet["name"],
                bias=outlet["bias"],
                factuality=outlet["factuality"],
                ownership=outlet["ownership"],
                country=outlet["country"],
            )
        story = _cached_story(
            services, sessions, catalog.etag, story_id, parsed.key, match, reading, brief
        )
    return {
        "url": raw_url,
        "canonical_url": parsed.url,
        "domain": parsed.domain,
        "host": parsed.host,
        "outlet": outlet,
        "story": story,
    }


def story_json(
    session: Session,
    story_id: int,
    rule: BlindspotRule,
    exclude_key: str | None = None,
    match: dict[str, Any] | None = None,
    reading: CoverageItem | None = None,
) -> dict[str, Any] | None:
    """Return a story with its other coverage, splits, blindspot, first report and key points.

    ``reading`` is the article being looked up (its URL key is ``exclude_key``): left out of
    the list of other coverage but counted in the splits, even when it is not stored.
    """
    loaded = _load_story(session, story_id)
    if loaded is None:
        return None
    story, keys, items = loaded
    return _story_body(story, keys, items, rule, exclude_key, match, reading)


def _story_body(
    story: StoryFigures,
    keys: list[str],
    items: list[CoverageItem],
    rule: BlindspotRule,
    exclude_key: str | None = None,
    match: dict[str, Any] | None = None,
    reading: CoverageItem | None = None,
) -> dict[str, Any]:
    """Shape a loaded story (its articles' URL keys and items) as :func:`story_json` does."""
    body = story_brief(story)
    if match is not None:
        body["match"] = match
    body["articles"] = [
        item_json(item) for item, key in zip(items, keys, strict=True) if key != exclude_key
    ]
    counted = list(items)
    if reading is not None and exclude_key not in keys:
        counted.append(reading)
    body.update(summarize(counted, rule))
    body["key_points"] = key_points(items)
    return body


def current_story_id(session: Session, story_id: int) -> int:
    """Return the story that holds a story's articles now: itself, or the one that absorbed it.

    Merges chain (a kept story may be absorbed later). A cycle, which only two writers
    merging the same stories at once on stale indexes could store, answers its lowest id
    from anywhere on it, so redirects never loop.
    """
    walk = [story_id]
    while 0 < story_id < 2**31:  # beyond the integer key (32-bit on PostgreSQL)
        merge = session.get(StoryMerge, story_id)
        if merge is None:
            break
        story_id = merge.kept_id
        if story_id in walk:
            return min(walk[walk.index(story_id) :])
        walk.append(story_id)
    return story_id


_STORY = Story.__table__.c
_ARTICLE = Article.__table__.c
_OUTLET = Outlet.__table__.c
_STORY_ROW = select(
    _STORY.id,
    _STORY.title,
    _STORY.article_count,
    _STORY.outlet_count,
    _STORY.first_seen,
    _STORY.last_seen,
).where(_STORY.id == bindparam("story_id"))
"""A story's figures (what :func:`story_brief` reads), by id."""
_ARTICLE_COLUMNS = (
    _ARTICLE.url_key,
    _ARTICLE.url,
    _ARTICLE.title,
    _ARTICLE.published_at,
    _ARTICLE.domain,
    _OUTLET.slug,
    _OUTLET.name,
    _OUTLET.bias,
    _OUTLET.factuality,
    _OUTLET.ownership,
    _OUTLET.country,
    _ARTICLE.description,
    _ARTICLE.source,
)
"""An article with its outlet: what :func:`_coverage_item` reads."""
_WITH_OUTLETS = Article.__table__.outerjoin(Outlet.__table__)
_OLDEST_FIRST = (_ARTICLE.published_at, _ARTICLE.id)
_ARTICLE_ROWS = (
    select(*_ARTICLE_COLUMNS)
    .select_from(_WITH_OUTLETS)
    .where(_ARTICLE.story_id == bindparam("story_id"))
    .order_by(*_OLDEST_FIRST)
)
"""A story's articles with their outlets, oldest first."""


def _load_story(
    session: Session, story_id: int
) -> tuple[StoryFigures, list[str], list[CoverageItem]] | None:
    """Return a story's figures, its articles' URL keys and their items, oldest first.

    None when there is no such story. An absorbed story's id loads the story that absorbed
    it: a worker that has not replayed the merge yet still answers with the articles where
    they are now.

    Building a story answer is most of a lookup until this worker has cached it, so the two
    queries are built once and run on the session's connection: the ORM's ``get``, statement
    building and objects made a build cost 0.40-0.46 ms, the rows 0.24-0.35 (bench/README.md,
    load.py).
    """
    if not 0 < story_id < 2**31:  # beyond the integer key (32-bit on PostgreSQL)
        return None
    connection = session.connection()
    story = connection.execute(_STORY_ROW, {"story_id": story_id}).first()
    if story is None:
        return None
    if story.article_count == 0:  # an absorbed story holds none; a live one at least one
        kept = current_story_id(session, story_id)
        if kept != story_id:
            story = connection.execute(_STORY_ROW, {"story_id": kept}).first()
            if story is None:
                return None
            story_id = kept
    rows = connection.execute(_ARTICLE_ROWS, {"story_id": story_id}).all()
    return story, [row.url_key for row in rows], [_coverage_item(row) for row in rows]


def coverage_of(session: Session, story_ids: Sequence[int]) -> dict[int, list[CoverageItem]]:
    """Return the articles of several stories as coverage items, oldest first, by story."""
    by_story: dict[int, list[CoverageItem]] = {}
    if story_ids:
        rows = session.execute(
            select(_ARTICLE.story_id, *_ARTICLE_COLUMNS)
            .select_from(_WITH_OUTLETS)
            .where(_ARTICLE.story_id.in_(story_ids))
            .order_by(*_OLDEST_FIRST)
        )
        for row in rows:
            by_story.setdefault(row.story_id, []).append(_coverage_item(row))
    return by_story


def _coverage_item(row: Any) -> CoverageItem:
    """Return a row of :data:`_ARTICLE_COLUMNS` (an article and its outlet) as coverage."""
    return CoverageItem(
        url=row.url,
        title=row.title,
        published_at=row.published_at,
        domain=row.domain,
        outlet_slug=row.slug,
        outlet_name=row.name,
        bias=row.bias,
        factuality=row.factuality,
        ownership=row.ownership,
        country=row.country,
        description=row.description,
        demo=row.source == DEMO_SOURCE,
    )


def warm_answers(services: Services, session: Session, limit: int) -> int:
    """Build the answers of the ``limit`` most recently seen live stories into the cache.

    A worker starts with an empty cache of story answers, and until it fills, each batch
    lookup builds most of its 50 stories (0.45 ms each): in bench/load.py that cold start
    held the lookups' p99 at 250-290 ms in the first 10 s of a run, against 140 ms once
    warm. Built before the worker takes its first request, they cost it that time at start
    instead. Returns how many answers were built.
    """
    latest = session.scalars(
        select(Story.id)
        .where(Story.article_count > 0)
        .order_by(Story.last_seen.desc(), Story.id.desc())
        .limit(limit)
    ).all()
    version = services.catalog.get(session).etag
    built = 0
    for story_id in latest:
        loaded = _load_story(session, story_id)
        if loaded is not None:
            story, keys, items = loaded
            body = _story_body(story, keys, items, services.blindspot_rule)
            services.stories.keep(story_id, version, (body, keys, items))
            built += 1
    return built


def _cached_story(
    services: Services,
    sessions: Callable[[], Session],
    version: str,
    story_id: int,
    exclude_key: str,
    match: dict[str, Any] | None,
    reading: CoverageItem | None = None,
    brief: bool = False,
) -> dict[str, Any] | None:
    """Return a lookup's story answer from this worker's cache of story answers.

    The cached body holds every article with its URL key; this lookup's own article is left
    out, its match put in and the articles capped on a copy (``brief``: left out with the key
    points, the story linked instead). The article being read, when it is rated and not
    stored, is counted in the splits of the copy. ``version`` is the catalog's: a change of
    the outlets' ratings rebuilds it.
    """
    rule = services.blindspot_rule

    def build() -> tuple[dict[str, Any], list[str], list[CoverageItem]] | None:
        loaded = _load_story(sessions(), story_id)
        if loaded is None:
            return None
        story, keys, items = loaded
        return _story_body(story, keys, items, rule), keys, items

    cached = services.stories.cached(story_id, version, build)
    if cached is None:
        return None
    body, keys, items = cached
    story: dict[str, Any] = {}
    for name, value in body.items():
        if name == "articles":
            if match is not None:
                story["match"] = match
            if brief:
                continue
            value = [a for a, key in zip(value, keys, strict=True) if key != exclude_key]
        elif name in BRIEF_LEAVES_OUT and brief:
            continue
        story[name] = value
    if reading is not None and exclude_key not in keys:
        story.update(summarize([*items, reading], rule))
    if brief:
        story["links"] = story_links(story["id"])
    else:
        cap_articles(story, ARTICLES_PER_SIDE)
    return story


BRIEF_LEAVES_OUT = frozenset({"key_points"})
"""What a brief lookup answer's story leaves out besides its articles: the heavy parts. A
batch that annotates a page of links needs each link's outlet and its story's split and
blindspot; the 50 full stories of such a batch were about 250 KB (bench/load.py)."""


def story_links(story_id: int) -> dict[str, str]:
    """Return where a story's full coverage is: as JSON (``api``) and as a page (``page``)."""
    return {"api": f"/api/v1/stories/{story_id}", "page": f"/stories/{story_id}"}


def _key(url: str) -> str:
    """Return the URL key of a stored article's URL (canonical already, so it reads)."""
    try:
        return canonicalize(url).key
    except URLError:
        return url


def cap_articles(story: dict[str, Any], per_side: int) -> None:
    """Keep the newest ``per_side`` articles of each side; count the rest; link the story."""
    kept: list[dict[str, Any]] = []
    more = {"left": 0, "center": 0, "right": 0, "unrated": 0}
    shown = dict.fromkeys(more, 0)
    for article in reversed(story["articles"]):  # oldest first: walk from the newest
        side = (article["outlet"] or {}).get("side") or "unrated"
        if shown[side] < per_side:
            shown[side] += 1
            kept.append(article)
        else:
            more[side] += 1
    story["articles"] = kept[::-1]
    story["more_articles"] = more
    story["links"] = story_links(story["id"])


def blindspots(
    session: Session, rule: BlindspotRule, limit: int, side: str | None = None, recent: int = 500
) -> list[dict[str, Any]]:
    """Return recent stories that one side ignores, by the configured rule."""
    stories = session.scalars(
        select(Story)
        .where(Story.outlet_count >= rule.min_rated_outlets, LIVE)
        .order_by(Story.last_seen.desc())
        .limit(recent)
    ).all()
    found = []
    for story in stories:
        body = story_json(session, story.id, rule)
        if body and body["blindspot"] and (side is None or body["blindspot"] == side):
            brief = story_brief(story)
            brief["blindspot"] = body["blindspot"]
            brief["bias_split"] = body["bias_split"]
            brief["demo"] = body["demo"]
            found.append(brief)
            if len(found) >= limit:
                break
    return found


def story_brief(story: StoryFigures) -> dict[str, Any]:
    """Return the figures of a story that need none of its articles."""
    return {
        "id": story.id,
        "title": story.title,
        "article_count": story.article_count,
        "outlet_count": story.outlet_count,
        "first_seen": iso_utc(story.first_seen),
        "last_seen": iso_utc(story.last_seen),
    }
