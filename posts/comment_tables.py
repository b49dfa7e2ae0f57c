"""The dialogue's tables: comments under published posts, the artisan's replies, and when
the daemon next looks for new ones (beside ``posts.models``, whose ``Base`` they share)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from posts.models import Base, UTCDateTime


class Comment(Base):
    """A comment or reply under a post Costanza published, as the network last showed it.

    One row per (network, remote id), however often it is fetched. ``mine`` marks what
    the account itself wrote (Costanza's replies, or an answer given from the phone).
    A comment gone from the network keeps its row, with ``deleted_at``."""

    __tablename__ = "comments"
    __table_args__ = (UniqueConstraint("network", "remote_id"),
                      Index("ix_comments_profile_waiting", "profile_id", "answered_at",
                            "written_at"),
                      Index("ix_comments_delivery", "delivery_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    profile_id: Mapped[int] = mapped_column(Integer)
    post_id: Mapped[int] = mapped_column(Integer)
    delivery_id: Mapped[int] = mapped_column(Integer)
    network: Mapped[str] = mapped_column(String(16))
    remote_id: Mapped[str] = mapped_column(String(128))
    # The comment this one answers (its remote id, and its row when we have it).
    parent_remote_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    parent_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    author_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    author_handle: Mapped[str | None] = mapped_column(String(200), nullable=True)
    text: Mapped[str] = mapped_column(Text, default="")
    mine: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    written_at: Mapped[datetime] = mapped_column(UTCDateTime)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


# A reply's states: queued (intent committed, not sent), sending (claimed; the call may be
# on its way), unknown (sent, no clear answer: looked up before any new send), retry (not
# taken by the network: sent again at ``due_at``), sent, failed (refused for good, with
# the reason).
REPLY_STATES = ("queued", "sending", "unknown", "retry", "sent", "failed")


class CommentReply(Base):
    """An answer the artisan wrote to a comment, with a post's guarantees: the intent is
    committed before anything is sent, an unknown outcome is looked up on the network
    before any new send, and it is never sent twice."""

    __tablename__ = "comment_replies"
    __table_args__ = (Index("ix_comment_replies_state_due", "state", "due_at"),
                      Index("ix_comment_replies_comment", "comment_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    profile_id: Mapped[int] = mapped_column(Integer)
    network: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default="queued")
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lease_owner: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # When the first send was about to go out: a lookup on the network looks after it.
    intent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # When the latest send left, at the latest: "not found" proves nothing until the
    # network's settle period since then has passed (see posts.settle).
    last_send_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    remote_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    # What holds it besides the network, when something does ("x_budget": the month's
    # X budget is reached); ``release`` lets those go by it.
    hold_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CommentWatch(Base):
    """When the daemon next looks for comments under one published delivery: often while
    the post is new, rarely later, never after ``[comments] max_age_days``."""

    __tablename__ = "comment_watch"
    __table_args__ = (Index("ix_comment_watch_next", "next_fetch_at"),)

    delivery_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    profile_id: Mapped[int] = mapped_column(Integer)
    network: Mapped[str] = mapped_column(String(16))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime)
    next_fetch_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_fetch_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    fetches: Mapped[int] = mapped_column(Integer, default=0)
    # Why the last fetch did not complete, in plain words (a lost permission, a limit).
    problem: Mapped[str | None] = mapped_column(Text, nullable=True)
    problem_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # A fetcher is reading the post until then (``take_watch``); cleared when it is done.
    taken_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
