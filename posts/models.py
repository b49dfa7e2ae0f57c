"""The queue's tables (SQLAlchemy 2).

All datetimes are stored in UTC (``UTCDateTime`` makes SQLite give them
back timezone-aware). Cadence slots are stored as wall-clock times in the
profile's IANA time zone, never as offsets, so daylight saving never moves them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored in UTC on every engine."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; pass an aware one")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Profile(Base):
    """One artisan: their time zone, cadence, accounts and queue."""

    __tablename__ = "profiles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    timezone: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    slots: Mapped[list[CadenceSlot]] = relationship(
        back_populates="profile", cascade="all, delete-orphan",
        order_by="(CadenceSlot.weekday, CadenceSlot.minute)")
    pauses: Mapped[list[Pause]] = relationship(
        back_populates="profile", cascade="all, delete-orphan")


class CadenceSlot(Base):
    """A weekly slot: a weekday (0 = Monday) and a wall-clock minute of the day."""

    __tablename__ = "cadence_slots"
    __table_args__ = (UniqueConstraint("profile_id", "weekday", "minute"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("profiles.id", ondelete="CASCADE"))
    weekday: Mapped[int] = mapped_column(Integer)
    minute: Mapped[int] = mapped_column(Integer)

    profile: Mapped[Profile] = relationship(back_populates="slots")


class CadenceChange(Base):
    """The cadence and time zone a profile had from ``since`` on (until the next change).

    ``slots`` is a list of [weekday, minute] pairs, weekday 0 = Monday.
    """

    __tablename__ = "cadence_history"
    __table_args__ = (Index("ix_cadence_history_profile_since", "profile_id", "since"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("profiles.id", ondelete="CASCADE"))
    since: Mapped[datetime] = mapped_column(UTCDateTime)
    timezone: Mapped[str] = mapped_column(String(64))
    slots: Mapped[list[list[int]]] = mapped_column(JSON)


class Pause(Base):
    """A pause: no slot between start_at and end_at (open-ended when end_at is empty) is used."""

    __tablename__ = "pauses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("profiles.id", ondelete="CASCADE"))
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    profile: Mapped[Profile] = relationship(back_populates="pauses")


class Account(Base):
    """A connected network account. Its secrets live outside the database."""

    __tablename__ = "accounts"
    __table_args__ = (UniqueConstraint("profile_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("profiles.id", ondelete="CASCADE"))
    network: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(100))
    remote_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    display_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # "ok", or "held" when the token expired or was revoked: deliveries wait.
    health: Mapped[str] = mapped_column(String(16), default="ok")
    health_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    # The network asked us to wait until then: no daemon publishes for it before.
    rate_limited_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Media(Base):
    """A photo or video in the content-addressed media store, keyed by its SHA-256."""

    __tablename__ = "media"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))  # "photo" or "video"
    format: Mapped[str] = mapped_column(String(16))  # jpeg, png, webp, heic, mp4, mov...
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    store_path: Mapped[str] = mapped_column(String(200))  # relative to the media folder
    original_name: Mapped[str] = mapped_column(Text)
    probe: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Post(Base):
    """A story in the queue, to go out on one or more networks."""

    __tablename__ = "posts"
    __table_args__ = (Index("ix_posts_profile_state_position", "profile_id", "state", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("profiles.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text, default="")
    # {"x": "...", "instagram": "...", "facebook": "..."} per-network text overrides.
    texts: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    targets: Mapped[list[str]] = mapped_column(JSON)
    first_comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    category: Mapped[str | None] = mapped_column(String(100), nullable=True)
    thread: Mapped[bool] = mapped_column(Boolean, default=False)
    fit: Mapped[str | None] = mapped_column(String(8), nullable=True)
    # The per-network verdicts worked out when the post was added or last edited:
    # {"x": {"status": "fit", "notes": [...], "problems": []}, ...}
    checks: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # "queued" (waiting for a slot), "dispatched" (deliveries exist), "removed".
    state: Mapped[str] = mapped_column(String(16), default="queued")
    position: Mapped[int] = mapped_column(BigInteger)
    pinned_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Pinned by `post now`: it goes out as soon as the daemon gets to it, so it is never
    # "late" for being picked up a moment (or a daemon start) after its pinned time.
    asap: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    slot_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    media: Mapped[list[PostMedia]] = relationship(
        back_populates="post", cascade="all, delete-orphan", order_by="PostMedia.position")
    deliveries: Mapped[list[Delivery]] = relationship(
        back_populates="post", order_by="Delivery.network")

    def text_for(self, network: str) -> str:
        return (self.texts or {}).get(network) or self.text


class PostMedia(Base):
    __tablename__ = "post_media"

    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"),
                                         primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    media_sha256: Mapped[str] = mapped_column(ForeignKey("media.sha256"))
    alt_text: Mapped[str | None] = mapped_column(Text, nullable=True)

    post: Mapped[Post] = relationship(back_populates="media")
    item: Mapped[Media] = relationship(lazy="joined")


# Delivery states after which nothing is ever sent again (posts.deliveries has the
# life cycle).
TERMINAL_DELIVERY_STATES = ("published", "cancelled")


class Delivery(Base):
    """One post on one network, and where it stands in its life cycle."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("post_id", "network"),
        Index("ix_deliveries_state_due_id", "state", "due_at", "id"),  # the claim order
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    profile_id: Mapped[int] = mapped_column(ForeignKey("profiles.id", ondelete="CASCADE"))
    network: Mapped[str] = mapped_column(String(16))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"),
                                                   nullable=True)
    # queued, claimed, publishing, published, retry_wait, failed, unknown, needs_review, held
    state: Mapped[str] = mapped_column(String(16), default="queued")
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lease_owner: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    fencing_token: Mapped[int] = mapped_column(BigInteger, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Remote ids known so far (containers, media ids, unpublished photos...).
    progress: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    remote_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    permalink: Mapped[str | None] = mapped_column(Text, nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    intent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    post: Mapped[Post] = relationship(back_populates="deliveries")


class Attempt(Base):
    """One try at a delivery, kept for the publish log."""

    __tablename__ = "attempts"
    __table_args__ = (Index("ix_attempts_started", "started_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("deliveries.id", ondelete="CASCADE"))
    profile_id: Mapped[int] = mapped_column(Integer)
    post_id: Mapped[int] = mapped_column(Integer)
    network: Mapped[str] = mapped_column(String(16))
    account_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    action: Mapped[str] = mapped_column(String(32))  # publish, reconcile, retry...
    outcome: Mapped[str] = mapped_column(String(16))  # published, retry, failed, unknown...
    http_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    message: Mapped[str | None] = mapped_column(Text, nullable=True)
    remote_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    permalink: Mapped[str | None] = mapped_column(Text, nullable=True)
    daemon_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)


class XCharge(Base):
    """What one X call cost, for `costanza costs` and the monthly budget. One row per
    delivery and part, never two: retries and reconciliations that find the same post
    again, or a fetch recorded twice, add nothing.

    ``part`` says which call: 0, 1, 2... a post created (each part of a thread is one);
    ``1_000_000 + reply id`` a reply written under the post with `costanza reply` (a post
    too); a negative part ``-fetch_number`` the posts one fetch of the post's comments read
    (kind ``read``, ``quantity`` posts read; ``posts.x_ledger.record_reads``), and below
    ``-1_000_000`` the posts read to look a reply up after an unknown outcome
    (``posts.x_ledger.record_lookup``)."""

    __tablename__ = "x_charges"
    __table_args__ = (UniqueConstraint("delivery_id", "part"),
                      Index("ix_x_charges_profile_at", "profile_id", "charged_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    profile_id: Mapped[int] = mapped_column(Integer)
    post_id: Mapped[int] = mapped_column(Integer)
    delivery_id: Mapped[int] = mapped_column(Integer)
    part: Mapped[int] = mapped_column(Integer)  # 0, or the part of a thread (0, 1, 2...)
    kind: Mapped[str] = mapped_column(String(32))  # post, post_with_url, read (x_prices)
    # How many of the kind this row charges: 1 for a post, the posts read for a read.
    quantity: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    amount_micro: Mapped[int] = mapped_column(BigInteger)  # US dollars x 1,000,000
    prices_of: Mapped[str] = mapped_column(String(16))  # the price table's date, or "config"
    remote_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    charged_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DaemonBeat(Base):
    """A running (or once running) daemon and its heartbeat."""

    __tablename__ = "daemons"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    hostname: Mapped[str] = mapped_column(String(200))
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_wake_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    next_wake_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Lock(Base):
    """Named singleton locks (the SQLite one-daemon rule)."""

    __tablename__ = "locks"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    owner: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Notification(Base):
    """An outbox of messages for the artisan (email, webhook), sent and retried apart
    from publishing so that a mail server that is down never blocks the daemon."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_pending", "sent_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    profile_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    kind: Mapped[str] = mapped_column(String(32))  # failed, needs_review, held, runway
    # A key that makes the same event notify once (e.g. "runway:2026-12-19").
    dedupe_key: Mapped[str | None] = mapped_column(String(200), nullable=True, unique=True)
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Per channel: {"email": "sent" | "error text", "webhook": ...}
    channels: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

