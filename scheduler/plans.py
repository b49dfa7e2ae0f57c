"""The plan of one profile, derived from the database on demand.

Nothing about the plan is stored: the queue order, the pins, the cadence and
the pauses are read and ``scheduler.planner.plan`` works out which post takes
which slot. Editing the queue re-plans at once, by construction.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from posts import listing
from posts.models import Post, Profile
from scheduler.cadence import WeeklySlot
from scheduler.planner import Plan, QueuedPost, plan


def last_used_slot(db: Session, profile: Profile) -> datetime | None:
    """The latest cadence slot already taken by a dispatched post."""
    return listing.last_used(db.connection(), profile.id)


def profile_plan(db: Session, profile: Profile, now: datetime, grace: timedelta,
                 limit: int | None = None) -> Plan:
    rows = db.execute(
        select(Post.id, Post.pinned_at).where(Post.profile_id == profile.id,
                                              Post.state == "queued")
        .order_by(Post.position, Post.id)
    ).all()
    from costanza.clock import utc

    posts = [QueuedPost(id=r[0], pinned_at=utc(r[1]) if r[1] else None) for r in rows]
    slots = [WeeklySlot(s.weekday, s.minute) for s in profile.slots]
    pauses = [(p.start_at, p.end_at) for p in profile.pauses]
    return plan(posts, slots, ZoneInfo(profile.timezone), pauses, now, grace,
                last_used=last_used_slot(db, profile), limit=limit)
