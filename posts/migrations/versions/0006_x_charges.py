"""x_charges: the ledger of what X calls cost, for `costanza costs` and the monthly budget

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 15:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import posts.models

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "x_charges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("profile_id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("part", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("amount_micro", sa.BigInteger(), nullable=False),
        sa.Column("prices_of", sa.String(length=16), nullable=False),
        sa.Column("remote_id", sa.String(length=128), nullable=True),
        sa.Column("charged_at", posts.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_x_charges")),
        sa.UniqueConstraint("delivery_id", "part", name=op.f("uq_x_charges_delivery_id")),
    )
    op.create_index("ix_x_charges_profile_at", "x_charges", ["profile_id", "charged_at"])


def downgrade() -> None:
    op.drop_index("ix_x_charges_profile_at", table_name="x_charges")
    op.drop_table("x_charges")
