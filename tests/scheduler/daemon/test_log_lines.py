"""The daemon's log lines read like the artisan's clock: stamps and slot times in the
profile's time zone, the zone named; a post sent with `post now` is never called late."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from config.clock import FakeClock
from costanza.app import App
from costanza.formatting import local_with_zone, zone_name
from costanza.logsetup import setup_logging
from costanza.services import posts as services
from costanza.services.views import list_posts, queue_view
from posts.models import Post
from scheduler.publishers.recording import RecordingPublisher
from scheduler.worker import Worker
from tests.factories.queue import add, connect

# Fixed dates of their own on the fake clock (a winter and a summer day in Rome); they
# touch no real clock or file time.
pytestmark = pytest.mark.pinned_dates

MON_0930_ROME = datetime(2026, 11, 30, 8, 30, tzinfo=UTC)


@pytest.fixture
def root_logging() -> Iterator[logging.Logger]:
    """The root logger as the daemon sets it up, given back as it was after the test."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield root
    root.handlers[:] = handlers
    root.setLevel(level)


def rendered(root: logging.Logger, created: datetime, message: str = "hello") -> str:
    """A record made at ``created`` (its ``created``, not the time of formatting), as the
    daemon's handler writes it."""
    record = logging.LogRecord("costanza.daemon", logging.INFO, __file__, 1, message, None,
                               None)
    record.created = created.timestamp()
    record.msecs = 0
    (handler,) = root.handlers
    return handler.format(record)


def test_daemon_log_lines_are_stamped_in_the_profile_zone(app: App, clock: FakeClock,
                                                          root_logging: logging.Logger) -> None:
    setup_logging("text", tz=services.profile_zone(app))  # as `costanza daemon` does
    clock.set(datetime(2026, 12, 7, 9, 18, 35, tzinfo=UTC))
    assert rendered(root_logging, clock.now()) == "2026-12-07 10:18:35 CET INFO hello"
    clock.set(datetime(2027, 7, 5, 9, 18, 35, tzinfo=UTC))
    assert rendered(root_logging, clock.now()) == "2027-07-05 11:18:35 CEST INFO hello"


def test_the_stamp_comes_from_the_record_not_from_the_time_of_writing(
        app: App, clock: FakeClock, root_logging: logging.Logger) -> None:
    setup_logging("text", tz=ZoneInfo("Europe/Rome"))
    made = datetime(2026, 12, 7, 9, 18, 35, tzinfo=UTC)
    # Written an hour and a half later: the line still tells when it happened.
    clock.set(made + timedelta(minutes=90))
    assert rendered(root_logging, made).startswith("2026-12-07 10:18:35 CET ")


def test_json_log_lines_keep_utc(app: App, root_logging: logging.Logger) -> None:
    setup_logging("json", tz=services.profile_zone(app))
    line = json.loads(rendered(root_logging, datetime(2026, 12, 7, 9, 18, 35, tzinfo=UTC)))
    assert line["time"] == "2026-12-07T09:18:35+00:00"


def test_a_profile_of_another_zone_stamps_in_that_zone(make_app: Any,
                                                       root_logging: logging.Logger) -> None:
    app = make_app(timezone="America/Sao_Paulo")
    setup_logging("text", tz=services.profile_zone(app))
    # São Paulo's zone has no letters for its abbreviation: its offset is shown.
    assert rendered(root_logging, datetime(2026, 12, 7, 9, 18, 35, tzinfo=UTC)) == (
        "2026-12-07 06:18:35 -0300 INFO hello")


def test_zone_names_are_unambiguous() -> None:
    winter = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    assert zone_name(winter.astimezone(ZoneInfo("Europe/Rome"))) == "CET"
    assert zone_name(winter) == "UTC"
    assert zone_name(winter.astimezone(ZoneInfo("Asia/Kolkata"))) == "IST"
    assert zone_name(winter.astimezone(ZoneInfo("Asia/Dubai"))) == "+0400"


def test_slot_time_is_readable_in_the_profile_zone() -> None:
    at = datetime(2026, 12, 7, 9, 18, 34, 930714, tzinfo=UTC)
    assert local_with_zone(at, ZoneInfo("Europe/Rome")) == "Mon 07 Dec 10:18 CET"


# -- the worker's lines --------------------------------------------------------------


@pytest.fixture
def worker(app: App, clock: FakeClock) -> Iterator[Worker]:
    w = Worker(app.store, app.settings, clock, lambda n: RecordingPublisher(n),
               owner="test-daemon")
    yield w
    w.shutdown()


def slot_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name == "costanza.daemon" and "its slot" in r.getMessage()]


def test_slot_message_names_the_slot_in_the_profile_zone(app: App, clock: FakeClock,
                                                         worker: Worker,
                                                         caplog: pytest.LogCaptureFixture
                                                         ) -> None:
    connect(app, "x")
    post_id = add(app, "La lana arriva dalla Val di Fiemme", ["x"])
    clock.set(MON_0930_ROME)
    with caplog.at_level(logging.INFO, logger="costanza.daemon"):
        worker.tick()
    assert slot_lines(caplog) == [f"post {post_id}: its slot Mon 30 Nov 09:30 CET has come"]


def test_a_slot_the_daemon_wakes_for_a_moment_after_is_not_late(
        app: App, clock: FakeClock, worker: Worker, caplog: pytest.LogCaptureFixture) -> None:
    connect(app, "x")
    post_id = add(app, "Cappelli di lana", ["x"])
    clock.set(MON_0930_ROME + timedelta(milliseconds=4))  # a real wake-up is never exact
    with caplog.at_level(logging.INFO, logger="costanza.daemon"):
        worker.tick()
    assert slot_lines(caplog) == [f"post {post_id}: its slot Mon 30 Nov 09:30 CET has come"]


def test_post_now_is_not_late_when_the_daemon_gets_to_it_a_moment_later(
        app: App, clock: FakeClock, worker: Worker, caplog: pytest.LogCaptureFixture) -> None:
    connect(app, "x")
    post_id = add(app, "Sciarpe nuove", ["x"])
    clock.set(datetime(2026, 12, 1, 14, 5, 7, 250000, tzinfo=UTC))
    services.publish_now(app, post_id)
    clock.advance(3)  # the daemon's next look, a few seconds later
    # Neither the listings nor the daemon call it late.
    (listed,) = list_posts(app)
    assert listed["id"] == post_id and listed["late"] is False
    assert [e["late"] for e in queue_view(app)["entries"]] == [False]
    with caplog.at_level(logging.INFO, logger="costanza.daemon"):
        worker.tick()
    assert slot_lines(caplog) == [f"post {post_id}: its slot Tue 01 Dec 15:05 CET has come"]
    with app.store.read() as db:
        post = db.scalars(select(Post).where(Post.id == post_id)).one()
        assert post.state == "dispatched"


def test_post_now_while_the_daemon_is_stopped_is_not_late_when_it_starts(
        app: App, clock: FakeClock, worker: Worker, caplog: pytest.LogCaptureFixture) -> None:
    connect(app, "x")
    post_id = add(app, "Sciarpe nuove", ["x"])
    clock.set(datetime(2026, 12, 1, 14, 5, tzinfo=UTC))
    services.publish_now(app, post_id)
    clock.advance(minutes=40)  # started again within the grace period: as soon as it can
    with caplog.at_level(logging.INFO, logger="costanza.daemon"):
        worker.tick()
    assert [("late" in line) for line in slot_lines(caplog)] == [False]


def test_a_pinned_time_the_daemon_missed_is_still_late(app: App, clock: FakeClock,
                                                       worker: Worker,
                                                       caplog: pytest.LogCaptureFixture
                                                       ) -> None:
    connect(app, "x")
    pinned = datetime(2026, 12, 1, 14, 5, tzinfo=UTC)
    post_id = add(app, "Sciarpe nuove", ["x"], at=pinned)
    clock.set(pinned + timedelta(minutes=40))  # the daemon was down at 15:05
    with caplog.at_level(logging.INFO, logger="costanza.daemon"):
        worker.tick()
    assert slot_lines(caplog) == [
        f"post {post_id}: its slot Tue 01 Dec 15:05 CET has come (late, within the grace "
        "period)"]


def test_a_new_time_after_post_now_is_an_ordinary_pin(app: App, clock: FakeClock) -> None:
    post_id = add(app, "Sciarpe nuove", ["x"])
    clock.set(datetime(2026, 12, 1, 14, 5, tzinfo=UTC))
    services.publish_now(app, post_id)
    services.edit_post(app, post_id, {"at": "2026-12-01 17:00"})  # Rome time
    clock.set(datetime(2026, 12, 1, 16, 10, tzinfo=UTC))  # its time passed, not yet sent
    assert [e["late"] for e in queue_view(app)["entries"]] == [True]
