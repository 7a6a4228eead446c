"""The audit chain of outlet changes, tamper-evident (pure).

Every ``rating_change`` row carries the SHA-256 of the row before it (``prev_hash``) and
its own ``hash``: SHA-256 of ``prev_hash`` and the row's canonical content. Editing a
row changes its content hash; deleting one leaves the next row pointing at a hash that is
no longer the one before it; inserting one out of turn does the same. :func:`verify`
walks the rows in order and names the first that does not fit.

The canonical content is JSON with sorted keys and no spaces, times in ISO 8601 UTC, so
the same row hashes the same on SQLite and PostgreSQL. The row's id is left out: it is
given by the database after the hash is made, and the order is checked by the chain.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64
"""The ``prev_hash`` of the first row."""

CONTENT_FIELDS: tuple[str, ...] = (
    "outlet_slug",
    "changed_at",
    "actor",
    "changes",
    "reason",
    "source_url",
    "proposal_id",
    "change_set",
    "details",
)
"""The columns a row's hash covers, besides the previous hash."""


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    return value


def canonical(content: Mapping[str, Any]) -> bytes:
    """Return a row's content as canonical JSON bytes (sorted keys, no spaces, UTF-8)."""
    body = {name: _plain(content.get(name)) for name in CONTENT_FIELDS}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def link_hash(prev_hash: str, content: Mapping[str, Any]) -> str:
    """Return the hash of a row that follows ``prev_hash`` with ``content``."""
    return hashlib.sha256(prev_hash.encode("ascii") + b"\n" + canonical(content)).hexdigest()


@dataclass(frozen=True)
class Break:
    """Where the chain does not hold: the row's id and why, in a sentence."""

    row_id: int
    problem: str


def verify(rows: Iterable[tuple[int, str | None, str | None, Mapping[str, Any]]]) -> list[Break]:
    """Check ``(id, prev_hash, hash, content)`` rows, in id order; return every break found."""
    breaks: list[Break] = []
    expected_prev = GENESIS
    for row_id, prev_hash, row_hash, content in rows:
        if prev_hash != expected_prev:
            breaks.append(
                Break(
                    row_id,
                    "its previous hash is not the hash of the row before it "
                    "(a row was deleted, inserted or reordered)",
                )
            )
        if row_hash != link_hash(prev_hash or "", content):
            breaks.append(Break(row_id, "its content does not match its hash (it was edited)"))
        expected_prev = row_hash or ""
    return breaks
