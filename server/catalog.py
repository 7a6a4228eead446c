"""The catalog: every outlet and rule in memory, what a lookup resolves against.

Lookups resolve URLs against an in-memory snapshot instead of querying the database. Each
worker keeps one :class:`CatalogCache` and reloads the snapshot when the catalog version
stored in the database changes: every write to an outlet (:mod:`server.outlets`) gives it
a new version. The snapshot also holds each outlet as the API shows it and the compact
index the extension downloads.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from . import ratings
from .models import CATALOG_VERSION, Outlet, Setting
from .urls import OutletResolver


def all_outlets(session: Session) -> list[Outlet]:
    """Return every outlet with its rules and feeds, by slug."""
    return list(
        session.scalars(
            select(Outlet)
            .options(selectinload(Outlet.rules), selectinload(Outlet.feeds))
            .order_by(Outlet.slug)
        )
    )


def outlet_json(outlet: Outlet) -> dict[str, Any]:
    """Return an outlet as the API shows it."""
    return {
        "slug": outlet.slug,
        "name": outlet.name,
        "homepage": outlet.homepage,
        "country": outlet.country,
        "language": outlet.language,
        "bias": outlet.bias,
        "bias_score": outlet.bias_score,
        "side": ratings.side_of(outlet.bias),
        "factuality": outlet.factuality,
        "ownership": outlet.ownership,
        "owner": outlet.owner,
        "paywall": outlet.paywall,
        "basis": outlet.basis,
        "confidence": outlet.confidence,
        "reviewed": outlet.reviewed.isoformat() if outlet.reviewed else None,
        "version": outlet.version,
        "rules": [rule.text for rule in outlet.rules],
        "feeds": [feed.url for feed in outlet.feeds],
    }


def catalog_version(session: Session) -> str:
    """Return the stored catalog version (changes whenever any outlet or rule does)."""
    setting = session.get(Setting, CATALOG_VERSION)
    return setting.value if setting else "0"


@dataclass(frozen=True)
class Catalog:
    """Every outlet and rule, in memory: what a lookup resolves against."""

    version: str
    resolver: OutletResolver[str]
    outlets: dict[str, dict[str, Any]]
    index: dict[str, Any]
    etag: str


def load_catalog(session: Session) -> Catalog:
    """Build the catalog from the database."""
    version = catalog_version(session)
    outlets = all_outlets(session)
    rules = [(rule.host, rule.path, outlet.slug) for outlet in outlets for rule in outlet.rules]
    index_body = {
        "outlets": {
            o.slug: {"name": o.name, "bias": o.bias, "factuality": o.factuality} for o in outlets
        },
        "rules": sorted([list(rule) for rule in rules]),
    }
    digest = hashlib.sha256(
        json.dumps(index_body, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()[:32]
    return Catalog(
        version=version,
        resolver=OutletResolver(rules),
        outlets={o.slug: outlet_json(o) for o in outlets},
        index={"version": digest, **index_body},
        etag=digest,
    )


class CatalogCache:
    """Keep one catalog per process and reload it when the stored version changes.

    The version is checked at most every ``ttl`` seconds, so a change made by another
    process (an import, another worker) shows within that time.
    """

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._catalog: Catalog | None = None
        self._checked = 0.0
        self._lock = threading.Lock()

    def fresh(self) -> Catalog | None:
        """Return the catalog if it was checked within ``ttl``: no database needed."""
        catalog = self._catalog
        if catalog is not None and time.monotonic() - self._checked < self.ttl:
            return catalog
        return None

    def get(self, session: Session) -> Catalog:
        """Return the current catalog, reloading it if it is stale."""
        if (catalog := self.fresh()) is not None:
            return catalog
        with self._lock:
            if (catalog := self.fresh()) is not None:  # another thread just reloaded it
                return catalog
            version = catalog_version(session)
            if self._catalog is None or self._catalog.version != version:
                self._catalog = load_catalog(session)
            self._checked = time.monotonic()
            return self._catalog


def dump_index(catalog: Catalog) -> bytes:
    """Return the compact index as JSON bytes (what ``GET outlets/index`` serves)."""
    return json.dumps(catalog.index, separators=(",", ":")).encode()
