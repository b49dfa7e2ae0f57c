"""Reading dates and times typed by a person, in the profile's time zone."""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from config import timewords
from config.errors import InputError, shown
from config.i18n import _

# The years a typed date may name: far enough for any plan, and clear of the calendar's
# edges (year 1 in a zone east of UTC is before datetime's first instant).
MIN_YEAR, MAX_YEAR = 1970, 9998

_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d")


def _today(now: datetime | None, tz: ZoneInfo) -> date | None:
    return now.astimezone(tz).date() if now is not None else None


def _day_and_minute(text: str, option: str, today: date | None,
                    past: bool) -> tuple[date, int] | None:
    """'24/12/2026 10:00', '24 dic 2026, ore 10', 'December 24, 2026 9.30', '24 dicembre'
    (midnight) -> (the day, the minute of the day); None if it is not one."""
    words = text.replace(",", " ").split()
    for cut in range(len(words), 0, -1):
        minute = 0 if cut == len(words) else timewords.time_of_day(" ".join(words[cut:]))
        if minute is None:
            continue
        day = timewords.day(" ".join(words[:cut]), option, today, past)
        if day is not None:
            return day, minute
    return None


def parse_local(text: str, tz: ZoneInfo, option: str = "--at",
                now: datetime | None = None, past: bool = False) -> datetime:
    """'2026-12-24 10:00', '24/12/2026 10:00', '24 dicembre 9.30' in the profile's zone ->
    an aware UTC datetime. A date alone is its midnight; a date without a year is the
    next such day from ``now`` (with ``past``, the last one; without ``now`` it is refused).

    A wall-clock time skipped by a daylight-saving jump moves forward by the
    jump, the same rule as the weekly slots.
    """
    for fmt in _FORMATS:
        try:
            naive = datetime.strptime(text.strip(), fmt)
        except ValueError:
            continue
        return _in_range(lambda at=naive: at.replace(tzinfo=tz).astimezone(UTC), text, option)
    found = _day_and_minute(text, option, _today(now, tz), past)
    if found is not None:
        day, minute = found
        naive = datetime(day.year, day.month, day.day, minute // 60, minute % 60)
        return _in_range(lambda at=naive: at.replace(tzinfo=tz).astimezone(UTC), text, option)
    raise InputError(_(
        "'{text}' is not a date and time Costanza understands for {option}. "
        'Write it like "2026-12-24 10:00" (year-month-day hours:minutes, your local time).'
    ).format(text=shown(text), option=option))


def _in_range(make: Callable[[], datetime], text: str, option: str,
              example: str = '"2026-12-24 10:00"') -> datetime:
    """``make()``, or a plain refusal for a date at the very edge of the calendar (year 1,
    year 9999) whose conversion to UTC falls off it."""
    try:
        value = make()
    except (OverflowError, ValueError):
        value = None
    if value is None or not MIN_YEAR <= value.year <= MAX_YEAR:
        raise InputError(_(
            "'{text}' is too far from today for {option}: Costanza works with "
            "dates from {first} to {last}. Write one like {example}.").format(
            text=shown(text), option=option, first=MIN_YEAR, last=MAX_YEAR, example=example))
    return value


def parse_date(text: str, option: str, today: date | None = None) -> date:
    """'2026-12-24', '24/12/2026', '24-12-2026', '24.12.2026', '24 dicembre', '24 dic 2026',
    '24 December 2026', 'December 24, 2026' -> that day (see `config.timewords.day`;
    a date without a year is the next such day from ``today``)."""
    found = timewords.day(text, option, today)
    if found is None:
        raise InputError(_(
            "'{text}' is not a date for {option}. "
            "Write it like 2026-08-08 (year-month-day)."
        ).format(text=shown(text), option=option))
    return found


def start_of_day(day: date, tz: ZoneInfo, option: str = "the date") -> datetime:
    return _in_range(lambda: datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(UTC),
                     day.isoformat(), option)


def next_day(day: date, option: str) -> date:
    """The day after ``day``; the last day of the calendar has none."""
    if day >= date(MAX_YEAR, 12, 31):
        raise InputError(_(
            "'{day}' is too far from today for {option}: Costanza works with "
            "dates from {first} to {last}.").format(
            day=day.isoformat(), option=option, first=MIN_YEAR, last=MAX_YEAR))
    return day + timedelta(days=1)


def _months_back(now: datetime, months: int, tz: ZoneInfo) -> datetime:
    local = now.astimezone(tz)
    index = local.year * 12 + local.month - 1 - months
    year, month = divmod(index, 12)
    day = min(local.day, calendar.monthrange(year, month + 1)[1])
    return local.replace(year=year, month=month + 1, day=day).astimezone(UTC)


def parse_since(text: str, now: datetime, tz: ZoneInfo, option: str = "--since") -> datetime:
    """'7d', '12h', '30m', '3 giorni', '2 settimane', '1 mese' back from now, or a local
    date/time (see `parse_local`; a date without a year is the last such day: the log
    looks back)."""
    found = timewords.duration(text)
    if found is not None:
        amount, unit = found
        if unit == "months":
            return _in_range(lambda: _months_back(now, amount, tz), text, option, '"30d"')
        return _in_range(lambda: now - timedelta(**{unit: amount}), text, option, '"30d"')
    return parse_local(text, tz, option, now, past=True)


def parse_end(text: str, now: datetime, tz: ZoneInfo, option: str = "--until") -> datetime:
    """--until: a date alone means up to the end of that day; else like `parse_since`."""
    if timewords.duration(text) is None:
        day = timewords.day(text, option, _today(now, tz), past=True)
        if day is not None:
            return start_of_day(next_day(day, option), tz, option)
    return parse_since(text, now, tz, option)
