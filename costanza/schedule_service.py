"""What `queue`, `cadence`, `pause`, `resume` and `status` do, as plain data."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from costanza.app import App
from costanza.formatting import iso, local, local_label
from costanza.timeparse import next_day, parse_date, start_of_day
from posts.models import Account, Delivery
from posts.profiles import add_pause, get_profile, resume, set_slots


def cadence_show(app: App) -> dict[str, Any]:
    from scheduler.cadence import WeeklySlot, format_slots

    with app.store.read() as db:
        profile = get_profile(db, app.profile_name)
        return {"timezone": profile.timezone,
                "slots": format_slots([WeeklySlot(s.weekday, s.minute) for s in profile.slots])}


def cadence_set(app: App, text: str, timezone: str | None = None) -> dict[str, Any]:
    from scheduler.cadence import parse_slots, parse_timezone

    slots = parse_slots(text)
    if timezone is not None:
        parse_timezone(timezone)
    now = app.clock.now()
    with app.store.write() as db:
        profile = get_profile(db, app.profile_name)
        if timezone is not None:
            profile.timezone = parse_timezone(timezone).key
        # Records the new cadence (and zone) in the profile's history.
        set_slots(db, profile, [(s.weekday, s.minute) for s in slots], now)
    return cadence_show(app)


def pause(app: App, start: str | None, until: str | None) -> dict[str, Any]:
    from costanza.errors import InputError

    now = app.clock.now()
    with app.store.write() as db:
        profile = get_profile(db, app.profile_name)
        tz = ZoneInfo(profile.timezone)
        begin = (start_of_day(parse_date(start, "--from"), tz, "--from")
                 if start is not None else now)
        end = (start_of_day(next_day(parse_date(until, "--until"), "--until"), tz, "--until")
               if until is not None else None)
        if end is not None and end <= begin:
            raise InputError("The pause ends before it starts. Give --until a date after "
                             "--from (both are included in the pause).")
        if end is not None and end <= now:
            raise InputError("That pause is entirely in the past. Give dates to come.")
        add_pause(db, profile, begin, end)
        return {"from": iso(begin), "until": iso(end), "from_local": local(begin, tz),
                "until_local": local_label(end, tz)}


def resume_queue(app: App) -> int:
    with app.store.write() as db:
        profile = get_profile(db, app.profile_name)
        return resume(db, profile, app.clock.now())


def status(app: App) -> dict[str, Any]:
    from scheduler.liveness import live_daemons, stale_after

    now = app.clock.now()
    from costanza.views import queue_view

    view = queue_view(app, limit=1)
    with app.store.read() as db:
        profile = get_profile(db, app.profile_name)
        tz = ZoneInfo(profile.timezone)
        stale = stale_after(app.settings.poll_seconds)
        daemons = [{"id": b.id, "host": b.hostname, "pid": b.pid,
                    "started_at": iso(b.started_at), "heartbeat_at": iso(b.heartbeat_at),
                    "seconds_since_heartbeat": round((now - b.heartbeat_at).total_seconds(), 1),
                    "holds": db.scalar(select(func.count()).select_from(Delivery).where(
                        Delivery.lease_owner == b.id)) or 0}
                   for b in live_daemons(db, now, stale)]
        last = db.execute(select(Delivery.published_at, Delivery.network, Delivery.permalink)
                          .where(Delivery.profile_id == profile.id,
                                 Delivery.state == "published")
                          .order_by(Delivery.published_at.desc()).limit(1)).first()
        counts = dict(db.execute(select(Delivery.state, func.count()).where(
            Delivery.profile_id == profile.id).group_by(Delivery.state)).all())
        accounts = [{"name": a.name, "network": a.network, "health": a.health,
                     "reason": a.health_reason}
                    for a in db.scalars(select(Account).where(
                        Account.profile_id == profile.id).order_by(Account.name))]
    nxt = view["entries"][0] if view["entries"] else None
    return {
        "daemon_running": bool(daemons), "daemons": daemons,
        "next": nxt, "runway": view["runway"], "runway_days": view["runway_days"],
        "runway_warning": view["runway_warning"],
        "last_published": ({"at": iso(last[0]), "local": local(last[0], tz),
                            "network": last[1], "permalink": last[2]} if last else None),
        "deliveries": counts, "accounts": accounts,
    }
