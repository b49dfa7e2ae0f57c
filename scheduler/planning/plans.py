"""The plans of the profiles, derived from the database on demand.

Nothing about a plan is stored: the queue order, the pins, the cadence and
the pauses are read and ``scheduler.planning.planner.plan`` works out which post takes
which slot. Editing the queue re-plans at once, by construction.

``profile_plans`` plans many profiles with five queries in all, whatever their
number (the daemon plans every profile on every round); ``profile_plan`` is the
same for one profile.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from config.clock import utc
from posts.models import CadenceSlot, Pause, Post, Profile
from scheduler.planning.cadence import WeeklySlot
from scheduler.planning.planner import Plan, QueuedPost, plan


@dataclass(frozen=True)
class ProfilePlan:
    profile_id: int
    name: str
    timezone: str
    plan: Plan
    last_used: datetime | None  # the latest cadence slot a dispatched post took


def profile_plan(db: Session, profile: Profile, now: datetime, grace: timedelta,
                 limit: int | None = None) -> Plan:
    return profile_plans(db, now, grace, limit, profile_ids=[profile.id])[0].plan


def profile_plans(db: Session, now: datetime, grace: timedelta, limit: int | None = None,
                  profile_ids: Iterable[int] | None = None) -> list[ProfilePlan]:
    """The plan of every profile (or of those named), in profile id order."""
    ids = list(profile_ids) if profile_ids is not None else None

    def only(query, column):  # type: ignore[no-untyped-def]
        return query if ids is None else query.where(column.in_(ids))

    profiles = db.execute(only(select(Profile.id, Profile.name, Profile.timezone), Profile.id)
                          .order_by(Profile.id)).all()
    slots: dict[int, list[WeeklySlot]] = defaultdict(list)
    for pid, weekday, minute in db.execute(only(
            select(CadenceSlot.profile_id, CadenceSlot.weekday, CadenceSlot.minute),
            CadenceSlot.profile_id).order_by(CadenceSlot.weekday, CadenceSlot.minute)):
        slots[pid].append(WeeklySlot(weekday, minute))
    pauses: dict[int, list[tuple[datetime, datetime | None]]] = defaultdict(list)
    for pid, start, end in db.execute(only(
            select(Pause.profile_id, Pause.start_at, Pause.end_at), Pause.profile_id)):
        pauses[pid].append((start, end))
    queued: dict[int, list[QueuedPost]] = defaultdict(list)
    for pid, post_id, pinned_at, asap in db.execute(only(
            select(Post.profile_id, Post.id, Post.pinned_at, Post.asap)
            .where(Post.state == "queued"), Post.profile_id)
            .order_by(Post.profile_id, Post.position, Post.id)):
        queued[pid].append(QueuedPost(id=post_id, pinned_at=utc(pinned_at) if pinned_at
                                      else None, asap=bool(asap)))
    last_used: dict[int, datetime] = {
        pid: utc(at) for pid, at in db.execute(only(
            select(Post.profile_id, func.max(Post.slot_at))
            .where(Post.state != "queued", Post.pinned_at.is_(None)), Post.profile_id)
            .group_by(Post.profile_id)) if at is not None}
    zones: dict[str, ZoneInfo] = {}
    result = []
    for pid, name, timezone in profiles:
        tz = zones.get(timezone) or zones.setdefault(timezone, ZoneInfo(timezone))
        result.append(ProfilePlan(pid, name, timezone, plan(
            queued.get(pid, []), slots.get(pid, []), tz, pauses.get(pid, []), now, grace,
            last_used=last_used.get(pid), limit=limit), last_used.get(pid)))
    return result
