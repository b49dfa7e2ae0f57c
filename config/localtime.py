"""Times as people read them, in the profile's zone: 'Mon 07 Dec 10:18 CET'.

At the bottom of the house, so that the engine's log lines and messages can use it.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

# English short names, whatever the machine's locale (the heatmap uses them too).
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
           "Dec")


def local_label(dt: datetime | None, tz: tzinfo, with_year: bool = False) -> str | None:
    """'Mon 01 Dec 09:30' in the profile's zone (English whatever the machine's locale;
    no strftime: listings format thousands of these)."""
    if dt is None:
        return None
    d = dt.astimezone(tz)
    year = f" {d.year}" if with_year else ""
    return (f"{WEEKDAYS[d.weekday()]} {d.day:02d} {MONTHS[d.month]}{year} "
            f"{d.hour:02d}:{d.minute:02d}")


def zone_name(moment: datetime) -> str:
    """The zone of an aware time as people read it: 'CET', 'CEST', 'UTC'; its offset
    ('+0530') for the zones whose abbreviation is only a number, or that have none."""
    name = moment.tzname() or ""
    if not name or name[0] in "+-":
        return moment.strftime("%z") or "UTC"
    return name


def local_with_zone(dt: datetime, tz: tzinfo) -> str:
    """'Mon 07 Dec 10:18 CET': a time in the profile's zone, with the zone named (for log
    lines, which are read away from the profile's other settings)."""
    return f"{local_label(dt, tz)} {zone_name(dt.astimezone(tz))}"
