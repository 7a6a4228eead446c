"""Proposals and two-person review through the write API (issue 10).

Every rule of curation, on SQLite and PostgreSQL: tokens and scopes, nobody approves their
own proposal, two approvers for the big moves, stale proposals and ETags refused with
nothing written, exact reverts and their conflicts, the audit chain, import change sets.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select, text

from server.models import Outlet, Proposal, RatingChange
from server.services import get_services

DATA = Path(__file__).parent / "data"
REASON = "Three weeks of front pages lean clearly towards one party's framing."
EVIDENCE = [{"url": "https://example.org/sample-2026-11", "kind": "article-sample"}]


def auth(token: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **headers}


def propose(client: FlaskClient, token: str, slug: str = "bbc-news", **changes: Any) -> Any:
    body = {"changes": changes or {"bias": "lean-left"}, "reason": REASON, "evidence": EVIDENCE}
    return client.post(f"/api/v1/outlets/{slug}/proposals", json=body, headers=auth(token))


def outlet_row(app: Flask, slug: str) -> Outlet:
    with get_services(app).sessions() as session:
        found = session.scalar(select(Outlet).where(Outlet.slug == slug))
        assert found is not None
        return found


def audit_rows(app: Flask) -> list[RatingChange]:
    with get_services(app).sessions() as session:
        return list(session.scalars(select(RatingChange).order_by(RatingChange.id)))


# --- auth and scopes --------------------------------------------------------------------------


def test_write_api_without_a_token_is_401_with_www_authenticate(
    client: FlaskClient, maintainers: dict[str, str]
) -> None:
    answer = client.post("/api/v1/outlets/bbc-news/proposals", json={})
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    assert answer.mimetype == "application/problem+json"
    wrong = client.get("/api/v1/proposals", headers=auth("plx_not-a-token"))
    assert wrong.status_code == 401


def test_a_propose_token_cannot_approve(client: FlaskClient, maintainers: dict[str, str]) -> None:
    made = propose(client, maintainers["ann"]).get_json()
    answer = client.post(
        f"/api/v1/proposals/{made['id']}/approve", headers=auth(maintainers["ben-propose"])
    )
    assert answer.status_code == 403


def test_nobody_approves_their_own_proposal(
    app: Flask, client: FlaskClient, maintainers: dict[str, str]
) -> None:
    made = propose(client, maintainers["ann"]).get_json()
    answer = client.post(
        f"/api/v1/proposals/{made['id']}/approve", headers=auth(maintainers["ann"])
    )
    assert answer.status_code == 403
    assert outlet_row(app, "bbc-news").bias == "center"


def test_a_revoked_token_stops_working(
    runner: FlaskCliRunner, client: FlaskClient, maintainers: dict[str, str]
) -> None:
    listed = runner.invoke(args=["tokens", "list"]).output
    first_id = listed.splitlines()[-1].split()[0]  # newest first: the last line is ann's first
    assert runner.invoke(args=["tokens", "revoke", first_id]).exit_code == 0
    assert client.get("/api/v1/proposals", headers=auth(maintainers["ann"])).status_code == 401


# --- proposals --------------------------------------------------------------------------------


def test_a_proposal_records_before_after_reason_evidence_and_version(
    client: FlaskClient, maintainers: dict[str, str]
) -> None:
    version = client.get("/api/v1/outlets/bbc-news").get_json()["version"]
    answer = propose(client, maintainers["ann"])
    assert answer.status_code == 201
    body = answer.get_json()
    assert body["status"] == "proposed"
    assert body["changes"] == {"bbc-news": {"bias": ["center", "lean-left"]}}
    assert body["reason"] == REASON and body["evidence"] == EVIDENCE
    assert body["versions"] == {"bbc-news": version}
    assert body["methodology"] and body["basis"] == "editorial-review"
    assert body["approvals_needed"] == 1


@pytest.mark.parametrize(
    "body, field",
    [
        ({"changes": {"bias": "lean-left"}}, "reason"),
        ({"changes": {"bias": "lean-left"}, "reason": "Because."}, "reason"),
        ({"changes": {"bias": "sideways"}, "reason": REASON}, "bias"),
        ({"changes": {"colour": "red"}, "reason": REASON}, "changes"),
        ({"changes": {"bias": "center"}, "reason": REASON}, "changes"),
        (
            {"changes": {"bias": "left"}, "reason": REASON, "evidence": [{"url": "javascript:x"}]},
            "evidence",
        ),
        ({"changes": {"bias": "left"}, "reason": REASON, "confidence": "total"}, "confidence"),
    ],
)
def test_a_proposal_without_a_reason_or_with_an_unknown_value_is_422(
    app: Flask, client: FlaskClient, maintainers: dict[str, str], body: dict[str, Any], field: str
) -> None:
    answer = client.post(
        "/api/v1/outlets/bbc-news/proposals", json=body, headers=auth(maintainers["ann"])
    )
    assert answer.status_code == 422, answer.get_json()
    assert answer.get_json()["field"] == field
    with get_services(app).sessions() as session:
        assert session.scalar(select(Proposal)) is None


def test_a_proposal_for_an_unknown_outlet_is_404(
    client: FlaskClient, maintainers: dict[str, str]
) -> None:
    assert propose(client, maintainers["ann"], slug="nobody").status_code == 404


def test_approval_by_another_editor_writes_the_outlet_and_its_audit_row(
    app: Flask, client: FlaskClient, maintainers: dict[str, str]
) -> None:
    before_index = client.get("/api/v1/outlets/index").headers["ETag"]
    version = outlet_row(app, "bbc-news").version
    made = propose(client, maintainers["ann"]).get_json()
    answer = client.post(
        f"/api/v1/proposals/{made['id']}/approve",
        json={"note": "agreed"},
        headers=auth(maintainers["ben"]),
    )
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["status"] == "applied" and body["approvals"] == ["Ben"]
    outlet = outlet_row(app, "bbc-news")
    assert outlet.bias == "lean-left" and outlet.bias_score == -1.0
    assert outlet.version == version + 1
    change = audit_rows(app)[-1]
    assert change.id == body["applied"][0]
    assert change.changes == {"bias": ["center", "lean-left"]}
    assert change.reason == REASON and change.proposal_id == made["id"]
    assert change.details and change.details["approvers"] == ["Ben"]
    assert client.get("/api/v1/outlets/index").headers["ETag"] != before_index


@pytest.mark.parametrize(
    "slug, changes",
    [
        ("bbc-news", {"bias": "left"}),  # two steps
        ("guardian", {"bias": "far-left"}),  # one step, but far-left
        ("bbc-news", {"factuality": "very-low"}),
    ],
)
def test_big_moves_need_two_approvers(
    app: Flask, client: FlaskClient, maintainers: dict[str, str], slug: str, changes: dict[str, str]
) -> None:
    made = propose(client, maintainers["ann"], slug, **changes).get_json()
    assert made["approvals_needed"] == 2
    first = client.post(f"/api/v1/proposals/{made['id']}/approve", headers=auth(maintainers["ben"]))
    assert first.get_json()["status"] == "proposed" and first.get_json()["applied"] == []
    again = client.post(f"/api/v1/proposals/{made['id']}/approve", headers=auth(maintainers["ben"]))
    assert again.status_code == 409
    second = client.post(
        f"/api/v1/proposals/{made['id']}/approve", headers=auth(maintainers["cat"])
    )
    assert second.get_json()["status"] == "applied"
    name, value = next(iter(changes.items()))
    assert getattr(outlet_row(app, slug), name) == value


def test_rejection_needs_a_note_and_writes_nothing(
    app: Flask, client: FlaskClient, maintainers: dict[str, str]
) -> None:
    made = propose(client, maintainers["ann"]).get_json()
    url = f"/api/v1/proposals/{made['id']}/reject"
    assert client.post(url, json={}, headers=auth(maintainers["ben"])).status_code == 422
    answer = client.post(
        url, json={"note": "The sample is too small."}, headers=auth(maintainers["ben"])
    )
    assert answer.get_json()["status"] == "rejected"
    assert answer.get_json()["rejections"] == [{"by": "Ben", "note": "The sample is too small."}]
    assert outlet_row(app, "bbc-news").bias == "center"
    assert (
        client.post(
            f"/api/v1/proposals/{made['id']}/approve", headers=auth(maintainers["cat"])
        ).status_code
        == 409
    )


def test_a_stale_proposal_is_refused_with_what_changed_and_nothing_written(
    app: Flask, client: FlaskClient, maintainers: dict[str, str]
) -> None:
    first = propose(client, maintainers["ann"]).get_json()
    second = propose(client, maintainers["cat"], factuality="mixed").get_json()
    version = outlet_row(app, "bbc-news").version
    client.post(f"/api/v1/proposals/{first['id']}/approve", headers=auth(maintainers["ben"]))
    rows = len(audit_rows(app))
    answer = client.post(
        f"/api/v1/proposals/{second['id']}/approve", headers=auth(maintainers["ben"])
    )
    assert answer.status_code == 409
    assert answer.get_json()["changed"] == {"bbc-news": {"bias": ["center", "lean-left"]}}
    outlet = outlet_row(app, "bbc-news")
    assert outlet.factuality == "high" and outlet.version == version + 1
    assert len(audit_rows(app)) == rows
    listed = client.get(f"/api/v1/proposals/{second['id']}", headers=auth(maintainers["ben"]))
    assert listed.get_json()["status"] == "proposed" and listed.get_json()["approvals"] == []


def test_if_match_with_a_stale_etag_is_412_and_stores_nothing(
    app: Flask, client: FlaskClient, maintainers: dict[str, str]
) -> None:
    etag = client.get("/api/v1/outlets/bbc-news").headers["ETag"]
    body = {"changes": {"bias": "lean-left"}, "reason": REASON}
    ok = client.post(
        "/api/v1/outlets/bbc-news/proposals",
        json=body,
        headers=auth(maintainers["ann"], **{"If-Match": etag}),
    )
    assert ok.status_code == 201
    client.post(
        f"/api/v1/proposals/{ok.get_json()['id']}/approve", headers=auth(maintainers["ben"])
    )
    stale = client.post(
        "/api/v1/outlets/bbc-news/proposals",
        json={"changes": {"factuality": "mixed"}, "reason": REASON},
        headers=auth(maintainers["cat"], **{"If-Match": etag}),
    )
    assert stale.status_code == 412
    assert client.get("/api/v1/outlets/bbc-news").headers["ETag"] != etag
    with get_services(app).sessions() as session:
        assert len(session.scalars(select(Proposal)).all()) == 1


def test_a_new_outlet_is_a_proposal_too(
    app: Flask, client: FlaskClient, maintainers: dict[str, str]
) -> None:
    body = {
        "outlet": {
            "slug": "example-news",
            "name": "Example News",
            "rules": ["example.com"],
            "bias": "center",
        },
        "reason": REASON,
    }
    made = client.post("/api/v1/outlets", json=body, headers=auth(maintainers["ann"]))
    assert made.status_code == 201 and made.get_json()["kind"] == "new"
    assert client.get("/api/v1/outlets/example-news").status_code == 404
    client.post(
        f"/api/v1/proposals/{made.get_json()['id']}/approve", headers=auth(maintainers["ben"])
    )
    assert client.get("/api/v1/outlets/example-news").get_json()["bias"] == "center"
    again = client.post("/api/v1/outlets", json=body, headers=auth(maintainers["ann"]))
    assert again.status_code == 409


# --- reverts ----------------------------------------------------------------------------------


def _apply(client: FlaskClient, maintainers: dict[str, str], **changes: Any) -> dict[str, Any]:
    made = propose(client, maintainers["ann"], **changes).get_json()
    done = client.post(f"/api/v1/proposals/{made['id']}/approve", headers=auth(maintainers["ben"]))
    result: dict[str, Any] = done.get_json()
    return result


def test_a_revert_restores_the_exact_previous_values(
    app: Flask, client: FlaskClient, maintainers: dict[str, str]
) -> None:
    applied = _apply(
        client, maintainers, bias="lean-left", owner="Someone Else", rules=["bbc.co.uk"]
    )
    change_id = applied["applied"][0]
    revert = client.post(
        f"/api/v1/changes/{change_id}/revert",
        json={"reason": REASON},
        headers=auth(maintainers["cat"]),
    )
    assert revert.status_code == 201
    assert revert.get_json()["reverts"] == change_id
    done = client.post(
        f"/api/v1/proposals/{revert.get_json()['id']}/approve", headers=auth(maintainers["ann"])
    )
    assert done.get_json()["status"] == "applied"
    outlet = client.get("/api/v1/outlets/bbc-news").get_json()
    assert (outlet["bias"], outlet["owner"], outlet["rules"]) == (
        "center",
        "BBC",
        ["bbc.co.uk", "bbc.com"],
    )


def test_a_revert_over_a_later_change_of_the_same_field_is_409(
    client: FlaskClient, maintainers: dict[str, str]
) -> None:
    first = _apply(client, maintainers, bias="lean-left")
    _apply(client, maintainers, bias="center")
    answer = client.post(
        f"/api/v1/changes/{first['applied'][0]}/revert",
        json={"reason": REASON},
        headers=auth(maintainers["cat"]),
    )
    assert answer.status_code == 409
    assert answer.get_json()["fields"] == ["bias"]


# --- audit chain ------------------------------------------------------------------------------


def test_audit_verify_passes_on_an_untouched_chain(
    runner: FlaskCliRunner, client: FlaskClient, maintainers: dict[str, str]
) -> None:
    _apply(client, maintainers, bias="lean-left")
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "holds" in result.output


def test_audit_verify_detects_a_row_changed_behind_its_back(
    app: Flask, runner: FlaskCliRunner, client: FlaskClient, maintainers: dict[str, str]
) -> None:
    applied = _apply(client, maintainers, bias="lean-left")
    engine = get_services(app).engine
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":  # only the table's owner can lift the guard
            conn.execute(
                text("ALTER TABLE rating_change DISABLE TRIGGER rating_change_append_only")
            )
        conn.execute(
            text("UPDATE rating_change SET reason = 'nothing to see' WHERE id = :id"),
            {"id": applied["applied"][0]},
        )
        if conn.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE rating_change ENABLE TRIGGER rating_change_append_only"))
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"row {applied['applied'][0]}: its content does not match" in result.output


def test_postgresql_refuses_update_and_delete_of_the_audit_trail(
    app: Flask, client: FlaskClient, maintainers: dict[str, str]
) -> None:
    engine = get_services(app).engine
    if engine.dialect.name != "postgresql":
        pytest.skip("the trigger is PostgreSQL's")
    _apply(client, maintainers, bias="lean-left")
    for statement in ("UPDATE rating_change SET reason = 'x'", "DELETE FROM rating_change"):
        with pytest.raises(Exception, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))
    assert audit_rows(app)


# --- imports as change sets -------------------------------------------------------------------


def _changed_file(tmp_path: Any) -> Any:
    source = (DATA / "outlets_small.csv").read_text(encoding="utf-8")
    path = tmp_path / "outlets.csv"
    path.write_text(
        source.replace(
            "bbc-news,BBC News,bbc.co.uk bbc.com,https://www.bbc.co.uk/news,GB,en,center,high",
            "bbc-news,BBC News,bbc.co.uk bbc.com,https://www.bbc.co.uk/news,GB,en,lean-left,mixed",
        ),
        encoding="utf-8",
    )
    return path


def test_a_dry_run_import_prints_the_diff_and_changes_nothing(
    app: Flask, runner: FlaskCliRunner, maintainers: dict[str, str], tmp_path: Any
) -> None:
    rows = len(audit_rows(app))
    result = runner.invoke(
        args=["outlets", "import", str(_changed_file(tmp_path)), "--update", "--dry-run"]
    )
    assert result.exit_code == 0, result.output
    assert "bbc-news" in result.output
    assert "bias: 'center' → 'lean-left'" in result.output
    assert "factuality: 'high' → 'mixed'" in result.output
    assert "nothing was written" in result.output
    assert outlet_row(app, "bbc-news").bias == "center"
    assert len(audit_rows(app)) == rows


def test_an_import_with_one_bad_row_changes_nothing_and_names_the_row(
    app: Flask, runner: FlaskCliRunner, maintainers: dict[str, str], tmp_path: Any
) -> None:
    path = _changed_file(tmp_path)
    path.write_text(path.read_text() + "bad,Bad,bad.example,,,,sideways,,,,,,,,\n")
    result = runner.invoke(args=["outlets", "import", str(path), "--update"])
    assert result.exit_code == 1
    assert "column bias: unknown label 'sideways'" in result.output and "row " in result.output
    assert outlet_row(app, "bbc-news").bias == "center"


def test_an_import_is_one_change_set_with_its_file_hash_and_reverts_whole(
    app: Flask,
    runner: FlaskCliRunner,
    client: FlaskClient,
    maintainers: dict[str, str],
    tmp_path: Any,
) -> None:
    import hashlib

    path = _changed_file(tmp_path)
    result = runner.invoke(args=["outlets", "import", str(path), "--update"])
    assert result.exit_code == 0, result.output
    row = audit_rows(app)[-1]
    assert row.change_set and row.details == {
        "file": "outlets.csv",
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
    }
    revert = client.post(
        f"/api/v1/change-sets/{row.change_set}/revert",
        json={"reason": REASON},
        headers=auth(maintainers["ann"]),
    )
    assert revert.status_code == 201, revert.get_json()
    assert revert.get_json()["changes"] == {
        "bbc-news": {"bias": ["lean-left", "center"], "factuality": ["mixed", "high"]}
    }
    client.post(
        f"/api/v1/proposals/{revert.get_json()['id']}/approve", headers=auth(maintainers["ben"])
    )
    outlet = outlet_row(app, "bbc-news")
    assert (outlet.bias, outlet.factuality) == ("center", "high")


# --- history and queues -----------------------------------------------------------------------

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_public_history_shows_reasons_never_notes_and_escapes_text(
    client: FlaskClient, maintainers: dict[str, str]
) -> None:
    body = {
        "changes": {"bias": "lean-left"},
        "reason": f"Hostile but long enough reason: {HOSTILE}",
        "evidence": EVIDENCE,
        "note": "secret internal note",
    }
    made = client.post(
        "/api/v1/outlets/bbc-news/proposals", json=body, headers=auth(maintainers["ann"])
    )
    client.post(
        f"/api/v1/proposals/{made.get_json()['id']}/approve", headers=auth(maintainers["ben"])
    )
    api = client.get("/api/v1/outlets/bbc-news/history").get_json()
    assert api["changes"][0]["reason"].endswith(HOSTILE)
    assert api["changes"][0]["proposer"] == "Ann" and api["changes"][0]["approvers"] == ["Ben"]
    page = client.get("/outlets/bbc-news/history").get_data(as_text=True)
    atom = client.get("/outlets/bbc-news/history.atom")
    assert atom.mimetype == "application/atom+xml"
    for text_ in (page, atom.get_data(as_text=True)):
        assert "secret internal note" not in text_ and "secret" not in text_
        assert "<script>" not in text_ and "&lt;script&gt;" in text_
        assert EVIDENCE[0]["url"] in text_
    assert client.get("/api/v1/outlets/nobody/history").status_code == 404


def test_feedback_queue_lists_new_feedback_for_tokens_only(
    client: FlaskClient, maintainers: dict[str, str]
) -> None:
    client.post(
        "/api/v1/feedback",
        json={"outlet": "bbc-news", "message": HOSTILE, "suggested_bias": "lean-left"},
    )
    assert client.get("/api/v1/feedback?status=new").status_code == 401
    listed = client.get("/api/v1/feedback?status=new", headers=auth(maintainers["ann"])).get_json()
    assert [item["message"] for item in listed["feedback"]] == [HOSTILE]
    assert (
        client.get("/api/v1/feedback?status=odd", headers=auth(maintainers["ann"])).status_code
        == 422
    )
    proposals = client.get("/api/v1/proposals?status=proposed", headers=auth(maintainers["ann"]))
    assert proposals.get_json() == {"proposals": []}


# --- retiring ---------------------------------------------------------------------------------


def test_retiring_an_outlet_keeps_every_value_and_a_revert_restores_it(
    app: Flask, client: FlaskClient, maintainers: dict[str, str]
) -> None:
    before = client.get("/api/v1/outlets/bbc-news").get_json()
    body = {"retire": True, "reason": "The outlet closed its news service this month."}
    made = client.post(
        "/api/v1/outlets/bbc-news/proposals", json=body, headers=auth(maintainers["ann"])
    )
    assert made.status_code == 201 and made.get_json()["kind"] == "retire"
    done = client.post(
        f"/api/v1/proposals/{made.get_json()['id']}/approve", headers=auth(maintainers["ben"])
    )
    assert done.get_json()["status"] == "applied"
    assert client.get("/api/v1/outlets/bbc-news").status_code == 404
    kept = client.get("/api/v1/outlets/bbc-news/history").get_json()["changes"][0]
    assert kept["changes"]["rules"] == [["bbc.co.uk", "bbc.com"], None]
    assert kept["changes"]["owner"] == ["BBC", None]
    revert = client.post(
        f"/api/v1/changes/{kept['id']}/revert",
        json={"reason": "The closure was announced but then cancelled."},
        headers=auth(maintainers["cat"]),
    )
    assert revert.status_code == 201, revert.get_json()
    client.post(
        f"/api/v1/proposals/{revert.get_json()['id']}/approve", headers=auth(maintainers["ann"])
    )
    after = client.get("/api/v1/outlets/bbc-news").get_json()
    same = ("name", "bias", "factuality", "owner", "rules", "feeds", "reviewed", "paywall")
    assert {k: after[k] for k in same} == {k: before[k] for k in same}


def test_an_outlet_changed_by_another_worker_mid_approval_is_409_not_500(
    app: Flask, client: FlaskClient, maintainers: dict[str, str]
) -> None:
    """A worker that read the outlet before another committed a change writes nothing."""
    from server import accounts, curation

    first = propose(client, maintainers["ann"]).get_json()
    second = propose(client, maintainers["cat"], factuality="mixed").get_json()
    sessions = get_services(app).sessions
    with sessions() as slow:
        slow.scalar(select(Outlet).where(Outlet.slug == "bbc-news"))  # read before the change
        client.post(f"/api/v1/proposals/{first['id']}/approve", headers=auth(maintainers["ben"]))
        ben = accounts.find_user(slow, "ben")
        assert ben is not None
        with pytest.raises(curation.Conflict):
            curation.approve(slow, ben, second["id"])
        slow.rollback()
    assert outlet_row(app, "bbc-news").factuality == "high"


def test_a_restored_outlet_gets_its_stored_articles_back(
    app: Flask,
    client: FlaskClient,
    runner: FlaskCliRunner,
    maintainers: dict[str, str],
    tmp_path: Path,
) -> None:
    url = "https://www.bbc.co.uk/news/articles/harbour-bridge"
    stored = tmp_path / "one.jsonl"
    title = "Sydney harbour bridge closed after crane collapse"
    stored.write_text(json.dumps({"url": url, "title": title}) + "\n")
    assert runner.invoke(args=["ingest", "file", str(stored)]).exit_code == 0

    def center() -> int:
        story = client.get("/api/v1/lookup", query_string={"url": url}).get_json()["story"]
        return int(story["bias_split"]["center"])

    assert center() == 1
    body = {"retire": True, "reason": "The outlet closed its news service this month."}
    made = client.post(
        "/api/v1/outlets/bbc-news/proposals", json=body, headers=auth(maintainers["ann"])
    ).get_json()
    client.post(f"/api/v1/proposals/{made['id']}/approve", headers=auth(maintainers["ben"]))
    kept = client.get("/api/v1/outlets/bbc-news/history").get_json()["changes"][0]
    revert = client.post(
        f"/api/v1/changes/{kept['id']}/revert",
        json={"reason": "The closure was announced but then cancelled."},
        headers=auth(maintainers["cat"]),
    ).get_json()
    client.post(f"/api/v1/proposals/{revert['id']}/approve", headers=auth(maintainers["ann"]))
    assert center() == 1  # counted as the BBC again, not as an unrated site
