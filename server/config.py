"""Settings: defaults that run out of the box, overridden by ``PARALLAX_*`` variables.

Each setting below can be set in the environment as ``PARALLAX_<NAME>``; the value is
parsed to the type of its default. ``create_app(config)`` applies a mapping last, which
is how tests configure the app.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from .matching import CLUSTER_THRESHOLD, MATCH_THRESHOLD, MERGE_THRESHOLD

DEFAULTS: dict[str, Any] = {
    # Any SQLAlchemy URL; empty means an SQLite file in the instance folder.
    "DATABASE_URL": "",
    # Load data/outlets.csv and the demo articles when the database is empty.
    "LOAD_STARTER_DATA": True,
    # Origins admitted by CORS on /api/*: the browser extensions' own origins by default.
    # Comma-separated; each is an exact origin or a regular expression.
    "CORS_ORIGINS": r"^chrome-extension://[a-p]{32}$,^moz-extension://[0-9a-f-]{36}$,"
    r"^safari-web-extension://[0-9A-Fa-f-]+$",
    # Reverse proxies in front of the service (nginx, a load balancer) whose X-Forwarded-For,
    # -Proto and -Host are trusted: the client of a rate limit is the reader, not the proxy.
    # 0 trusts none: the headers are ignored, since anyone can send them.
    "TRUSTED_PROXIES": 0,
    # The access log of `parallax serve`: "private" writes method, route pattern, status and
    # duration, never a query string (the reader's URLs and headlines) nor a path; "full" is
    # gunicorn's log of whole request lines; "off" writes none.
    "ACCESS_LOG": "private",
    # Per-client request limit (the `limits` syntax; server/limiter.py) and where counts are kept:
    # memory:// for one process, redis://host:port to share limits between workers.
    "RATE_LIMIT": "600 per minute",
    "RATE_LIMIT_STORAGE_URL": "memory://",
    # Prefix of the rate-limit keys in shared storage (one per deployment sharing a Redis).
    "RATE_LIMIT_KEY_PREFIX": "parallax",
    # Largest accepted request body, in bytes, and most URLs in one batch lookup.
    "MAX_CONTENT_LENGTH": 1_000_000,
    "MAX_BATCH": 200,
    # Seconds a request waits for SQLite's write lock (held by an ingest's batch) before it
    # answers 503 with Retry-After; commands wait 30 s. Unused on PostgreSQL.
    "BUSY_TIMEOUT": 0.5,
    # Seconds a worker trusts its in-memory catalog of outlets before checking the database.
    "CATALOG_TTL": 5.0,
    # Story matching: days either side of an article in which stories are candidates, and
    # the scores (0..1) a lookup needs to name a story and an ingested article needs to join
    # one; matching.py says how the defaults were chosen.
    "STORY_WINDOW_DAYS": 3.0,
    "MATCH_THRESHOLD": MATCH_THRESHOLD,
    "CLUSTER_THRESHOLD": CLUSTER_THRESHOLD,
    # The raw score for which an article that joins one story bridges it with another, and
    # the two merge (the absorbed id keeps answering); above 2, which no score reaches, off.
    "MERGE_THRESHOLD": MERGE_THRESHOLD,
    # Blindspot rule: a side is ignored when the story has at least MIN_OUTLETS rated
    # outlets, the other side holds at least DOMINANT of them and this side at most MAX_SHARE.
    "BLINDSPOT_MIN_OUTLETS": 3,
    "BLINDSPOT_DOMINANT": 0.70,
    "BLINDSPOT_MAX_SHARE": 0.10,
    # Add articles of rated outlets seen through lookups that carry a title.
    "LEARN_FROM_LOOKUPS": False,
    # Feed fetching: timeout per request in seconds and the User-Agent sent.
    "FEED_TIMEOUT": 15.0,
    "USER_AGENT": "ParallaxBot/0.1 (+https://github.com/parallax-news/parallax)",
    # Signs the maintainers' session cookies and CSRF tokens; the workspace (/maintain)
    # stays off without one outside debug mode. Set a long random value in production.
    "SECRET_KEY": "",
    # Failed logins allowed per client address (the `limits` syntax); more answer 429.
    "LOGIN_RATE_LIMIT": "10 per 15 minutes",
}


def _parse(raw: str, default: Any) -> Any:
    """Parse an environment string to the type of the setting's default."""
    if isinstance(default, bool):
        value = raw.strip().lower()
        if value in {"1", "true", "yes", "on"}:
            return True
        if value in {"0", "false", "no", "off"}:
            return False
        raise ValueError(f"expected a boolean (true/false), got {raw!r}")
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    return raw


def from_environment(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Return the settings given as ``PARALLAX_*`` environment variables, parsed."""
    environ = os.environ if environ is None else environ
    settings: dict[str, Any] = {}
    for name, default in DEFAULTS.items():
        raw = environ.get(f"PARALLAX_{name}")
        if raw is None:
            continue
        try:
            settings[name] = _parse(raw, default)
        except ValueError as exc:
            raise ValueError(f"PARALLAX_{name}: {exc}") from None
    return settings
