"""Proposals: how a reviewed change is stored and how an approved one is written.

A proposal holds, for each outlet it touches, the fields' ``[before, after]`` and the
outlet's values and version when it was made (``base``). :func:`apply` writes an
approved proposal: each outlet, its audited ``rating_change`` row and a new catalog
version, in the caller's transaction, after checking that no outlet moved on meanwhile.
What may be proposed and who may approve is decided in :mod:`server.curation`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from .changelog import append_change
from .models import Feed, Outlet, OutletRule, Proposal, RatingChange, User, utcnow
from .outlet_csv import RATED_FIELDS, OutletRecord, diff, validate_record
from .outlets import (
    apply_record,
    bump_catalog_version,
    record_of,
    relink_articles,
    rule_hosts,
)
from .policy import Justification, approvals_needed


class ProposalConflict(Exception):
    """An approval that would overwrite a change made meanwhile; ``changed`` says which."""

    def __init__(self, detail: str, changed: dict[str, Any]) -> None:
        super().__init__(detail)
        self.detail = detail
        self.changed = changed


def load_outlet(session: Session, slug: str) -> Outlet | None:
    """Return an outlet with its rules and feeds, or None."""
    return session.scalar(
        select(Outlet)
        .where(Outlet.slug == slug)
        .options(selectinload(Outlet.rules), selectinload(Outlet.feeds))
    )


def base_of(outlet: Outlet | None) -> dict[str, Any]:
    """Return what a proposal remembers of an outlet: its values and version (None if new)."""
    if outlet is None:
        return {"version": None, "values": None}
    return {"version": outlet.version, "values": record_of(outlet).values()}


def create(
    session: Session,
    *,
    kind: str,
    proposer: User | None,
    changes: Mapping[str, Mapping[str, list[Any]]],
    base: Mapping[str, Any],
    why: Justification,
    reverts: int | None = None,
    reverts_set: str | None = None,
) -> Proposal:
    """Store a proposal; ``changes`` and ``base`` are keyed by outlet slug."""
    slugs = list(changes)
    proposal = Proposal(
        kind=kind,
        outlet_slug=slugs[0] if len(slugs) == 1 else None,
        status="proposed",
        changes={slug: dict(fields) for slug, fields in changes.items()},
        base=dict(base),
        reason=why.reason,
        evidence=list(why.evidence),
        basis=why.basis,
        confidence=why.confidence,
        methodology=why.methodology,
        internal_note=why.note,
        approvals_needed=max((approvals_needed(fields) for fields in changes.values()), default=1),
        reverts=reverts,
        reverts_set=reverts_set,
        proposer_id=proposer.id if proposer else None,
    )
    session.add(proposal)
    session.flush()
    return proposal


def record_with(
    current: OutletRecord | None, slug: str, fields: Mapping[str, list[Any]]
) -> OutletRecord:
    """Return the record an outlet has once ``fields`` take their ``after`` values."""
    values: dict[str, Any] = current.values() if current else {"paywall": False}
    values.update({name: pair[1] for name, pair in fields.items()})
    values["slug"] = slug
    values["domains"] = values.pop("rules", None) or []
    record, problems = validate_record(values, f"outlet {slug}")
    if record is None:
        raise ProposalConflict("; ".join(problems), {})
    return record


def _check_unchanged(session: Session, proposal: Proposal) -> dict[str, Outlet | None]:
    """Return the outlets of a proposal; raise :class:`ProposalConflict` if one moved on."""
    found: dict[str, Outlet | None] = {}
    changed: dict[str, Any] = {}
    for slug in proposal.changes:
        outlet = load_outlet(session, slug)
        base = proposal.base.get(slug) or {"version": None, "values": None}
        if outlet is None and base["version"] is not None:
            changed[slug] = {"outlet": "no longer exists"}
        elif outlet is not None and base["version"] is None:
            changed[slug] = {"outlet": "was created meanwhile"}
        elif outlet is not None and outlet.version != base["version"]:
            now = record_of(outlet).values()
            then = base["values"] or {}
            changed[slug] = {
                name: [then.get(name), now[name]]
                for name in RATED_FIELDS
                if then.get(name) != now[name]
            } or {"version": [base["version"], outlet.version]}
        found[slug] = outlet
    if changed:
        names = ", ".join(changed)
        raise ProposalConflict(
            f"{names} changed after this proposal was made; nothing was written. "
            "Propose again against the current values.",
            changed,
        )
    return found


def _claims(session: Session, slug: str, record: OutletRecord) -> dict[str, Any]:
    """Return the rules and feeds of ``record`` that another outlet holds."""
    taken: dict[str, Any] = {}
    for text in record.rules:
        holder = session.scalar(
            select(Outlet.slug)
            .join(Outlet.rules)
            .where(OutletRule.host + OutletRule.path == text, Outlet.slug != slug)
        )
        if holder:
            taken[f"rule {text}"] = holder
    for url in record.feeds:
        holder = session.scalar(
            select(Outlet.slug).join(Outlet.feeds).where(Feed.url == url, Outlet.slug != slug)
        )
        if holder:
            taken[f"feed {url}"] = holder
    return taken


def apply(session: Session, proposal: Proposal, approvers: list[User]) -> list[RatingChange]:
    """Write an approved proposal: outlets, audit rows, catalog version; all or nothing.

    Raises :class:`ProposalConflict` (having written nothing) when an outlet changed since
    the proposal was made, or a rule or feed it adds belongs to another outlet.
    """
    outlets = _check_unchanged(session, proposal)
    plans: list[tuple[str, Outlet | None, OutletRecord | None, dict[str, list[Any]]]] = []
    for slug, fields in proposal.changes.items():
        outlet = outlets[slug]
        current = record_of(outlet) if outlet else None
        if is_retirement(fields):
            if current is None:
                raise ProposalConflict(f"{slug} no longer exists.", {slug: "no longer exists"})
            plans.append((slug, outlet, None, retirement(current)))
            continue
        wanted = record_with(current, slug, fields)
        taken = _claims(session, slug, wanted)
        if taken:
            raise ProposalConflict(
                f"{slug}: " + "; ".join(f"{k} belongs to {v}" for k, v in taken.items()), taken
            )
        plans.append((slug, outlet, wanted, diff(current, wanted)))
    details_base = {
        "evidence": proposal.evidence,
        "basis": proposal.basis,
        "confidence": proposal.confidence,
        "methodology": proposal.methodology,
        "proposer": proposal.proposer.display_name if proposal.proposer else None,
        "approvers": [user.display_name for user in approvers],
        "kind": proposal.kind,
        "reverts": proposal.reverts,
        "reverts_set": proposal.reverts_set,
    }
    written = []
    moved: set[str] = set()  # the hosts of rules that come, go or change hands
    for slug, outlet, record, changes in plans:
        if outlet is None or record is None or "rules" in changes:
            moved |= rule_hosts(outlet, record)
        if record is None and outlet is not None:
            version = outlet.version
            session.delete(outlet)  # every curated value stays in the audit row below
            session.flush()
        else:
            assert record is not None
            version = write_record(session, outlet, record).version
        written.append(
            append_change(
                session,
                outlet_slug=slug,
                actor=proposal.proposer.name if proposal.proposer else "unknown",
                changes=changes,
                reason=proposal.reason,
                source_url=proposal.evidence[0]["url"] if proposal.evidence else None,
                proposal_id=proposal.id,
                details={**details_base, "version": version},
            )
        )
    session.flush()
    relink_articles(session, moved)
    bump_catalog_version(session)
    proposal.status = "applied"
    proposal.decided_at = utcnow()
    return written


def is_retirement(fields: Mapping[str, list[Any]]) -> bool:
    """Return True when changes retire an outlet (its name goes to nothing)."""
    name = fields.get("name")
    return name is not None and name[0] is not None and name[1] is None


def retirement(current: OutletRecord) -> dict[str, list[Any]]:
    """Return the changes that retire an outlet: every rated field, from its value to none."""
    return {name: [value, None] for name, value in current.values().items()}


def write_record(session: Session, outlet: Outlet | None, record: OutletRecord) -> Outlet:
    """Give an outlet exactly the values of ``record``, feeds included, and a new version."""
    outlet = apply_record(session, outlet, replace(record))
    keep = set(record.feeds)
    for feed in [f for f in outlet.feeds if f.url not in keep]:
        outlet.feeds.remove(feed)
    session.flush()
    return outlet


def open_proposals(session: Session, slug: str | None = None) -> list[Proposal]:
    """Return the proposals waiting for review, oldest first (of one outlet if given)."""
    query = (
        select(Proposal)
        .where(Proposal.status == "proposed")
        .options(selectinload(Proposal.reviews), selectinload(Proposal.proposer))
        .order_by(Proposal.id)
    )
    if slug is not None:
        query = query.where(Proposal.outlet_slug == slug)
    return list(session.scalars(query))
