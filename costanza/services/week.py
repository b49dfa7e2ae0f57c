"""The weeks ahead as a calendar: every slot of this week and the next ones, with its post.

The web page's week (`costanza web`) reads this: the same plan as `costanza queue` (the
queue, the slots and the pauses, worked out now), and what already went out this week
with its deliveries. Plain data, in the profile's time zone::

    {"profile": "default", "timezone": "Europe/Rome", "cadence": "Mon 09:30, ...",
     "weeks": [{"start": "2026-11-23", "label": "Mon 23 Nov 2026",
                "days": [{"date": "2026-11-23", "label": "Mon 23 Nov", "today": false,
                          "items": [ITEM, ...]}]}],
     "runway": "The queue runs dry after Fri 04 Dec.", "runway_warning": true,
     "queued": 3, "unplanned": [7]}

An ITEM is one slot or one post: ``{"at": ISO UTC, "time": "09:30", "kind": KIND,
"post": POST | null}``, KIND being ``post`` (a post goes out, or went out, then),
``empty`` (a coming slot no post takes yet), ``paused`` (a slot a pause holds back) or
``missed`` (a past slot where nothing went out). A POST is ``{"post_id", "excerpt",
"text", "targets", "state", "pinned", "late", "thumbnail": {"sha256", "kind"} | null,
"deliveries": [{"delivery_id", "network", "network_label", "state", "status",
"permalink", "reason"}]}``, its ``state`` being ``planned``, ``sending``, ``published``
or ``failed`` (something needs the artisan: the deliveries say what).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, text

from config.localtime import day_label
from costanza.app import App
from costanza.formatting import excerpt
from costanza.services.log_states import ATTENTION, status_word
from costanza.services.views import queue_with_plan
from posts.listing import aware_utc
from posts.models import UTCDateTime
from posts.networks import network_label

WEEKS = 4


def _midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def _dispatched(app: App, profile_id: int, start: datetime,
                end: datetime) -> list[dict[str, Any]]:
    """The posts that went out (or were sent out) between ``start`` and ``end``."""
    with app.store.engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT id, text, targets, slot_at, pinned_at FROM posts WHERE profile_id = :p "
            "AND state = 'dispatched' AND slot_at >= :s AND slot_at < :e").bindparams(
                bindparam("s", type_=UTCDateTime), bindparam("e", type_=UTCDateTime)),
            {"p": profile_id, "s": start, "e": end}).all()
        ids = [r[0] for r in rows]
        deliveries: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
        if ids:
            for d in conn.execute(text(
                    "SELECT post_id, id, network, state, permalink, reason FROM deliveries "
                    "WHERE post_id IN :ids ORDER BY network").bindparams(
                        bindparam("ids", expanding=True)), {"ids": ids}):
                deliveries[d[0]].append({
                    "delivery_id": d[1], "network": d[2], "network_label": network_label(d[2]),
                    "state": d[3], "status": status_word(d[3]), "permalink": d[4],
                    "reason": d[5] if d[3] != "published" else None})
    out = []
    for r in rows:
        targets = json.loads(r[2]) if isinstance(r[2], str) else r[2]
        out.append({"id": r[0], "text": r[1] or "", "targets": targets,
                    "at": aware_utc(r[3]), "pinned": r[4] is not None,
                    "deliveries": deliveries[r[0]]})
    return out


def _thumbnails(app: App, post_ids: list[int]) -> dict[int, dict[str, str]]:
    """The first photo or video of each post: what its thumbnail is made from."""
    if not post_ids:
        return {}
    with app.store.engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT pm.post_id, pm.position, m.sha256, m.kind FROM post_media pm "
            "JOIN media m ON m.sha256 = pm.media_sha256 WHERE pm.post_id IN :ids "
            "ORDER BY pm.post_id, pm.position").bindparams(
                bindparam("ids", expanding=True)), {"ids": post_ids}).all()
    first: dict[int, dict[str, str]] = {}
    for post_id, _position, sha, kind in rows:
        first.setdefault(post_id, {"sha256": sha, "kind": kind})
    return first


def _post_state(deliveries: list[dict[str, Any]]) -> str:
    states = {d["state"] for d in deliveries}
    if states & set(ATTENTION):
        return "failed"
    if states and states <= {"published", "cancelled"}:
        return "published"
    return "sending"


def _paused(at: datetime, pauses: list[tuple[datetime, datetime | None]]) -> bool:
    return any(s <= at and (e is None or at < e) for s, e in pauses)


def _items(app: App, start: datetime, end: datetime) -> tuple[list[dict[str, Any]], Any, Any]:
    """Every slot and post between ``start`` and ``end``, in time order; the profile and
    the whole queue's plan."""
    from scheduler.planning.cadence import WeeklySlot, occurrences

    profile, rows, plan = queue_with_plan(app)
    by_id = {r.id: r for r in rows}
    posts: dict[datetime, dict[str, Any]] = {}
    for entry in plan.entries:
        if start <= entry.at < end:
            row = by_id[entry.post_id]
            posts[entry.at] = {"post_id": row.id, "text": row.text, "targets": row.targets,
                               "state": "planned", "pinned": entry.pinned,
                               "late": entry.late, "deliveries": []}
    for done in _dispatched(app, profile.id, start, end):
        posts[done["at"]] = {"post_id": done["id"], "text": done["text"],
                             "targets": done["targets"], "state": _post_state(
                                 done["deliveries"]), "pinned": done["pinned"],
                             "late": False, "deliveries": done["deliveries"]}
    thumbs = _thumbnails(app, [p["post_id"] for p in posts.values()])
    now = app.clock.now()
    tz = ZoneInfo(profile.timezone)
    slots = [WeeklySlot(w, m) for w, m in profile.slots]
    times = set(posts) | set(occurrences(slots, tz, start, end))
    items = []
    for at in sorted(times):
        post = posts.get(at)
        if post is not None:
            kind = "post"
            post["excerpt"] = excerpt(post["text"], 80)
            post["thumbnail"] = thumbs.get(post["post_id"])
        elif _paused(at, profile.pauses):
            kind = "paused"
        else:
            kind = "missed" if at < now else "empty"
        items.append({"at": at.isoformat(), "time": at.astimezone(tz).strftime("%H:%M"),
                      "kind": kind, "post": post, "_at": at})
    return items, profile, plan


def week_view(app: App, weeks: int = WEEKS) -> dict[str, Any]:
    """This week (from Monday) and the next ``weeks - 1``, slot by slot (module docstring)."""
    from scheduler.planning.cadence import WeeklySlot, format_slots
    from scheduler.planning.planner import runway_days, runway_sentence

    now = app.clock.now()
    with app.store.engine.connect() as conn:
        from posts.listing import load_profile

        tz = ZoneInfo(load_profile(conn, app.profile_name).timezone)
    today = now.astimezone(tz).date()
    monday = today - timedelta(days=today.weekday())
    start, end = _midnight(monday, tz), _midnight(monday + timedelta(days=7 * weeks), tz)
    items, profile, plan = _items(app, start, end)
    by_day: dict[date, list[dict[str, Any]]] = {}
    for item in items:
        by_day.setdefault(item.pop("_at").astimezone(tz).date(), []).append(item)
    out_weeks = []
    for week in range(weeks):
        first = monday + timedelta(days=7 * week)
        days = [first + timedelta(days=n) for n in range(7)]
        out_weeks.append({"start": first.isoformat(), "label": day_label(first, with_year=True),
                          "days": [{"date": d.isoformat(), "label": day_label(d, with_year=False),
                                    "today": d == today, "items": by_day.get(d, [])}
                                   for d in days]})
    days_left = runway_days(plan, now)
    return {
        "profile": profile.name, "timezone": profile.timezone,
        "cadence": format_slots([WeeklySlot(w, m) for w, m in profile.slots]),
        "weeks": out_weeks, "queued": len(plan.entries) + len(plan.unplanned),
        "runway": runway_sentence(plan, tz, now),
        "runway_warning": days_left is not None
        and days_left < app.settings.runway_warning_days,
        "unplanned": plan.unplanned,
    }

