"""`graph_version_problem`: nothing until 60 days before the version retires, a warning
from then, an error from the day it retires; and the daemon's log line, once a day."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from config import i18n
from config.clock import FakeClock
from config.paths import Home
from config.settings import Settings
from costanza.app import App
from scheduler.daemon import Daemon
from scheduler.graph_version import graph_version_problem, graph_version_status
from scheduler.publishers.recording import RecordingPublisher

# v21.0 is available until 21 January 2027 (Meta's changelog): fixed dates of their own.
pytestmark = pytest.mark.pinned_dates
RETIRES = datetime(2027, 1, 21, 9, 0, tzinfo=UTC)


def _settings(tmp_path: Path, version: str) -> Settings:
    home = Home(config_file=tmp_path / "config.toml", data_dir=tmp_path)
    return Settings(home=home, database_url="sqlite://", graph_api_version=version)


@pytest.mark.parametrize(("days", "level"), [(61, None), (60, "warning"), (1, "warning"),
                                             (0, "error"), (-5, "error")])
def test_the_problem_by_days_left(tmp_path: Path, days: int, level: str | None) -> None:
    clock = FakeClock(RETIRES - timedelta(days=days))
    problem = graph_version_problem(_settings(tmp_path, "v21.0"), clock.now())
    if level is None:
        assert problem is None
        return
    assert problem is not None
    assert (problem.level, problem.days_left, problem.version) == (level, days, "v21.0")
    assert problem.retires_on.isoformat() == "2027-01-21"
    fix = (f'Set [networks] graph_api_version = "v27.0" in {tmp_path / "config.toml"} '
           "and run `costanza account check`.")
    if level == "warning":
        unit = "day" if days == 1 else "days"
        assert problem.message == (
            f"Meta retires Graph API version v21.0 on 21 January 2027, in {days} {unit}: "
            f"after that, posts to Facebook and Instagram will fail. {fix}")
    else:
        assert problem.message == (
            "Meta retired Graph API version v21.0 on 21 January 2027: posts to Facebook and "
            'Instagram fail until you set [networks] graph_api_version = "v27.0" in '
            f"{tmp_path / 'config.toml'} and run `costanza account check`.")


def test_late_in_the_day_before_still_counts_one_day(tmp_path: Path) -> None:
    evening = datetime(2027, 1, 20, 23, 59, tzinfo=UTC)
    problem = graph_version_problem(_settings(tmp_path, "v21.0"), evening)
    assert problem is not None and (problem.level, problem.days_left) == ("warning", 1)


def test_no_problem_when_meta_has_not_published_the_date(tmp_path: Path) -> None:
    far = datetime(2040, 1, 1, tzinfo=UTC)
    settings = _settings(tmp_path, "v26.0")
    assert graph_version_problem(settings, far) is None
    assert graph_version_status(settings, far) == {"version": "v26.0", "retires_on": None,
                                                   "problem": None}


def test_the_status_data(tmp_path: Path) -> None:
    status = graph_version_status(_settings(tmp_path, "v21.0"), RETIRES - timedelta(days=10))
    assert status["version"] == "v21.0" and status["retires_on"] == "2027-01-21"
    assert status["problem"]["level"] == "warning" and status["problem"]["days_left"] == 10


def test_the_date_is_in_the_language_spoken(tmp_path: Path) -> None:
    with i18n.speaking("it"):
        problem = graph_version_problem(_settings(tmp_path, "v21.0"),
                                        RETIRES - timedelta(days=3))
    assert problem is not None and "21 gennaio 2027" in problem.message


def test_the_daemon_logs_it_once_a_day(app: App, clock: FakeClock,
                                       caplog: pytest.LogCaptureFixture) -> None:
    app.settings = replace(app.settings, graph_api_version="v21.0")
    daemon = Daemon(app, publishers=lambda n: RecordingPublisher(n))
    try:
        clock.set(RETIRES - timedelta(days=61))
        with caplog.at_level(logging.WARNING, logger="costanza.daemon"):
            daemon.housekeeping()
        assert "Graph API" not in caplog.text  # 61 days ahead: not yet
        clock.set(RETIRES - timedelta(days=60))
        with caplog.at_level(logging.WARNING, logger="costanza.daemon"):
            daemon.housekeeping()
            clock.advance(hours=1)
            daemon.housekeeping()  # an hour later: already said today
            clock.advance(hours=23)
            daemon.housekeeping()  # a day after the first: said again
        said = [r for r in caplog.records if "Graph API version v21.0" in r.getMessage()]
        assert [r.levelno for r in said] == [logging.WARNING, logging.WARNING]
        assert "in 60 days" in said[0].getMessage() and "in 59 days" in said[1].getMessage()
        caplog.clear()
        clock.set(RETIRES)
        with caplog.at_level(logging.WARNING, logger="costanza.daemon"):
            daemon.housekeeping()
        [retired] = [r for r in caplog.records if "Graph API" in r.getMessage()]
        assert retired.levelno == logging.ERROR and "retired" in retired.getMessage()
    finally:
        daemon.worker.shutdown()
