"""maintainers' workspace: users, tokens, proposals, reviews, feedback triage, audit chain

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02

Existing ``rating_change`` rows are chained in id order (server/audit.py), so the whole
trail is verifiable from its first row. On PostgreSQL a trigger refuses UPDATE and DELETE
on ``rating_change``: the audit trail is append-only in the database itself.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from server.audit import GENESIS, link_hash
from server.models import UTCDateTime

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY_FUNCTION = """
CREATE FUNCTION rating_change_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'rating_change is append-only: % is refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql
"""
APPEND_ONLY_TRIGGER = """
CREATE TRIGGER rating_change_append_only BEFORE UPDATE OR DELETE ON rating_change
FOR EACH ROW EXECUTE FUNCTION rating_change_append_only()
"""


def upgrade() -> None:
    op.create_table(
        "app_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("display_name", sa.String(length=120), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("session_epoch", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=True),
        sa.Column("last_used_at", UTCDateTime(), nullable=True),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_token_user_id"), ["user_id"], unique=False)

    op.create_table(
        "proposal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("outlet_slug", sa.String(length=80), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("base", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("basis", sa.String(length=40), nullable=False),
        sa.Column("confidence", sa.String(length=8), nullable=False),
        sa.Column("methodology", sa.String(length=40), nullable=False),
        sa.Column("internal_note", sa.Text(), nullable=True),
        sa.Column("approvals_needed", sa.Integer(), nullable=False),
        sa.Column("reverts", sa.Integer(), nullable=True),
        sa.Column("reverts_set", sa.String(length=80), nullable=True),
        sa.Column("proposer_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["proposer_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("proposal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_proposal_outlet_slug"), ["outlet_slug"], unique=False)
        batch_op.create_index(batch_op.f("ix_proposal_status"), ["status"], unique=False)

    op.create_table(
        "proposal_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=8), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposal.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("proposal_id", "user_id", name="uq_review_once"),
    )
    with op.batch_alter_table("proposal_review", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_proposal_review_proposal_id"), ["proposal_id"], unique=False
        )

    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("status", sa.String(length=16), server_default="new", nullable=False)
        )
        batch_op.add_column(sa.Column("triage_note", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("triaged_by", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("triaged_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("proposal_id", sa.Integer(), nullable=True))

    with op.batch_alter_table("rating_change", schema=None) as batch_op:
        batch_op.add_column(sa.Column("proposal_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("change_set", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("details", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=True))

    _chain_existing_rows()

    with op.batch_alter_table("rating_change", schema=None) as batch_op:
        batch_op.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint("uq_rating_change_prev_hash", ["prev_hash"])
        batch_op.create_unique_constraint("uq_rating_change_hash", ["hash"])
        batch_op.create_index(
            batch_op.f("ix_rating_change_proposal_id"), ["proposal_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_rating_change_change_set"), ["change_set"], unique=False
        )

    if op.get_bind().dialect.name == "postgresql":
        op.execute(APPEND_ONLY_FUNCTION)
        op.execute(APPEND_ONLY_TRIGGER)


def _chain_existing_rows() -> None:
    """Give the rows written before this revision their place in the chain, in id order."""
    table = sa.table(
        "rating_change",
        sa.column("id", sa.Integer()),
        sa.column("outlet_slug", sa.String()),
        sa.column("changed_at", UTCDateTime()),
        sa.column("actor", sa.String()),
        sa.column("changes", sa.JSON()),
        sa.column("reason", sa.Text()),
        sa.column("source_url", sa.String()),
        sa.column("proposal_id", sa.Integer()),
        sa.column("change_set", sa.String()),
        sa.column("details", sa.JSON()),
        sa.column("prev_hash", sa.String()),
        sa.column("hash", sa.String()),
    )
    bind = op.get_bind()
    prev = GENESIS
    for row in bind.execute(sa.select(table).order_by(table.c.id)).mappings().all():
        row_hash = link_hash(prev, dict(row))
        bind.execute(
            table.update().where(table.c.id == row["id"]).values(prev_hash=prev, hash=row_hash)
        )
        prev = row_hash


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER rating_change_append_only ON rating_change")
        op.execute("DROP FUNCTION rating_change_append_only()")
    with op.batch_alter_table("rating_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rating_change_change_set"))
        batch_op.drop_index(batch_op.f("ix_rating_change_proposal_id"))
        batch_op.drop_constraint("uq_rating_change_hash", type_="unique")
        batch_op.drop_constraint("uq_rating_change_prev_hash", type_="unique")
        for column in ("hash", "prev_hash", "details", "change_set", "proposal_id"):
            batch_op.drop_column(column)
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        for column in ("proposal_id", "triaged_at", "triaged_by", "triage_note", "status"):
            batch_op.drop_column(column)
    op.drop_table("proposal_review")
    op.drop_table("proposal")
    op.drop_table("api_token")
    op.drop_table("app_user")
