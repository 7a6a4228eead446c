"""The write API for maintainers, under ``/api/v1``, and the public history of each outlet.

How to use it: create a token with ``parallax tokens create NAME --user U --scope
propose|review`` and send it as ``Authorization: Bearer plx_…``.

- ``POST /api/v1/outlets/<slug>/proposals`` — ``{"changes": {"bias": "lean-left"},
  "reason": "…", "evidence": [{"url": "…", "kind": "article-sample"}], "basis": "…",
  "confidence": "medium", "note": "internal, never published"}``; send ``If-Match`` with
  the outlet's ETag (``GET /api/v1/outlets/<slug>``) to be refused (412) if it changed.
  → 201 ``{"id", "status": "proposed", …}``.
- ``POST /api/v1/outlets`` — ``{"outlet": {"slug", "name", "rules": [...], …}, "reason", …}``
  proposes a new outlet → 201.
- ``POST /api/v1/proposals/<id>/approve`` (``{"note"}``) and ``/reject`` (``{"note"}``
  required) with a ``review`` token → 200; an approval applies the proposal once it has
  the approvals it needs, and the outlet index's ETag changes.
- ``POST /api/v1/changes/<id>/revert`` and ``POST /api/v1/change-sets/<id>/revert``
  (``{"reason", …}``) → 201, a proposal restoring the previous values.
- ``GET /api/v1/proposals?status=proposed``, ``GET /api/v1/proposals/<id>``,
  ``GET /api/v1/feedback?status=new`` with any token.
- ``GET /api/v1/outlets/<slug>/history`` — public: applied changes with their reasons and
  evidence (never internal notes nor feedback).

Errors are problem+json: 401 (with ``WWW-Authenticate``) without a valid token, 403 for
the wrong scope or one's own proposal, 404, 409 (stale proposal, revert conflict, with
``changed``), 412 (stale ``If-Match``), 422 (no reason, unknown value).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, Response, g, jsonify, request

from . import accounts, curation
from .errors import problem
from .proposals import load_outlet
from .services import get_session
from .text import UNSTORABLE

bp = Blueprint("curation_api", __name__, url_prefix="/api/v1")
F = TypeVar("F", bound=Callable[..., Any])
STATUSES = ("proposed", "applied", "rejected")
FEEDBACK_STATUSES = ("new", *curation.TRIAGE)


@bp.errorhandler(curation.CurationError)
def _curation_error(exc: curation.CurationError) -> Response:
    get_session().rollback()
    return problem(exc.status, exc.detail, **exc.extra)


def _unauthorized(detail: str) -> Response:
    response = problem(401, detail)
    response.headers["WWW-Authenticate"] = 'Bearer realm="parallax"'
    return response


def token_required(scope: str) -> Callable[[F], F]:
    """Require a valid bearer token whose scopes include ``scope``."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            header = request.headers.get("Authorization", "")
            kind, _, secret = header.partition(" ")
            if kind.lower() != "bearer" or not secret.strip():
                return _unauthorized("Send a token: Authorization: Bearer plx_…")
            session = get_session()
            holder = accounts.check_token(session, secret.strip())
            if holder is None:
                session.rollback()
                return _unauthorized("The token is unknown, revoked or expired.")
            if scope not in holder.scopes:
                return problem(
                    403, f"This token's scope is {holder.token.scope}; this needs {scope}."
                )
            session.commit()  # its last use, kept even if the request then fails
            g.token_holder = holder
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorate


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise curation.Invalid("Send a JSON object.")
    return body


def _created(body: dict[str, Any]) -> Response:
    response = jsonify(body)
    response.status_code = 201
    response.headers["Location"] = f"/api/v1/proposals/{body['id']}"
    return response


@bp.post("/outlets/<slug>/proposals")
@token_required("propose")
def propose(slug: str) -> Response:
    """Propose a change to an outlet."""
    body = _body()
    session = get_session()
    if_match = request.headers.get("If-Match")
    if body.get("retire") is True:
        proposal = curation.propose_retire(session, g.token_holder.user, slug, body, if_match)
    else:
        proposal = curation.propose_change(
            session, g.token_holder.user, slug, body.get("changes"), body, if_match=if_match
        )
    session.commit()
    return _created(curation.proposal_json(proposal))


@bp.post("/outlets")
@token_required("propose")
def propose_outlet() -> Response:
    """Propose a new outlet."""
    body = _body()
    session = get_session()
    proposal = curation.propose_new(session, g.token_holder.user, body.get("outlet"), body)
    session.commit()
    return _created(curation.proposal_json(proposal))


@bp.post("/proposals/<int:proposal_id>/approve")
@token_required("review")
def approve(proposal_id: int) -> Response:
    """Approve a proposal; it is applied once it has the approvals it needs."""
    body = request.get_json(silent=True) or {}
    note = body.get("note") if isinstance(body, dict) else None
    session = get_session()
    proposal, written = curation.approve(
        session, g.token_holder.user, proposal_id, note if isinstance(note, str) else None
    )
    session.commit()
    return jsonify({**curation.proposal_json(proposal), "applied": [c.id for c in written]})


@bp.post("/proposals/<int:proposal_id>/reject")
@token_required("review")
def reject(proposal_id: int) -> Response:
    """Reject a proposal with a note."""
    body = request.get_json(silent=True) or {}
    note = body.get("note") if isinstance(body, dict) else None
    session = get_session()
    proposal = curation.reject(
        session, g.token_holder.user, proposal_id, note if isinstance(note, str) else None
    )
    session.commit()
    return jsonify(curation.proposal_json(proposal))


@bp.post("/changes/<int:change_id>/revert")
@token_required("propose")
def revert(change_id: int) -> Response:
    """Propose undoing an applied change."""
    body = _body()
    session = get_session()
    proposal = curation.revert(session, g.token_holder.user, change_id, body)
    session.commit()
    return _created(curation.proposal_json(proposal))


@bp.post("/change-sets/<change_set>/revert")
@token_required("propose")
def revert_set(change_set: str) -> Response:
    """Propose undoing a whole change set (an import)."""
    body = _body()
    session = get_session()
    proposal = curation.revert_set(session, g.token_holder.user, change_set[:80], body)
    session.commit()
    return _created(curation.proposal_json(proposal))


def _status_arg(allowed: tuple[str, ...]) -> str | None:
    status = request.args.get("status")
    if status is not None and status not in allowed:
        raise curation.Invalid(f"`status`: one of {', '.join(allowed)}.", field="status")
    return status


@bp.get("/proposals")
@token_required("propose")
def proposals() -> Response:
    """List proposals by status."""
    found = curation.list_proposals(get_session(), _status_arg(STATUSES))
    return jsonify({"proposals": [curation.proposal_json(p) for p in found]})


@bp.get("/proposals/<int:proposal_id>")
@token_required("propose")
def proposal(proposal_id: int) -> Response:
    """Show one proposal."""
    return jsonify(curation.proposal_json(curation.get_proposal(get_session(), proposal_id)))


@bp.get("/feedback")
@token_required("propose")
def feedback() -> Response:
    """List reader feedback by status, grouped by outlet."""
    found = curation.list_feedback(get_session(), _status_arg(FEEDBACK_STATUSES))
    return jsonify({"feedback": [curation.feedback_json(f) for f in found]})


@bp.get("/outlets/<slug>/history")
def history(slug: str) -> Response:
    """Show an outlet's applied changes with their reasons and evidence (public)."""
    session = get_session()
    slug = slug.lower()[:80]
    if UNSTORABLE.search(slug):  # PostgreSQL refuses a NUL in a query; no slug holds one
        return problem(404, f"No outlet is called {slug!r}.")
    changes = curation.history(session, slug)
    if not changes and load_outlet(session, slug) is None:
        return problem(404, f"No outlet is called {slug!r}.")
    return jsonify({"outlet": slug, "changes": changes})
