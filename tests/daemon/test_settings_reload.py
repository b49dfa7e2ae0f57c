"""The settings file edited into nonsense while the daemon runs."""

from __future__ import annotations

import logging
import os
import time

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
