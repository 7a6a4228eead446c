"""Counting lookups of domains that match no outlet: the domain only, never the URL.

Maintainers read these counts to decide which outlets to rate next. Counts gather in
memory and a background thread adds them to the database in one statement, so an
unrated lookup never waits for a write. Counts not yet written when a worker stops are
lost: they are a hint, not a record.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter

from sqlalchemy import Engine
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError

from .models import LookupMiss, utcnow

log = logging.getLogger(__name__)


class MissCounter:
    """Count misses per domain and add them to ``lookup_miss`` in batches."""

    def __init__(self, engine: Engine, every: int = 2000, seconds: float = 30.0) -> None:
        # Every 2,000 distinct domains (not 200): each write stalls the worker's requests for
        # a few milliseconds while its thread builds the statement, and at 200 it came every
        # few hundred lookups (bench/lookup.py); 2,000 short strings are nothing to hold.
        self.engine = engine
        self.every = every
        self.seconds = seconds
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._last_flush = time.monotonic()
        self._writer: threading.Thread | None = None

    def count(self, domain: str) -> None:
        """Count one miss; start a background write when enough have gathered."""
        with self._lock:
            self._counts[domain] += 1
            due = len(self._counts) >= self.every or (
                time.monotonic() - self._last_flush >= self.seconds
            )
            if not due or (self._writer is not None and self._writer.is_alive()):
                return
            self._writer = threading.Thread(target=self.flush, name="parallax-misses", daemon=True)
            self._writer.start()

    def flush(self) -> None:
        """Add the gathered counts to the database and start counting afresh."""
        with self._lock:
            counts, self._counts = self._counts, Counter()
            self._last_flush = time.monotonic()
        if not counts:
            return
        now = utcnow()
        rows = [{"domain": d, "count": n, "last_seen": now} for d, n in counts.items()]
        insert = pg_insert if self.engine.dialect.name == "postgresql" else sqlite_insert
        statement = insert(LookupMiss).values(rows)
        statement = statement.on_conflict_do_update(
            index_elements=[LookupMiss.domain],
            set_={
                "count": LookupMiss.count + statement.excluded.count,
                "last_seen": statement.excluded.last_seen,
            },
        )
        try:
            with self.engine.begin() as connection:
                connection.execute(statement)
        except SQLAlchemyError:
            log.warning("could not record %d lookup misses", sum(counts.values()), exc_info=True)
