"""comment_watch.taken_until (a post being read right now) and comment_replies.hold_code
(why a reply waits, when something other than the network holds it: the X budget)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import posts.models

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

UTC = posts.models.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.add_column("comment_watch", sa.Column("taken_until", UTC, nullable=True))
    op.add_column("comment_replies", sa.Column("hold_code", sa.String(length=32),
                                               nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("comment_replies") as batch:
        batch.drop_column("hold_code")
    with op.batch_alter_table("comment_watch") as batch:
        batch.drop_column("taken_until")
