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


def current_pauses(profile: Profile, now: datetime) -> list[Pause]:
    """The pauses in effect at ``now`` (usually one; overlapping ones are all in effect)."""
    return sorted((p for p in profile.pauses
                   if p.start_at <= now and (p.end_at is None or p.end_at > now)),
                  key=lambda p: p.start_at)


def planned_pauses(profile: Profile, now: datetime) -> list[Pause]:
    """The pauses that start after ``now`` (holidays booked ahead), soonest first."""
    return sorted((p for p in profile.pauses if p.start_at > now), key=lambda p: p.start_at)


def resume(db: Session, profile: Profile, now: datetime,
           cancel_planned: bool = False) -> tuple[list[Pause], list[Pause]]:
    """End the pauses in effect at ``now`` (they end now, so their past stays true) and,
    with ``cancel_planned``, delete the ones still to come. Planned holidays are kept by
    default: ending today's pause must not silently cancel August's.
    Returns (ended, cancelled)."""
    ended = current_pauses(profile, now)
    cancelled = planned_pauses(profile, now) if cancel_planned else []
    for pause in ended:
        pause.end_at = now
    for pause in cancelled:
        profile.pauses.remove(pause)
    db.flush()
    return ended, cancelled
