"""Profiles: one artisan each, with a time zone, a weekly cadence and pauses."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from posts.listing import profile_not_found
from posts.models import CadenceChange, CadenceSlot, Pause, Profile


def _find(db: Session, name: str) -> Profile | None:
    return db.scalars(select(Profile).where(Profile.name == name)).one_or_none()


def get_profile(db: Session, name: str) -> Profile:
    profile = _find(db, name)
    if profile is None:
        raise profile_not_found(name)
    return profile


def create_or_update_profile(db: Session, name: str, timezone: str, now: datetime,
                             slots: list[tuple[int, int]] | None) -> Profile:
    """Create the profile, or change its time zone (and its slots, when given). A new
    cadence or time zone is recorded in the profile's cadence history at ``now``."""
    profile = _find(db, name)
    if profile is None:
        profile = Profile(name=name, timezone=timezone, created_at=now)
        db.add(profile)
    else:
        profile.timezone = timezone
    if slots is not None:
        set_slots(db, profile, slots, now)
    else:
        record_cadence(db, profile, now)
    db.flush()
    return profile


def set_slots(db: Session, profile: Profile, slots: list[tuple[int, int]],
              now: datetime) -> None:
    """Replace the profile's weekly slots; a change is recorded at ``now``."""
    profile.slots.clear()
    db.flush()
    for weekday, minute in sorted(set(slots)):
        profile.slots.append(CadenceSlot(weekday=weekday, minute=minute))
    record_cadence(db, profile, now)


def record_cadence(db: Session, profile: Profile, now: datetime) -> CadenceChange | None:
    """Add the profile's current time zone and slots to its cadence history, from ``now``
    on, unless they are what it last recorded. Returns the new entry, if any."""
    db.flush()
    slots = sorted([s.weekday, s.minute] for s in profile.slots)
    latest = db.scalars(select(CadenceChange).where(CadenceChange.profile_id == profile.id)
                        .order_by(CadenceChange.since.desc(), CadenceChange.id.desc())
                        .limit(1)).first()
    if latest is not None and (latest.timezone, latest.slots) == (profile.timezone, slots):
        return None  # (every entry's slots are stored sorted, the backfill's too)
    change = CadenceChange(profile_id=profile.id, since=now, timezone=profile.timezone,
                           slots=slots)
    db.add(change)
    db.flush()
    return change


def add_pause(db: Session, profile: Profile, start: datetime, end: datetime | None) -> Pause:
    pause = Pause(start_at=start, end_at=end)
    profile.pauses.append(pause)
    db.flush()
    return pause


def resume(db: Session, profile: Profile, now: datetime) -> int:
    """End every pause that is running now or still to come; returns how many changed."""
    changed = 0
    for pause in list(profile.pauses):
        if pause.end_at is not None and pause.end_at <= now:
            continue
        if pause.start_at > now:
            profile.pauses.remove(pause)
        else:
            pause.end_at = now
        changed += 1
    db.flush()
    return changed
