"""The audit trail of outlet changes: appended in a tamper-evident chain, verified, read.

Every write to curated outlet data leaves one ``rating_change`` row through
:func:`append_change`, which links it to the row before (:mod:`server.audit`). Rows are
appended one at a time under a lock, so two writers can never claim the same predecessor
(the unique ``prev_hash`` would refuse it anyway); on PostgreSQL a trigger refuses any
UPDATE or DELETE of the table (migration 0002).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from .audit import GENESIS, Break, link_hash, verify
from .models import RatingChange, utcnow

# Any constant: the PostgreSQL advisory lock that serialises appends to the chain.
_CHAIN_LOCK = 7_310_010


def content_of(change: RatingChange) -> dict[str, Any]:
    """Return the columns of a row that its hash covers."""
    return {
        "outlet_slug": change.outlet_slug,
        "changed_at": change.changed_at,
        "actor": change.actor,
        "changes": change.changes,
        "reason": change.reason,
        "source_url": change.source_url,
        "proposal_id": change.proposal_id,
        "change_set": change.change_set,
        "details": change.details,
    }


def append_change(
    session: Session,
    *,
    outlet_slug: str,
    actor: str,
    changes: Mapping[str, Any],
    reason: str,
    source_url: str | None = None,
    proposal_id: int | None = None,
    change_set: str | None = None,
    details: Mapping[str, Any] | None = None,
) -> RatingChange:
    """Append one audited change to the chain, in the caller's transaction, and return it."""
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHAIN_LOCK})
    prev = session.scalar(select(RatingChange.hash).order_by(RatingChange.id.desc()).limit(1))
    change = RatingChange(
        outlet_slug=outlet_slug,
        changed_at=utcnow(),
        actor=actor,
        changes=dict(changes),
        reason=reason,
        source_url=source_url,
        proposal_id=proposal_id,
        change_set=change_set,
        details=dict(details) if details is not None else None,
        prev_hash=prev or GENESIS,
    )
    change.hash = link_hash(change.prev_hash, content_of(change))
    session.add(change)
    session.flush()
    return change


def verify_chain(session: Session) -> tuple[int, list[Break]]:
    """Check the whole chain; return how many rows were read and every break found."""
    rows = session.scalars(select(RatingChange).order_by(RatingChange.id)).all()
    breaks = verify((r.id, r.prev_hash, r.hash, content_of(r)) for r in rows)
    return len(rows), breaks


def changes_of(session: Session, slug: str) -> list[RatingChange]:
    """Return an outlet's applied changes, newest first."""
    return list(
        session.scalars(
            select(RatingChange)
            .where(RatingChange.outlet_slug == slug)
            .order_by(RatingChange.id.desc())
        )
    )
