"""The shared vocabulary of the parsers: every weekday, time, date and duration form, in
Italian and English, reads back as the value it was written from."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from config import i18n, localtime, timewords
from config.errors import InputError

PROPERTY = settings(max_examples=150, deadline=None)
IT_FULL = localtime.WEEKDAY_NAMES["it"]  # with accents: "lunedì"
EN_FULL = localtime.WEEKDAY_NAMES["en"]
CASES: list[Callable[[str], str]] = [str.lower, str.upper, str.capitalize, str.title]


# --- weekdays -------------------------------------------------------------------------

WEEKDAY_FORMS: list[Callable[[int], str]] = [
    lambda i: EN_FULL[i], lambda i: EN_FULL[i][:3], lambda i: IT_FULL[i],
    lambda i: timewords.WEEKDAYS["it"][i], lambda i: localtime.IT_WEEKDAYS[i],
    lambda i: localtime.WEEKDAYS[i] + ".", lambda i: localtime.IT_WEEKDAYS[i] + ".",
]


@PROPERTY
@given(st.integers(0, 6), st.sampled_from(WEEKDAY_FORMS), st.sampled_from(CASES))
def test_every_weekday_form_reads_back(index: int, form: Callable[[int], str],
                                       case: Callable[[str], str]) -> None:
    assert timewords.weekday(case(form(index))) == index


@pytest.mark.parametrize("word, index", [
    ("lun", 0), ("lunedì", 0), ("lunedi", 0), ("LUNEDÌ", 0), ("mar", 1), ("martedì", 1),
    ("mer", 2), ("mercoledi", 2), ("gio", 3), ("giovedì", 3), ("ven", 4), ("venerdi", 4),
    ("sab", 5), ("sabato", 5), ("dom", 6), ("Domenica", 6), ("mon", 0), ("sunday", 6),
])
def test_italian_weekdays(word: str, index: int) -> None:
    assert timewords.weekday(word) == index


@pytest.mark.parametrize("word", ["", "lu", "funday", "marzo", "9"])
def test_not_weekdays(word: str) -> None:
    assert timewords.weekday(word) is None


# --- times of day ---------------------------------------------------------------------

TIME_FORMS: list[Callable[[int, int], str]] = [
    lambda h, m: f"{h}:{m:02d}", lambda h, m: f"{h:02d}:{m:02d}", lambda h, m: f"{h}.{m:02d}",
    lambda h, m: f"{h:02d}.{m:02d}", lambda h, m: f"{h},{m:02d}", lambda h, m: f"ore {h}.{m:02d}",
    lambda h, m: f"alle {h}:{m:02d}",
]
WHOLE_HOUR_FORMS: list[Callable[[int], str]] = [
    str, lambda h: f"h {h}", lambda h: f"ore {h}", lambda h: f"{h}h", lambda h: f"H{h}",
    lambda h: f"alle {h}", lambda h: f"{h:02d}",
]


@PROPERTY
@given(st.integers(0, 1439), st.sampled_from(TIME_FORMS))
def test_every_time_form_reads_back(minute: int, form: Callable[[int, int], str]) -> None:
    assert timewords.time_of_day(form(*divmod(minute, 60))) == minute


@PROPERTY
@given(st.integers(0, 23), st.sampled_from(WHOLE_HOUR_FORMS))
def test_a_whole_hour_may_be_written_alone(hour: int, form: Callable[[int], str]) -> None:
    assert timewords.time_of_day(form(hour)) == hour * 60


@pytest.mark.parametrize("text", ["24", "9:60", "9:5", "9am", "930", "25.00", "", "ore", "h"])
def test_not_times(text: str) -> None:
    assert timewords.time_of_day(text) is None


# --- dates ----------------------------------------------------------------------------

dates = st.dates(date(1970, 1, 1), date(9998, 12, 31))


def _month(index: int, language: str, short: bool) -> str:
    name = timewords.MONTHS[language][index - 1]
    return name[:3] if short else name


DATE_FORMS: list[Callable[[date], str]] = [
    lambda d: d.isoformat(),
    lambda d: f"{d.day} {_month(d.month, 'it', False)} {d.year}",
    lambda d: f"{d.day} {_month(d.month, 'it', True)} {d.year}",
    lambda d: f"{d.day} {_month(d.month, 'en', False).capitalize()} {d.year}",
    lambda d: f"{d.day:02d} {_month(d.month, 'en', True).capitalize()} {d.year}",
    lambda d: f"{_month(d.month, 'en', False).capitalize()} {d.day}, {d.year}",
    lambda d: f"{IT_FULL[d.weekday()]} {d.day} {_month(d.month, 'it', False)} {d.year}",
]
NUMERIC_FORMS: list[Callable[[date], str]] = [
    lambda d: f"{d.day}/{d.month}/{d.year}", lambda d: f"{d.day:02d}/{d.month:02d}/{d.year}",
    lambda d: f"{d.day}-{d.month}-{d.year}", lambda d: f"{d.day}.{d.month}.{d.year}",
]


@PROPERTY
@given(dates, st.sampled_from(DATE_FORMS), st.sampled_from(["en", "it"]),
       st.sampled_from(CASES))
def test_every_date_form_reads_back_in_both_languages(
        day: date, form: Callable[[date], str], language: str,
        case: Callable[[str], str]) -> None:
    with i18n.speaking(language):
        assert timewords.day(case(form(day)), "--from") == day


@PROPERTY
@given(dates, st.sampled_from(["en", "it"]))
def test_the_labels_costanza_shows_read_back(day: date, language: str) -> None:
    with i18n.speaking(language):
        label = localtime.day_label(day)  # 'sab 8 ago 2099' / 'Sat 08 Aug 2099'
        assert timewords.day(label, "--from") == day


@PROPERTY
@given(dates, st.sampled_from(NUMERIC_FORMS))
def test_italian_numbers_are_day_month_year(day: date, form: Callable[[date], str]) -> None:
    with i18n.speaking("it"):
        assert timewords.day(form(day), "--from") == day


@PROPERTY
@given(dates, st.sampled_from(NUMERIC_FORMS))
def test_english_numbers_are_read_only_when_one_reading_exists(
        day: date, form: Callable[[date], str]) -> None:
    text = form(day)
    with i18n.speaking("en"):
        if day.day <= 12 and day.day != day.month:
            with pytest.raises(InputError) as caught:
                timewords.day(text, "--from")
            swapped = date(day.year, day.day, day.month)
            assert day.isoformat() in caught.value.message
            assert swapped.isoformat() in caught.value.message
        else:
            assert timewords.day(text, "--from") == day


def test_the_english_ambiguity_shows_both_readings() -> None:
    with i18n.speaking("en"), pytest.raises(InputError) as caught:
        timewords.day("6/1/2027", "--until")
    assert caught.value.message == (
        "6/1/2027 could be 6 January 2027 or June 1, 2027: write 2027-01-06 or 2027-06-01.")
    with i18n.speaking("en"):  # month first is the only reading when the day is over 12
        assert timewords.day("12/24/2026", "--until") == date(2026, 12, 24)
        assert timewords.day("24/12/2026", "--until") == date(2026, 12, 24)


@PROPERTY
@given(dates, st.dates(date(1970, 1, 1), date(9990, 12, 31)), st.sampled_from(["en", "it"]))
def test_a_date_without_a_year_is_the_next_such_day(day: date, today: date,
                                                   language: str) -> None:
    with i18n.speaking(language):
        found = timewords.day(f"{day.day} {_month(day.month, language, False)}", "--from",
                              today)
    assert found is not None and (found.month, found.day) == (day.month, day.day)
    assert today <= found and found.year - today.year <= 8
    if found.year > today.year:  # this year's was already past, or not in the calendar
        try:
            assert date(today.year, day.month, day.day) < today
        except ValueError:
            pass


@PROPERTY
@given(dates, st.dates(date(1978, 1, 1), date(9998, 12, 31)))
def test_looking_back_a_date_without_a_year_is_the_last_such_day(day: date,
                                                                 today: date) -> None:
    with i18n.speaking("it"):
        found = timewords.day(f"{day.day}/{day.month}", "--since", today, past=True)
    assert found is not None and (found.month, found.day) == (day.month, day.day)
    assert found <= today and today.year - found.year <= 8


def test_a_month_that_is_also_a_weekday() -> None:
    # "mar" is martedì and March; "Mar 24, 2026" has no other reading than March.
    assert timewords.day("Mar 24, 2026", "--from") == date(2026, 3, 24)
    assert timewords.day("mar 24 mar 2026", "--from") == date(2026, 3, 24)  # a Tuesday
    with pytest.raises(InputError, match="does not add up"):
        timewords.day("mer 24 mar 2026", "--from")


def test_relative_days_and_missing_years() -> None:
    today = date(2026, 11, 28)
    assert timewords.day("oggi", "--from", today) == today
    assert timewords.day("Domani", "--from", today) == today + timedelta(days=1)
    assert timewords.day("tomorrow", "--from", today) == today + timedelta(days=1)
    with i18n.speaking("it"):
        assert timewords.day("6/1", "--until", today) == date(2027, 1, 6)
        assert timewords.day("24 dic", "--until", today) == date(2026, 12, 24)
    with pytest.raises(InputError, match="has no year"):
        timewords.day("24 dicembre", "--from")


@pytest.mark.parametrize("text, fragment", [
    ("31/02/2026", "non è un giorno del calendario"),
    ("2026-02-30", "non è un giorno del calendario"),
    ("24.12", "con l'anno"),
    ("lun 24 dic 2026", "non torna"),  # 24 December 2026 is a Thursday
])
def test_dates_that_cannot_be(text: str, fragment: str) -> None:
    with i18n.speaking("it"), pytest.raises(InputError, match=fragment):
        timewords.day(text, "--from", date(2026, 11, 28))


@pytest.mark.parametrize("text", ["", "domani-ish", "last tuesday", "24 foo 2026", "9.30"])
def test_not_dates(text: str) -> None:
    try:
        assert timewords.day(text, "--from", date(2026, 11, 28)) is None
    except InputError:
        assert text == "9.30"  # a time, not a date: refused, never read as a day


# --- durations ------------------------------------------------------------------------

UNIT_FORMS = {
    "days": [("d", "d"), (" giorno", " giorni"), (" day", " days"), ("g", "g")],
    "weeks": [("w", "w"), (" settimana", " settimane"), (" week", " weeks")],
    "hours": [("h", "h"), (" ora", " ore"), (" hour", " hours")],
    "minutes": [("min", "min"), (" minuto", " minuti"), (" minute", " minutes")],
    "months": [(" mese", " mesi"), (" month", " months")],
}


@PROPERTY
@given(st.integers(0, 10_000), st.sampled_from(sorted(UNIT_FORMS)), st.data())
def test_every_duration_form_reads_back(amount: int, unit: str, data: st.DataObject) -> None:
    one, many = data.draw(st.sampled_from(UNIT_FORMS[unit]))
    text = f"{amount}{one if amount == 1 else many}"
    text = data.draw(st.sampled_from([text, text.upper(), f"{text} fa", f"{text} ago"]))
    language = data.draw(st.sampled_from(["en", "it"]))
    with i18n.speaking(language):
        assert timewords.duration(text) == (amount, unit)


def test_three_m_is_refused_in_italian_with_both_readings() -> None:
    with i18n.speaking("it"), pytest.raises(InputError) as caught:
        timewords.duration("3m")
    assert "3 minuti" in caught.value.message and "3 mesi" in caught.value.message
    with i18n.speaking("en"):
        assert timewords.duration("30m") == (30, "minutes")  # as it always was


@pytest.mark.parametrize("text", ["", "3", "giorni", "3 parsec", "2026-12-24", "-3d"])
def test_not_durations(text: str) -> None:
    assert timewords.duration(text) is None
