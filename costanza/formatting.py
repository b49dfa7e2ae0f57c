"""How times, texts and media are shown to people: one place for every command.

No click here, so the fast listing path and the services can use it too.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from typing import Any

from config.i18n import L_, nL_
from config.localtime import (
    MONTHS,
    WEEKDAYS,
    day_label,
    local_label,
    local_with_zone,
    month_short,
    weekday_short,
    zone_name,
)

__all__ = ["MONTHS", "WEEKDAYS", "local_label", "local_with_zone", "month_short",
           "weekday_short", "zone_name"]


def _day(d: datetime) -> str:
    return day_label(d.date())


def pause_dates(start: datetime, end: datetime | None, tz: tzinfo) -> str:
    """A pause as a person books it: 'Sat 08 Aug 2099 to Mon 24 Aug 2099' (the last day
    included, as `pause --until` takes it), with times only when it does not start or
    end at midnight, and 'from ..., with no end date' when it is open-ended."""
    s = start.astimezone(tz)
    first = _day(s) if (s.hour, s.minute) == (0, 0) else local(s, tz, with_year=True)
    if end is None:
        return L_("from {first}, with no end date").format(first=first)
    e = end.astimezone(tz)
    if (e.hour, e.minute) == (0, 0):
        last = _day(e - timedelta(days=1))
        if last == first:
            return L_("{first} (the whole day)").format(first=first)
        return L_("{first} to {last} (both included)").format(first=first, last=last)
    return L_("{first} to {last}").format(first=first, last=local(e, tz, with_year=True))


def local(dt: datetime | None, tz: tzinfo, with_year: bool = False) -> str:
    """Like ``local_label``, with '-' when there is no time (for tables)."""
    return local_label(dt, tz, with_year) or "-"


def iso(dt: datetime | None) -> str | None:
    return dt.isoformat() if dt is not None else None


def excerpt(text: str | None, width: int = 40) -> str:
    """The start of a post's text on one line, '(no text)' when it has none."""
    flat = " ".join((text or "").split()) or L_("(no text)")
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def media_summary(photos: int, videos: int) -> str:
    """'2 photos, 1 video'."""
    parts = []
    if photos:
        parts.append(nL_("{n} photo", "{n} photos", photos).format(n=photos))
    if videos:
        parts.append(nL_("{n} video", "{n} videos", videos).format(n=videos))
    return ", ".join(parts)


def check_warnings(checks: dict[str, Any]) -> list[str]:
    """"network: note; note" for each network whose verdict is not a plain ok."""
    return [f"{n}: {'; '.join(c.get('notes') or c.get('problems') or [])}"
            for n, c in checks.items() if c.get("status") != "ok"]


def post_lines(post_id: int, when: str, pinned: bool, targets: list[str], text_excerpt: str,
               summary: str, warnings: list[str]) -> list[str]:
    """One post as `post list` prints it: a line, then a line per warning."""
    pin = " " + L_("(pinned)") if pinned else ""
    media = f" [{summary}]" if summary else ""
    return [f"{post_id:>5}  {when:<16}{pin}  {','.join(targets):<22} {text_excerpt}{media}",
            *(f"       ! {w}" for w in warnings)]


def words_for(as_json: bool) -> Any:
    """The block a command builds and prints its data in: English words for JSON (which
    never changes with the language), the language spoken otherwise."""
    from contextlib import nullcontext

    from config.i18n import machine_readable

    return machine_readable() if as_json else nullcontext()
