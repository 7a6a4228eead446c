"""Accounts, login and the workspace pages (issue 10): ``parallax users``/``tokens``, ``/login``,
sessions that end with a new password, CSRF on every form, the queues, hostile text as text.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from server.models import ApiToken, Feedback, LookupMiss, User
from server.services import get_services

PASSWORD = "correct horse battery staple"  # every maintainer's, as conftest's fixture makes them
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'
REASON = "Three weeks of front pages lean clearly towards one party's framing."


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "the form carries no CSRF token"
    return found.group(1)


def log_in(client: FlaskClient, name: str, password: str = PASSWORD) -> int:
    token = csrf_of(client.get("/login").get_data(as_text=True))
    answer = client.post("/login", data={"name": name, "password": password, "csrf_token": token})
    return answer.status_code


def post_form(client: FlaskClient, page: str, target: str, **data: str) -> tuple[int, str]:
    token = csrf_of(client.get(page).get_data(as_text=True))
    answer = client.post(target, data={**data, "csrf_token": token}, follow_redirects=True)
    return answer.status_code, answer.get_data(as_text=True)


# --- accounts on the command line -------------------------------------------------------------


def test_users_add_hashes_with_argon2id_and_lists_and_disables(
    app: Flask, runner: FlaskCliRunner
) -> None:
    added = runner.invoke(
        args=["users", "add", "Dora", "--role", "editor", "--password-stdin"], input=PASSWORD + "\n"
    )
    assert added.exit_code == 0, added.output
    with get_services(app).sessions() as session:
        user = session.scalar(select(User).where(User.name == "dora"))
        assert user is not None and user.password_hash
        assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
    assert "dora" in runner.invoke(args=["users", "list"]).output
    assert runner.invoke(args=["users", "disable", "dora"]).exit_code == 0
    assert "disabled" in runner.invoke(args=["users", "list"]).output
    short = runner.invoke(
        args=["users", "add", "eve", "--role", "editor", "--password-stdin"], input="short\n"
    )
    assert short.exit_code == 1 and "12" in short.output
    role = runner.invoke(args=["users", "add", "eve", "--role", "boss", "--password-stdin"])
    assert role.exit_code == 2


def test_tokens_are_printed_once_and_stored_hashed(
    app: Flask, runner: FlaskCliRunner, maintainers: dict[str, str]
) -> None:
    made = runner.invoke(
        args=["tokens", "create", "ci", "--user", "ann", "--scope", "propose", "--expires", "30"]
    )
    assert made.exit_code == 0, made.output
    secret = made.stdout.strip()
    assert secret.startswith("plx_")
    with get_services(app).sessions() as session:
        hashes = session.scalars(select(ApiToken.token_hash)).all()
    assert secret not in hashes and all(secret not in h for h in hashes)
    listed = runner.invoke(args=["tokens", "list"]).output
    assert "ci" in listed and "never used" in listed and secret not in listed
    refused = runner.invoke(args=["tokens", "create", "t", "--user", "tom", "--scope", "review"])
    assert refused.exit_code == 1 and "not an active editor" in refused.output


# --- login ------------------------------------------------------------------------------------


def test_login_answers_a_wrong_password_and_an_unknown_user_alike(
    client: FlaskClient, maintainers: dict[str, str]
) -> None:
    token = csrf_of(client.get("/login").get_data(as_text=True))
    wrong = client.post("/login", data={"name": "ann", "password": "nope" * 4, "csrf_token": token})
    unknown = client.post(
        "/login", data={"name": "nobody", "password": "nope" * 4, "csrf_token": token}
    )
    assert wrong.status_code == unknown.status_code == 401

    def without_token(page: bytes) -> str:
        return re.sub(r'name="csrf_token" value="[^"]+"', "", page.decode())

    assert without_token(wrong.get_data()) == without_token(unknown.get_data())
    assert log_in(client, "ann") == 302
    assert client.get("/maintain/outlets").status_code == 200


def test_the_session_cookie_is_httponly_and_lax_and_secure_over_https(
    client: FlaskClient, maintainers: dict[str, str]
) -> None:
    token = csrf_of(client.get("/login").get_data(as_text=True))
    answer = client.post("/login", data={"name": "ann", "password": PASSWORD, "csrf_token": token})
    cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    secure = client.get("/login", base_url="https://localhost")
    https_token = csrf_of(secure.get_data(as_text=True))
    over_https = client.post(
        "/login",
        base_url="https://localhost",
        data={"name": "ann", "password": PASSWORD, "csrf_token": https_token},
        headers={"Referer": "https://localhost/login"},
    )
    assert "Secure" in over_https.headers["Set-Cookie"]


def test_failed_logins_are_rate_limited(make_app: object, seeded: Flask) -> None:
    from server import accounts

    app = make_app(  # type: ignore[operator]
        LOGIN_RATE_LIMIT="3 per minute", SECRET_KEY="k", RATE_LIMIT="1000 per minute"
    )
    with get_services(app).sessions() as session:
        if accounts.find_user(session, "ann") is None:
            accounts.add_user(session, "ann", "editor", PASSWORD)
            session.commit()
    client = app.test_client()
    statuses = [log_in(client, "ann", "wrong password!") for _ in range(4)]
    assert statuses == [401, 401, 401, 429]


def test_a_form_without_its_csrf_token_is_refused(
    client: FlaskClient, maintainers: dict[str, str]
) -> None:
    assert client.post("/login", data={"name": "ann", "password": PASSWORD}).status_code == 400
    log_in(client, "ann")
    answer = client.post("/maintain/proposals/1/approve", data={})
    assert answer.status_code == 400


def test_a_new_password_ends_the_other_sessions(app: Flask, maintainers: dict[str, str]) -> None:
    here, elsewhere = app.test_client(), app.test_client()
    log_in(here, "ann")
    log_in(elsewhere, "ann")
    status, page = post_form(
        here,
        "/maintain/account",
        "/maintain/account",
        current=PASSWORD,
        new="a brand new long password",
        confirm="a brand new long password",
    )
    assert status == 200 and "other sessions have ended" in page
    assert here.get("/maintain/outlets").status_code == 200
    assert elsewhere.get("/maintain/outlets").status_code == 302  # back to /login


def test_disabling_a_user_ends_their_sessions(
    app: Flask, runner: FlaskCliRunner, maintainers: dict[str, str]
) -> None:
    client = app.test_client()
    log_in(client, "ben")
    assert client.get("/maintain/review").status_code == 200
    runner.invoke(args=["users", "disable", "ben"])
    assert client.get("/maintain/review").status_code == 302


def test_the_workspace_is_off_without_a_secret_key(make_app: object, seeded: Flask) -> None:
    app = make_app(SECRET_KEY="")  # type: ignore[operator]
    answer = app.test_client().get("/login")
    assert answer.status_code == 503
    assert "PARALLAX_SECRET_KEY" in answer.get_data(as_text=True)


# --- pages ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/maintain/outlets",
        "/maintain/outlets?q=bbc&bias=center&stale=1&disagrees=1&country=gb",
        "/maintain/outlets/bbc-news",
        "/maintain/review",
        "/maintain/feedback",
        "/maintain/demand",
        "/maintain/new?domain=example.org",
        "/maintain/account",
    ],
)
def test_every_workspace_page_needs_a_login_and_has_no_inline_script_or_style(
    client: FlaskClient, maintainers: dict[str, str], path: str
) -> None:
    assert client.get(path).status_code == 302
    log_in(client, "ann")
    page = client.get(path)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<script" not in html and "<style" not in html and " style=" not in html
    assert "/static/maintain.css" in html


def test_an_editor_proposes_and_another_approves_through_the_pages(
    app: Flask, maintainers: dict[str, str]
) -> None:
    ann, ben = app.test_client(), app.test_client()
    log_in(ann, "ann")
    page = ann.get("/maintain/outlets/bbc-news").get_data(as_text=True)
    etag = re.search(r'name="if_match" value="([^"]+)"', page)
    assert etag
    status, _ = post_form(
        ann,
        "/maintain/outlets/bbc-news",
        "/maintain/outlets/bbc-news/propose",
        bias="lean-left",
        if_match=etag.group(1),
        reason=f"Hostile yet long enough: {HOSTILE}",
        evidence_url_1="https://example.org/sample",
        evidence_kind_1="article-sample",
        basis="editorial-review",
        confidence="medium",
        note="internal only, please",
    )
    assert status == 200
    log_in(ben, "ben")
    queue = ben.get("/maintain/review").get_data(as_text=True)
    assert "&lt;script&gt;" in queue and "<script>" not in queue
    assert "internal only, please" in queue  # maintainers see the note
    proposal_id = re.search(r'id="proposal-(\d+)"', queue)
    assert proposal_id
    status, page = post_form(
        ben, "/maintain/review", f"/maintain/proposals/{proposal_id.group(1)}/approve"
    )
    assert "is applied" in page
    history = app.test_client().get("/outlets/bbc-news/history").get_data(as_text=True)
    assert "Lean left" in history or "lean-left" in history
    assert "internal only" not in history and "<script>" not in history


def test_a_proposal_without_a_reason_shows_the_sentence_on_the_page(
    client: FlaskClient, maintainers: dict[str, str]
) -> None:
    log_in(client, "ann")
    status, page = post_form(
        client,
        "/maintain/outlets/bbc-news",
        "/maintain/outlets/bbc-news/propose",
        bias="left",
        reason="short",
    )
    assert status == 422 and "at least a sentence" in page


def test_a_triager_sees_queues_but_cannot_propose(
    client: FlaskClient, maintainers: dict[str, str]
) -> None:
    log_in(client, "tom")
    assert client.get("/maintain/feedback").status_code == 200
    assert client.get("/maintain/new").status_code == 403


def test_feedback_is_triaged_with_who_and_when_and_shown_as_text(
    app: Flask, client: FlaskClient, maintainers: dict[str, str]
) -> None:
    for message in (HOSTILE, "Seems fine to me, just checking in here."):
        client.post(
            "/api/v1/feedback",
            json={"outlet": "bbc-news", "message": message, "suggested_bias": "lean-left"},
        )
    log_in(client, "tom")
    inbox = client.get("/maintain/feedback").get_data(as_text=True)
    assert "&lt;script&gt;" in inbox and "<script>" not in inbox
    with get_services(app).sessions() as session:
        first, second = session.scalars(select(Feedback).order_by(Feedback.id)).all()
    _status, page = post_form(
        client, "/maintain/feedback", f"/maintain/feedback/{first.id}/triage", action="accepted"
    )
    assert "proposal" in page
    _status, page = post_form(
        client, "/maintain/feedback", f"/maintain/feedback/{second.id}/triage", action="declined"
    )
    assert "say why" in page
    post_form(
        client,
        "/maintain/feedback",
        f"/maintain/feedback/{second.id}/triage",
        action="declined",
        note="No change is suggested.",
    )
    with get_services(app).sessions() as session:
        first, second = session.scalars(select(Feedback).order_by(Feedback.id)).all()
    assert (first.status, first.triaged_by, first.proposal_id is not None) == (
        "accepted",
        "Tom",
        True,
    )
    assert (second.status, second.triage_note) == ("declined", "No change is suggested.")
    assert first.triaged_at is not None


def test_the_demand_queue_shows_domains_and_counts_only(
    app: Flask, client: FlaskClient, maintainers: dict[str, str]
) -> None:
    with get_services(app).sessions() as session:
        session.add_all(
            [
                LookupMiss(domain="rare.example", count=2),
                LookupMiss(domain="popular.example", count=40),
            ]
        )
        session.commit()
    log_in(client, "ann")
    page = client.get("/maintain/demand").get_data(as_text=True)
    assert page.index("popular.example") < page.index("rare.example")
    assert "/maintain/new?domain=popular.example" in page


def test_an_admin_adds_and_disables_maintainers_and_others_may_not(
    app: Flask, maintainers: dict[str, str]
) -> None:
    ann = app.test_client()
    log_in(ann, "ann")
    assert ann.get("/maintain/users").status_code == 403
    ada = app.test_client()
    log_in(ada, "ada")
    status, page = post_form(
        ada,
        "/maintain/users",
        "/maintain/users",
        name="gil",
        role="editor",
        password="a long enough password",
        display_name=HOSTILE,
    )
    assert status == 200 and "Added gil" in page and "<script>" not in page
    _status, page = post_form(ada, "/maintain/users", "/maintain/users/ann/disable")
    assert "Disabled ann" in page
    assert ann.get("/maintain/outlets").status_code == 302


@pytest.mark.parametrize(
    "path",
    [
        "/maintain/outlets/bbc%00news",
        "/outlets/bbc%00news/history",
        "/outlets/bbc%00news/history.atom",
        "/api/v1/outlets/bbc%00news/history",
        "/maintain/outlets?q=%00&country=%00G",
    ],
)
def test_a_nul_in_an_address_is_not_found_never_a_server_error(
    client: FlaskClient, maintainers: dict[str, str], path: str
) -> None:
    log_in(client, "ada")
    assert client.get(path).status_code in (200, 404)


def test_outlet_filters_find_stale_ratings_and_provider_disagreements(
    app: Flask, client: FlaskClient, maintainers: dict[str, str]
) -> None:
    from datetime import date

    from server.models import Outlet, ProviderRating

    with get_services(app).sessions() as session:
        bbc = session.scalar(select(Outlet).where(Outlet.slug == "bbc-news"))
        fox = session.scalar(select(Outlet).where(Outlet.slug == "fox-news"))
        assert bbc is not None and fox is not None
        bbc.reviewed = date(2024, 1, 1)
        session.add(ProviderRating(outlet_id=fox.id, provider="mbfc", bias="lean-right"))
        session.add(ProviderRating(outlet_id=bbc.id, provider="allsides", bias="lean-right"))
        session.commit()
    log_in(client, "ann")
    stale = client.get("/maintain/outlets?stale=1").get_data(as_text=True)
    assert "bbc-news" in stale and "fox-news" not in stale
    disagreeing = client.get("/maintain/outlets?disagrees=1").get_data(as_text=True)
    assert "bbc-news" not in disagreeing  # center vs lean-right: one step
    assert "fox-news" not in disagreeing  # right vs lean-right: one step
    with get_services(app).sessions() as session:
        rating = session.scalar(select(ProviderRating).where(ProviderRating.provider == "mbfc"))
        assert rating is not None
        rating.bias = "center"  # right vs center: two steps
        session.commit()
    disagreeing = client.get("/maintain/outlets?disagrees=1").get_data(as_text=True)
    assert "fox-news" in disagreeing and "bbc-news" not in disagreeing
