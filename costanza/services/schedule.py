"""What `queue`, `cadence`, `pause`, `resume` and `status` do, as plain data."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from config.i18n import _
from costanza.app import App
from costanza.formatting import iso, local, local_label, pause_dates
from costanza.timeparse import next_day, parse_date, start_of_day
from posts.models import Account, Delivery
from posts.profiles import add_pause, get_profile, planned_pauses, resume, set_slots


def cadence_show(app: App) -> dict[str, Any]:
    from scheduler.planning.cadence import WeeklySlot, format_slots

    with app.store.read() as db:
        profile = get_profile(db, app.profile_name)
        return {"timezone": profile.timezone,
                "slots": format_slots([WeeklySlot(s.weekday, s.minute) for s in profile.slots])}


def cadence_set(app: App, text: str, timezone: str | None = None) -> dict[str, Any]:
    from scheduler.planning.cadence import parse_slots, parse_timezone

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
    from config.errors import InputError

    now = app.clock.now()
    with app.store.write() as db:
        profile = get_profile(db, app.profile_name)
        tz = ZoneInfo(profile.timezone)
        today = now.astimezone(tz).date()
        begin = (start_of_day(parse_date(start, "--from", today), tz, "--from")
                 if start is not None else now)
        end = (start_of_day(next_day(parse_date(until, "--until", today), "--until"), tz,
                            "--until") if until is not None else None)
        if end is not None and end <= begin:
            raise InputError(_("The pause ends before it starts. Give --until a date after "
                               "--from (both are included in the pause)."))
        if end is not None and end <= now:
            raise InputError(_("That pause is entirely in the past. Give dates to come."))
        add_pause(db, profile, begin, end)
        return {"from": iso(begin), "until": iso(end), "from_local": local(begin, tz),
                "until_local": local_label(end, tz)}


def _pause_data(start: Any, end: Any, tz: ZoneInfo) -> dict[str, Any]:
    """One pause, shaped as in `queue --json` (plus ``dates``, as a person reads them)."""
    return {"from": iso(start), "until": iso(end), "from_local": local_label(start, tz),
            "until_local": local_label(end, tz), "dates": pause_dates(start, end, tz)}


def resume_queue(app: App, everything: bool = False) -> dict[str, Any]:
    """End the pause in effect now; with ``everything``, also cancel the planned ones.
    Says what it ended, what it cancelled and which planned pauses remain."""
    now = app.clock.now()
    with app.store.write() as db:
        profile = get_profile(db, app.profile_name)
        tz = ZoneInfo(profile.timezone)
        spans = {p.id: (p.start_at, p.end_at) for p in profile.pauses}
        ended, cancelled = resume(db, profile, now, cancel_planned=everything)
        return {
            "resumed": bool(ended), "at": iso(now),
            # What the ended pauses were meant to be, not the "now" they end at.
            "ended": [_pause_data(*spans[p.id], tz) for p in ended],
            "cancelled": [_pause_data(p.start_at, p.end_at, tz) for p in cancelled],
            "planned": [_pause_data(p.start_at, p.end_at, tz)
                        for p in planned_pauses(profile, now)],
        }


def status(app: App) -> dict[str, Any]:
    from scheduler.liveness import live_daemons, stale_after

    now = app.clock.now()
    from costanza.services.views import queue_view

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
        from posts.media.retention import store_usage

        usage = store_usage(db, app.media, now, app.settings.keep_originals)
        from costanza.services.checking import checking

        being_checked = checking(db, profile.id, tz)
        accounts = [{"name": a.name, "network": a.network, "health": a.health,
                     "reason": a.health_reason}
                    for a in db.scalars(select(Account).where(
                        Account.profile_id == profile.id).order_by(Account.name))]
    nxt = view["entries"][0] if view["entries"] else None
    from scheduler.graph_version import graph_version_status

    return {
        "daemon_running": bool(daemons), "daemons": daemons,
        "next": nxt, "runway": view["runway"], "runway_days": view["runway_days"],
        "runway_warning": view["runway_warning"],
        "last_published": ({"at": iso(last[0]), "local": local(last[0], tz),
                            "network": last[1], "permalink": last[2]} if last else None),
        "deliveries": counts, "checking": being_checked, "accounts": accounts,
        "media_store": {**usage, "due_at": iso(usage["due_at"]) if usage["due_at"] else None,
                        "due_local": local(usage["due_at"], tz) if usage["due_at"] else None},
        "graph_api_version": graph_version_status(app.settings, now),
        "x_budget": _x_budget(app),
        **_comments(app),
    }


def _comments(app: App) -> dict[str, Any]:
    """The comments waiting for an answer (in all and per network) and why fetching them
    stopped, if it did: ``comments_waiting`` and ``comment_problems``."""
    from costanza.services.comments import comments_status

    found = comments_status(app)
    return {"comments_waiting": found["waiting"], "comment_problems": found["problems"]}


def _x_budget(app: App) -> dict[str, Any] | None:
    """This month's X spending against ``[x] monthly_budget`` (null without a budget)."""
    from costanza.services.costs import budget_status

    return budget_status(app) if app.settings.x_monthly_budget is not None else None
