"""Weekly slots: parsing, and their instants across daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from itertools import islice, pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from config.errors import InputError
from scheduler.planning.cadence import (
    WeeklySlot,
    format_slots,
    local_time,
    occurrences,
    parse_slots,
    parse_timezone,
)

ROME = ZoneInfo("Europe/Rome")
NEW_YORK = ZoneInfo("America/New_York")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")
KOLKATA = ZoneInfo("Asia/Kolkata")
ZONES = [ROME, NEW_YORK, LORD_HOWE, KOLKATA]

PROPERTY = settings(max_examples=60, deadline=None)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --- parsing -----------------------------------------------------------------


def test_parse_the_documented_example() -> None:
    assert parse_slots("mon 09:30, wed 18:00, fri 12:00") == [
        WeeklySlot(0, 570), WeeklySlot(2, 1080), WeeklySlot(4, 720)]


@pytest.mark.parametrize("text", [
    "Monday 9:30", "MON 09:30", "mon 9:30", "  mon   09:30 ; ", "Mon. 09:30", "mOnDaY 09:30,,",
])
def test_parse_accepts_names_cases_and_short_hours(text: str) -> None:
    assert parse_slots(text) == [WeeklySlot(0, 570)]


def test_parse_sorts_and_removes_duplicates() -> None:
    slots = parse_slots("sun 23:59; fri 12:00, tue 00:00, friday 12:00, Thurs 7:05")
    assert slots == [WeeklySlot(1, 0), WeeklySlot(3, 425), WeeklySlot(4, 720),
                     WeeklySlot(6, 1439)]


@pytest.mark.parametrize("abbreviation, weekday", [
    ("tue", 1), ("tues", 1), ("wed", 2), ("thu", 3), ("thur", 3), ("thurs", 3),
    ("sat", 5), ("saturday", 5), ("sun", 6), ("SUNDAY", 6),
])
def test_parse_weekday_abbreviations(abbreviation: str, weekday: int) -> None:
    assert parse_slots(f"{abbreviation} 10:00") == [WeeklySlot(weekday, 600)]


@pytest.mark.parametrize("text, fragment", [
    ("thu 25:00", "'thu 25:00' is not a time"),
    ("thu 12:60", "'thu 12:60' is not a time"),
    ("thu 24", "'thu 24' is not a time"),  # "thu 9" is 09:00: see test_slots.py
    ("thu 9:5", "'thu 9:5' is not a time"),
    ("thu 9am", "'thu 9am' is not a time"),
    ("funday 09:30", "'funday 09:30' does not start with a weekday"),
    ("09:30", "'09:30' is not a slot"),
    ("mon", "'mon' is not a slot"),
    ("mon 09:30 wed 18:00", "'mon 09:30 wed 18:00' is not a slot"),
    ("", "No slots were given"),
    (" , ; ", "No slots were given"),
])
def test_parse_rejects_with_a_plain_sentence_and_an_example(text: str, fragment: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_slots(text)
    assert fragment in caught.value.message
    assert 'write slots like "mon 09:30, wed 18:00"' in caught.value.message


def test_label_and_format() -> None:
    assert WeeklySlot(0, 570).label == "Mon 09:30"
    assert WeeklySlot(6, 0).label == "Sun 00:00"
    assert format_slots([WeeklySlot(4, 720), WeeklySlot(0, 570), WeeklySlot(0, 570)]) == (
        "Mon 09:30, Fri 12:00")


def test_slot_rejects_impossible_values() -> None:
    with pytest.raises(ValueError):
        WeeklySlot(7, 0)
    with pytest.raises(ValueError):
        WeeklySlot(0, 1440)


slot_lists = st.lists(
    st.builds(WeeklySlot, st.integers(0, 6), st.integers(0, 1439)), min_size=1, max_size=8)


@PROPERTY
@given(slot_lists)
def test_format_and_parse_round_trip(slots: list[WeeklySlot]) -> None:
    assert parse_slots(format_slots(slots)) == sorted(set(slots))


def test_parse_timezone() -> None:
    assert parse_timezone(" Europe/Rome ") == ROME
    assert parse_timezone("UTC").key == "UTC"
    # Once refused with a suggestion, now read as meant (see test_zones.py).
    assert parse_timezone("america/new york").key == "America/New_York"
    assert parse_timezone("Kolkata").key == "Asia/Kolkata"


@pytest.mark.parametrize("name, suggestion", [
    ("Mars/Olympus", "Europe/Rome"),
    ("", "Europe/Rome"),
    ("../etc/passwd", "Europe/Rome"),
    ("Europe", "Europe/Rome"),
    ("Atlantis", "Europe/Rome"),
])
def test_parse_timezone_rejects_unknown_names(name: str, suggestion: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_timezone(name)
    assert "is not a time zone" in caught.value.message
    assert f'"{suggestion}"' in caught.value.message


# --- concrete daylight-saving examples ---------------------------------------


@pytest.mark.parametrize("day, minute, tz, expected, wall", [
    # Rome, spring forward 02:00 -> 03:00: 02:30 does not exist, used at 03:30 CEST.
    (date(2026, 3, 29), 150, ROME, utc(2026, 3, 29, 1, 30), "03:30"),
    # Rome, fall back 03:00 -> 02:00: 02:30 happens twice, used at the first (CEST).
    (date(2026, 10, 25), 150, ROME, utc(2026, 10, 25, 0, 30), "02:30"),
    (date(2026, 3, 29), 90, ROME, utc(2026, 3, 29, 0, 30), "01:30"),
    (date(2026, 3, 29), 180, ROME, utc(2026, 3, 29, 1, 0), "03:00"),
    # New York, spring forward 02:00 -> 03:00 on 8 March 2026.
    (date(2026, 3, 8), 150, NEW_YORK, utc(2026, 3, 8, 7, 30), "03:30"),
    # New York, fall back 02:00 -> 01:00 on 1 November 2026: first 01:30 is EDT.
    (date(2026, 11, 1), 90, NEW_YORK, utc(2026, 11, 1, 5, 30), "01:30"),
    # Lord Howe, spring forward 02:00 -> 02:30 (a 30-minute jump): 02:15 becomes 02:45.
    (date(2026, 10, 4), 135, LORD_HOWE, utc(2026, 10, 3, 15, 45), "02:45"),
    # Lord Howe, fall back 02:00 -> 01:30: the first 01:45 is at +11:00.
    (date(2026, 4, 5), 105, LORD_HOWE, utc(2026, 4, 4, 14, 45), "01:45"),
    # Kolkata has no daylight saving: always +05:30.
    (date(2026, 3, 29), 570, KOLKATA, utc(2026, 3, 29, 4, 0), "09:30"),
    (date(2026, 10, 25), 570, KOLKATA, utc(2026, 10, 25, 4, 0), "09:30"),
])
def test_local_time_examples(day: date, minute: int, tz: ZoneInfo, expected: datetime,
                             wall: str) -> None:
    instant = local_time(day, minute, tz)
    assert instant == expected
    assert instant.tzinfo is UTC
    assert instant.astimezone(tz).strftime("%H:%M") == wall


def test_fall_back_slot_is_used_once() -> None:
    got = list(occurrences([WeeklySlot(6, 150)], ROME, utc(2026, 10, 24), utc(2026, 10, 26)))
    assert got == [utc(2026, 10, 25, 0, 30)]


def test_slots_meeting_in_a_gap_are_used_once() -> None:
    slots = parse_slots("sun 02:30, sun 03:30, sun 03:15")
    got = list(occurrences(slots, ROME, utc(2026, 3, 28), utc(2026, 3, 30)))
    # 03:15 CEST comes before 02:30-moved-to-03:30, which is also 03:30 itself.
    assert got == [utc(2026, 3, 29, 1, 15), utc(2026, 3, 29, 1, 30)]


def test_occurrences_bounds_and_order() -> None:
    slots = parse_slots("mon 09:30, wed 18:00, fri 12:00")
    start = datetime(2026, 12, 2, 18, 0, tzinfo=ROME)  # exactly the Wed slot
    got = list(islice(occurrences(slots, ROME, start), 4))
    assert [g.astimezone(ROME).strftime("%a %d %H:%M") for g in got] == [
        "Wed 02 18:00", "Fri 04 12:00", "Mon 07 09:30", "Wed 09 18:00"]
    assert list(occurrences(slots, ROME, start, start)) == []
    assert list(occurrences([], ROME, start)) == []


def test_occurrences_need_aware_times() -> None:
    with pytest.raises(ValueError):
        next(occurrences([WeeklySlot(0, 0)], ROME, datetime(2026, 1, 1)))


# --- properties across DST -----------------------------------------------------


@cache
def transitions(tz: ZoneInfo) -> list[datetime]:
    """Instants (UTC) in 2025-2028 where the zone's offset changes, found by scanning."""
    found = []
    instant = utc(2025, 1, 1)
    previous = instant.astimezone(tz).utcoffset()
    while instant.year < 2029:
        instant += timedelta(minutes=30)
        offset = instant.astimezone(tz).utcoffset()
        if offset != previous:
            found.append(instant)
        previous = offset
    return found


def oracle(day: date, minute: int, tz: ZoneInfo) -> datetime:
    """The documented rule, computed by brute force rather than by ``fold``."""
    wall = datetime.combine(day, time(*divmod(minute, 60)))
    offsets = {(wall + timedelta(hours=h)).replace(tzinfo=tz).utcoffset() for h in (-30, 30)}
    offsets |= {wall.replace(tzinfo=tz, fold=f).utcoffset() for f in (0, 1)}
    matches = sorted(
        (wall - off).replace(tzinfo=UTC) for off in offsets if off is not None
        if ((wall - off).replace(tzinfo=UTC).astimezone(tz).replace(tzinfo=None) == wall))
    if matches:
        return matches[0]  # the first occurrence
    # A gap: read with the offset in force a day before, i.e. before the jump.
    before = (wall - timedelta(days=1)).replace(tzinfo=tz).utcoffset()
    assert before is not None
    return (wall - before).replace(tzinfo=UTC)


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[ZoneInfo, list[WeeklySlot], datetime]:
    tz = draw(st.sampled_from(ZONES))
    # Slots clustered around the small hours, where the clocks change.
    minute = st.one_of(st.integers(0, 1439), st.integers(0, 240))
    slots = draw(st.lists(st.builds(WeeklySlot, st.integers(0, 6), minute),
                          min_size=1, max_size=6))
    near = transitions(tz)
    if near and draw(st.booleans()):
        start = draw(st.sampled_from(near)) - timedelta(minutes=draw(st.integers(0, 20 * 1440)))
    else:
        start = utc(2025, 1, 1) + timedelta(minutes=draw(st.integers(0, 4 * 365 * 1440)))
    return tz, slots, start


WINDOW = timedelta(weeks=5)


@PROPERTY
@given(scenarios())
def test_occurrences_match_the_rule(scenario: tuple[ZoneInfo, list[WeeklySlot], datetime]) -> None:
    tz, slots, start = scenario
    end = start + WINDOW
    got = list(occurrences(slots, tz, start, end))

    # Strictly increasing, aware UTC, inside [start, end).
    assert all(a < b for a, b in pairwise(got))
    assert all(g.tzinfo is UTC and start <= g < end for g in got)

    # Exactly the instants the rule gives for every slot on every local day.
    expected = set()
    day = start.astimezone(tz).date() - timedelta(days=2)
    while day <= end.astimezone(tz).date() + timedelta(days=2):
        for slot in slots:
            if slot.weekday == day.weekday():
                instant = oracle(day, slot.minute, tz)
                if start <= instant < end:
                    expected.add(instant)
        day += timedelta(days=1)
    assert got == sorted(expected)


@PROPERTY
@given(scenarios())
def test_wall_clock_is_the_slot_except_in_a_gap(
        scenario: tuple[ZoneInfo, list[WeeklySlot], datetime]) -> None:
    tz, slots, start = scenario
    monday = start.astimezone(tz).date() - timedelta(days=start.astimezone(tz).weekday())
    for week in range(4):
        for slot in slots:
            day = monday + timedelta(weeks=week, days=slot.weekday)
            instant = local_time(day, slot.minute, tz)
            shown = instant.astimezone(tz)
            wall = datetime.combine(day, time(*divmod(slot.minute, 60)))
            before = (wall - timedelta(days=1)).replace(tzinfo=tz).utcoffset()
            after = (wall + timedelta(days=1)).replace(tzinfo=tz).utcoffset()
            assert before is not None and after is not None
            if shown.replace(tzinfo=None) != wall:
                # Only in a spring-forward gap, and moved forward by exactly its length.
                assert after > before
                assert shown.replace(tzinfo=None) - wall == after - before
            if wall.replace(tzinfo=tz, fold=0).utcoffset() != wall.replace(
                    tzinfo=tz, fold=1).utcoffset() and after < before:
                # A repeated hour: the first occurrence, still on the earlier offset.
                assert shown.utcoffset() == before


@PROPERTY
@given(scenarios())
def test_one_occurrence_per_slot_per_local_week(
        scenario: tuple[ZoneInfo, list[WeeklySlot], datetime]) -> None:
    tz, slots, start = scenario
    local_start = start.astimezone(tz).date()
    monday = local_start - timedelta(days=local_start.weekday()) + timedelta(weeks=1)
    for week in range(4):
        first = monday + timedelta(weeks=week)
        begin = local_time(first, 0, tz)
        finish = local_time(first + timedelta(weeks=1), 0, tz)
        got = list(occurrences(slots, tz, begin, finish))
        distinct = {local_time(first + timedelta(days=s.weekday), s.minute, tz) for s in slots}
        assert len(got) == len(distinct)
        # Fewer instants than slots only when two slots met in a gap.
        if len(distinct) < len(set(slots)):
            assert any(
                local_time(first + timedelta(days=s.weekday), s.minute, tz)
                .astimezone(tz).replace(tzinfo=None)
                != datetime.combine(first + timedelta(days=s.weekday),
                                    time(*divmod(s.minute, 60)))
                for s in slots)


@PROPERTY
@given(st.sampled_from(ZONES), slot_lists,
       st.integers(0, 4 * 365 * 1440), st.integers(1, 2000))
def test_restarting_anywhere_continues_the_same_sequence(
        tz: ZoneInfo, slots: list[WeeklySlot], offset: int, split: int) -> None:
    start = utc(2025, 1, 1) + timedelta(minutes=offset)
    whole = list(occurrences(slots, tz, start, start + WINDOW))
    middle = start + timedelta(minutes=split * 17)
    tail = list(occurrences(slots, tz, middle, start + WINDOW))
    assert tail == [w for w in whole if w >= middle]
