"""Fast, read-only views of the queue for `post list` and `queue`.

These run on every listing, so they use SQL through SQLAlchemy Core only: no
ORM, no Alembic, no media or network libraries get imported. Writing goes
through ``posts.queue``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

from config.errors import NotFound
from config.i18n import _


def aware_utc(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@dataclass(frozen=True)
class ProfileView:
    id: int
    name: str
    timezone: str
    slots: list[tuple[int, int]]
    pauses: list[tuple[datetime, datetime | None]]


@dataclass(frozen=True)
class QueuedRow:
    id: int
    text: str
    targets: list[str]
    pinned_at: datetime | None
    asap: bool  # pinned by `post now`
    position: int
    checks: dict[str, Any]
    photos: int
    videos: int
    category: str | None


def profile_not_found(name: str) -> NotFound:
    return NotFound(_(
        "There is no profile called '{name}'. Run `costanza init --profile {name}` "
        "to create it, or leave out --profile to use the default one."
    ).format(name=name))


def load_profile(conn: Connection, name: str) -> ProfileView:
    row = conn.execute(text("SELECT id, name, timezone FROM profiles WHERE name = :n"),
                       {"n": name}).first()
    if row is None:
        raise profile_not_found(name)
    slots = [(r[0], r[1]) for r in conn.execute(text(
        "SELECT weekday, minute FROM cadence_slots WHERE profile_id = :p "
        "ORDER BY weekday, minute"), {"p": row[0]})]
    pauses = [(aware_utc(r[0]), aware_utc(r[1])) for r in conn.execute(text(
        "SELECT start_at, end_at FROM pauses WHERE profile_id = :p ORDER BY start_at"),
        {"p": row[0]})]
    return ProfileView(row[0], row[1], row[2], slots,
                       [(s, e) for s, e in pauses if s is not None])


def last_used(conn: Connection, profile_id: int) -> datetime | None:
    return aware_utc(conn.execute(text(
        "SELECT max(slot_at) FROM posts WHERE profile_id = :p AND state != 'queued' "
        "AND pinned_at IS NULL"), {"p": profile_id}).scalar())


def queue_order(conn: Connection,
                profile_id: int) -> list[tuple[int, datetime | None, bool]]:
    """(id, pinned_at, asap) of the queued posts, in queue order: all that planning needs."""
    return [(r[0], aware_utc(r[1]) if r[1] else None, bool(r[2])) for r in conn.exec_driver_sql(
        f"SELECT id, pinned_at, asap FROM posts WHERE profile_id = {int(profile_id)} "
        "AND state = 'queued' ORDER BY position, id").fetchall()]


def queued(conn: Connection, profile_id: int,
           only: list[int] | None = None) -> list[QueuedRow]:
    """The queued posts in queue order (only those in ``only``, when given)."""
    if only == []:
        return []
    among = "" if only is None else f" AND p.id IN ({','.join(str(int(i)) for i in only)})"
    counts: dict[int, list[int]] = {}
    for post_id, kind, n in conn.execute(text(
            "SELECT pm.post_id, m.kind, count(*) FROM post_media pm "
            "JOIN media m ON m.sha256 = pm.media_sha256 "
            "JOIN posts p ON p.id = pm.post_id "
            f"WHERE p.profile_id = :p AND p.state = 'queued'{among} "
            "GROUP BY pm.post_id, m.kind"), {"p": profile_id}):
        pair = counts.setdefault(post_id, [0, 0])
        pair[0 if kind == "photo" else 1] += n
    # The driver's cursor directly: this is the hot path of a 10,000-post listing.
    rows = conn.exec_driver_sql(
        "SELECT p.id, p.text, p.targets, p.pinned_at, p.asap, p.position, p.checks, "
        "p.category "
        f"FROM posts p WHERE p.profile_id = {int(profile_id)} AND p.state = 'queued'{among} "
        "ORDER BY p.position, p.id"
    ).fetchall()
    parsed: dict[Any, Any] = {}  # targets and checks repeat a lot: parse each text once

    def cached(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        found = parsed.get(value)
        if found is None:
            found = parsed[value] = json.loads(value)
        return found

    result = []
    for r in rows:
        photos, videos = counts.get(r[0], (0, 0))
        result.append(QueuedRow(r[0], r[1], cached(r[2]), aware_utc(r[3]) if r[3] else None,
                                bool(r[4]), r[5], cached(r[6]) or {}, photos, videos, r[7]))
    return result
