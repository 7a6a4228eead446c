"""This worker's story index, kept in step with the database.

The :class:`~server.matching.StoryIndex` lives in memory, one per worker. It is built from
the database on first use and then follows it: every few seconds a worker reads the
articles added since it last looked (by any worker or the CLI), so every worker can answer
every request. Writing articles is :mod:`server.ingest`'s job and shaping answers is
:mod:`server.lookup`'s; this module only keeps the index and the story of each stored URL.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .matching import CLUSTER_THRESHOLD, MATCH_THRESHOLD, StoryIndex
from .models import Article


class StoryService:
    """Keep one worker's story index and its map of stored URLs to stories."""

    def __init__(
        self,
        window: timedelta = timedelta(days=3),
        refresh_seconds: float = 5.0,
        match_threshold: float = MATCH_THRESHOLD,
        cluster_threshold: float = CLUSTER_THRESHOLD,
    ) -> None:
        for name, value in (("MATCH", match_threshold), ("CLUSTER", cluster_threshold)):
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"PARALLAX_{name}_THRESHOLD must be between 0 and 1, not {value}")
        self.window = window
        self.match_threshold = match_threshold
        self.cluster_threshold = cluster_threshold
        self.refresh_seconds = refresh_seconds
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
            refresh_seconds=float(config["CATALOG_TTL"]),
            match_threshold=float(config["MATCH_THRESHOLD"]),
            cluster_threshold=float(config["CLUSTER_THRESHOLD"]),
        )

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

    def story_of_url(self, url_key: str) -> int | None:
        """Return the story of a stored article's URL key, without asking the database."""
        return self._story_of_url.get(hash(url_key))

    @contextmanager
    def writing(self, session: Session) -> Iterator[StoryIndex]:
        """Hold the index for a writer that clusters new articles into it.

        While it is held, no other thread of this worker catches up or writes; the writer
        reports what it stored with :meth:`stored`.
        """
        with self._lock:
            yield self.index(session)

    def stored(self, url_key: str, story_id: int) -> None:
        """Remember the story of an article the writer just clustered."""
        self._story_of_url[hash(url_key)] = story_id

    def indexed(self, article_ids: Iterable[int]) -> None:
        """Note articles this worker stored and indexed: catching up skips them.

        It still reads the articles other workers stored meanwhile, whose ids may be lower
        or higher.
        """
        self._own.update(article_ids)

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
