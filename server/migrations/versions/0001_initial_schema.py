"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from server.models import UTCDateTime

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("outlet_slug", sa.String(length=80), nullable=True),
        sa.Column("url", sa.String(length=2048), nullable=True),
        sa.Column("suggested_bias", sa.String(length=16), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feedback_outlet_slug"), ["outlet_slug"], unique=False)

    op.create_table(
        "lookup_miss",
        sa.Column("domain", sa.String(length=253), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("last_seen", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("domain"),
    )
    op.create_table(
        "outlet",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("homepage", sa.String(length=500), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("bias", sa.String(length=16), nullable=True),
        sa.Column("bias_score", sa.Float(), nullable=True),
        sa.Column("factuality", sa.String(length=16), nullable=True),
        sa.Column("ownership", sa.String(length=16), nullable=True),
        sa.Column("owner", sa.String(length=200), nullable=True),
        sa.Column("paywall", sa.Boolean(), nullable=False),
        sa.Column("basis", sa.Text(), nullable=True),
        sa.Column("confidence", sa.String(length=8), nullable=True),
        sa.Column("reviewed", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("slug"),
    )
    op.create_table(
        "rating_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("outlet_slug", sa.String(length=80), nullable=False),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("source_url", sa.String(length=2048), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("rating_change", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rating_change_outlet_slug"), ["outlet_slug"], unique=False
        )

    op.create_table(
        "setting",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "story",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("first_seen", UTCDateTime(), nullable=False),
        sa.Column("last_seen", UTCDateTime(), nullable=False),
        sa.Column("article_count", sa.Integer(), nullable=False),
        sa.Column("outlet_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("story", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_story_first_seen"), ["first_seen"], unique=False)
        batch_op.create_index(batch_op.f("ix_story_last_seen"), ["last_seen"], unique=False)

    op.create_table(
        "article",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("url_key", sa.String(length=2048), nullable=False),
        sa.Column("domain", sa.String(length=253), nullable=False),
        sa.Column("outlet_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("published_at", UTCDateTime(), nullable=True),
        sa.Column("first_seen", UTCDateTime(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["outlet_id"], ["outlet.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["story_id"], ["story.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("url_key"),
    )
    with op.batch_alter_table("article", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_article_domain"), ["domain"], unique=False)
        batch_op.create_index(batch_op.f("ix_article_outlet_id"), ["outlet_id"], unique=False)
        batch_op.create_index("ix_article_published_at", ["published_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_article_story_id"), ["story_id"], unique=False)

    op.create_table(
        "feed",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("outlet_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("etag", sa.String(length=500), nullable=True),
        sa.Column("last_modified", sa.String(length=100), nullable=True),
        sa.Column("last_fetched_at", UTCDateTime(), nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["outlet_id"], ["outlet.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("url"),
    )
    with op.batch_alter_table("feed", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feed_outlet_id"), ["outlet_id"], unique=False)

    op.create_table(
        "outlet_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("outlet_id", sa.Integer(), nullable=False),
        sa.Column("host", sa.String(length=253), nullable=False),
        sa.Column("path", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["outlet_id"], ["outlet.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("host", "path", name="uq_outlet_rule_host_path"),
    )
    with op.batch_alter_table("outlet_rule", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outlet_rule_outlet_id"), ["outlet_id"], unique=False)

    op.create_table(
        "provider_rating",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("outlet_id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=40), nullable=False),
        sa.Column("bias", sa.String(length=16), nullable=True),
        sa.Column("factuality", sa.String(length=16), nullable=True),
        sa.Column("raw", sa.JSON(), nullable=True),
        sa.Column("source_url", sa.String(length=2048), nullable=True),
        sa.Column("rated_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["outlet_id"], ["outlet.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("outlet_id", "provider", name="uq_provider_rating"),
    )
    with op.batch_alter_table("provider_rating", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_provider_rating_outlet_id"), ["outlet_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("provider_rating", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_provider_rating_outlet_id"))

    op.drop_table("provider_rating")
    with op.batch_alter_table("outlet_rule", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outlet_rule_outlet_id"))

    op.drop_table("outlet_rule")
    with op.batch_alter_table("feed", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feed_outlet_id"))

    op.drop_table("feed")
    with op.batch_alter_table("article", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_article_story_id"))
        batch_op.drop_index("ix_article_published_at")
        batch_op.drop_index(batch_op.f("ix_article_outlet_id"))
        batch_op.drop_index(batch_op.f("ix_article_domain"))

    op.drop_table("article")
    with op.batch_alter_table("story", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_story_last_seen"))
        batch_op.drop_index(batch_op.f("ix_story_first_seen"))

    op.drop_table("story")
    op.drop_table("setting")
    with op.batch_alter_table("rating_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rating_change_outlet_slug"))

    op.drop_table("rating_change")
    op.drop_table("outlet")
    op.drop_table("lookup_miss")
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_outlet_slug"))

    op.drop_table("feedback")
