"""comments, comment_replies, comment_watch: the dialogue under published posts
(and x_charges.quantity: the posts one fetch of the comments read)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 21:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import posts.models

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

UTC = posts.models.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("profile_id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("network", sa.String(length=16), nullable=False),
        sa.Column("remote_id", sa.String(length=128), nullable=False),
        sa.Column("parent_remote_id", sa.String(length=128), nullable=True),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("author_name", sa.String(length=200), nullable=True),
        sa.Column("author_handle", sa.String(length=200), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("mine", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("written_at", UTC, nullable=False),
        sa.Column("fetched_at", UTC, nullable=False),
        sa.Column("read_at", UTC, nullable=True),
        sa.Column("answered_at", UTC, nullable=True),
        sa.Column("hidden_at", UTC, nullable=True),
        sa.Column("deleted_at", UTC, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comments")),
        sa.UniqueConstraint("network", "remote_id", name=op.f("uq_comments_network")),
    )
    op.create_index("ix_comments_profile_waiting", "comments",
                    ["profile_id", "answered_at", "written_at"])
    op.create_index("ix_comments_delivery", "comments", ["delivery_id"])
    op.create_table(
        "comment_replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("profile_id", sa.Integer(), nullable=False),
        sa.Column("network", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("due_at", UTC, nullable=False),
        sa.Column("lease_owner", sa.String(length=64), nullable=True),
        sa.Column("lease_expires_at", UTC, nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("intent_at", UTC, nullable=True),
        sa.Column("last_send_at", UTC, nullable=True),
        sa.Column("remote_id", sa.String(length=128), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("sent_at", UTC, nullable=True),
        sa.Column("updated_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["comment_id"], ["comments.id"], ondelete="CASCADE",
                                name=op.f("fk_comment_replies_comment_id_comments")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comment_replies")),
    )
    op.create_index("ix_comment_replies_state_due", "comment_replies", ["state", "due_at"])
    op.create_index("ix_comment_replies_comment", "comment_replies", ["comment_id"])
    op.create_table(
        "comment_watch",
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("profile_id", sa.Integer(), nullable=False),
        sa.Column("network", sa.String(length=16), nullable=False),
        sa.Column("published_at", UTC, nullable=False),
        sa.Column("next_fetch_at", UTC, nullable=True),
        sa.Column("last_fetch_at", UTC, nullable=True),
        sa.Column("fetches", sa.Integer(), nullable=False),
        sa.Column("problem", sa.Text(), nullable=True),
        sa.Column("problem_code", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("delivery_id", name=op.f("pk_comment_watch")),
    )
    op.create_index("ix_comment_watch_next", "comment_watch", ["next_fetch_at"])
    op.add_column("x_charges", sa.Column("quantity", sa.Integer(), server_default="1",
                                         nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("x_charges") as batch:
        batch.drop_column("quantity")
    op.drop_index("ix_comment_watch_next", table_name="comment_watch")
    op.drop_table("comment_watch")
    op.drop_index("ix_comment_replies_comment", table_name="comment_replies")
    op.drop_index("ix_comment_replies_state_due", table_name="comment_replies")
    op.drop_table("comment_replies")
    op.drop_index("ix_comments_delivery", table_name="comments")
    op.drop_index("ix_comments_profile_waiting", table_name="comments")
    op.drop_table("comments")
