"""Dates and times typed for --at, --from, --until and --since, in Italian and English."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from config import i18n
from config.errors import InputError
from costanza.timeparse import parse_date, parse_end, parse_local, parse_since

ROME = ZoneInfo("Europe/Rome")
NOW = datetime(2026, 11, 28, 18, 0, tzinfo=UTC)  # Saturday evening in Rome


def rome(*args: int) -> datetime:
    return datetime(*args, tzinfo=ROME).astimezone(UTC)


@pytest.mark.parametrize("text", [
    "2026-12-24 10:00", "24/12/2026 10:00", "24-12-2026 10.00", "24.12.2026 ore 10",
    "24 dicembre 2026 10:00", "24 dic 2026, alle 10", "24 dicembre 10", "gio 24 dic 2026 10:00",
    "December 24, 2026 10:00", "24 December 2026 h 10", "24/12 10:00",
])
def test_at_in_italian_and_english(text: str) -> None:
    with i18n.speaking("it"):
        assert parse_local(text, ROME, now=NOW) == rome(2026, 12, 24, 10, 0)


def test_a_date_alone_is_its_midnight() -> None:
    with i18n.speaking("it"):
        assert parse_local("24/12/2026", ROME) == rome(2026, 12, 24, 0, 0)
    assert parse_local("2026-12-24", ROME) == rome(2026, 12, 24, 0, 0)


def test_english_refuses_an_ambiguous_at() -> None:
    with i18n.speaking("en"), pytest.raises(InputError) as caught:
        parse_local("6/1/2027 10:00", ROME, now=NOW)
    assert "2027-01-06 or 2027-06-01" in caught.value.message


@settings(max_examples=100, deadline=None)
@given(st.datetimes(datetime(1971, 1, 1), datetime(9997, 12, 31)), st.data())
def test_local_times_round_trip(moment: datetime, data: st.DataObject) -> None:
    moment = moment.replace(second=0, microsecond=0)
    forms = [f"{moment:%d/%m/%Y %H:%M}", f"{moment:%d-%m-%Y %H.%M}",
             f"{moment.day} {moment:%B %Y} {moment:%H:%M}", f"{moment:%Y-%m-%d %H:%M}"]
    with i18n.speaking("it"):
        got = parse_local(data.draw(st.sampled_from(forms)), ZoneInfo("UTC"))
    assert got == moment.replace(tzinfo=UTC)


@pytest.mark.parametrize("text, back", [
    ("3 giorni", timedelta(days=3)), ("2 settimane", timedelta(weeks=2)),
    ("3d", timedelta(days=3)), ("2w", timedelta(weeks=2)), ("12 ore", timedelta(hours=12)),
    ("30 minuti", timedelta(minutes=30)), ("7 days", timedelta(days=7)),
    ("1 giorno", timedelta(days=1)), ("7d", timedelta(days=7)), ("12h", timedelta(hours=12)),
])
def test_since_durations(text: str, back: timedelta) -> None:
    with i18n.speaking("it"):
        assert parse_since(text, NOW, ROME) == NOW - back


def test_since_months_and_dates() -> None:
    with i18n.speaking("it"):
        assert parse_since("1 mese", NOW, ROME) == datetime(2026, 10, 28, 18, 0, tzinfo=UTC)
        assert parse_since("1 novembre", NOW, ROME) == rome(2026, 11, 1, 0, 0)
        with pytest.raises(InputError, match="3 min"):
            parse_since("3m", NOW, ROME)
    assert parse_since("30m", NOW, ROME) == NOW - timedelta(minutes=30)


def test_until_a_day_means_its_end() -> None:
    with i18n.speaking("it"):
        assert parse_end("9/12/2026", NOW, ROME) == rome(2026, 12, 10, 0, 0)
        assert parse_end("9 nov", NOW, ROME) == rome(2026, 11, 10, 0, 0)  # looking back
        assert parse_end("9 dic", NOW, ROME) == rome(2025, 12, 10, 0, 0)
        assert parse_end("ieri", NOW, ROME) == rome(2026, 11, 28, 0, 0)
        assert parse_end("9/12/2026 10:00", NOW, ROME) == rome(2026, 12, 9, 10, 0)
        assert parse_end("2d", NOW, ROME) == NOW - timedelta(days=2)


def test_pause_dates() -> None:
    with i18n.speaking("it"):
        assert parse_date("24/12/2026", "--from") == date(2026, 12, 24)
        assert parse_date("6/1/2027", "--until") == date(2027, 1, 6)
        assert parse_date("6 gennaio", "--until", date(2026, 11, 28)) == date(2027, 1, 6)
    with pytest.raises(InputError, match="is not a date for --from"):
        parse_date("natale", "--from")
