"""The consistency report: did the artisan keep their weekly slots?

Weeks are ISO weeks (Monday to Sunday) in the profile's current time zone, shown by
their dates ("30 Nov - 6 Dec"); ``week`` keeps the ISO name for scripts.

* A slot is **kept** when a post that took it went out: a dispatched post whose
  ``slot_at`` falls in that week with at least one delivery published.
* A slot is **missed** when it is one of the week's cadence slots (the weekly
  slots in effect at the time, in the zone then in effect: a change of cadence
  or time zone counts from the moment it was made, never for the weeks before)
  and no post that went out took it. Slots inside a pause the artisan set are
  not missed (they are counted as ``paused``); slots of the last ``grace
  period`` are not missed yet. Weeks before the profile existed are not
  counted, nor slots before its creation.
* A week is **steady** when it is complete and every slot in it was kept. A week
  without slots to keep (all paused) neither breaks nor extends the streak.
* The **streak** counts steady weeks in a row, ending with the last complete week.

``costanza report --json`` prints ``build_report``'s dictionary::

    {
      "profile": "default", "timezone": "Europe/Rome",
      "cadence": "Mon 09:30, Wed 18:00, Fri 12:00",   # the current cadence
      "generated_at": "2026-12-29T10:00:00+00:00",
      "weeks": [                       # oldest first; the last one is this week
        {"week": "2026-W50", "label": "7 Dec - 13 Dec",   # the year too, when not this one
         "start": "2026-12-07", "end": "2026-12-13",
         "complete": true, "slots": 3, "kept": 0, "missed": 3, "paused": 0,
         "steady": false,              # null: no slots to keep that week
         "published": 0,               # posts that went out that week
         "days": [0, 0, 0, 0, 0, 0, 0],        # posts per day, Monday first;
                                               # null for days not counted yet
         "missed_days": [0, 2, 4]}     # weekdays (0 = Monday) with a missed slot
      ],
      "streak": 2, "streak_from": "2026-W51",  # null when there is no streak
      "streak_from_label": "14 Dec - 20 Dec",   # the same week, as the text shows it
      "per_network": {"facebook": 4, "instagram": 0, "x": 5},   # posts published
      "failures": [{"network": "x", "outcome": "failed", "count": 1,
                    "reason": "X refused the post: the text is too long."}],
      "totals": {"slots": 12, "kept": 7, "missed": 5, "published": 9}
    }

Reading uses SQL through SQLAlchemy Core only.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from itertools import pairwise
from typing import TYPE_CHECKING, Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import JSON, column, select, table, text

from config.errors import InputError
from config.i18n import L_, _
from config.localtime import month_short
from costanza.app import App
from costanza.services.log import to_utc
from costanza.timeparse import start_of_day
from posts.networks import NETWORKS

if TYPE_CHECKING:
    from scheduler.planning.cadence import WeeklySlot

# The cadence history (posts.models.CadenceChange) as a Core table: the JSON type decodes
# the slots on every engine, without loading the ORM for a report.
_HISTORY = table("cadence_history", column("id"), column("profile_id"), column("since"),
                 column("timezone"), column("slots", JSON))

_RETRY_HINT = re.compile(r"\s*[^.]*`costanza retry[^.]*(\.|$)")


def _week_label(monday: date) -> str:
    year, week, _weekday = monday.isocalendar()
    return f"{year}-W{week:02d}"


def week_dates(monday: date, this_year: int) -> str:
    """'30 Nov - 6 Dec': a week as a person names it (nobody counts ISO weeks), with the
    year when the week ends in another year than this one."""
    sunday = monday + timedelta(days=6)
    year = f" {sunday.year}" if sunday.year != this_year else ""
    return (f"{monday.day} {month_short(monday.month)} - {sunday.day} "
            f"{month_short(sunday.month)}{year}")


def _paused(at: datetime, pauses: list[tuple[datetime, datetime | None]]) -> bool:
    return any(s <= at and (e is None or at < e) for s, e in pauses)


def plain_reason(message: str | None) -> str:
    """A failure's reason without the delivery-specific command, so alike ones group."""
    reason = _RETRY_HINT.sub("", message or "").strip()
    return reason or L_("no reason was given")


class _Cadence(NamedTuple):
    """The weekly slots and time zone in effect from ``since`` on."""

    since: datetime | None
    slots: list[WeeklySlot]
    tz: ZoneInfo


def _in_effect(history: list[_Cadence], at: datetime) -> _Cadence:
    """The latest change made at or before ``at`` (the first one, before any)."""
    current = history[0]
    for change in history[1:]:
        if change.since is None or change.since > at:
            break
        current = change
    return current


def _segments(history: list[_Cadence], start: datetime,
              end: datetime) -> Iterator[tuple[datetime, datetime, _Cadence]]:
    """[start, end) cut at every change inside it, each piece with its cadence."""
    cuts = sorted({c.since for c in history if c.since is not None and start < c.since < end})
    bounds = [start, *cuts, end]
    for seg_start, seg_end in pairwise(bounds):
        yield seg_start, seg_end, _in_effect(history, seg_start)


class _Data:
    """What the report needs from the database, read once."""

    def __init__(self, app: App) -> None:
        from posts.listing import load_profile

        with app.store.engine.connect() as conn:
            self.profile = load_profile(conn, app.profile_name)
            p = {"p": self.profile.id}
            self.created_at = to_utc(conn.execute(text(
                "SELECT created_at FROM profiles WHERE id = :p"), p).scalar())
            self.kept_slots = [to_utc(r[0]) for r in conn.execute(text(
                "SELECT p.slot_at FROM posts p WHERE p.profile_id = :p AND p.state = "
                "'dispatched' AND p.slot_at IS NOT NULL AND EXISTS (SELECT 1 FROM "
                "deliveries d WHERE d.post_id = p.id AND d.state = 'published')"), p)]
            self.published = [(r[0], r[1], to_utc(r[2])) for r in conn.execute(text(
                "SELECT post_id, network, published_at FROM deliveries WHERE profile_id = :p "
                "AND state = 'published' AND published_at IS NOT NULL"), p)]
            self.failures = [(r[0], r[1], r[2], to_utc(r[3])) for r in conn.execute(text(
                "SELECT network, outcome, message, started_at FROM attempts WHERE "
                "profile_id = :p AND outcome IN ('failed', 'needs_review', 'held')"), p)]
            h = _HISTORY.c
            changes = [(to_utc(r.since), r.timezone, [(w, m) for w, m in r.slots]) for r in
                       conn.execute(select(h.since, h.timezone, h.slots)
                                    .where(h.profile_id == self.profile.id)
                                    .order_by(h.since, h.id))]
        self.tz = ZoneInfo(self.profile.timezone)
        self.history = self._history(changes)
        first: dict[int, datetime] = {}
        for post_id, _network, at in self.published:
            if at is not None and (post_id not in first or at < first[post_id]):
                first[post_id] = at
        self.first_published = list(first.values())

    def _history(self, changes: list[tuple[datetime | None, str, list[tuple[int, int]]]]
                 ) -> list[_Cadence]:
        """The profile's cadences, oldest first; its current one if none was recorded."""
        from scheduler.planning.cadence import WeeklySlot

        history = [_Cadence(since, [WeeklySlot(w, m) for w, m in slots], ZoneInfo(zone))
                   for since, zone, slots in changes]
        return history or [_Cadence(None, [WeeklySlot(w, m) for w, m in self.profile.slots],
                                    self.tz)]


def _week(data: _Data, monday: date, now: datetime, grace: timedelta) -> dict[str, Any]:
    """One week of the report. Its boundaries and days are in the profile's current time
    zone; its slots are those in effect at each moment of it, in the zone then in effect."""
    from scheduler.planning.cadence import occurrences

    tz = data.tz
    start, end = start_of_day(monday, tz), start_of_day(monday + timedelta(days=7), tz)
    created = data.created_at or start
    counted_from, counted_to = max(start, created), min(end, now)
    instants: list[datetime] = []
    if counted_from < counted_to:
        for seg_start, seg_end, cadence in _segments(data.history, counted_from, counted_to):
            instants.extend(occurrences(cadence.slots, cadence.tz, seg_start, seg_end))
    kept_here = [t for t in data.kept_slots if t is not None and start <= t < end]
    kept_set = set(kept_here)
    paused = [t for t in instants if _paused(t, data.profile.pauses)]
    due = [t for t in instants if t not in paused and (t in kept_set or t <= now - grace)]
    missed = [t for t in due if t not in kept_set]
    complete = end <= now
    steady: bool | None = None
    if complete and due:
        steady = not missed
    days: list[int | None] = []
    for offset in range(7):
        day_start = start_of_day(monday + timedelta(days=offset), tz)
        day_end = start_of_day(monday + timedelta(days=offset + 1), tz)
        if day_start > now or day_end <= created:
            days.append(None)
            continue
        days.append(sum(1 for t in data.first_published if day_start <= t < day_end))
    return {
        "week": _week_label(monday), "label": week_dates(monday, now.astimezone(tz).year),
        "start": monday.isoformat(),
        "end": (monday + timedelta(days=6)).isoformat(), "complete": complete,
        "slots": len(due), "kept": len(kept_here), "missed": len(missed), "paused": len(paused),
        "steady": steady, "published": sum(d or 0 for d in days), "days": days,
        "missed_days": sorted({t.astimezone(tz).weekday() for t in missed}),
    }


def _streak(data: _Data, this_monday: date, now: datetime,
            grace: timedelta) -> tuple[int, dict[str, Any] | None]:
    created = data.created_at or now
    streak, since = 0, None
    monday = this_monday - timedelta(days=7)
    while start_of_day(monday + timedelta(days=7), data.tz) > created:
        week = _week(data, monday, now, grace)
        if week["steady"] is False:
            break
        if week["steady"]:
            streak, since = streak + 1, week
        monday -= timedelta(days=7)
    return streak, since


def build_report(app: App, weeks: int = 12) -> dict[str, Any]:
    """The consistency report of the last ``weeks`` weeks, this one included."""
    if weeks < 1:
        raise InputError(_("--weeks must be 1 or more."))
    from scheduler.planning.cadence import WeeklySlot, format_slots

    now = app.clock.now()
    grace = app.settings.grace_period
    data = _Data(app)
    tz = data.tz
    today = now.astimezone(tz).date()
    this_monday = today - timedelta(days=today.weekday())
    rows = []
    for back in range(weeks - 1, -1, -1):
        monday = this_monday - timedelta(days=7 * back)
        end = start_of_day(monday + timedelta(days=7), tz)
        if data.created_at is not None and end <= data.created_at:
            continue
        rows.append(_week(data, monday, now, grace))
    if not rows:
        rows.append(_week(data, this_monday, now, grace))
    window_start = start_of_day(date.fromisoformat(rows[0]["start"]), tz)
    per_network = dict.fromkeys(NETWORKS, 0)
    for _post, network, at in data.published:
        if at is not None and window_start <= at <= now:
            per_network[network] = per_network.get(network, 0) + 1
    failures: Counter[tuple[str, str, str]] = Counter()
    for network, outcome, message, at in data.failures:
        if at is not None and window_start <= at <= now:
            failures[(network, outcome, plain_reason(message))] += 1
    streak, since = _streak(data, this_monday, now, grace)
    return {
        "profile": data.profile.name, "timezone": data.profile.timezone,
        "cadence": format_slots([WeeklySlot(w, m) for w, m in data.profile.slots]),
        "generated_at": now.isoformat(),
        "weeks": rows,
        "streak": streak, "streak_from": since["week"] if since else None,
        "streak_from_label": since["label"] if since else None,
        "per_network": per_network,
        "failures": [{"network": n, "outcome": o, "reason": r, "count": c}
                     for (n, o, r), c in sorted(failures.items(),
                                                key=lambda item: (-item[1], item[0]))],
        "totals": {key: sum(w[key] for w in rows)
                   for key in ("slots", "kept", "missed", "published")},
    }
