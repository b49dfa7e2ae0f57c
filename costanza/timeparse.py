"""Reading dates and times typed by a person, in the profile's time zone."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from config.errors import InputError, shown

# The years a typed date may name: far enough for any plan, and clear of the calendar's
# edges (year 1 in a zone east of UTC is before datetime's first instant).
MIN_YEAR, MAX_YEAR = 1970, 9998

_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d")


def parse_local(text: str, tz: ZoneInfo, option: str = "--at") -> datetime:
    """'2026-12-24 10:00' in the profile's zone -> an aware UTC datetime.

    A wall-clock time skipped by a daylight-saving jump moves forward by the
    jump, the same rule as the weekly slots.
    """
    for fmt in _FORMATS:
        try:
            naive = datetime.strptime(text.strip(), fmt)
        except ValueError:
            continue
        return _in_range(lambda at=naive: at.replace(tzinfo=tz).astimezone(UTC), text, option)
    raise InputError(
        f"'{shown(text)}' is not a date and time Costanza understands for {option}. "
        'Write it like "2026-12-24 10:00" (year-month-day hours:minutes, your local time).'
    )


def _in_range(make: Callable[[], datetime], text: str, option: str,
              example: str = '"2026-12-24 10:00"') -> datetime:
    """``make()``, or a plain refusal for a date at the very edge of the calendar (year 1,
    year 9999) whose conversion to UTC falls off it."""
    try:
        value = make()
    except (OverflowError, ValueError):
        value = None
    if value is None or not MIN_YEAR <= value.year <= MAX_YEAR:
        raise InputError(
            f"'{shown(text)}' is too far from today for {option}: Costanza works with "
            f"dates from {MIN_YEAR} to {MAX_YEAR}. Write one like {example}.")
    return value


def parse_date(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(
            f"'{shown(text)}' is not a date for {option}. "
            "Write it like 2026-08-08 (year-month-day)."
        ) from None


def start_of_day(day: date, tz: ZoneInfo, option: str = "the date") -> datetime:
    return _in_range(lambda: datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(UTC),
                     day.isoformat(), option)


def next_day(day: date, option: str) -> date:
    """The day after ``day``; the last day of the calendar has none."""
    if day >= date(MAX_YEAR, 12, 31):
        raise InputError(
            f"'{day.isoformat()}' is too far from today for {option}: Costanza works with "
            f"dates from {MIN_YEAR} to {MAX_YEAR}.")
    return day + timedelta(days=1)


def parse_since(text: str, now: datetime, tz: ZoneInfo, option: str = "--since") -> datetime:
    """'7d', '12h', '30m' back from now, or a local date/time."""
    match = re.fullmatch(r"\s*(\d+)\s*([dhmw])\s*", text)
    if match:
        amount = int(match.group(1))
        unit = {"d": "days", "h": "hours", "m": "minutes", "w": "weeks"}[match.group(2)]
        return _in_range(lambda: now - timedelta(**{unit: amount}), text, option, '"30d"')
    return parse_local(text, tz, option)
