"""Stories in the database: this worker's story index, ingesting articles, coverage answers.

The :class:`~server.matching.StoryIndex` lives in memory, one per worker. It is built from
the database on first use and then follows it: every few seconds a worker reads the
articles added since it last looked (by any worker or the CLI), so every worker can
answer every request.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from .coverage import BlindspotRule, CoverageItem, iso_utc, item_json, summarize
from .matching import CLUSTER_THRESHOLD, MATCH_THRESHOLD, Match, StoryIndex
from .models import Article, Outlet, Story, utcnow
from .outlets import Catalog
from .text import plain
from .urls import ParsedURL, URLError, canonicalize


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
    errors: list[str] = field(default_factory=list)


class StoryService:
    """Match headlines to stories and answer with their coverage, for one worker."""

    def __init__(
        self,
        window: timedelta = timedelta(days=3),
        rule: BlindspotRule | None = None,
        refresh_seconds: float = 5.0,
        learn: bool = False,
        match_threshold: float = MATCH_THRESHOLD,
        cluster_threshold: float = CLUSTER_THRESHOLD,
    ) -> None:
        for name, value in (("MATCH", match_threshold), ("CLUSTER", cluster_threshold)):
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"PARALLAX_{name}_THRESHOLD must be between 0 and 1, not {value}")
        self.window = window
        self.match_threshold = match_threshold
        self.cluster_threshold = cluster_threshold
        self.rule = rule or BlindspotRule()
        self.refresh_seconds = refresh_seconds
        self.learn = learn
        self._index: StoryIndex | None = None
        # The story of each stored URL, keyed by the URL's in-process hash: an exact match
        # needs no database query, and ints keep the map small at a million articles.
        self._story_of_url: dict[int, int] = {}
        self._last_article_id = 0
        self._own: set[int] = set()  # ids this worker stored and indexed, not yet caught up
        self._checked = 0.0
        self._lock = threading.RLock()

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> StoryService:
        """Build the service from the app's settings."""
        return cls(
            window=timedelta(days=float(config["STORY_WINDOW_DAYS"])),
            rule=BlindspotRule(
                min_rated_outlets=int(config["BLINDSPOT_MIN_OUTLETS"]),
                dominant_share=float(config["BLINDSPOT_DOMINANT"]),
                max_other_share=float(config["BLINDSPOT_MAX_SHARE"]),
            ),
            refresh_seconds=float(config["CATALOG_TTL"]),
            learn=bool(config["LEARN_FROM_LOOKUPS"]),
            match_threshold=float(config["MATCH_THRESHOLD"]),
            cluster_threshold=float(config["CLUSTER_THRESHOLD"]),
        )

    # --- the index ---------------------------------------------------------------------

    def fresh_index(self) -> StoryIndex | None:
        """Return the index if it was brought up to date within the refresh time."""
        index = self._index
        if index is not None and time.monotonic() - self._checked < self.refresh_seconds:
            return index
        return None

    def index(self, session: Session) -> StoryIndex:
        """Return this worker's index, built on first use and brought up to date."""
        with self._lock:
            if self._index is None:
                self._index = StoryIndex(
                    window=self.window,
                    threshold=self.match_threshold,
                    cluster_threshold=self.cluster_threshold,
                )
                self._checked = 0.0
            if time.monotonic() - self._checked >= self.refresh_seconds:
                self._catch_up(session)
            return self._index

    def _catch_up(self, session: Session) -> None:
        """Add the articles stored since this worker last looked."""
        assert self._index is not None
        rows = session.execute(
            select(
                Article.id, Article.story_id, Article.url_key, Article.title, Article.published_at
            )
            .where(Article.id > self._last_article_id, Article.story_id.is_not(None))
            .order_by(Article.id)
        )
        for article_id, story_id, key, title, published in rows:
            assert story_id is not None  # the query asks for clustered articles only
            self._last_article_id = article_id
            if article_id in self._own:  # added by this worker: already indexed
                self._own.discard(article_id)
                continue
            self._index.add(story_id, title, published, article_id)
            self._story_of_url[hash(key)] = story_id
        self._checked = time.monotonic()

    def reset(self) -> None:
        """Forget the index; the next use rebuilds it from the database."""
        with self._lock:
            self._index = None
            self._story_of_url.clear()
            self._own.clear()
            self._last_article_id = 0

    # --- ingesting ---------------------------------------------------------------------

    def add_articles(
        self, session: Session, catalog: Catalog, articles: Iterable[NewArticle], source: str
    ) -> IngestResult:
        """Store new articles and cluster them into stories, in time order.

        Articles are known by their canonical URL: one already stored (or twice in this
        batch) is a duplicate and is skipped. Each is credited to the outlet its URL
        resolves to, else to its ``feed_outlet``. The caller commits, so a bulk file is
        all-or-nothing; a caller that rolls back must call :meth:`reset`, since the index
        already holds the articles. An undated article is clustered as published when it
        was first seen (now): without a time it would be a candidate for every story.
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
        with self._lock:
            index = self.index(session)
            touched: set[int] = set()
            added: list[Article] = []
            for p, item in ordered:
                slug = catalog.resolver.resolve(p) or item.feed_outlet

                def open_story(item: NewArticle = item) -> int:
                    story = Story(title=item.title, first_seen=item.published_at or now)
                    session.add(story)
                    session.flush()
                    result.new_stories += 1
                    return story.id

                story_id, _ = index.assign(item.title, item.published_at or now, open_story)
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
                added.append(article)
                self._story_of_url[hash(p.key)] = story_id
                touched.add(story_id)
                result.added += 1
            session.flush()
            self._recount(session, touched)
            # The index already holds these: catching up skips them, but still reads the
            # articles other workers stored meanwhile, whose ids may be lower or higher.
            self._own.update(article.id for article in added)
        return result

    def _recount(self, session: Session, story_ids: set[int]) -> None:
        """Refresh the counts and time span of the given stories.

        Outlets are counted distinct; an unrated site counts once per domain.
        """
        ids = sorted(story_ids)
        for chunk in range(0, len(ids), 500):
            rows = session.execute(
                select(
                    Article.story_id,
                    Article.outlet_id,
                    Article.domain,
                    func.coalesce(Article.published_at, Article.first_seen),
                ).where(Article.story_id.in_(ids[chunk : chunk + 500]))
            )
            spans: dict[int, tuple[int, set[object], datetime, datetime]] = {}
            for story_id, outlet_id, domain, when in rows:
                assert story_id is not None  # the query asks for these stories only
                when = _aware(when)
                count, outlets, first, last = spans.get(story_id, (0, set(), when, when))
                outlets.add(outlet_id if outlet_id is not None else domain)
                spans[story_id] = (count + 1, outlets, min(first, when), max(last, when))
            for story_id, (count, outlets, first, last) in spans.items():
                story = session.get(Story, story_id)
                if story is not None:
                    story.article_count = count
                    story.outlet_count = len(outlets)
                    story.first_seen = first
                    story.last_seen = last

    # --- answering -----------------------------------------------------------------------

    def for_lookup(
        self,
        sessions: Callable[[], Session],
        parsed: ParsedURL,
        title: str | None,
        outlet: Mapping[str, Any] | None,
        catalog: Catalog,
        published: datetime | None = None,
    ) -> dict[str, Any] | None:
        """Return the story of a looked-up article, or None without a confident match.

        A URL the service has stored matches exactly; otherwise the headline is matched
        against the stories of the window around ``published`` (now by default). The
        session is only opened when the database is needed: most lookups of articles
        without a story never touch it.
        """
        index = self.fresh_index() or self.index(sessions())
        match: dict[str, Any] | None = None
        story_id = self._story_of_url.get(hash(parsed.key))
        if story_id is not None:
            match = {"method": "url", "score": 1.0}
        elif title:
            found: Match | None = index.match(title, published or utcnow())
            if found is not None:
                story_id = found.story_id
                match = {"method": "title", "score": round(found.score, 3)}
            if self.learn and outlet is not None:
                learned = NewArticle(parsed.url, title, published or utcnow())
                self.add_articles(sessions(), catalog, [learned], "lookup")
                sessions().commit()
        if story_id is None:
            return None
        return self.story_json(sessions(), story_id, exclude_key=parsed.key, match=match)

    def story_json(
        self,
        session: Session,
        story_id: int,
        exclude_key: str | None = None,
        match: dict[str, Any] | None = None,
    ) -> dict[str, Any] | None:
        """Return a story with its other coverage, splits, blindspot and first report."""
        if not 0 < story_id < 2**31:  # beyond the integer key (32-bit on PostgreSQL)
            return None
        story = session.get(Story, story_id)
        if story is None:
            return None
        articles = session.scalars(
            select(Article)
            .options(joinedload(Article.outlet))
            .where(Article.story_id == story_id)
            .order_by(Article.published_at, Article.id)
        ).all()
        items = [_item(a) for a in articles]
        body = _story_brief(story)
        if match is not None:
            body["match"] = match
        body["articles"] = [
            item_json(item)
            for item, article in zip(items, articles, strict=True)
            if article.url_key != exclude_key
        ]
        body.update(summarize(items, self.rule))
        return body

    def search(self, session: Session, text: str, limit: int) -> list[dict[str, Any]]:
        """Return recent stories whose representative title holds every word of ``text``."""
        query = select(Story)
        for word in text.lower().split()[:10]:
            query = query.where(
                func.lower(Story.title).like(f"%{_escape_like(word)}%", escape="\\")
            )
        stories = session.scalars(query.order_by(Story.last_seen.desc()).limit(limit)).all()
        return [_story_brief(s) for s in stories]

    def blindspots(
        self, session: Session, limit: int, side: str | None = None, recent: int = 500
    ) -> list[dict[str, Any]]:
        """Return recent stories that one side ignores, by the configured rule."""
        stories = session.scalars(
            select(Story)
            .where(Story.outlet_count >= self.rule.min_rated_outlets)
            .order_by(Story.last_seen.desc())
            .limit(recent)
        ).all()
        found = []
        for story in stories:
            body = self.story_json(session, story.id)
            if body and body["blindspot"] and (side is None or body["blindspot"] == side):
                brief = _story_brief(story)
                brief["blindspot"] = body["blindspot"]
                brief["bias_split"] = body["bias_split"]
                found.append(brief)
                if len(found) >= limit:
                    break
        return found


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _aware(value: datetime | str) -> datetime:
    """Return a UTC-aware time from what an aggregate query gives back.

    SQLite hands ``coalesce`` of timestamps back as text without a zone.
    """
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _item(article: Article) -> CoverageItem:
    outlet = article.outlet
    return CoverageItem(
        url=article.url,
        title=article.title,
        published_at=article.published_at,
        domain=article.domain,
        outlet_slug=outlet.slug if outlet else None,
        outlet_name=outlet.name if outlet else None,
        bias=outlet.bias if outlet else None,
        factuality=outlet.factuality if outlet else None,
        ownership=outlet.ownership if outlet else None,
    )


def _story_brief(story: Story) -> dict[str, Any]:
    return {
        "id": story.id,
        "title": story.title,
        "article_count": story.article_count,
        "outlet_count": story.outlet_count,
        "first_seen": iso_utc(story.first_seen),
        "last_seen": iso_utc(story.last_seen),
    }
