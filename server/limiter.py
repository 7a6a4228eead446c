"""Per-client rate limits: one fixed window per client address, on every route but /healthz.

We used Flask-Limiter, which cost about half of a trivial request (its per-request
bookkeeping, and a memory storage that starts a timer thread every few milliseconds under
load) and whose memory storage is not thread-safe (limits 5.8, the newest: a ``KeyError``
in threading's ``_limbo`` about once per 100k requests, when two threads restart its expiry
timer at once). This module is the part we used. ``PARALLAX_RATE_LIMIT`` ("600 per minute",
the ``limits`` syntax) is counted per client in a fixed window: in this process behind one
lock (``memory://``), or in any storage ``limits`` knows, such as Redis, when
``PARALLAX_RATE_LIMIT_STORAGE_URL`` names one, shared by every worker and host.

The client is ``request.remote_addr``: behind a reverse proxy, set
``PARALLAX_TRUSTED_PROXIES`` so that it is the reader's address, not the proxy's (app.py).
A 429 carries ``Retry-After`` and ``X-RateLimit-Limit``/``-Remaining``/``-Reset``; other
answers carry none of them, which keeps a request's share of the limiter to one counter
increment (bench/lookup.py). If the shared storage is down, requests are let through and a
warning is logged: an outage of the limiter must not become an outage of the API.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from typing import Any

from flask import Flask, request
from limits import RateLimitItem, parse
from limits.storage import Storage, storage_from_string
from werkzeug.exceptions import TooManyRequests

log = logging.getLogger(__name__)

EXEMPT_BLUEPRINTS = frozenset({"health"})
"""Load balancers call /healthz often; it must answer whatever a client did."""
SWEEP_SECONDS = 60.0


class MemoryCounts:
    """Fixed-window counts in this process, behind one lock; ended windows swept lazily."""

    def __init__(self) -> None:
        self._counts: dict[str, list[float]] = {}  # key -> [count, window end]
        self._lock = threading.Lock()
        self._swept = time.monotonic()

    def incr(self, key: str, expiry: int) -> tuple[int, float]:
        """Count one hit; return the window's count and when it ends (epoch seconds)."""
        now = time.time()
        with self._lock:
            entry = self._counts.get(key)
            if entry is None or entry[1] <= now:
                entry = self._counts[key] = [0, now + expiry]
            entry[0] += 1
            count, reset = entry
            if time.monotonic() - self._swept > SWEEP_SECONDS:
                self._counts = {k: v for k, v in self._counts.items() if v[1] > now}
                self._swept = time.monotonic()
        return int(count), reset

    def peek(self, key: str) -> tuple[int, float]:
        """Return the window's count and end without counting (0 when no window is open)."""
        now = time.time()
        with self._lock:
            entry = self._counts.get(key)
        if entry is None or entry[1] <= now:
            return 0, now
        return int(entry[0]), entry[1]


class SharedCounts:
    """Fixed-window counts in a storage ``limits`` knows (Redis, Memcached, …)."""

    def __init__(self, url: str) -> None:
        storage = storage_from_string(url)
        if not isinstance(storage, Storage):
            raise ValueError(
                f"PARALLAX_RATE_LIMIT_STORAGE_URL: {url!r} is not a storage we can use"
            )
        self.storage = storage

    def incr(self, key: str, expiry: int) -> tuple[int, float]:
        """Count one hit; return the window's count and when it ends (epoch seconds)."""
        count = self.storage.incr(key, expiry)
        return count, self.storage.get_expiry(key)

    def peek(self, key: str) -> tuple[int, float]:
        """Return the window's count and end without counting."""
        return int(self.storage.get(key)), self.storage.get_expiry(key)


class Limiter:
    """Count each request against its client's limit and refuse the ones over it."""

    def __init__(self, limit: str, storage_url: str, prefix: str) -> None:
        self.item: RateLimitItem = parse(limit)
        self.prefix = prefix
        self._key = self.item.key_for(prefix, "")  # the client's address goes last
        self._expiry = self.item.get_expiry()
        self.counts = MemoryCounts() if storage_url == "memory://" else SharedCounts(storage_url)

    def hit(self, client: str) -> tuple[int, float] | None:
        """Count a request of ``client``; None when the storage cannot be reached."""
        try:
            return self.counts.incr(self._key + client, self._expiry)
        except Exception:  # Redis down: let the request through, say so
            log.warning("rate-limit storage unavailable; request not counted", exc_info=True)
            return None

    def check(self) -> None:
        """Count this request (before it is handled); raise 429 when over the limit."""
        if request.blueprint in EXEMPT_BLUEPRINTS or request.endpoint == "static":
            return
        counted = self.hit(request.remote_addr or "unknown")
        if counted is None:
            return
        count, reset = counted
        if count > self.item.amount:
            wait = max(1, math.ceil(reset - time.time()))
            raise _Refused(self.item.amount, reset, wait, str(self.item))


class _Refused(TooManyRequests):
    """A 429 that tells the client its limit and when the window ends."""

    def __init__(self, amount: int, reset: float, wait: int, limit: str) -> None:
        super().__init__(description=limit, retry_after=wait)
        self.limit_headers = [
            ("X-RateLimit-Limit", str(amount)),
            ("X-RateLimit-Remaining", "0"),
            ("X-RateLimit-Reset", str(math.ceil(reset))),
        ]

    def get_headers(self, *args: Any, **kwargs: Any) -> list[tuple[str, str]]:
        """Return the 429's headers: Retry-After and the limit's."""
        return [*super().get_headers(*args, **kwargs), *self.limit_headers]


class FailureLimit:
    """Count only failures (such as failed logins) per client, and refuse once over the limit.

    Guessing is slow; using is not: a maintainer who logs in right is never counted.
    """

    def __init__(self, limit: str, storage_url: str, prefix: str, name: str) -> None:
        self.item: RateLimitItem = parse(limit)
        self._key = self.item.key_for(prefix, name, "")
        self._expiry = self.item.get_expiry()
        self.counts = MemoryCounts() if storage_url == "memory://" else SharedCounts(storage_url)

    def check(self) -> None:
        """Raise 429 when this client has failed too often in the current window."""
        try:
            count, reset = self.counts.peek(self._key + (request.remote_addr or "unknown"))
        except Exception:  # storage down: let the request through, as Limiter does
            log.warning("rate-limit storage unavailable; failures not checked", exc_info=True)
            return
        if count >= self.item.amount:
            wait = max(1, math.ceil(reset - time.time()))
            raise _Refused(self.item.amount, reset, wait, str(self.item))

    def failed(self) -> None:
        """Count one failure of this client."""
        try:
            self.counts.incr(self._key + (request.remote_addr or "unknown"), self._expiry)
        except Exception:
            log.warning("rate-limit storage unavailable; failure not counted", exc_info=True)


def init_app(app: Flask) -> Limiter:
    """Limit every request of the app but the exempt ones, from its settings."""
    limiter = Limiter(
        str(app.config["RATE_LIMIT"]),
        str(app.config["RATE_LIMIT_STORAGE_URL"]),
        str(app.config["RATE_LIMIT_KEY_PREFIX"]),
    )
    app.before_request(limiter.check)
    return limiter
