"""Times as people read them, in the profile's zone and the language spoken:
'Mon 07 Dec 10:18 CET' in English, 'lun 7 dic, 10:18 CET' in Italian.

At the bottom of the house, so that the engine's log lines and messages can use it.
Inside `config.i18n.machine_readable` (JSON output) the labels are English whatever the
language, so that JSON never changes with it. No strftime: it follows the machine's
locale, and listings format thousands of these.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo

from config import i18n

# English short names, whatever the machine's locale (the heatmap uses them too).
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
          "Dec")
IT_WEEKDAYS = ("lun", "mar", "mer", "gio", "ven", "sab", "dom")
IT_MONTHS = ("", "gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov",
             "dic")
WEEKDAY_NAMES = {"en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
                        "Sunday"),
                 "it": ("lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato",
                        "domenica")}
MONTH_NAMES = {"en": ("", "January", "February", "March", "April", "May", "June", "July",
                      "August", "September", "October", "November", "December"),
               "it": ("", "gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno",
                      "luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre")}


def _italian() -> bool:
    return i18n.language() == "it" and not i18n.for_machines()


def weekday_short(index: int) -> str:
    """'Mon' / 'lun' for Monday (0) in the language spoken."""
    return (IT_WEEKDAYS if _italian() else WEEKDAYS)[index]


def month_short(month: int) -> str:
    """'Dec' / 'dic' for December (12) in the language spoken."""
    return (IT_MONTHS if _italian() else MONTHS)[month]


def weekday_name(index: int) -> str:
    """'Monday' / 'lunedì'."""
    return WEEKDAY_NAMES["it" if _italian() else "en"][index]


def month_name(month: int) -> str:
    """'December' / 'dicembre'."""
    return MONTH_NAMES["it" if _italian() else "en"][month]


def day_label(day: date, with_year: bool = True) -> str:
    """'Sat 08 Aug 2099' / 'sab 8 ago 2099': a whole day (with its year, unless told)."""
    year = f" {day.year}" if with_year else ""
    if _italian():
        return f"{IT_WEEKDAYS[day.weekday()]} {day.day} {IT_MONTHS[day.month]}{year}"
    return f"{WEEKDAYS[day.weekday()]} {day.day:02d} {MONTHS[day.month]}{year}"


def local_label(dt: datetime | None, tz: tzinfo, with_year: bool = False) -> str | None:
    """'Mon 01 Dec 09:30' / 'lun 1 dic, 09:30' in the profile's zone."""
    if dt is None:
        return None
    d = dt.astimezone(tz)
    if _italian():
        year = f" {d.year}" if with_year else ""
        return (f"{IT_WEEKDAYS[d.weekday()]} {d.day} {IT_MONTHS[d.month]}{year}, "
                f"{d.hour:02d}:{d.minute:02d}")
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
    """'Mon 07 Dec 10:18 CET' / 'lun 7 dic, 10:18 CET': a time in the profile's zone, with
    the zone named (for log lines, which are read away from the profile's other settings)."""
    return f"{local_label(dt, tz)} {zone_name(dt.astimezone(tz))}"
