"""The daemon runs the readiness check daily and notifies, once per thing and day."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from click.testing import Result
from sqlalchemy import select

from costanza.app import App
from costanza.services.readiness import daily
from posts.models import Notification
from scheduler.daemon import Daemon
from scheduler.publishers.recording import RecordingPublisher
from tests.costanza.services.readiness.test_check import _expiring_in

Run = Callable[..., Result]


def _notifications(app: App) -> list[Notification]:
    with app.store.read() as db:
        rows = db.scalars(select(Notification).order_by(Notification.id)).all()
        db.expunge_all()
        return list(rows)


def _beat(app: App) -> None:
    """The daemon's heartbeat, as the running daemon writes it."""
    from scheduler.liveness import heartbeat

    with app.store.write() as db:
        heartbeat(db, "daemon-under-test", app.clock.now(), None)


@pytest.fixture
def daemon(ready: App, make_app: Callable[..., App]) -> Any:
    app = make_app()  # loaded after the sandbox started: it talks to the sandbox
    runner = Daemon(app, publishers=lambda n: RecordingPublisher(n),
                    readiness=lambda: daily(app))
    yield runner
    runner.worker.shutdown()


@pytest.mark.pinned_dates  # its words name dates of the default start's week
def test_an_expiring_token_is_told_once_a_day(ready: App, daemon: Daemon, clock: Any,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    _expiring_in(monkeypatch, ready, timedelta(days=5))

    assert daemon.readiness_round(clock.now()) == 1
    assert daemon.readiness_round(clock.now()) == 0  # not yet a day: not run again
    clock.advance(hours=2)
    _beat(ready)
    assert daemon.readiness_round(clock.now(), force=True) == 0  # run, but already told

    [told] = _notifications(ready)
    assert told.kind == "expiring"
    assert told.subject == "Something Costanza needs expires on Thu 03 Dec 19:00"
    assert "The token of the Facebook account 'facebook' expires on Thu 03 Dec 19:00" \
        in told.body
    assert "What to do: Connect it again with `costanza account add facebook ...`" in told.body
    clock.advance(days=1)
    _beat(ready)
    assert daemon.readiness_round(clock.now()) == 1  # the next day, once more
    assert [n.kind for n in _notifications(ready)] == ["expiring", "expiring"]


def test_a_token_expiring_in_20_days_is_not_told_yet(ready: App, daemon: Daemon, clock: Any,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    _expiring_in(monkeypatch, ready, timedelta(days=20))

    assert daemon.readiness_round(clock.now()) == 0
    assert _notifications(ready) == []


def test_what_blocks_the_week_is_told(ready: App, daemon: Daemon, clock: Any,
                                      platform: Any) -> None:
    platform.control.expire_token("facebook")

    assert daemon.readiness_round(clock.now()) == 1

    [told] = _notifications(ready)
    assert told.kind == "blocked"
    assert told.subject == "Something will stop your posts in the next 7 days"
    assert "Facebook did not accept this token" in told.body
    assert told.payload["subject"] == "account:facebook"


def test_housekeeping_runs_the_check(ready: App, daemon: Daemon, platform: Any) -> None:
    platform.control.expire_token("facebook")

    daemon.housekeeping()
    daemon.housekeeping()

    assert [n.kind for n in _notifications(ready)] == ["blocked"]
