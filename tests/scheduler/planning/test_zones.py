"""Time zones by IANA name in any case, or by a city or a country in Italian or English."""

from __future__ import annotations

from zoneinfo import available_timezones

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from config import zonewords
from config.errors import InputError
from scheduler.planning.cadence import parse_timezone

ZONES = sorted(z for z in available_timezones() if not z.startswith(("posix/", "right/")))


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(ZONES), st.sampled_from([str.lower, str.upper, str.swapcase, str]))
def test_any_iana_name_in_any_case(zone: str, case: object) -> None:
    key = parse_timezone(case(zone)).key  # type: ignore[operator]
    if key != zone:
        # A one-word legacy name that is also a country ("Poland") is read as the
        # country's zone (Europe/Warsaw), which IANA links it to: the same clock.
        assert "/" not in zone and "/" in key, (zone, key)
        assert _same_clock(zone, key), (zone, key)


def _same_clock(a: str, b: str) -> bool:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    moments = [datetime(year, month, 15, 12, tzinfo=UTC) for year in (1990, 2010, 2026)
               for month in (1, 7)]
    return all(m.astimezone(ZoneInfo(a)).utcoffset() == m.astimezone(ZoneInfo(b)).utcoffset()
               for m in moments)


@pytest.mark.parametrize("name", [
    "Roma", "rome", "ROMA", "Italia", "italy", "Milano", "Napoli", "Torino", "Firenze",
    "Venezia", "Palermo", "Bologna", "Genova", "Bari", "Cagliari", "europe/rome",
    " Europe/Rome ",
])
def test_italy_is_europe_rome(name: str) -> None:
    assert parse_timezone(name).key == "Europe/Rome"


@pytest.mark.parametrize("name, zone", [
    ("Londra", "Europe/London"), ("London", "Europe/London"), ("Parigi", "Europe/Paris"),
    ("paris", "Europe/Paris"), ("Berlino", "Europe/Berlin"), ("Madrid", "Europe/Madrid"),
    ("Zurigo", "Europe/Zurich"), ("Vienna", "Europe/Vienna"), ("New York", "America/New_York"),
    ("new_york", "America/New_York"), ("Kolkata", "Asia/Kolkata"), ("tokyo", "Asia/Tokyo"),
    ("Buenos Aires", "America/Argentina/Buenos_Aires"), ("UTC", "UTC"),
    ("Monaco di Baviera", "Europe/Berlin"),
])
def test_cities_and_countries(name: str, zone: str) -> None:
    assert parse_timezone(name).key == zone


def test_every_alias_is_a_zone() -> None:
    for name, zone in zonewords.ALIASES.items():
        assert parse_timezone(name).key == zone
    for readings in zonewords.AMBIGUOUS.values():
        for zone in readings:
            assert zone in ZONES


@pytest.mark.parametrize("name", sorted(zonewords.AMBIGUOUS))
def test_a_name_for_two_places_is_refused_with_both(name: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_timezone(name)
    first, second = zonewords.AMBIGUOUS[name]
    assert first in caught.value.message and second in caught.value.message
