"""accounts.rate_limited_until: a rate limit that holds for every daemon

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 19:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import posts.models

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rate_limited_until",
                                      posts.models.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_column("rate_limited_until")
