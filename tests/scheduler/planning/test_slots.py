"""Weekly slots typed in Italian or English: every weekday and time form reads back."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from config import localtime
from config.errors import InputError
from scheduler.planning.cadence import WeeklySlot, parse_slots

PROPERTY = settings(max_examples=150, deadline=None)

DAY_FORMS: list[Callable[[int], str]] = [
    lambda i: localtime.WEEKDAYS[i], lambda i: localtime.WEEKDAY_NAMES["en"][i],
    lambda i: localtime.IT_WEEKDAYS[i], lambda i: localtime.WEEKDAY_NAMES["it"][i],
    lambda i: localtime.WEEKDAY_NAMES["it"][i].replace("ì", "i").upper(),
]
TIME_FORMS: list[Callable[[int, int], str]] = [
    lambda h, m: f"{h}:{m:02d}", lambda h, m: f"{h:02d}:{m:02d}", lambda h, m: f"{h}.{m:02d}",
    lambda h, m: f"{h:02d}.{m:02d}", lambda h, m: f"ore {h}.{m:02d}", lambda h, m: f"{h},{m:02d}",
]
HOUR_FORMS: list[Callable[[int], str]] = [str, lambda h: f"h {h}", lambda h: f"ore {h}",
                                          lambda h: f"{h}h"]


@st.composite
def written_slot(draw: st.DrawFn) -> tuple[WeeklySlot, str]:
    slot = WeeklySlot(draw(st.integers(0, 6)), draw(st.integers(0, 1439)))
    hours, minutes = divmod(slot.minute, 60)
    time = draw(st.sampled_from(TIME_FORMS))(hours, minutes)
    if minutes == 0:
        time = draw(st.sampled_from([time, *(form(hours) for form in HOUR_FORMS)]))
    return slot, f"{draw(st.sampled_from(DAY_FORMS))(slot.weekday)} {time}"


@PROPERTY
@given(st.lists(written_slot(), min_size=1, max_size=6), st.sampled_from([", ", "; ", ","]))
def test_every_written_form_reads_back(written: list[tuple[WeeklySlot, str]],
                                       separator: str) -> None:
    text = separator.join(form for _, form in written)
    assert parse_slots(text) == sorted({slot for slot, _ in written})


def test_the_italian_example_of_the_issue() -> None:
    assert parse_slots("lun 9.30, mer 18.00, ven 12") == [
        WeeklySlot(0, 570), WeeklySlot(2, 1080), WeeklySlot(4, 720)]
    assert parse_slots("lunedì 9.30; Mercoledi ore 18, venerdì h 12") == [
        WeeklySlot(0, 570), WeeklySlot(2, 1080), WeeklySlot(4, 720)]


@pytest.mark.parametrize("text, fragment", [
    ("lun 25", "'lun 25' is not a time"),
    ("lunedì 9:5", "'lunedì 9:5' is not a time"),
    ("festa 9.30", "'festa 9.30' does not start with a weekday"),
    ("lun 9.30 mer 18", "'lun 9.30 mer 18' is not a slot"),
    ("9.30", "'9.30' is not a slot"),
])
def test_italian_mistakes_are_refused_with_an_example(text: str, fragment: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_slots(text)
    assert fragment in caught.value.message
