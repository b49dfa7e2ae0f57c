"""Times, dates and durations as people type them, in Italian and in English.

The shared vocabulary of the parsers (`scheduler.planning.cadence` reads weekly slots,
`costanza.timeparse` reads dates and durations): weekday and month names in both
languages, full or short, with or without accents, in any case; times of day such as
"9:30", "9.30", "09.30", "9", "h 9", "ore 9", "9h"; dates such as "24/12/2026",
"24-12-2026", "24.12.2026", "24 dicembre", "24 dic 2026", "24 December 2026",
"December 24, 2026" and ISO "2026-12-24"; durations such as "3 giorni", "2 settimane",
"3d", "2w", "12 ore", "30 minuti", "7 days".

Ambiguous input is refused with both readings, never guessed: "6/1/2027" under English
(6 January or June 1), "3m" under Italian (minuti or mesi).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from config import i18n
from config.errors import InputError, shown
from config.i18n import _

WEEKDAYS = {
    "en": ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
    "it": ("lunedi", "martedi", "mercoledi", "giovedi", "venerdi", "sabato", "domenica"),
}
MONTHS = {
    "en": ("january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december"),
    "it": ("gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto",
           "settembre", "ottobre", "novembre", "dicembre"),
}
# The English names of months as the ambiguity message writes them (never translated:
# "6 January 2027 or June 1, 2027" shows how each reading is read in English).
_EN_MONTHS = tuple(name.capitalize() for name in MONTHS["en"])


def fold(text: str) -> str:
    """Lower case, no accents, single spaces: 'Lunedì' -> 'lunedi'."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.lower().split())


def _names(full: dict[str, tuple[str, ...]], extra: dict[str, int]) -> dict[str, int]:
    words: dict[str, int] = {}
    for names in full.values():
        for index, name in enumerate(names):
            words[name] = index
            words[name[:3]] = index
    words.update(extra)
    return words


_WEEKDAY_WORDS = _names(WEEKDAYS, {"tues": 1, "weds": 2, "thur": 3, "thurs": 3,
                                   "mart": 1, "merc": 2, "giov": 3, "vener": 4})
_MONTH_WORDS = {word: index + 1 for word, index in _names(MONTHS, {"sept": 8}).items()}


def weekday(word: str) -> int | None:
    """'lun', 'Lunedì', 'lunedi', 'MON', 'Monday', 'mon.' -> 0; None if not a weekday."""
    return _WEEKDAY_WORDS.get(fold(word).rstrip(".,"))


def month(word: str) -> int | None:
    """'dic', 'dicembre', 'Dec', 'December', 'dec.' -> 12; None if not a month."""
    return _MONTH_WORDS.get(fold(word).rstrip(".,"))


# --- times of day ---------------------------------------------------------------------

_TIME_RE = re.compile(
    r"(?:(?:alle\s+ore|alle|ore|h|at)\s*)?(?P<hour>\d{1,2})(?:[:.,](?P<minute>\d{2}))?\s*h?")


def time_of_day(text: str) -> int | None:
    """'9:30', '9.30', '09.30', '9,30', '9', 'h 9', 'ore 9', 'alle 9', '9h' -> the minute of
    the day (570, 540); None if the text is not a time (or not one on a 24-hour clock)."""
    match = _TIME_RE.fullmatch(fold(text))
    if match is None:
        return None
    hour, minute = int(match["hour"]), int(match["minute"] or 0)
    if hour > 23 or minute > 59:
        return None
    return hour * 60 + minute


# --- dates ----------------------------------------------------------------------------

_ISO_RE = re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})")
_NUMERIC_RE = re.compile(
    r"(?P<a>\d{1,2})(?P<sep>[/.-])(?P<b>\d{1,2})(?:(?P=sep)(?P<y>\d{4}|\d{2}))?")
_DAY = r"(?P<d>\d{1,2})(?:st|nd|rd|th|°|o)?"
_DAY_MONTH_RE = re.compile(_DAY + r"\s+(?P<m>[a-z]+)\.?(?:,?\s+(?P<y>\d{4}))?")
_MONTH_DAY_RE = re.compile(r"(?P<m>[a-z]+)\.?\s+" + _DAY + r"(?:,?\s+(?P<y>\d{4}))?")
# Looking back (``past``), "domani" is not a word the log takes: it reads "ieri".
_RELATIVE = {"oggi": 0, "today": 0, "domani": 1, "tomorrow": 1, "dopodomani": 2}
_RELATIVE_PAST = {"oggi": 0, "today": 0, "ieri": 1, "yesterday": 1, "altro ieri": 2,
                  "l'altro ieri": 2}


def _shown_date(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}-{day.day:02d}"


def _real_day(year: int, month_number: int, day: int, text: str, option: str) -> date:
    try:
        return date(year, month_number, day)
    except ValueError:
        raise InputError(_(
            "'{text}' is not a day of the calendar for {option}: write a real day, like "
            "2026-12-24 or 24 December 2026.").format(text=shown(text), option=option)) from None


def _without_year(month_number: int, day: int, today: date | None, text: str,
                  option: str, past: bool = False) -> date:
    """The next such day from ``today`` (today included); with ``past``, the last one."""
    if today is None:
        raise InputError(_(
            "'{text}' has no year for {option}: write it with one, like "
            "24 December 2026.").format(text=shown(text), option=option))
    step = -1 if past else 1
    for year in range(today.year, today.year + 9 * step, step):  # 29 February: within 8
        try:
            candidate = date(year, month_number, day)
        except ValueError:
            continue
        if (candidate <= today) if past else (candidate >= today):
            return candidate
    return _real_day(today.year, month_number, day, text, option)


def _year(raw: str | None) -> int | None:
    if raw is None:
        return None
    return 2000 + int(raw) if len(raw) == 2 else int(raw)


def _dated(year: int | None, month_number: int, day_number: int, today: date | None,
           text: str, option: str, past: bool = False) -> date:
    if year is None:
        return _without_year(month_number, day_number, today, text, option, past)
    return _real_day(year, month_number, day_number, text, option)


def _numeric(match: re.Match[str], text: str, option: str, today: date | None,
             past: bool) -> date:
    a, b, year = int(match["a"]), int(match["b"]), _year(match["y"])
    if match["sep"] == "." and year is None:
        raise InputError(_(
            "'{text}' is not a date for {option}: write it with the year, like "
            "24.12.2026.").format(text=shown(text), option=option))
    if i18n.language() == "it" or a > 12:
        return _dated(year, b, a, today, text, option, past)  # day/month/year
    if b > 12 or a == b:
        return _dated(year, a, b, today, text, option, past)  # English: only month/day fits
    first = _dated(year, b, a, today, text, option, past)
    second = _dated(year, a, b, today, text, option, past)
    raise InputError(_(
        "{text} could be {first} or {second}: write {first_iso} or {second_iso}.").format(
        text=shown(text),
        first=f"{first.day} {_EN_MONTHS[first.month - 1]} {first.year}",
        second=f"{_EN_MONTHS[second.month - 1]} {second.day}, {second.year}",
        first_iso=_shown_date(first), second_iso=_shown_date(second)))


def day(text: str, option: str, today: date | None = None, past: bool = False) -> date | None:
    """A date typed by a person, or None when the text does not look like one at all.

    InputError for a date that looks like one but cannot be (31/02/2026), that is
    ambiguous ("6/1/2027" under English), or that has no year when ``today`` is not known.
    A date without a year is the next such day from ``today`` (today included); with
    ``past`` (the publish log looks back), the last such day up to ``today``.
    """
    folded = fold(text).strip(" ,")
    relative = _RELATIVE_PAST if past else _RELATIVE
    if folded in relative:
        if today is None:
            return None
        return date.fromordinal(today.toordinal() + relative[folded] * (-1 if past else 1))
    if (match := _ISO_RE.fullmatch(folded)) is not None:
        return _real_day(int(match["y"]), int(match["m"]), int(match["d"]), text, option)
    if (match := _NUMERIC_RE.fullmatch(folded)) is not None:
        return _numeric(match, text, option, today, past)
    words = folded.split(" ", 1)
    named = weekday(words[0]) if len(words) == 2 else None
    readings = [(None, folded)]  # "mar 24" is March 24: the weekday reading has no month
    if named is not None:
        readings.insert(0, (named, words[1].lstrip(" ,")))
    for named, rest in readings:
        found = _named_month(rest, text, option, today, past)
        if found is None:
            continue
        if named is not None and named != found.weekday():
            raise InputError(_(
                "'{text}' does not add up for {option}: {date} is not that day of the week. "
                "Write the date alone, like 24 December 2026.").format(
                text=shown(text), option=option, date=_shown_date(found)))
        return found
    return None


def _named_month(text: str, original: str, option: str, today: date | None,
                 past: bool) -> date | None:
    """'24 dicembre [2026]', 'December 24[, 2026]' -> the day; None if not that shape."""
    for pattern in (_DAY_MONTH_RE, _MONTH_DAY_RE):
        match = pattern.fullmatch(text)
        if match is None or (month_number := month(match["m"])) is None:
            continue
        return _dated(_year(match["y"]), month_number, int(match["d"]), today, original,
                      option, past)
    return None


# --- durations ------------------------------------------------------------------------

_UNITS = {
    "minutes": ("min", "mins", "minute", "minutes", "minuto", "minuti"),
    "hours": ("h", "hr", "hrs", "hour", "hours", "ora", "ore"),
    "days": ("d", "g", "gg", "day", "days", "giorno", "giorni"),
    "weeks": ("w", "wk", "wks", "week", "weeks", "sett", "settimana", "settimane"),
    "months": ("mo", "month", "months", "mese", "mesi"),
}
_UNIT_WORDS = {word: unit for unit, words in _UNITS.items() for word in words}
_DURATION_RE = re.compile(r"(?P<n>\d+)\s*(?P<unit>[a-z]+)\.?(?:\s+(?:fa|ago))?")


def duration(text: str) -> tuple[int, str] | None:
    """'3 giorni', '2w', '12 ore', '30 minuti', '7 days ago' -> (3, 'days'), (2, 'weeks')...
    The unit is one of minutes, hours, days, weeks, months. None when the text is not a
    duration; InputError for "3m" under Italian (minuti or mesi)."""
    match = _DURATION_RE.fullmatch(fold(text))
    if match is None:
        return None
    amount, unit = int(match["n"]), match["unit"]
    if unit == "m":
        if i18n.language() == "it":
            raise InputError(_(
                "'{text}' could be {n} minutes or {n} months: write \"{n} min\" or "
                "\"{n} months\".").format(text=shown(text), n=amount))
        return amount, "minutes"
    if unit not in _UNIT_WORDS:
        return None
    return amount, _UNIT_WORDS[unit]
