"""`costanza report` judges each past week by the cadence (slots and time zone) in effect
then, and the cadence history records every change, on SQLite and PostgreSQL.

The profile is set up on Sat 28 Nov 2026 (Europe/Rome, UTC+1 in winter; slots Mon 09:30,
Wed 18:00, Fri 12:00).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select

from config.clock import FakeClock
from costanza.app import App
from costanza.services.report import build_report
from costanza.services.schedule import cadence_set
from costanza.services.setup import initialise
from posts.models import CadenceChange
from posts.profiles import get_profile
from tests.costanza.services.log.conftest import slot
from tests.factories.queue import add, dispatched

# Fixed dates of their own on the fake clock, the week of tests.conftest.DEFAULT_START;
# they touch no real clock or file time (see tests/conftest.py).
pytestmark = pytest.mark.pinned_dates


@pytest.fixture
def app(backend: str, make_app: Callable[..., App]) -> App:
    """Every test here runs on SQLite and on PostgreSQL."""
    return make_app()


def went_out(app: App, slot_at: datetime) -> None:
    """A post that took the slot at ``slot_at`` and went out on Facebook then."""
    dispatched(app, add(app, f"Storia del {slot_at:%d %b}", ["facebook"]), "facebook",
               "published", slot_at)


def history(app: App) -> list[tuple[datetime, str, list[list[int]]]]:
    with app.store.read() as db:
        profile = get_profile(db, "default")
        rows = db.scalars(select(CadenceChange).where(CadenceChange.profile_id == profile.id)
                          .order_by(CadenceChange.since, CadenceChange.id)).all()
        return [(r.since, r.timezone, r.slots) for r in rows]


def weeks(report: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [(w["week"], w["slots"], w["kept"], w["missed"], w["steady"], w["missed_days"])
            for w in report["weeks"]]


def test_weeks_before_a_cadence_change_are_judged_by_the_old_slots(
        app: App, clock: FakeClock) -> None:
    # W49 and W50: every old slot (Mon 09:30, Wed 18:00, Fri 12:00 in Rome) kept.
    for at in (slot(30, 11, 8, 30), slot(2, 12, 17, 0), slot(4, 12, 11, 0),
               slot(7, 12, 8, 30), slot(9, 12, 17, 0), slot(11, 12, 11, 0)):
        went_out(app, at)
    clock.set(slot(13, 12, 12, 0))  # Sunday of W50: from now on, Tuesdays only
    cadence_set(app, "tue 10:00")
    went_out(app, slot(15, 12, 9, 0))  # Tue 10:00, W51
    went_out(app, slot(22, 12, 9, 0))  # Tue 10:00, W52
    clock.set(slot(29, 12, 12, 0))  # Tue 29 Dec, W53: today's slot kept too
    went_out(app, slot(29, 12, 9, 0))

    report = build_report(app)
    assert weeks(report) == [
        ("2026-W48", 0, 0, 0, None, []),
        ("2026-W49", 3, 3, 0, True, []),
        ("2026-W50", 3, 3, 0, True, []),
        ("2026-W51", 1, 1, 0, True, []),
        ("2026-W52", 1, 1, 0, True, []),
        ("2026-W53", 1, 1, 0, None, []),
    ]
    assert (report["streak"], report["streak_from"]) == (4, "2026-W49")
    assert report["cadence"] == "Tue 10:00"  # the current cadence
    assert report["totals"] == {"slots": 9, "kept": 9, "missed": 0, "published": 9}


def test_old_slots_missed_before_the_change_and_new_ones_after(
        app: App, clock: FakeClock) -> None:
    clock.set(slot(7, 12, 12, 0))
    cadence_set(app, "tue 10:00")
    clock.set(slot(16, 12, 12, 0))
    report = build_report(app)
    # W49: Mon, Wed, Fri missed (the old cadence); W50: Tue 10:00 had not been set
    # yet when Mon 09:30 was missed, and was missed after.
    assert weeks(report)[1:] == [
        ("2026-W49", 3, 0, 3, False, [0, 2, 4]),
        ("2026-W50", 2, 0, 2, False, [0, 1]),
        ("2026-W51", 1, 0, 1, None, [1]),  # this week, so far
    ]


def test_a_change_in_the_middle_of_a_week_splits_it(app: App, clock: FakeClock) -> None:
    went_out(app, slot(30, 11, 8, 30))  # Mon 09:30, the old cadence
    clock.set(slot(1, 12, 12, 0))  # Tue 1 Dec 13:00 in Rome: Tue 10:00 is already past
    cadence_set(app, "tue 10:00, thu 10:00")
    clock.set(slot(7, 12, 12, 0))
    w49 = build_report(app)["weeks"][1]
    # Counted: Mon 09:30 (before the change), Thu 10:00 (after). Not counted: Tue 10:00
    # (before the change), Wed 18:00 and Fri 12:00 (after it).
    assert (w49["week"], w49["slots"], w49["kept"], w49["missed"], w49["steady"],
            w49["missed_days"]) == ("2026-W49", 2, 1, 1, False, [3])


def test_a_time_zone_change_counts_from_when_it_was_made(app: App, clock: FakeClock) -> None:
    for at in (slot(30, 11, 8, 30), slot(2, 12, 17, 0), slot(4, 12, 11, 0)):  # W49 in Rome time
        went_out(app, at)
    clock.set(slot(6, 12, 20, 0))  # Sunday evening: the workshop moves to Lisbon (UTC+0)
    cadence_set(app, "mon 09:30, wed 18:00, fri 12:00", timezone="Europe/Lisbon")
    for at in (slot(7, 12, 9, 30), slot(9, 12, 18, 0), slot(11, 12, 12, 0)):  # W50 in Lisbon time
        went_out(app, at)
    clock.set(slot(14, 12, 12, 0))
    report = build_report(app)
    assert weeks(report)[1:3] == [("2026-W49", 3, 3, 0, True, []),
                                  ("2026-W50", 3, 3, 0, True, [])]
    assert report["streak"] == 2


def test_the_same_cadence_again_records_nothing(app: App, clock: FakeClock) -> None:
    created = history(app)
    assert created == [(slot(28, 11, 18, 0), "Europe/Rome",
                        [[0, 570], [2, 1080], [4, 720]])]  # from the profile's creation
    clock.set(slot(3, 12, 10, 0))
    cadence_set(app, "fri 12:00, mon 09:30, wed 18:00")
    cadence_set(app, "mon 09:30, wed 18:00, fri 12:00", timezone="Europe/Rome")
    initialise(app, timezone="Europe/Rome", slots=None, force=True)
    assert history(app) == created


def test_a_new_time_zone_alone_records_a_change(app: App, clock: FakeClock) -> None:
    clock.set(slot(3, 12, 10, 0))
    cadence_set(app, "mon 09:30, wed 18:00, fri 12:00", timezone="America/New_York")
    clock.set(slot(5, 12, 10, 0))
    initialise(app, timezone="Asia/Tokyo", slots=None, force=True)  # keeps the slots
    slots = [[0, 570], [2, 1080], [4, 720]]
    assert history(app) == [(slot(28, 11, 18, 0), "Europe/Rome", slots),
                            (slot(3, 12, 10, 0), "America/New_York", slots),
                            (slot(5, 12, 10, 0), "Asia/Tokyo", slots)]


def test_a_new_cadence_records_the_slots_after_the_change(app: App, clock: FakeClock) -> None:
    clock.set(slot(3, 12, 10, 0))
    cadence_set(app, "sat 11:00, tue 10:00")
    assert history(app)[1:] == [(slot(3, 12, 10, 0), "Europe/Rome", [[1, 600], [5, 660]])]
