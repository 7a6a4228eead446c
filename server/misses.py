"""Counting lookups of domains that match no outlet: the domain only, never the URL.

Maintainers read these counts to decide which outlets to rate next. Counting in memory
and writing every so often keeps a database write off the hot path of unrated lookups.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from .models import LookupMiss, utcnow

log = logging.getLogger(__name__)


class MissCounter:
    """Count misses per domain and flush them to ``lookup_miss`` in batches."""

    def __init__(self, every: int = 100, seconds: float = 30.0) -> None:
        self.every = every
        self.seconds = seconds
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._last_flush = time.monotonic()

    def count(self, domain: str, session_factory: Callable[[], Session]) -> None:
        """Count one miss; flush when enough have gathered or enough time has passed."""
        with self._lock:
            self._counts[domain] += 1
            due = sum(self._counts.values()) >= self.every or (
                time.monotonic() - self._last_flush >= self.seconds
            )
        if due:
            self.flush(session_factory())

    def flush(self, session: Session) -> None:
        """Add the gathered counts to the database and start counting afresh."""
        with self._lock:
            counts, self._counts = self._counts, Counter()
            self._last_flush = time.monotonic()
        if not counts:
            return
        now = utcnow()
        for domain, n in counts.items():
            row = session.get(LookupMiss, domain)
            if row is None:
                session.add(LookupMiss(domain=domain, count=n, last_seen=now))
            else:
                row.count += n
                row.last_seen = now
        try:
            session.commit()
        except SQLAlchemyError:
            # Another worker inserted the same domain first: these counts are a hint for
            # maintainers, so a lost batch is better than a failed lookup.
            session.rollback()
            log.warning("could not record %d lookup misses", sum(counts.values()))
