"""The settings file edited into nonsense while the daemon runs."""

from __future__ import annotations

import logging
import os
import time
from datetime import timedelta

import pytest

from costanza.app import App
from scheduler.daemon import Daemon
from scheduler.publishers.recording import RecordingPublisher


def test_broken_settings_are_reported_and_the_daemon_keeps_going(
        app: App, caplog: pytest.LogCaptureFixture) -> None:
    daemon = Daemon(app, publishers=lambda n: RecordingPublisher(n))
    assert daemon.check_settings() is None
    cfg = app.settings.home.config_file
    from config.edit import set_values

    set_values(cfg, "daemon", {"grace_period": "whenever"})
    future = time.time() + 5
    os.utime(cfg, (future, future))
    with caplog.at_level(logging.ERROR, logger="costanza.daemon"):
        problem = daemon.check_settings()
    assert problem is not None and "daemon.grace_period" in problem
    assert "keeps running" in caplog.text
    # The daemon still works on the settings it started with.
    assert app.settings.grace_period.total_seconds() == 7200
    assert daemon.worker.tick() is not None
    daemon.worker.shutdown()


def test_runway_warning_when_the_queue_runs_low(app: App, caplog: pytest.LogCaptureFixture
                                                ) -> None:
    from posts import queue
    from posts.profiles import get_profile

    with app.store.write() as db:
        profile = get_profile(db, "default")
        queue.add_post(db, app.media, profile, queue.PostDraft(text="one", targets=["x"]),
                       app.clock.now())
    events: list[tuple[str, dict]] = []
    daemon = Daemon(app, publishers=lambda n: RecordingPublisher(n))
    daemon.worker.on_event = lambda kind, data: events.append((kind, data))
    with caplog.at_level(logging.WARNING, logger="costanza.daemon"):
        warnings = daemon.runway_warnings(app.clock.now())
    # The one post takes the first slot, the Monday after the clock's Saturday start.
    monday = (app.clock.now() + timedelta(days=2)).strftime("%a %d %b")
    assert len(warnings) == 1 and f"runs dry after {monday}" in warnings[0]
    assert "costanza post add" in caplog.text
    assert events and events[0][0] == "runway"
    # Plenty of posts: no warning.
    with app.store.write() as db:
        profile = get_profile(db, "default")
        for i in range(9):
            queue.add_post(db, app.media, profile,
                           queue.PostDraft(text=f"more {i}", targets=["x"]), app.clock.now())
    assert daemon.runway_warnings(app.clock.now()) == []
    daemon.housekeeping()  # prunes without trouble on an empty log
    daemon.worker.shutdown()
