"""deliveries: the claim order (state, due_at, id) in one index

A claim takes the due deliveries of a state in (due_at, id) order: with the id in the
index, PostgreSQL reads the first few in order and stops, instead of sorting every due
delivery (thousands, when many are due at once) on every claim.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 01:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_deliveries_state_due", table_name="deliveries")
    op.create_index("ix_deliveries_state_due_id", "deliveries", ["state", "due_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_deliveries_state_due_id", table_name="deliveries")
    op.create_index("ix_deliveries_state_due", "deliveries", ["state", "due_at"])
