"""The log, the report, retry and retention read the same on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from config.clock import FakeClock
from costanza.app import App
from costanza.services import log as publog
from costanza.services.report import build_report
from posts.attempts import prune_attempts
from tests.costanza.services.log.conftest import ROME, fill

# Fixed dates of their own on the fake clock, the week of tests.conftest.DEFAULT_START;
# they touch no real clock or file time (see tests/conftest.py).
pytestmark = pytest.mark.pinned_dates


def test_log_report_retry_and_prune_on_each_backend(backend: str, make_app: Callable[..., App],
                                                    clock: FakeClock) -> None:
    filled = fill(make_app(timezone=ROME), clock)
    app = filled.app
    assert app.settings.database_url.startswith("postgresql" if backend == "postgres"
                                                else "sqlite")
    entries = publog.log_entries(app, since="60d")
    assert [(e["delivery_id"], e["state"]) for e in entries][4:6] == [
        (5, "failed"), (6, "needs_review")]
    assert entries[0]["local_time"] == "Mon 30 Nov 09:30"
    assert entries[0]["at"] == "2026-11-30T08:30:00+00:00"
    assert entries[0]["text"].startswith("La lana")
    data = build_report(app)
    assert [(w["kept"], w["missed"]) for w in data["weeks"]] == [
        (0, 0), (3, 0), (0, 3), (3, 0), (3, 0), (0, 1)]
    assert data["streak"] == 2
    start = publog.last_attempt_id(app)
    assert publog.retry_delivery(app, 5)["state"] == "queued"
    assert publog.new_attempts(app, start) == (start, [])
    with app.store.write() as db:
        assert prune_attempts(db, clock.now() + timedelta(days=1), keep_days=10) == 2
