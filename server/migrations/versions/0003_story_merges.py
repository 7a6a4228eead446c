"""story merges: an absorbed story's id keeps answering with the story that absorbed it

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02

Adds ``story_merge`` (absorbed story -> kept story, when). Existing stories were clustered
without merging, so no row is written for them; nothing else changes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from server.models import UTCDateTime

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "story_merge",
        sa.Column("absorbed_id", sa.Integer(), nullable=False),
        sa.Column("kept_id", sa.Integer(), nullable=False),
        sa.Column("merged_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["absorbed_id"], ["story.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["kept_id"], ["story.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("absorbed_id"),
    )
    with op.batch_alter_table("story_merge", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_story_merge_kept_id"), ["kept_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("story_merge", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_story_merge_kept_id"))
    op.drop_table("story_merge")
