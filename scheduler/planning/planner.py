"""Planning: which queued post goes out when.

The plan is derived, never stored: it is computed from the queue (in order),
the weekly cadence, the pauses and the current time, whenever it is needed.
Editing the queue (move, --top, remove, edit) therefore re-plans at once, and
there is no stored copy to drift.

The rules
---------
* **The i-th queued post takes the i-th free slot.** Unpinned posts take the
  free cadence slots in queue order: the first unpinned post the first free
  slot, the second the second, and so on.
* **A free slot** is a cadence occurrence (see ``scheduler.planning.cadence`` for the
  daylight-saving rule) that is after the last slot already used by a
  published post, is not inside a pause, and is not the time of a pinned post.
* **Pinned posts keep their own time**, and that time is not offered to
  others. A pinned post goes out at its time **even inside a pause**: the
  artisan asked for that time explicitly, so a pause holds back only the
  cadence slots.
* **Pauses** hold slots back; nothing fails and nothing is dropped. A pause
  covers the times from its start (included) to its end (excluded); a pause
  with no end holds back every slot after its start, and the posts that would
  need one wait, listed as unplanned.
* **Missed slots and the grace period.** A slot whose time has passed (the
  daemon was not running) is published late only within the grace period
  (a setting, 2 hours by default), and at most one of them: among the missed
  slots of the last ``grace``, only the latest is offered, so the next post
  goes out late once, and the following ones take the normal future slots.
  Slots missed by more than the grace period are skipped (and reported): the
  queue shifts to the next slot. After any downtime there is never a burst of
  catch-up posts: at most one queued post goes out late (a pinned post missed
  by less than the grace period also goes out late, at the time it asked for).
* **On time is within a minute** (``ON_TIME``): the daemon wakes a moment after a slot's
  time, so a post it sends less than a minute after its time is not called late. This
  only names it; which slot a post takes does not change.
* **A post sent with ``post now`` is never late**: it is pinned at the moment it was
  asked for (``asap``), and whenever the daemon gets to it (a moment later, or when it
  starts again within the grace period) is "as soon as possible", not late.
* **A pinned post missed by more than the grace period loses its pin** and
  goes to the top of the queue, where it takes the next free slot like any
  unpinned post (several such posts keep the order of their pinned times).
* **Two pinned posts at the same instant**: the one earlier in the queue keeps
  the time; the other is planned as an unpinned post at its place in the
  queue, so no two posts ever share a time.
* **No cadence slots**: unpinned posts get no time (they are listed as
  unplanned); pinned posts still go out at their times.

All times are timezone-aware UTC; the profile's zone is used only to compute
slots and to show times to people.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from itertools import islice
from typing import NamedTuple

from config import i18n
from config.clock import utc
from config.localtime import day_label, local_label
from scheduler.planning.cadence import SlotLike, occurrences

__all__ = [
    "Plan",
    "PlanEntry",
    "QueuedPost",
    "due",
    "format_local",
    "next_wake",
    "plan",
    "runway_days",
    "runway_sentence",
]

Pause = tuple[datetime, datetime | None]

ON_TIME = timedelta(minutes=1)
"""A post sent less than this after its time is on time, not late (the daemon wakes a
moment after a slot's time)."""


class QueuedPost(NamedTuple):
    """A post waiting in the queue; the queue is given in order (by position). ``asap``:
    pinned by ``post now``, so never late."""

    id: int
    pinned_at: datetime | None = None
    asap: bool = False


class PlanEntry(NamedTuple):
    """One post and the time it goes out (UTC).

    ``pinned`` is true when the post keeps its own time; ``late`` when that
    time had passed by ``ON_TIME`` or more at planning time (it is published as soon as
    the daemon gets to it), unless the post was sent with ``post now``.
    """

    post_id: int
    at: datetime
    pinned: bool
    late: bool


@dataclass
class Plan:
    """The plan derived from the queue, the cadence and the pauses at one moment."""

    entries: list[PlanEntry]
    """Posts and their times, in time order."""
    free_slots_after: list[datetime] = field(default_factory=list)
    """The next free slots beyond the queue (as many as asked for)."""
    runs_dry_at: datetime | None = None
    """Time of the last planned post: the queue runs dry after it. None if nothing is planned
    or the plan was cut short by ``limit``."""
    skipped: list[datetime] = field(default_factory=list)
    """Slots missed by the daemon that no post will take (beyond grace, or not the latest
    within grace). Only reported when ``last_used`` is known."""
    unplanned: list[int] = field(default_factory=list)
    """Queued posts that get no time: there are no cadence slots, or a pause with no end."""
    unplanned_reason: str | None = None
    """Why ``unplanned`` is not empty, as words: "no cadence is set" or "the queue is paused
    with no end"."""
    lost_pins: list[int] = field(default_factory=list)
    """Posts whose pinned time was missed by more than the grace period: now at the top of
    the queue."""
    truncated: bool = False
    """True when ``limit`` stopped planning before every post had a time."""


def _paused(at: datetime, pauses: Sequence[tuple[datetime, datetime]]) -> bool:
    return any(start <= at < end for start, end in pauses)


@dataclass
class _Frame:
    """What every pass of one planning run reads: the moment, the slots, the pauses."""

    now: datetime
    cutoff: datetime
    last: datetime | None
    slots: list[SlotLike]
    tz: tzinfo
    bounded: list[tuple[datetime, datetime]]
    open_from: datetime | None
    pin_times: set[datetime] = field(default_factory=set)

    def taken(self, at: datetime) -> bool:
        """True when the slot at ``at`` is not free: already used, pinned, or paused."""
        return ((self.last is not None and at <= self.last) or at in self.pin_times
                or (bool(self.bounded) and _paused(at, self.bounded)))


@dataclass
class _Queue:
    """The queue sorted out: the pins that keep their time, and the unpinned order."""

    pins: list[tuple[datetime, int, int]] = field(default_factory=list)
    asap: set[int] = field(default_factory=set)
    lost: list[int] = field(default_factory=list)
    order: list[int] = field(default_factory=list)


def _split_pauses(
    pauses: Iterable[Pause],
) -> tuple[list[tuple[datetime, datetime]], datetime | None]:
    """The pauses with an end (empty ones dropped), and the earliest start of one with none."""
    bounded: list[tuple[datetime, datetime]] = []
    open_from: datetime | None = None
    for start, end in pauses:
        start = utc(start)
        if end is None:
            open_from = start if open_from is None else min(open_from, start)
        elif utc(end) > start:
            bounded.append((start, utc(end)))
    return bounded, open_from


def _sort_queue(posts: Iterable[QueuedPost], cutoff: datetime, pin_times: set[datetime]) -> _Queue:
    """Pins, lost pins and the order of the unpinned queue; fills ``pin_times``."""
    result = _Queue()
    lost: list[tuple[datetime, int, int]] = []
    seen: set[int] = set()
    for order, post in enumerate(posts):
        if post.id in seen:
            continue
        seen.add(post.id)
        if post.pinned_at is None:
            result.order.append(post.id)
            continue
        at = utc(post.pinned_at)
        if at < cutoff:
            lost.append((at, order, post.id))
        elif at in pin_times:
            result.order.append(post.id)
        else:
            result.pins.append((at, order, post.id))
            pin_times.add(at)
            if post.asap:
                result.asap.add(post.id)
    result.pins.sort()
    lost.sort()
    result.lost = [post_id for _, _, post_id in lost]
    result.order = result.lost + result.order
    return result


def _past_slots(frame: _Frame, skipped: list[datetime]) -> datetime | None:
    """Slots in the past: the skipped ones go to ``skipped``; returns the one late slot
    within grace, if any."""
    late: datetime | None = None
    if not frame.slots:
        return None
    past_start = frame.last if frame.last is not None else frame.cutoff
    past_end = frame.now if frame.open_from is None else min(frame.now, frame.open_from)
    if past_start >= past_end:
        return None
    for at in occurrences(frame.slots, frame.tz, past_start, past_end):
        if frame.taken(at):
            continue
        if at < frame.cutoff:
            skipped.append(at)
            continue
        if late is not None:
            skipped.append(late)
        late = at
    return late


def _free_slots(frame: _Frame, late: datetime | None) -> Iterator[tuple[datetime, bool]]:
    """The free slots in time order, each with whether it is late: first the late one."""
    if late is not None:
        yield late, late <= frame.now - ON_TIME
    if not frame.slots:
        return
    last = frame.last
    start = frame.now if last is None or last < frame.now else last
    if frame.open_from is not None and frame.open_from <= start:
        return
    for at in occurrences(frame.slots, frame.tz, start, frame.open_from):
        if frame.taken(at):
            continue
        yield at, False


def _fill(
    result: Plan,
    queue: _Queue,
    free_slots: Iterator[tuple[datetime, bool]],
    now: datetime,
    cap: int,
    no_cadence: bool,
) -> bool:
    """Give each queued post the next free slot, with the pins merged in time order, up to
    ``cap`` entries. Returns True when the free slots ran out before the queue did."""
    entries = result.entries
    pins = queue.pins
    pin_index = 0

    def add_pins_before(moment: datetime | None) -> None:
        nonlocal pin_index
        while pin_index < len(pins) and len(entries) < cap and (
                moment is None or pins[pin_index][0] < moment):
            at, _, post_id = pins[pin_index]
            entries.append(PlanEntry(post_id, at, True,
                                     at <= now - ON_TIME and post_id not in queue.asap))
            pin_index += 1

    exhausted = False
    for index, post_id in enumerate(queue.order):
        if len(entries) >= cap:
            break
        slot = next(free_slots, None)
        if slot is None:
            exhausted = True
            result.unplanned = queue.order[index:]
            result.unplanned_reason = (
                "no cadence is set" if no_cadence else "the queue is paused with no end")
            break
        at, is_late = slot
        if pin_index < len(pins):
            add_pins_before(at)
            if len(entries) >= cap:
                break
        entries.append(PlanEntry(post_id, at, False, is_late))
    add_pins_before(None)
    return exhausted


def plan(
    posts: Iterable[QueuedPost],
    slots: Iterable[SlotLike],
    tz: tzinfo,
    pauses: Iterable[Pause],
    now: datetime,
    grace: timedelta,
    last_used: datetime | None = None,
    limit: int | None = None,
    free_after: int = 3,
) -> Plan:
    """Plan the queue: see the module's rules.

    ``posts`` is the queue in order; ``pauses`` are (start, end) pairs in UTC,
    end None for a pause with no end; ``last_used`` is the latest slot time
    already taken by a dispatched post (slots at or before it are never
    offered again). ``limit`` bounds how many entries are computed;
    ``free_after`` is how many free slots beyond the queue to list.
    """
    now = utc(now)
    bounded, open_from = _split_pauses(pauses)
    frame = _Frame(now=now, cutoff=now - grace,
                   last=utc(last_used) if last_used is not None else None,
                   slots=list(slots), tz=tz, bounded=bounded, open_from=open_from)
    queue = _sort_queue(posts, frame.cutoff, frame.pin_times)
    result = Plan(entries=[], lost_pins=queue.lost)
    late = _past_slots(frame, result.skipped)
    free_slots = _free_slots(frame, late)
    total = len(queue.order) + len(queue.pins)
    cap = limit if limit is not None else total
    exhausted = _fill(result, queue, free_slots, now, cap, no_cadence=not frame.slots)

    planned = len(result.entries) + len(result.unplanned)
    result.truncated = planned < total
    if result.entries and not result.truncated:
        result.runs_dry_at = result.entries[-1].at
    if not result.truncated and not exhausted and free_after > 0:
        result.free_slots_after = [at for at, _ in islice(free_slots, free_after)]
    return result


def due(plan: Plan, now: datetime) -> list[PlanEntry]:
    """The entries whose time is now or past: what the daemon dispatches."""
    now = utc(now)
    return plan.entries[:bisect_right([entry.at for entry in plan.entries], now)]


def next_wake(plan: Plan, after: datetime | None = None) -> datetime | None:
    """When the daemon should next wake: the earliest entry's time (after ``after`` if given).

    The time may already have passed (a late post): then wake at once. None
    when nothing is planned.
    """
    if after is not None:
        after = utc(after)
        for entry in plan.entries:
            if entry.at > after:
                return entry.at
        return None
    return plan.entries[0].at if plan.entries else None


def runway_days(plan: Plan, now: datetime) -> float | None:
    """Days until the queue runs dry, from ``now``.

    0.0 when the queue is empty; None when it cannot be told (posts wait with
    no slot, or the plan was cut short by ``limit``).
    """
    if plan.truncated or plan.unplanned:
        return None
    if plan.runs_dry_at is None:
        return 0.0
    return max(0.0, (plan.runs_dry_at - utc(now)).total_seconds() / 86400)


def format_local(dt: datetime, tz: tzinfo) -> str:
    """A UTC time as people read it in the profile's zone: "Mon 01 Dec 09:30"."""
    return local_label(utc(dt), tz) or ""


def runway_sentence(plan: Plan, tz: tzinfo, now: datetime) -> str:
    """One plain sentence on the runway: "The queue runs dry after Fri 19 Dec.". It goes into
    the JSON of `status` and `queue` too: English there (`i18n.L_`), whatever the language."""
    if plan.unplanned:
        count = len(plan.unplanned)
        if plan.unplanned_reason == "no cadence is set":
            return i18n.nL_("{n} queued post waits without a time because no cadence is set.",
                            "{n} queued posts wait without a time because no cadence is set.",
                            count).format(n=count)
        if plan.unplanned_reason == "the queue is paused with no end":
            return i18n.nL_(
                "{n} queued post waits without a time because the queue is paused with no end.",
                "{n} queued posts wait without a time because the queue is paused with no end.",
                count).format(n=count)
        return i18n.nL_("{n} queued post waits without a time because {reason}.",
                        "{n} queued posts wait without a time because {reason}.",
                        count).format(n=count, reason=plan.unplanned_reason)
    if plan.truncated:
        return i18n.L_("The queue holds more posts than were planned.")
    if plan.runs_dry_at is None:
        return i18n.L_("The queue is empty.")
    local = plan.runs_dry_at.astimezone(tz)
    text = day_label(local.date(), with_year=local.year != utc(now).astimezone(tz).year)
    return i18n.L_("The queue runs dry after {date}.").format(date=text)
