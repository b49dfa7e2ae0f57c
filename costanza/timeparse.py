"""Reading dates and times typed by a person, in the profile's time zone."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from costanza.errors import InputError

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
        return naive.replace(tzinfo=tz).astimezone(UTC)
    raise InputError(
        f"'{text}' is not a date and time Costanza understands for {option}. "
        'Write it like "2026-12-24 10:00" (year-month-day hours:minutes, your local time).'
    )


def parse_date(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(
            f"'{text}' is not a date for {option}. Write it like 2026-08-08 (year-month-day)."
        ) from None


def start_of_day(day: date, tz: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(UTC)


def parse_since(text: str, now: datetime, tz: ZoneInfo, option: str = "--since") -> datetime:
    """'7d', '12h', '30m' back from now, or a local date/time."""
    match = re.fullmatch(r"\s*(\d+)\s*([dhmw])\s*", text)
    if match:
        amount = int(match.group(1))
        unit = {"d": "days", "h": "hours", "m": "minutes", "w": "weeks"}[match.group(2)]
        return now - timedelta(**{unit: amount})
    return parse_local(text, tz, option)
