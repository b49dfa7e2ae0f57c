"""`post list` and `queue` as plain data, on the fast read path (``posts.listing``).

The shapes returned here are the documented ``--json`` contract (README).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from config.i18n import L_
from costanza.app import App
from costanza.formatting import check_warnings, excerpt, local_label, media_summary, post_lines
from posts import listing


def _plan(app: App, conn: Any, profile: listing.ProfileView,
          order: list[tuple[int, Any, bool]]) -> Any:
    """The plan of a profile's queue, given as (post id, pinned_at, asap) in queue order."""
    from scheduler.planning.cadence import WeeklySlot
    from scheduler.planning.planner import QueuedPost, plan

    return plan([QueuedPost(*row) for row in order],
                [WeeklySlot(w, m) for w, m in profile.slots], ZoneInfo(profile.timezone),
                profile.pauses, app.clock.now(), app.settings.grace_period,
                last_used=listing.last_used(conn, profile.id))


def _queue(app: App) -> tuple[listing.ProfileView, list[listing.QueuedRow], Any]:
    """The profile, its queued posts in order, and their plan: one connection, Core only."""
    with app.store.engine.connect() as conn:
        profile = listing.load_profile(conn, app.profile_name)
        rows = listing.queued(conn, profile.id)
        full = _plan(app, conn, profile, [(r.id, r.pinned_at, r.asap) for r in rows])
    return profile, rows, full


def queue_with_plan(app: App) -> tuple[listing.ProfileView, list[listing.QueuedRow], Any]:
    """The profile, its queued posts in order and the whole queue's plan (`costanza check`)."""
    return _queue(app)


def list_posts(app: App, lines: bool = False) -> list[Any]:
    """The queued posts in the order they go out (JSON contract of `post list --json`).

    With ``lines``, the rows come back as the lines `post list` prints (the fast path
    for very long queues: no dictionaries, no ISO timestamps).
    """
    profile, rows, plan = _queue(app)
    tz = ZoneInfo(profile.timezone)
    by_id = {r.id: r for r in rows}
    ordered = [(by_id[e.post_id], e) for e in plan.entries]
    ordered += [(by_id[i], None) for i in plan.unplanned]
    out: list[Any] = []
    for r, entry in ordered:
        at = entry.at if entry is not None else None
        warnings = check_warnings(r.checks)
        summary = media_summary(r.photos, r.videos)
        if lines:
            out.extend(post_lines(r.id, local_label(at, tz) or L_("no slot yet"),
                                  r.pinned_at is not None, r.targets, excerpt(r.text),
                                  summary, warnings))
            continue
        out.append({
            "id": r.id, "state": "queued", "position": r.position, "text": r.text,
            "excerpt": excerpt(r.text), "targets": r.targets,
            "pinned_at": r.pinned_at.isoformat() if r.pinned_at else None,
            "planned_at": at.isoformat() if at else None, "planned_local": local_label(at, tz),
            "late": bool(entry.late) if entry else False, "category": r.category,
            "media_summary": summary, "photos": r.photos, "videos": r.videos,
            "checks": r.checks, "warnings": warnings,
        })
    return out


def _x_held_until(app: App) -> datetime | None:
    """When X posts may go again if ``[x] monthly_budget`` is reached now, else None."""
    if app.settings.x_monthly_budget is None:
        return None
    from costanza.services.costs import budget_status

    status = budget_status(app)
    return datetime.fromisoformat(status["until"]) if status["blocked"] else None


def queue_view(app: App, limit: int = 20) -> dict[str, Any]:
    """The coming slots and their posts (JSON contract of `queue --json`). The whole
    queue is planned (for the runway), but only the posts shown are read in full."""
    from scheduler.planning.cadence import WeeklySlot, format_slots
    from scheduler.planning.planner import runway_days, runway_sentence

    now = app.clock.now()
    with app.store.engine.connect() as conn:
        profile = listing.load_profile(conn, app.profile_name)
        order = listing.queue_order(conn, profile.id)
        full = _plan(app, conn, profile, order)
        shown = full.entries[:limit] if limit else full.entries
        rows = listing.queued(conn, profile.id, only=[e.post_id for e in shown])
    tz = ZoneInfo(profile.timezone)
    by_id = {r.id: r for r in rows}
    days = runway_days(full, now)
    held_until = _x_held_until(app)
    return {
        "profile": profile.name, "timezone": profile.timezone,
        "cadence": format_slots([WeeklySlot(w, m) for w, m in profile.slots]),
        "queued": len(order),
        "entries": [{"post_id": e.post_id, "at": e.at.isoformat(), "local": local_label(e.at, tz),
                     "pinned": e.pinned, "late": e.late,
                     "excerpt": excerpt(by_id[e.post_id].text),
                     "targets": by_id[e.post_id].targets,
                     "x_waits_for_budget": bool(held_until and "x" in by_id[e.post_id].targets
                                                and e.at < held_until)} for e in shown],
        "free_slots": [{"at": t.isoformat(), "local": local_label(t, tz)}
                       for t in full.free_slots_after[:3]],
        "pauses": [{"from": s.isoformat(), "until": e.isoformat() if e else None,
                    "from_local": local_label(s, tz), "until_local": local_label(e, tz)}
                   for s, e in profile.pauses if e is None or e > now],
        "runs_dry_at": full.runs_dry_at.isoformat() if full.runs_dry_at else None,
        "runway_days": round(days, 1) if days is not None else None,
        "runway": runway_sentence(full, tz, now),
        "runway_warning": days is not None and days < app.settings.runway_warning_days,
        "unplanned": full.unplanned,
    }
