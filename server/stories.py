"""This worker's story index, kept in step with the database.

The :class:`~server.matching.StoryIndex` lives in memory, one per worker. It is built from
the database on first use and then follows it: every few seconds a worker reads the
articles added since it last looked (by any worker or the CLI), so every worker can answer
every request. Writing articles is :mod:`server.ingest`'s job and shaping answers is
:mod:`server.lookup`'s; this module only keeps the index and the story of each stored URL.

Catching up by ``Article.id > last_id`` alone loses articles on PostgreSQL: ids are handed
out at insert but become visible in commit order, so a short ingest committing inside a
long one moves the mark past the long one's lower ids (17% of a 20k file was lost that way
until a restart). So the worker also remembers the *gaps*: ids below its mark it has not
seen, with when it first missed them, and reads them again on every catch-up until they
appear. A gap that never fills (a rolled-back insert, sequence values skipped) is given up
after :data:`GAP_SECONDS`; ingests commit in batches, so a real one fills within seconds.
Every :data:`RECONCILE_SECONDS` the worker also counts the clustered articles in the
database and, if it knows fewer, reads every key to find the ones it lacks. Adding an
article twice is harmless: one whose URL the worker already holds is skipped.

Catching up reads the database and prepares its rows outside the lock, and adds them to the
index in slices of :data:`SLICE` under it, so a lookup never waits behind a big catch-up
for more than one slice; while one thread catches up, the others answer from the index as
it stands (at most a few seconds behind). The index itself is not safe to read while it
changes (its dictionaries may change size under a reader), so lookups match under the same
lock through :meth:`StoryService.match`.

Merges: the writer's index merges two stories when a later article bridges them, and the
writer stores each merge (:class:`~server.models.StoryMerge`) with the articles. Every
catch-up replays the stored merges this worker has not applied: merges are few, so it
counts the table and, when it holds more than the worker applied, reads them all and
applies the new ones in order. Replaying is order-free and idempotent: the index redirects
the absorbed id whether or not it holds either story yet, and an article read later under
the absorbed id lands in the kept story (``StoryIndex.add`` resolves it), so neither a
merge read before its stories' articles nor one read after them is lost. The URL map keeps
the id each article was read with and :meth:`StoryService.story_of_url` resolves it, and a
merge drops both stories' cached answers.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from .matching import CLUSTER_THRESHOLD, MATCH_THRESHOLD, MERGE_THRESHOLD, Match, StoryIndex
from .models import Article, Story, StoryMerge

log = logging.getLogger(__name__)

GAP_SECONDS = 600.0
"""How long an unseen id below the mark is looked for: far longer than any batch commit."""
MAX_GAPS = 64
"""Gaps kept as ranges; beyond this the closest are merged (re-reading a seen id is harmless)."""
RECONCILE_SECONDS = 300.0
"""How often the worker checks its article count against the database's."""
ANSWER_REFRESHES = 12
"""A story answer is kept at most this many refresh times (a minute at the default 5 s)."""
MAX_CACHED = 20_000
"""Story answers kept per worker; past this the cache starts afresh."""
WARM_ANSWERS = 5_000
"""Story answers a serving worker builds before its first request, the latest stories first:
about 2 s and 70 MiB (bench/load.py's stories; an answer holds all its story's articles)."""
SLICE = 200
"""Articles added to the index per hold of the lock while catching up: a few milliseconds."""

T = TypeVar("T")
_Row = tuple[int, int | None, str, str, datetime | None, str | None]
"""An article as the index reads it: id, story, URL key, headline, time, description."""


def open_ranges(lo: int, hi: int, found: list[int]) -> list[tuple[int, int]]:
    """Return the parts of ``lo..hi`` not in ``found`` (sorted ids): what is still unseen."""
    ranges = []
    start = lo
    for article_id in found[bisect_left(found, lo) : bisect_right(found, hi)]:
        if article_id > start:
            ranges.append((start, article_id - 1))
        start = article_id + 1
    if start <= hi:
        ranges.append((start, hi))
    return ranges


class StoryService:
    """Keep one worker's story index and its map of stored URLs to stories."""

    def __init__(
        self,
        window: timedelta = timedelta(days=3),
        refresh_seconds: float = 5.0,
        match_threshold: float = MATCH_THRESHOLD,
        cluster_threshold: float = CLUSTER_THRESHOLD,
        merge_threshold: float | None = MERGE_THRESHOLD,
    ) -> None:
        for name, value in (("MATCH", match_threshold), ("CLUSTER", cluster_threshold)):
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"PARALLAX_{name}_THRESHOLD must be between 0 and 1, not {value}")
        if merge_threshold is not None and not merge_threshold >= 0.0:
            raise ValueError(f"PARALLAX_MERGE_THRESHOLD must be 0 or more, not {merge_threshold}")
        self.window = window
        self.match_threshold = match_threshold
        self.cluster_threshold = cluster_threshold
        self.merge_threshold = merge_threshold
        self.refresh_seconds = refresh_seconds
        self._index: StoryIndex | None = None
        # The story of each stored URL, keyed by the URL's in-process hash: an exact match
        # needs no database query, and ints keep the map small at a million articles. It is
        # also how catching up knows an article is indexed already.
        self._story_of_url: dict[int, int] = {}
        self._high = 0  # the highest article id read
        self._merged: set[int] = set()  # absorbed ids of the stored merges read and applied
        self._gaps: list[tuple[int, int, float]] = []  # unseen ids below it: (lo, hi, since)
        self._checked = 0.0
        self._reconciled = time.monotonic()
        # story id -> (kept until, version, built answer); see cached()
        self._answers: dict[int, tuple[float, str, Any]] = {}
        self._answer_seconds = refresh_seconds * ANSWER_REFRESHES
        self._lock = threading.RLock()  # the index's contents: writers, slices, matches
        self._catching_up = threading.Lock()  # one catch-up at a time
        self._refresher: threading.Thread | None = None  # see keep_fresh()
        self._stop_refreshing = threading.Event()

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> StoryService:
        """Build the service from the app's settings."""
        return cls(
            window=timedelta(days=float(config["STORY_WINDOW_DAYS"])),
            refresh_seconds=float(config["CATALOG_TTL"]),
            match_threshold=float(config["MATCH_THRESHOLD"]),
            cluster_threshold=float(config["CLUSTER_THRESHOLD"]),
            merge_threshold=float(config["MERGE_THRESHOLD"]),
        )

    def fresh_index(self) -> StoryIndex | None:
        """Return the index if it was brought up to date within the refresh time."""
        index = self._index
        if index is not None and time.monotonic() - self._checked < self.refresh_seconds:
            return index
        return None

    def index(self, session: Session, wait: bool = False) -> StoryIndex:
        """Return this worker's index, built on first use and brought up to date.

        When another thread is already catching up, the index is returned as it stands
        unless ``wait`` (a writer must see every story before it clusters).
        """
        if self._index is not None and self._refresher is not None and not wait:
            return self._index  # the refresher catches up: requests never do
        if self._index is None or time.monotonic() - self._checked >= self.refresh_seconds:
            self.catch_up(session, wait=wait or self._index is None)
        assert self._index is not None
        return self._index

    def keep_fresh(self, sessions: Callable[[], Session]) -> None:
        """Catch up every second in a thread of this worker's own, from now on (``serve``).

        Otherwise the request that finds the index stale catches up itself: during a bulk
        ingest that is thousands of articles read and indexed inside one lookup, and
        bench/load.py's lookups waited over a second for it. Writers still catch up
        themselves first (:meth:`writing`), as they must see every story.
        """
        if self._refresher is not None:
            return
        self._stop_refreshing.clear()

        def refresh() -> None:
            while not self._stop_refreshing.wait(min(1.0, max(0.2, self.refresh_seconds))):
                try:
                    with sessions() as session:
                        self.catch_up(session, always=True)
                except Exception:  # a database away for a moment: try again next time
                    log.exception("the story index could not catch up")

        self._refresher = threading.Thread(target=refresh, name="story-index", daemon=True)
        self._refresher.start()

    def stop_refreshing(self) -> None:
        """Stop the thread :meth:`keep_fresh` started; requests catch up themselves again."""
        if self._refresher is not None:
            self._stop_refreshing.set()
            self._refresher.join()
            self._refresher = None

    def match(
        self,
        title: str,
        published: datetime | None,
        description: str = "",
        slack: timedelta | None = None,
    ) -> Match | None:
        """Return the story a headline (and description) matches, read under the lock."""
        with self._lock:
            if self._index is None:
                return None
            return self._index.match(title, published, description, slack)

    def cached(self, story_id: int, version: str, build: Callable[[], T]) -> T:
        """Return what ``build`` made for a story, built anew when the story may have changed.

        A lookup's story answer costs a query of all the story's articles (3.4 ms of a 3.5 ms
        lookup; 170 ms for a batch of 50). It is kept until this worker indexes a new article
        of the story, ``version`` (the catalog's, for the outlets' ratings) changes, or
        :data:`ANSWER_REFRESHES` refresh times pass (for edits that add no article).
        """
        hit = self._answers.get(story_id)
        if hit is not None and hit[1] == version and time.monotonic() < hit[0]:
            return hit[2]
        value = build()
        self.keep(story_id, version, value)
        return value

    def keep(self, story_id: int, version: str, value: Any) -> None:
        """Cache a story's answer for :meth:`cached` (built ahead: ``lookup.warm_answers``).

        Each answer is kept for a random half to all of the refresh times: answers built
        together (a worker's warm start) would otherwise all lapse at the same moment, and
        every lookup would rebuild its story at once.
        """
        if len(self._answers) >= MAX_CACHED:
            self._answers = {}
        until = time.monotonic() + self._answer_seconds * random.uniform(0.5, 1.0)
        self._answers[story_id] = (until, version, value)

    def story_of_url(self, url_key: str) -> int | None:
        """Return the story of a stored article's URL key, without asking the database.

        The map keeps the story each article was read with; a story merged since answers
        with the one that absorbed it.
        """
        story_id = self._story_of_url.get(hash(url_key))
        index = self._index
        if story_id is None or index is None:
            return story_id
        return index.resolve(story_id)  # dictionary reads only: safe beside a writer

    @contextmanager
    def writing(self, session: Session) -> Iterator[StoryIndex]:
        """Hold the index for a writer that clusters new articles into it.

        The index is first brought up to date, so the writer sees every stored story, and
        every stored merge even between refreshes (a cheap count), so it never merges a story
        another process absorbed already; while it is held no other thread of this worker
        changes or reads it (writers keep their batches small). The writer reports what it
        stored with :meth:`stored` and :meth:`stored_merge`.
        """
        index = self.index(session, wait=True)
        self._replay(session)
        with self._lock:
            yield index

    def stored(self, url_key: str, story_id: int) -> None:
        """Remember the story of an article the writer just clustered."""
        self._story_of_url[hash(url_key)] = story_id
        self._answers.pop(story_id, None)

    def stored_merge(self, absorbed: int, kept: int) -> None:
        """Forget the answers of two stories the writer's index merged and the writer stored.

        The merge is not marked applied: only rows read back from the database are, so a
        merge rolled back with its articles can never hide a stored one from the count
        :meth:`_replay` compares (replaying one the index made already is a no-op).
        """
        self._answers.pop(absorbed, None)
        self._answers.pop(kept, None)

    def catch_up(self, session: Session, wait: bool = True, always: bool = False) -> None:
        """Add the articles stored since this worker last looked, and those it missed.

        Unless ``always``, a thread that waited for another's catch-up does not repeat it.
        """
        if not self._catching_up.acquire(blocking=wait):
            return  # another thread is at it: the index as it stands will do meanwhile
        try:
            if self._index is None:
                with self._lock:
                    self._index = StoryIndex(
                        window=self.window,
                        threshold=self.match_threshold,
                        cluster_threshold=self.cluster_threshold,
                        # the writer stores each merge and every worker replays it
                        merge_threshold=self.merge_threshold,
                    )
            elif not always and time.monotonic() - self._checked < self.refresh_seconds:
                return  # another thread caught up while this one waited
            now = time.monotonic()
            rows = self._read(session, self._unseen())
            self._note_seen([row[0] for row in rows], now)
            if now - self._reconciled >= RECONCILE_SECONDS:
                rows += self._reconcile(session)
                self._reconciled = now
            self._add(rows)
            self._replay(session)
            self._checked = time.monotonic()
        finally:
            self._catching_up.release()

    def _unseen(self) -> ColumnElement[bool]:
        """Return the condition on ``Article.id`` of the articles not read yet."""
        return or_(
            Article.id > self._high, *(Article.id.between(lo, hi) for lo, hi, _ in self._gaps)
        )

    @staticmethod
    def _read(session: Session, condition: ColumnElement[bool]) -> list[_Row]:
        query = select(
            Article.id,
            Article.story_id,
            Article.url_key,
            Article.title,
            Article.published_at,
            Article.description,
        )
        return [
            (row[0], row[1], row[2], row[3], row[4], row[5])
            for row in session.execute(query.where(condition).order_by(Article.id))
        ]

    def _note_seen(self, ids: list[int], now: float) -> None:
        """Close the gaps these ids fill, open those they leave above the mark, expire old ones."""
        gaps = [
            (lo, hi, since)
            for old_lo, old_hi, since in self._gaps
            if now - since < GAP_SECONDS
            for lo, hi in open_ranges(old_lo, old_hi, ids)
        ]
        above = [article_id for article_id in ids if article_id > self._high]
        gaps += [
            (lo, hi, now) for lo, hi in open_ranges(self._high + 1, max(above, default=0), above)
        ]
        gaps.sort()
        while len(gaps) > MAX_GAPS:  # merge the two closest neighbours, keeping the older time
            i = min(range(len(gaps) - 1), key=lambda k: gaps[k + 1][0] - gaps[k][1])
            (lo, _, first), (_, hi, second) = gaps[i], gaps[i + 1]
            gaps[i : i + 2] = [(lo, hi, min(first, second))]
        self._gaps = gaps
        self._high = max(self._high, *above) if above else self._high

    def _reconcile(self, session: Session) -> list[_Row]:
        """Return the clustered articles this worker lacks, when it knows fewer than stored."""
        stored = session.scalar(
            select(func.count()).select_from(Article).where(Article.story_id.is_not(None))
        )
        if not stored or stored <= len(self._story_of_url):
            return []
        missing = [
            article_id
            for article_id, key in session.execute(select(Article.id, Article.url_key))
            if hash(key) not in self._story_of_url
        ]
        rows: list[_Row] = []
        for chunk in range(0, len(missing), 500):
            rows += self._read(session, Article.id.in_(missing[chunk : chunk + 500]))
        return rows

    def _add(self, rows: list[_Row]) -> None:
        """Add the rows not yet indexed, a slice at a time under the lock."""
        fresh = [
            row for row in rows if row[1] is not None and hash(row[2]) not in self._story_of_url
        ]
        assert self._index is not None
        for start in range(0, len(fresh), SLICE):
            with self._lock:
                for article_id, story_id, key, title, published, description in fresh[
                    start : start + SLICE
                ]:
                    assert story_id is not None
                    if hash(key) in self._story_of_url:
                        continue  # a writer of this worker got there first
                    self._story_of_url[hash(key)] = story_id
                    self._answers.pop(story_id, None)
                    self._index.add(
                        story_id, title, published, article_id, description=description or ""
                    )

    def _replay(self, session: Session) -> None:
        """Apply the stored merges this index has not applied yet, oldest first.

        Counting first keeps the usual catch-up to one cheap query; reading every merge when
        the count moved also picks up those a slower transaction committed out of order.
        """
        stored = session.scalar(select(func.count()).select_from(StoryMerge)) or 0
        if stored <= len(self._merged):
            return
        merges = session.execute(
            select(StoryMerge.absorbed_id, StoryMerge.kept_id).order_by(
                StoryMerge.merged_at, StoryMerge.absorbed_id
            )
        ).all()
        assert self._index is not None
        with self._lock:
            for absorbed, kept in merges:
                if absorbed in self._merged:
                    continue
                self._index.merge(absorbed, kept)
                self._merged.add(absorbed)
                self._answers.pop(absorbed, None)
                self._answers.pop(self._index.resolve(kept), None)

    def reset(self) -> None:
        """Forget the index; the next use rebuilds it from the database."""
        with self._catching_up, self._lock:
            self._index = None
            self._story_of_url.clear()
            self._high = 0
            self._merged = set()
            self._gaps = []
            self._answers = {}


def recount(session: Session, story_ids: Iterable[int]) -> None:
    """Refresh the counts and time span of the given stories, as their articles stand now.

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
        # ``coalesce`` takes its arguments' type, UTCDateTime: aware times on every database
        for story_id, outlet_id, domain, when in rows:
            assert story_id is not None  # the query asks for these stories only
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
