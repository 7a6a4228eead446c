"""The maintainers' workspace (``/maintain``, ``/login``) and each outlet's public history.

Server-rendered pages that work without JavaScript and carry no inline script or style
(their stylesheet is ``static/maintain.css``), so a strict Content-Security-Policy holds.
Every form carries a CSRF token (Flask-WTF); sessions are Flask-Login's, in a cookie that
is HttpOnly, SameSite=Lax and Secure whenever the request came over https. A session's
id includes the user's ``session_epoch``, so a new password or a disabled account ends
every other session at its next request.

The pages call :mod:`server.curation` like the write API does; the public history
(``/outlets/<slug>/history`` and its Atom feed) shows applied changes only, with reasons
and evidence, never internal notes nor reader feedback.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from datetime import date, timedelta
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.sessions import SecureCookieSessionInterface
from flask_login import LoginManager, current_user, login_user, logout_user
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response as BaseResponse

from . import accounts, curation, policy, ratings
from .limiter import FailureLimit
from .models import Outlet, User
from .outlet_csv import RATED_FIELDS
from .proposals import load_outlet, open_proposals
from .services import get_session
from .text import UNSTORABLE

log = logging.getLogger(__name__)
bp = Blueprint("maintain", __name__)
public = Blueprint("history", __name__)
csrf = CSRFProtect()
login_manager = LoginManager()
F = TypeVar("F", bound=Callable[..., Any])
PROVIDER_NAMES = {"mbfc": "Media Bias/Fact Check", "allsides": "AllSides"}
# Outlet fields the propose form edits, and the form input of each ("basis" is the
# proposal's own basis there, so the outlet's rating basis is "rating_basis").
EDITABLE = {
    "bias": "bias",
    "factuality": "factuality",
    "ownership": "ownership",
    "owner": "owner",
    "country": "country",
    "basis": "rating_basis",
}


class HttpsAwareSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, marked Secure whenever the request came over https."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


class Maintainer:
    """The logged-in user as Flask-Login sees them: the id carries the session epoch."""

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def __init__(self, user: User) -> None:
        self.user = user

    def get_id(self) -> str:
        return f"{self.user.id}.{self.user.session_epoch}"


@login_manager.user_loader
def _load(session_id: str) -> Maintainer | None:
    user_id, _, epoch = session_id.partition(".")
    if not user_id.isdigit() or not epoch.isdigit():
        return None
    user = get_session().get(User, int(user_id))
    if user is None or not user.active or user.session_epoch != int(epoch):
        return None
    return Maintainer(user)


def init_app(app: Flask) -> None:
    """Set up sessions, login, CSRF and the workspace's blueprints on the app.

    Without ``SECRET_KEY`` (``PARALLAX_SECRET_KEY``) the workspace does not start outside
    debug mode: its pages answer 503 saying so, the rest of the site is unaffected. In
    debug mode a random key is made for this process.
    """
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["REMEMBER_COOKIE_SAMESITE"] = "Lax"
    app.config["REMEMBER_COOKIE_HTTPONLY"] = True
    # CSRF is checked on the workspace's forms only (below): the JSON API takes tokens.
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    enabled = bool(app.config.get("SECRET_KEY"))
    if not enabled and app.debug:
        app.config["SECRET_KEY"] = secrets.token_hex(32)
        log.warning("PARALLAX_SECRET_KEY is not set: sessions last only as long as this process")
        enabled = True
    elif not enabled:
        # Said on its pages (503) rather than on every start: the public service is unaffected.
        log.info("PARALLAX_SECRET_KEY is not set: the maintainers' workspace is off")
    app.extensions["parallax_workspace"] = enabled
    app.session_interface = HttpsAwareSessions()
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "maintain.login"
    login_manager.login_message = "Log in to use the maintainers' workspace."
    login_manager.session_protection = "basic"
    # Only failed logins count, per client address: guessing is slow, using is not.
    app.extensions["parallax_login_limit"] = FailureLimit(
        str(app.config["LOGIN_RATE_LIMIT"]),
        str(app.config["RATE_LIMIT_STORAGE_URL"]),
        str(app.config["RATE_LIMIT_KEY_PREFIX"]),
        "login",
    )
    app.register_blueprint(bp)
    app.register_blueprint(public)


@bp.before_request
def _workspace_on() -> BaseResponse | None:
    if not current_app.extensions.get("parallax_workspace"):
        return _plain_page(
            503,
            "The maintainers' workspace is off",
            "Set PARALLAX_SECRET_KEY to a long random value and restart the service.",
        )
    if request.method == "POST":
        csrf.protect()
    return None


def _plain_page(status: int, title: str, detail: str) -> Response:
    html = render_template("maintain/message.html", title=title, detail=detail)
    return Response(html, status=status, mimetype="text/html")


def _me() -> User:
    return current_user.user


def role_required(check: Callable[[User], bool]) -> Callable[[F], F]:
    """Require a logged-in user who passes ``check`` (else the login page, or 403)."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not check(_me()):
                return _plain_page(403, "Not allowed", "Your role does not allow this page.")
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorate


editor_required = role_required(accounts.can_edit)
admin_required = role_required(lambda user: user.active and user.role == "admin")
member_required = role_required(accounts.can_triage)


def _render(template: str, **context: Any) -> str:
    session = get_session()
    return render_template(
        template,
        me=_me() if current_user.is_authenticated else None,
        queue=curation.counts(session) if current_user.is_authenticated else {},
        bias={level.label: level for level in ratings.BIAS},
        bias_labels=ratings.BIAS_LABELS,
        factuality_labels=ratings.FACTUALITY_LABELS,
        ownership=ratings.OWNERSHIP,
        confidences=ratings.CONFIDENCE,
        evidence_kinds=policy.EVIDENCE_KINDS,
        bases=policy.BASES,
        **context,
    )


def _safe_next(target: str | None) -> str:
    """Return a local path to go to after login, never another site."""
    if not target:
        return url_for("maintain.outlets")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("maintain.outlets")
    return target


# --- login ------------------------------------------------------------------------------------


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    """Log in with a name and password; the same answer for any failure."""
    error = None
    status = 200
    if request.method == "POST":
        limit: FailureLimit = current_app.extensions["parallax_login_limit"]
        limit.check()  # 429 after too many failed logins from this client
        name = request.form.get("name", "")
        password = request.form.get("password", "")
        session = get_session()
        user = accounts.authenticate(session, name, password)
        if user is not None:
            session.commit()  # a rehashed password, if argon2's parameters changed
            login_user(Maintainer(user))
            return redirect(_safe_next(request.args.get("next")))
        limit.failed()
        error = "That name and password do not match an active account."
        status = 401
    return _render("maintain/login.html", error=error), status


@bp.post("/logout")
def logout() -> BaseResponse:
    """Log out of this session."""
    logout_user()
    return redirect(url_for("maintain.login"))


@bp.route("/maintain/account", methods=["GET", "POST"])
@member_required
def account() -> Any:
    """Change one's password; every other session of the user ends."""
    error = None
    if request.method == "POST":
        session = get_session()
        me = _me()
        current = request.form.get("current", "")
        new = request.form.get("new", "")
        if accounts.authenticate(session, me.name, current) is None:
            error = "The current password is not right."
        elif new != request.form.get("confirm", ""):
            error = "The two new passwords differ."
        else:
            try:
                accounts.set_password(me, new)
            except accounts.AccountError as exc:
                error = f"{exc}."
            else:
                session.commit()
                login_user(Maintainer(me))  # this session goes on under the new epoch
                flash("Your password is changed; your other sessions have ended.")
                return redirect(url_for("maintain.account"))
    return _render("maintain/account.html", error=error), 400 if error else 200


@bp.route("/maintain/users", methods=["GET", "POST"])
@admin_required
def users() -> Any:
    """List maintainers and add one (admins only)."""
    session = get_session()
    error = None
    if request.method == "POST":
        form = request.form
        try:
            user = accounts.add_user(
                session,
                form.get("name", ""),
                form.get("role", ""),
                form.get("password", ""),
                form.get("display_name") or None,
            )
        except accounts.AccountError as exc:
            session.rollback()
            error = f"{exc}."
        else:
            session.commit()
            flash(f"Added {user.name} ({user.role}).")
            return redirect(url_for("maintain.users"))
    everyone = session.scalars(select(User).order_by(User.name)).all()
    return _render("maintain/users.html", users=everyone, roles=policy.ROLES, error=error), (
        400 if error else 200
    )


@bp.post("/maintain/users/<name>/disable")
@admin_required
def disable(name: str) -> BaseResponse:
    """Disable a maintainer: their sessions end and their tokens stop working."""
    session = get_session()
    if name == _me().name:
        flash("You cannot disable yourself.", "error")
        return redirect(url_for("maintain.users"))
    try:
        accounts.disable_user(session, name)
    except accounts.AccountError as exc:
        flash(f"{exc}.", "error")
        return redirect(url_for("maintain.users"))
    session.commit()
    flash(f"Disabled {name}; their sessions and tokens no longer work.")
    return redirect(url_for("maintain.users"))


# --- outlets ----------------------------------------------------------------------------------


@bp.get("/maintain")
@member_required
def home() -> BaseResponse:
    """Start at the outlets."""
    return redirect(url_for("maintain.outlets"))


def _disagreeing(outlet: Outlet) -> list[str]:
    """Return the providers whose bias is two or more steps from the outlet's."""
    if not outlet.bias:
        return []
    ours = ratings.bias_score(outlet.bias)
    return [
        p.provider
        for p in outlet.provider_ratings
        if p.bias in ratings.BIAS_LABELS and abs(ratings.bias_score(p.bias) - ours) >= 2
    ]


@bp.get("/maintain/outlets")
@member_required
def outlets() -> str:
    """Search and filter outlets."""
    args = request.args
    text = UNSTORABLE.sub("", args.get("q", "")).strip()[:200]
    query = select(Outlet).options(selectinload(Outlet.provider_ratings)).order_by(Outlet.slug)
    if text:
        like = f"%{text.lower()}%"
        query = query.where(or_(func.lower(Outlet.name).like(like), Outlet.slug.like(like)))
    if args.get("bias") in ratings.BIAS_LABELS:
        query = query.where(Outlet.bias == args["bias"])
    if args.get("factuality") in ratings.FACTUALITY_LABELS:
        query = query.where(Outlet.factuality == args["factuality"])
    country = UNSTORABLE.sub("", args.get("country", "")).strip().upper()[:2]
    if country:
        query = query.where(Outlet.country == country)
    if args.get("stale"):
        year_ago = date.today() - timedelta(days=365)
        query = query.where(or_(Outlet.reviewed.is_(None), Outlet.reviewed < year_ago))
    found = list(get_session().scalars(query.limit(500)))
    rows = [(o, _disagreeing(o)) for o in found]
    if args.get("disagrees"):
        rows = [(o, d) for o, d in rows if d]
    return _render("maintain/outlets.html", rows=rows, args=args)


def _outlet_or_404(slug: str) -> Outlet:
    outlet = None if UNSTORABLE.search(slug) else load_outlet(get_session(), slug.lower())
    if outlet is None:
        abort(404, f"No outlet is called {slug!r}.")
    return outlet


@bp.get("/maintain/outlets/<slug>")
@member_required
def outlet(slug: str) -> str:
    """Show an outlet: rating, rules, feeds, provider ratings, proposals, history, a form."""
    return _outlet_page(_outlet_or_404(slug), request.args)


def _outlet_page(found: Outlet, form: Any, error: str | None = None) -> str:
    """Render an outlet's page, its propose form filled from ``form``."""
    session = get_session()
    return _render(
        "maintain/outlet.html",
        outlet=found,
        providers=sorted(found.provider_ratings, key=lambda p: p.provider),
        provider_names=PROVIDER_NAMES,
        proposals=[curation.proposal_json(p) for p in open_proposals(session, found.slug)],
        history=curation.history(session, found.slug),
        etag=curation.outlet_etag(found.version),
        form=form,
        editable=EDITABLE,
        error=error,
    )


def _justification_form() -> dict[str, Any]:
    """Read reason, evidence (up to three links), basis, confidence and note from a form."""
    form = request.form
    evidence = [
        {"url": url.strip(), "kind": form.get(f"evidence_kind_{n}", "article-sample")}
        for n in range(1, 4)
        if (url := form.get(f"evidence_url_{n}", "")).strip()
    ]
    return {
        "reason": form.get("reason", ""),
        "evidence": evidence,
        "basis": form.get("basis") or None,
        "confidence": form.get("confidence") or None,
        "note": form.get("note", ""),
    }


def _form_error(exc: curation.CurationError) -> str:
    get_session().rollback()
    return exc.detail.replace("`", "")


@bp.post("/maintain/outlets/<slug>/propose")
@editor_required
def propose(slug: str) -> Any:
    """Propose a change to an outlet from its page's form."""
    found = _outlet_or_404(slug)
    session = get_session()
    form = request.form
    current = {name: getattr(found, name) for name in EDITABLE}
    changes: dict[str, Any] = {}
    for name, input_name in EDITABLE.items():
        value = form.get(input_name)
        if value is None:
            continue
        value = value.strip() or None
        if value != current[name]:
            changes[name] = value
    rules = form.get("rules")
    if rules is not None and rules.split() != [r.text for r in found.rules]:
        changes["rules"] = rules.split()
    feeds = form.get("feeds")
    if feeds is not None and feeds.split() != [f.url for f in found.feeds]:
        changes["feeds"] = feeds.split()
    try:
        proposal = curation.propose_change(
            session, _me(), found.slug, changes, _justification_form(), form.get("if_match")
        )
    except curation.CurationError as exc:
        error = _form_error(exc)  # rolled back: the outlet is read afresh below
        return _outlet_page(_outlet_or_404(slug), form, error), exc.status
    session.commit()
    flash(f"Proposal {proposal.id} is waiting for another editor's review.")
    return redirect(url_for("maintain.outlet", slug=found.slug))


@bp.post("/maintain/outlets/<slug>/retire")
@editor_required
def retire(slug: str) -> BaseResponse:
    """Propose retiring an outlet from its page."""
    found = _outlet_or_404(slug)
    session = get_session()
    try:
        proposal = curation.propose_retire(
            session, _me(), found.slug, _justification_form(), request.form.get("if_match")
        )
    except curation.CurationError as exc:
        flash(_form_error(exc), "error")
        return redirect(url_for("maintain.outlet", slug=found.slug))
    session.commit()
    flash(f"Proposal {proposal.id} (retiring {found.slug}) is waiting for review.")
    return redirect(url_for("maintain.review"))


@bp.route("/maintain/new", methods=["GET", "POST"])
@editor_required
def new_outlet() -> Any:
    """Propose a new outlet (prefilled from a looked-up domain)."""
    error = None
    form = request.form if request.method == "POST" else request.args
    if request.method == "POST":
        outlet_data = {
            "slug": form.get("slug", ""),
            "name": form.get("name", ""),
            "rules": form.get("rules", "").split(),
            **{k: form.get(k) or None for k in ("homepage", "country", "bias", "factuality")},
        }
        session = get_session()
        try:
            proposal = curation.propose_new(session, _me(), outlet_data, _justification_form())
        except curation.CurationError as exc:
            error = _form_error(exc)
        else:
            session.commit()
            flash(f"Proposal {proposal.id} (a new outlet) is waiting for review.")
            return redirect(url_for("maintain.review"))
    domain = (request.args.get("domain") or "").strip().lower()[:253]
    return _render("maintain/new.html", form=form, domain=domain, error=error), (
        422 if error else 200
    )


# --- review -----------------------------------------------------------------------------------


@bp.get("/maintain/review")
@member_required
def review() -> str:
    """List open proposals with their diff, reason and evidence, to approve or reject."""
    found = curation.list_proposals(get_session(), "proposed")
    return _render("maintain/review.html", proposals=[curation.proposal_json(p) for p in found])


@bp.post("/maintain/proposals/<int:proposal_id>/<any(approve, reject):decision>")
@editor_required
def decide(proposal_id: int, decision: str) -> BaseResponse:
    """Approve or reject a proposal from the review queue."""
    session = get_session()
    note = request.form.get("note", "")
    try:
        if decision == "approve":
            proposal, written = curation.approve(session, _me(), proposal_id, note or None)
            message = (
                f"Proposal {proposal_id} is applied."
                if written
                else f"Approved; proposal {proposal_id} needs "
                f"{proposal.approvals_needed} approvals."
            )
        else:
            curation.reject(session, _me(), proposal_id, note)
            message = f"Proposal {proposal_id} is rejected."
    except curation.CurationError as exc:
        flash(_form_error(exc), "error")
        changed = exc.extra.get("changed")
        if changed:
            flash(f"What changed meanwhile: {changed}", "error")
        return redirect(url_for("maintain.review"))
    session.commit()
    flash(message)
    return redirect(url_for("maintain.review"))


@bp.post("/maintain/changes/<int:change_id>/revert")
@editor_required
def revert(change_id: int) -> BaseResponse:
    """Propose reverting an applied change."""
    session = get_session()
    try:
        proposal = curation.revert(session, _me(), change_id, _justification_form())
    except curation.CurationError as exc:
        flash(_form_error(exc), "error")
        return redirect(url_for("maintain.review"))
    session.commit()
    flash(f"Proposal {proposal.id} reverts change {change_id}; it needs another editor's review.")
    return redirect(url_for("maintain.review"))


# --- queues -----------------------------------------------------------------------------------


@bp.get("/maintain/feedback")
@member_required
def feedback() -> str:
    """Show reader feedback grouped by outlet, to triage."""
    status = request.args.get("status", "new")
    if status not in ("new", *curation.TRIAGE):
        status = "new"
    items = curation.list_feedback(get_session(), status)
    groups: dict[str, list[Any]] = {}
    for item in items:
        groups.setdefault(item.outlet_slug or "(no outlet)", []).append(item)
    return _render("maintain/feedback.html", groups=groups, status=status)


@bp.post("/maintain/feedback/<int:feedback_id>/triage")
@member_required
def triage(feedback_id: int) -> BaseResponse:
    """Triage one piece of feedback: accepted, declined (with a note) or duplicate."""
    session = get_session()
    form = request.form
    try:
        _item, proposal = curation.triage(
            session, _me(), feedback_id, form.get("action", ""), form.get("note")
        )
    except curation.CurationError as exc:
        flash(_form_error(exc), "error")
        return redirect(url_for("maintain.feedback"))
    session.commit()
    flash(
        f"Feedback {feedback_id} accepted: proposal {proposal.id} opened."
        if proposal
        else f"Feedback {feedback_id} triaged."
    )
    return redirect(url_for("maintain.feedback"))


@bp.get("/maintain/demand")
@member_required
def demand() -> str:
    """Show the domains most looked up that match no outlet (counts only)."""
    return _render("maintain/demand.html", rows=curation.demand(get_session()))


# --- public history ---------------------------------------------------------------------------


def _public_outlet(slug: str) -> tuple[Outlet | None, list[dict[str, Any]]]:
    if UNSTORABLE.search(slug):
        abort(404, f"No outlet is called {slug!r}.")
    session = get_session()
    slug = slug.lower()[:80]
    found = load_outlet(session, slug)
    changes = curation.history(session, slug)
    if found is None and not changes:
        abort(404, f"No outlet is called {slug!r}.")
    return found, changes


@public.get("/outlets/<slug>/history")
def history(slug: str) -> str:
    """Show an outlet's applied rating changes with reasons and evidence."""
    found, changes = _public_outlet(slug)
    return render_template(
        "maintain/history.html",
        slug=slug.lower(),
        outlet=found,
        changes=changes,
        fields=RATED_FIELDS,
        bases=policy.BASES,
        evidence_kinds=policy.EVIDENCE_KINDS,
    )


@public.get("/outlets/<slug>/history.atom")
def history_atom(slug: str) -> Response:
    """Serve an outlet's applied rating changes as an Atom feed."""
    found, changes = _public_outlet(slug)
    xml = render_template(
        "maintain/history.atom.xml",
        slug=slug.lower(),
        outlet=found,
        changes=changes[:50],
        base=request.host_url.rstrip("/"),
    )
    return Response(xml, mimetype="application/atom+xml")
