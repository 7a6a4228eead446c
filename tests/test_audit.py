"""The tamper-evident audit chain (server/audit.py, server/changelog.py, migration 0002)
and the token rules that need a clock (server/accounts.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select, text

from server import accounts
from server.audit import GENESIS, link_hash, verify
from server.changelog import verify_chain
from server.db import make_engine, upgrade
from server.models import ApiToken, RatingChange
from server.services import get_services

ROW = {
    "outlet_slug": "bbc-news",
    "changed_at": datetime(2026, 12, 1, 9, 30, tzinfo=UTC),
    "actor": "ann",
    "changes": {"bias": ["center", "lean-left"]},
    "reason": "Because the sample says so, in a sentence.",
}


def _chain(*contents: dict[str, object]) -> list[tuple[int, str, str, dict[str, object]]]:
    rows, prev = [], GENESIS
    for number, content in enumerate(contents, 1):
        row_hash = link_hash(prev, content)
        rows.append((number, prev, row_hash, content))
        prev = row_hash
    return rows


def test_an_intact_chain_verifies() -> None:
    assert verify(_chain(ROW, {**ROW, "actor": "ben"})) == []


def test_an_edited_row_is_named() -> None:
    rows = _chain(ROW, {**ROW, "actor": "ben"}, ROW)
    rows[1] = (*rows[1][:3], {**ROW, "actor": "eve"})
    assert [b.row_id for b in verify(rows)] == [2]


def test_a_deleted_row_breaks_the_next_link() -> None:
    rows = _chain(ROW, {**ROW, "actor": "ben"}, {**ROW, "actor": "cat"})
    del rows[1]
    breaks = verify(rows)
    assert [b.row_id for b in breaks] == [3] and "deleted" in breaks[0].problem


def test_the_hash_ignores_key_order_and_time_zones() -> None:
    moved = {k: ROW[k] for k in reversed(list(ROW))}
    moved["changed_at"] = datetime(2026, 12, 1, 10, 30, tzinfo=timezone(timedelta(hours=1)))
    assert link_hash(GENESIS, moved) == link_hash(GENESIS, ROW)


def test_migration_0002_chains_the_rows_written_before_it(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite'}")
    upgrade(engine, "0001")
    with engine.begin() as conn:
        for actor in ("cli", "parallax feeds add"):
            conn.execute(
                text(
                    "INSERT INTO rating_change (outlet_slug, changed_at, actor, changes, reason) "
                    "VALUES ('bbc-news', '2026-11-30 10:00:00.000000', :actor, "
                    "'{\"bias\": [null, \"center\"]}', 'import of outlets.csv')"
                ),
                {"actor": actor},
            )
    upgrade(engine)
    from sqlalchemy.orm import Session

    with Session(engine) as session:
        count, breaks = verify_chain(session)
        rows = session.scalars(select(RatingChange).order_by(RatingChange.id)).all()
    engine.dispose()
    assert (count, breaks) == (2, [])
    assert rows[0].prev_hash == GENESIS and rows[1].prev_hash == rows[0].hash


def test_audit_verify_finds_a_deleted_row_on_sqlite(
    app: Flask, runner: FlaskCliRunner, seeded: Flask
) -> None:
    engine = get_services(app).engine
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL refuses the delete itself (tested in test_curation)")
    with engine.begin() as conn:
        second = conn.scalar(text("SELECT id FROM rating_change ORDER BY id LIMIT 1 OFFSET 1"))
        conn.execute(text("DELETE FROM rating_change WHERE id = :id"), {"id": second})
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "a row was deleted, inserted or reordered" in result.output


def test_an_expired_token_and_a_disabled_users_token_stop_working(
    app: Flask, maintainers: dict[str, str]
) -> None:
    with get_services(app).sessions() as session:
        token, secret = accounts.create_token(session, "short", "ann", "propose", expires_days=1)
        assert accounts.check_token(session, secret) is not None
        later = datetime.now(UTC) + timedelta(days=2)
        assert accounts.check_token(session, secret, now=later) is None
        stored = session.get(ApiToken, token.id)
        assert stored is not None and stored.last_used_at is not None
        accounts.disable_user(session, "ben")
        assert accounts.check_token(session, maintainers["ben"]) is None
        assert accounts.check_token(session, "plx_" + "x" * 43) is None
        assert accounts.check_token(session, "not even a token") is None


def test_users_add_asks_for_the_password_twice(app: Flask, runner: FlaskCliRunner) -> None:
    password = "typed twice at a terminal"
    result = runner.invoke(
        args=["users", "add", "fay", "--role", "triager"], input=f"{password}\n{password}\n"
    )
    assert result.exit_code == 0, result.output
    with get_services(app).sessions() as session:
        assert accounts.authenticate(session, "fay", password) is not None
        assert accounts.authenticate(session, "fay", "typed once") is None
