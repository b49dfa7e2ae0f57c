"""Weekly cadence: slots as wall-clock times in the profile's time zone.

A slot is a weekday (0 = Monday) and a minute of the day, read as a
wall-clock time in the profile's IANA time zone (for example "Europe/Rome").
Slots are stored that way, never as a fixed UTC offset, so a "Mon 09:30"
slot is at 09:30 on the clock on the wall in winter and in summer alike.

Daylight saving time: the rule
------------------------------
Twice a year a wall-clock time can be ambiguous. Costanza resolves it like
this, every time, in every zone:

* **A time that does not exist** (it falls in the gap of a spring-forward
  night) **is moved forward by the length of the gap.** In Rome the clocks
  jump from 02:00 to 03:00 on the last Sunday of March, so a 02:30 slot is
  used at 03:30 that day. On Lord Howe Island the jump is 30 minutes (02:00
  to 02:30), so a 02:15 slot is used at 02:45. This is what reading the time
  with the offset in force just before the jump gives (``fold=0``, then
  normalised); the next week the slot is back at 02:30.
* **A time that occurs twice** (it falls in the repeated hour of a fall-back
  night) **is used once, at its first occurrence** (``fold=0``, still on
  summer time). In Rome on the last Sunday of October a 02:30 slot is used at
  02:30 CEST (00:30 UTC), not again an hour later.
* If two slots land on the same instant after a gap is crossed (say 02:30
  and 03:30 on a night that skips 02:00-03:00), that instant is used once.

Times handed out by this module are timezone-aware and in UTC; they are
computed from the wall-clock slot and the zone's rules each time, never
stored as offsets.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from config import timewords, zonewords
from config.errors import InputError, shown
from config.i18n import _
from config.localtime import weekday_short

__all__ = [
    "WEEKDAY_NAMES",
    "SlotLike",
    "WeeklySlot",
    "format_slots",
    "local_time",
    "occurrences",
    "parse_slots",
    "parse_timezone",
]

WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

_SLOT_RE = re.compile(r"^(?P<day>[^\W\d_]+)\.?\s+(?P<time>.+)$")
# A comma inside a time ("9,30") is not a separator between slots.
_SEPARATORS = re.compile(r"[;\n]|,(?!\d{2}\b)")

_MINUTES_PER_DAY = 24 * 60


class SlotLike(Protocol):
    """Anything with a weekday (0 = Monday) and a minute of the day, such as a CadenceSlot row."""

    @property
    def weekday(self) -> int: ...

    @property
    def minute(self) -> int: ...


@dataclass(frozen=True, order=True)
class WeeklySlot:
    """A weekly slot: a weekday (0 = Monday) and a wall-clock minute of the day (0-1439)."""

    weekday: int
    minute: int

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), not {self.weekday}")
        if not 0 <= self.minute < _MINUTES_PER_DAY:
            raise ValueError(f"minute must be 0 to 1439, not {self.minute}")

    @property
    def label(self) -> str:
        """The slot as people write it, in the language spoken: "Mon 09:30", "lun 09:30"
        (English in JSON, as `config.localtime` does)."""
        hours, minutes = divmod(self.minute, 60)
        return f"{weekday_short(self.weekday)} {hours:02d}:{minutes:02d}"

    def __str__(self) -> str:
        return self.label


def parse_slots(text: str) -> list[WeeklySlot]:
    """Read slots such as "mon 09:30, wed 18:00; Friday 12:00" or "lun 9.30, mer 18, ven 12".

    Weekdays are Italian or English names or their abbreviations, in any case, with or
    without accents ("lun", "lunedì", "lunedi", "mon", "Monday", "TUE", "thurs"); times
    are on a 24-hour clock ("9:30", "9.30", "09.30", "9", "h 9", "ore 9", see
    `config.timewords.time_of_day`); slots are separated by commas or semicolons. The
    result is sorted (Monday first) and has no duplicates. Anything else raises
    InputError saying which part could not be read.
    """
    slots: set[WeeklySlot] = set()
    for raw in _SEPARATORS.split(text or ""):
        piece = " ".join(raw.split())
        if not piece:
            continue
        slots.add(_parse_slot(piece))
    if not slots:
        raise InputError(_('No slots were given: write slots like "mon 09:30, wed 18:00".'))
    return sorted(slots)


def _parse_slot(piece: str) -> WeeklySlot:
    match = _SLOT_RE.match(piece)
    if match is None or (timewords.weekday(match["day"]) is None
                         and timewords.time_of_day(match["time"]) is None):
        raise InputError(_("'{piece}' is not a slot: give a weekday and a time for each one; "
                           'write slots like "mon 09:30, wed 18:00".').format(piece=piece))
    day = timewords.weekday(match["day"])
    if day is None:
        raise InputError(_("'{piece}' does not start with a weekday: "
                           'write slots like "mon 09:30, wed 18:00".').format(piece=piece))
    minute = timewords.time_of_day(match["time"])
    if minute is None:
        if any(timewords.weekday(word) is not None for word in match["time"].split()):
            raise InputError(_("'{piece}' is not a slot: give a weekday and a time for each "
                               'one; write slots like "mon 09:30, wed 18:00".').format(
                                   piece=piece))
        raise InputError(_("'{piece}' is not a time: write slots like "
                           '"mon 09:30, wed 18:00".').format(piece=piece))
    return WeeklySlot(day, minute)


def format_slots(slots: Iterable[SlotLike]) -> str:
    """Slots as parse_slots reads them: "Mon 09:30, Wed 18:00" (sorted, no duplicates)."""
    unique = sorted({WeeklySlot(slot.weekday, slot.minute) for slot in slots})
    return ", ".join(slot.label for slot in unique)


def parse_timezone(name: str) -> ZoneInfo:
    """The time zone ``name`` means: an IANA name in any case ("Europe/Rome",
    "europe/rome"), a city or country in Italian or English ("Roma", "Italia", "London"),
    or an IANA city alone when only one zone has it ("kolkata"); see `config.zonewords`.
    InputError if there is none, or if the name means several places (with the readings).
    """
    key = (name or "").strip()
    found = zonewords.resolve(key)
    if isinstance(found, str):
        try:
            return ZoneInfo(found)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            pass
    elif found:
        raise InputError(_(
            "'{name}' could be {first} or {second}: give the time zone you mean, such as "
            '"{first}".').format(name=shown(key), first=found[0], second=found[1]))
    if key:
        raise InputError(_(
            "'{name}' is not a time zone: use an IANA name such as \"{suggestion}\".").format(
            name=shown(key), suggestion="Europe/Rome"))
    raise InputError(_(
        'An empty name is not a time zone: use an IANA name such as "Europe/Rome".'))


def local_time(slot_weekday_date: date, minute: int, tz: tzinfo) -> datetime:
    """The UTC instant of wall-clock ``minute`` on ``slot_weekday_date`` in ``tz``.

    Applies the DST rule of this module: a time in a spring-forward gap is
    moved forward by the gap's length; a time repeated on a fall-back night
    is its first occurrence.
    """
    return _instant(slot_weekday_date, _wall_time(minute), tz)


def _wall_time(minute: int) -> time:
    hours, minutes = divmod(minute, 60)
    return time(hours, minutes, fold=0)


def _instant(day: date, wall_time: time, tz: tzinfo) -> datetime:
    # fold=0: in a gap this reads the time with the offset in force before
    # the jump, which lands gap-length later on the new clock; in a repeated
    # hour it is the first occurrence.
    return datetime.combine(day, wall_time, tzinfo=tz).astimezone(UTC)


def occurrences(
    slots: Iterable[SlotLike],
    tz: tzinfo,
    start: datetime,
    end: datetime | None = None,
) -> Iterator[datetime]:
    """Every occurrence of the weekly ``slots`` at or after ``start`` (and before ``end``).

    Yields aware UTC datetimes, strictly increasing: an instant reached by
    two slots (after a DST gap) is yielded once. ``start`` and ``end`` must be
    timezone-aware. Without ``end`` the iterator is endless unless there are
    no slots (then it yields nothing).
    """
    if start.tzinfo is None or (end is not None and end.tzinfo is None):
        raise ValueError("occurrences needs timezone-aware start and end times")
    start = start.astimezone(UTC)
    end = end.astimezone(UTC) if end is not None else None
    by_weekday: list[list[int]] = [[] for _ in range(7)]
    for slot in slots:
        if not 0 <= slot.weekday <= 6 or not 0 <= slot.minute < _MINUTES_PER_DAY:
            raise ValueError(f"not a weekly slot: weekday {slot.weekday}, minute {slot.minute}")
        by_weekday[slot.weekday].append(slot.minute)
    if not any(by_weekday):
        return
    times_by_weekday = [[_wall_time(m) for m in sorted(set(day))] for day in by_weekday]

    # A wall-clock time maps to an instant less than a day away from the same
    # digits read as UTC (offsets are under 24 h), and a gap only moves a time
    # later. So once a local day D has been computed, no later day can produce
    # an instant at or before D 00:00 read as UTC: everything in the heap up
    # to that bound can be handed out in order. Days without slots are skipped.
    day = start.astimezone(tz).date() - timedelta(days=2)
    steps = []  # days from each weekday to the next weekday that has slots
    for weekday in range(7):
        step = 1
        while not times_by_weekday[(weekday + step) % 7]:
            step += 1
        steps.append(timedelta(days=step))
    while not times_by_weekday[day.weekday()]:
        day += timedelta(days=1)
    pending: list[datetime] = []
    last: datetime | None = None
    last_day = date.max - timedelta(days=7)
    while True:
        for wall_time in times_by_weekday[day.weekday()]:
            heapq.heappush(pending, _instant(day, wall_time, tz))
        bound = None if day >= last_day else datetime(day.year, day.month, day.day, tzinfo=UTC)
        while pending and (bound is None or pending[0] <= bound):
            instant = heapq.heappop(pending)
            if instant < start or instant == last:
                continue
            if end is not None and instant >= end:
                return
            last = instant
            yield instant
        if bound is None or (end is not None and bound >= end):
            return  # the calendar ends, or everything still to come is past ``end``
        day += steps[day.weekday()]
