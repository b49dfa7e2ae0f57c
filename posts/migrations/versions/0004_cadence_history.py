"""cadence_history: the slots and time zone each profile had, and since when

The report judges each past week by the cadence in effect then. Every existing profile
starts its history with what it has now, since its creation.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 03:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import posts.models

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    history = op.create_table(
        "cadence_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("profile_id", sa.Integer(), nullable=False),
        sa.Column("since", posts.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("slots", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["profile_id"], ["profiles.id"],
                                name=op.f("fk_cadence_history_profile_id_profiles"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cadence_history")),
    )
    op.create_index("ix_cadence_history_profile_since", "cadence_history",
                    ["profile_id", "since"])
    _backfill(history)


def _backfill(history: sa.Table) -> None:
    """One row per profile: its current slots and time zone, since its creation."""
    profiles = sa.table("profiles", sa.column("id", sa.Integer()),
                        sa.column("timezone", sa.String()),
                        sa.column("created_at", posts.models.UTCDateTime(timezone=True)))
    slots = sa.table("cadence_slots", sa.column("profile_id", sa.Integer()),
                     sa.column("weekday", sa.Integer()), sa.column("minute", sa.Integer()))
    bind = op.get_bind()
    by_profile: dict[int, list[list[int]]] = {}
    for profile_id, weekday, minute in bind.execute(
            sa.select(slots.c.profile_id, slots.c.weekday, slots.c.minute)
            .order_by(slots.c.profile_id, slots.c.weekday, slots.c.minute)):
        by_profile.setdefault(profile_id, []).append([weekday, minute])
    rows = [{"profile_id": profile_id, "since": created_at, "timezone": timezone,
             "slots": by_profile.get(profile_id, [])}
            for profile_id, timezone, created_at in bind.execute(
                sa.select(profiles.c.id, profiles.c.timezone, profiles.c.created_at)
                .order_by(profiles.c.id))]
    if rows:
        op.bulk_insert(history, rows)


def downgrade() -> None:
    op.drop_index("ix_cadence_history_profile_since", table_name="cadence_history")
    op.drop_table("cadence_history")
