"""Curating outlets: propose, review, approve, reject, revert; triage feedback; read history.

The one place these rules are applied, for the write API, the workspace pages and the
command line alike:

- every change to an outlet is a proposal with a public reason, evidence, basis,
  confidence and methodology version (:mod:`server.policy`), made against the outlet's
  current version (a stale ``If-Match`` is refused before anything is stored);
- it takes effect when editors other than its proposer approve it, one or two of them
  (:func:`server.policy.approvals_needed`); a token never approves its own user's proposal;
- approval writes the outlet and its audit row in one transaction, or nothing when the
  outlet moved on meanwhile (:class:`Conflict`, with what changed);
- a revert is a proposal that restores the exact previous values, refused when a later
  change touched the same fields.

Errors carry the HTTP status the API answers with; pages and commands show the sentence.
Callers commit on success and roll back on any error.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from . import proposals as store
from .accounts import can_edit, can_triage
from .models import Feedback, LookupMiss, Proposal, ProposalReview, RatingChange, User, utcnow
from .outlet_csv import OutletRecord, diff
from .outlets import record_of
from .policy import Justification, ProposalError, parse_justification, proposed_record
from .text import UNSTORABLE, plain


class CurationError(Exception):
    """A curation step that cannot be taken; ``status`` is the HTTP answer, ``detail`` why."""

    status = 400

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotFound(CurationError):
    """No such outlet, proposal, change or feedback."""

    status = 404


class Forbidden(CurationError):
    """The user may not take this step (role, scope, or their own proposal)."""

    status = 403


class Conflict(CurationError):
    """The step conflicts with the current state: stale proposal, revert over a later change."""

    status = 409


class PreconditionFailed(CurationError):
    """``If-Match`` names an outlet version that is no longer current."""

    status = 412


class Invalid(CurationError):
    """A proposal without a reason, with an unknown value, or changing nothing."""

    status = 422


def outlet_etag(version: int) -> str:
    """Return the entity tag of an outlet at a version (unquoted)."""
    return f"v{version}"


def _justify(data: Mapping[str, Any]) -> Justification:
    try:
        return parse_justification(data)
    except ProposalError as exc:
        raise Invalid(f"`{exc.field}`: {exc.message}.", field=exc.field) from None


def _record(slug: str, current: OutletRecord | None, changes: Mapping[str, Any]) -> OutletRecord:
    try:
        return proposed_record(slug, current, changes)
    except ProposalError as exc:
        raise Invalid(f"`{exc.field}`: {exc.message}.", field=exc.field) from None


def _existing(session: Session, slug: str) -> Any:
    """Return the outlet called ``slug`` or raise :class:`NotFound`."""
    # No slug holds a control character, and PostgreSQL refuses a NUL in a query.
    outlet = None if UNSTORABLE.search(slug) else store.load_outlet(session, slug)
    if outlet is None:
        raise NotFound(f"No outlet is called {slug!r}.")
    return outlet


def _storable_id(number: int) -> bool:
    """Return True when ``number`` can be a row id (both databases refuse larger ones)."""
    return 0 < number < 2**31


def _require_editor(user: User) -> None:
    if not can_edit(user):
        raise Forbidden("Only an active editor or admin may propose or review outlet changes.")


def _check_if_match(if_match: str | None, version: int) -> None:
    if if_match is None:
        return
    tags = [t.strip().removeprefix("W/").strip('"') for t in if_match.split(",")]
    if "*" not in tags and outlet_etag(version) not in tags:
        raise PreconditionFailed(
            f'The outlet is now at version {version} (ETag "{outlet_etag(version)}"); '
            "fetch it again and propose against the current values. Nothing was stored.",
            current_etag=outlet_etag(version),
        )


def propose_change(
    session: Session,
    user: User,
    slug: str,
    changes: Any,
    data: Mapping[str, Any],
    if_match: str | None = None,
    *,
    from_feedback: bool = False,
) -> Proposal:
    """Propose changing fields of an existing outlet (``changes``: field → new value).

    Editors propose; a triager accepting reader feedback opens one too (``from_feedback``).
    """
    if not from_feedback:
        _require_editor(user)
    outlet = _existing(session, slug)
    _check_if_match(if_match, outlet.version)
    if not isinstance(changes, Mapping) or not changes:
        raise Invalid("`changes`: name the fields to change and their new values.", field="changes")
    why = _justify(data)
    current = record_of(outlet)
    fields = diff(current, _record(slug, current, changes))
    if not fields:
        raise Invalid("`changes`: these are the outlet's current values already.", field="changes")
    return store.create(
        session,
        kind="change",
        proposer=user,
        changes={slug: fields},
        base={slug: store.base_of(outlet)},
        why=why,
    )


def propose_retire(
    session: Session, user: User, slug: str, data: Mapping[str, Any], if_match: str | None = None
) -> Proposal:
    """Propose retiring an outlet: it leaves the catalog; its audit row keeps every value.

    A revert of the retirement restores the outlet exactly as it was.
    """
    _require_editor(user)
    outlet = _existing(session, slug)
    _check_if_match(if_match, outlet.version)
    why = _justify(data)
    return store.create(
        session,
        kind="retire",
        proposer=user,
        changes={slug: store.retirement(record_of(outlet))},
        base={slug: store.base_of(outlet)},
        why=why,
    )


def propose_new(session: Session, user: User, outlet: Any, data: Mapping[str, Any]) -> Proposal:
    """Propose a new outlet (``outlet``: slug, name, rules and any rated field)."""
    _require_editor(user)
    if not isinstance(outlet, Mapping):
        raise Invalid("`outlet`: give the new outlet as an object.", field="outlet")
    slug = str(outlet.get("slug") or "").strip().lower()
    if not UNSTORABLE.search(slug) and store.load_outlet(session, slug) is not None:
        raise Conflict(f"There is already an outlet called {slug!r}; propose a change to it.")
    why = _justify(data)
    fields_given = {k: v for k, v in outlet.items() if k != "slug"}
    record = _record(slug, None, fields_given)
    fields = diff(None, record)
    return store.create(
        session,
        kind="new",
        proposer=user,
        changes={record.slug: fields},
        base={record.slug: store.base_of(None)},
        why=why,
    )


def get_proposal(session: Session, proposal_id: int) -> Proposal:
    """Return a proposal or raise :class:`NotFound`."""
    proposal = session.get(Proposal, proposal_id) if _storable_id(proposal_id) else None
    if proposal is None:
        raise NotFound(f"There is no proposal {proposal_id}.")
    return proposal


def approve(
    session: Session, user: User, proposal_id: int, note: str | None = None
) -> tuple[Proposal, list[RatingChange]]:
    """Approve a proposal; apply it once it has the approvals it needs."""
    _require_editor(user)
    proposal = get_proposal(session, proposal_id)
    if proposal.status != "proposed":
        raise Conflict(f"Proposal {proposal_id} is already {proposal.status}.")
    if proposal.proposer_id == user.id:
        raise Forbidden("Nobody approves their own proposal: another editor must review it.")
    if any(review.user_id == user.id for review in proposal.reviews):
        raise Conflict(f"{user.display_name} has already reviewed proposal {proposal_id}.")
    try:
        session.add(
            ProposalReview(
                proposal_id=proposal.id,
                user_id=user.id,
                decision="approve",
                note=(plain(note)[:5000] or None) if note else None,
            )
        )
        session.flush()
        session.refresh(proposal, ["reviews"])
        approvers = [r.user for r in proposal.reviews if r.decision == "approve"]
        if len(approvers) < proposal.approvals_needed:
            return proposal, []
        written = store.apply(session, proposal, approvers)
    except store.ProposalConflict as exc:
        raise Conflict(exc.detail, changed=exc.changed) from None
    except (IntegrityError, StaleDataError):
        # Another approval or change of the same outlet committed first: nothing was written.
        raise Conflict(
            f"Proposal {proposal_id} or its outlet changed while it was being approved; "
            "nothing was written. Look again and retry."
        ) from None
    return proposal, written


def reject(session: Session, user: User, proposal_id: int, note: str | None) -> Proposal:
    """Reject a proposal with a note saying why."""
    _require_editor(user)
    proposal = get_proposal(session, proposal_id)
    if proposal.status != "proposed":
        raise Conflict(f"Proposal {proposal_id} is already {proposal.status}.")
    note = plain(note or "")[:5000]
    if len(note) < 3:
        raise Invalid("`note`: say why the proposal is rejected.", field="note")
    session.add(
        ProposalReview(proposal_id=proposal.id, user_id=user.id, decision="reject", note=note)
    )
    proposal.status = "rejected"
    proposal.decided_at = utcnow()
    session.flush()
    return proposal


def _reverse(
    session: Session, rows: list[RatingChange]
) -> tuple[dict[str, dict[str, list[Any]]], dict[str, Any]]:
    """Return the changes that undo ``rows`` and each outlet's base; refuse conflicts."""
    changes: dict[str, dict[str, list[Any]]] = {}
    base: dict[str, Any] = {}
    for row in rows:
        outlet = store.load_outlet(session, row.outlet_slug)
        fields: dict[str, Any] = dict(row.changes or {})
        later = session.scalars(
            select(RatingChange).where(
                RatingChange.outlet_slug == row.outlet_slug, RatingChange.id > row.id
            )
        ).all()
        touched = sorted({name for other in later for name in other.changes or {}} & set(fields))
        if "name" in fields and fields["name"][0] is None and later:
            touched = sorted({name for other in later for name in other.changes or {}})
        if outlet is None:
            if not store.is_retirement(fields) or touched:
                raise Conflict(
                    f"{row.outlet_slug} no longer exists; a later change removed it.",
                    fields=touched,
                )
            moved: list[str] = []
        else:
            now = record_of(outlet).values()
            moved = sorted(name for name, pair in fields.items() if now.get(name) != pair[1])
        if touched or moved:
            names = ", ".join(sorted(set(touched) | set(moved)))
            raise Conflict(
                f"A later change touched {names} of {row.outlet_slug}; revert that one first.",
                fields=sorted(set(touched) | set(moved)),
            )
        changes.setdefault(row.outlet_slug, {}).update(
            {name: [pair[1], pair[0]] for name, pair in fields.items()}
        )
        base[row.outlet_slug] = store.base_of(outlet)
    return changes, base


def revert(session: Session, user: User, change_id: int, data: Mapping[str, Any]) -> Proposal:
    """Propose undoing an applied change, restoring its exact previous values."""
    _require_editor(user)
    row = session.get(RatingChange, change_id) if _storable_id(change_id) else None
    if row is None:
        raise NotFound(f"There is no change {change_id}.")
    why = _justify(data)
    changes, base = _reverse(session, [row])
    return store.create(
        session, kind="revert", proposer=user, changes=changes, base=base, why=why, reverts=row.id
    )


def revert_set(session: Session, user: User, change_set: str, data: Mapping[str, Any]) -> Proposal:
    """Propose undoing a whole change set (an import), every outlet it touched."""
    _require_editor(user)
    if UNSTORABLE.search(change_set):
        raise NotFound(f"There is no change set {change_set!r}.")
    rows = list(
        session.scalars(
            select(RatingChange)
            .where(RatingChange.change_set == change_set)
            .order_by(RatingChange.id)
        )
    )
    if not rows:
        raise NotFound(f"There is no change set {change_set!r}.")
    why = _justify(data)
    changes, base = _reverse(session, rows)
    return store.create(
        session,
        kind="revert",
        proposer=user,
        changes=changes,
        base=base,
        why=why,
        reverts_set=change_set,
    )


# --- reading ----------------------------------------------------------------------------------


def _time(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def proposal_json(proposal: Proposal, *, internal: bool = True) -> dict[str, Any]:
    """Return a proposal as maintainers see it (``internal`` adds the internal note)."""
    body: dict[str, Any] = {
        "id": proposal.id,
        "status": proposal.status,
        "kind": proposal.kind,
        "outlet": proposal.outlet_slug,
        "changes": proposal.changes,
        "reason": proposal.reason,
        "evidence": proposal.evidence,
        "basis": proposal.basis,
        "confidence": proposal.confidence,
        "methodology": proposal.methodology,
        "approvals_needed": proposal.approvals_needed,
        "approvals": [r.user.display_name for r in proposal.reviews if r.decision == "approve"],
        "rejections": [
            {"by": r.user.display_name, "note": r.note}
            for r in proposal.reviews
            if r.decision == "reject"
        ],
        "proposer": proposal.proposer.display_name if proposal.proposer else None,
        "reverts": proposal.reverts,
        "reverts_set": proposal.reverts_set,
        "versions": {slug: (b or {}).get("version") for slug, b in proposal.base.items()},
        "created_at": _time(proposal.created_at),
        "decided_at": _time(proposal.decided_at),
    }
    if internal:
        body["note"] = proposal.internal_note
    return body


def list_proposals(session: Session, status: str | None, limit: int = 100) -> list[Proposal]:
    """Return proposals with a status (any when None), oldest open first, newest decided first."""
    query = select(Proposal).options(
        selectinload(Proposal.reviews), selectinload(Proposal.proposer)
    )
    if status:
        query = query.where(Proposal.status == status)
    order = Proposal.id if status == "proposed" else Proposal.id.desc()
    return list(session.scalars(query.order_by(order).limit(limit)))


def change_json(change: RatingChange) -> dict[str, Any]:
    """Return an applied change as the public history shows it: never an internal note."""
    details = change.details or {}
    return {
        "id": change.id,
        "outlet": change.outlet_slug,
        "changed_at": _time(change.changed_at),
        "changes": change.changes,
        "reason": change.reason,
        "evidence": details.get("evidence")
        or ([{"url": change.source_url, "kind": "article-sample"}] if change.source_url else []),
        "basis": details.get("basis"),
        "confidence": details.get("confidence"),
        "methodology": details.get("methodology"),
        "proposer": details.get("proposer") or change.actor,
        "approvers": details.get("approvers") or [],
        "proposal": change.proposal_id,
        "change_set": change.change_set,
        "reverts": details.get("reverts"),
    }


def history(session: Session, slug: str) -> list[dict[str, Any]]:
    """Return an outlet's applied changes, newest first, as published."""
    rows = session.scalars(
        select(RatingChange)
        .where(RatingChange.outlet_slug == slug)
        .order_by(RatingChange.id.desc())
    )
    return [change_json(row) for row in rows]


# --- queues -----------------------------------------------------------------------------------

TRIAGE = ("accepted", "declined", "duplicate")


def feedback_json(item: Feedback) -> dict[str, Any]:
    """Return a reader's feedback as maintainers see it."""
    return {
        "id": item.id,
        "outlet": item.outlet_slug,
        "url": item.url,
        "suggested_bias": item.suggested_bias,
        "message": item.message,
        "status": item.status,
        "created_at": _time(item.created_at),
        "triage_note": item.triage_note,
        "triaged_by": item.triaged_by,
        "triaged_at": _time(item.triaged_at),
        "proposal": item.proposal_id,
    }


def list_feedback(session: Session, status: str | None, limit: int = 200) -> list[Feedback]:
    """Return reader feedback with a status (any when None), grouped by outlet, oldest first."""
    query = select(Feedback)
    if status:
        query = query.where(Feedback.status == status)
    return list(session.scalars(query.order_by(Feedback.outlet_slug, Feedback.id).limit(limit)))


def triage(
    session: Session,
    user: User,
    feedback_id: int,
    action: str,
    note: str | None = None,
    why: Mapping[str, Any] | None = None,
) -> tuple[Feedback, Proposal | None]:
    """Triage feedback: accept (opening a proposal with its suggestion), decline, duplicate."""
    if not can_triage(user):
        raise Forbidden("Only a triager, editor or admin may triage feedback.")
    item = session.get(Feedback, feedback_id) if _storable_id(feedback_id) else None
    if item is None:
        raise NotFound(f"There is no feedback {feedback_id}.")
    if action not in TRIAGE:
        raise Invalid(f"`action`: one of {', '.join(TRIAGE)}.", field="action")
    if item.status != "new":
        raise Conflict(f"Feedback {feedback_id} was already triaged ({item.status}).")
    note = plain(note or "")[:5000] or None
    if action == "declined" and not note:
        raise Invalid("`note`: say why the feedback is declined.", field="note")
    proposal = None
    if action == "accepted":
        if not item.outlet_slug or not item.suggested_bias:
            raise Invalid(
                "This feedback names no outlet or no bias to propose; decline it with a note "
                "or propose a change from the outlet's page.",
                field="action",
            )
        proposal = propose_change(
            session,
            user,
            item.outlet_slug,
            {"bias": item.suggested_bias},
            {
                "reason": f"Reader feedback suggests rating this outlet {item.suggested_bias}; "
                "opened for an editor's review.",
                "basis": "community-feedback",
                "confidence": "low",
                "note": f"opened from reader feedback {item.id}",
                **(why or {}),
            },
            from_feedback=True,
        )
        item.proposal_id = proposal.id
    item.status = action
    item.triage_note = note
    item.triaged_by = user.display_name
    item.triaged_at = utcnow()
    session.flush()
    return item, proposal


def demand(session: Session, limit: int = 100) -> list[tuple[str, int]]:
    """Return the domains most looked up that match no outlet, with their counts."""
    rows = session.execute(
        select(LookupMiss.domain, LookupMiss.count)
        .order_by(LookupMiss.count.desc(), LookupMiss.domain)
        .limit(limit)
    )
    return [(domain, count) for domain, count in rows]


def counts(session: Session) -> dict[str, int]:
    """Return the sizes of the queues, for the workspace's navigation."""
    return {
        "proposals": session.scalar(
            select(func.count()).select_from(Proposal).where(Proposal.status == "proposed")
        )
        or 0,
        "feedback": session.scalar(
            select(func.count()).select_from(Feedback).where(Feedback.status == "new")
        )
        or 0,
    }
