"""`costanza check`'s limits set from outside: the Graph API version Meta retires and X's
monthly budget, on a real SQLite home, the fake clock and recording publishers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from config.clock import FakeClock
from config.edit import set_values
from costanza.app import App
from costanza.services.readiness import CHECKS, check
from costanza.services.readiness.findings import Context
from costanza.services.readiness.limits import graph_version, x_budget
from scheduler.publishers.recording import RecordingPublisher
from scheduler.worker import Worker
from tests.factories.queue import add, connect

pytestmark = pytest.mark.pinned_dates

MON_0930_ROME = datetime(2026, 11, 30, 8, 30, tzinfo=UTC)
V21_RETIRES = datetime(2027, 1, 21, tzinfo=UTC)  # config/graph_versions.py


def _app_with(make_app: Callable[..., App], section: str, values: dict[str, Any]) -> App:
    first = make_app()
    set_values(first.settings.home.config_file, section, values)
    return make_app()


def _context(app: App, now: datetime, networks: tuple[str, ...]) -> Context:
    ctx = Context(app, now)
    # Which accounts are connected is all this check reads of the accounts' check.
    ctx.__dict__["accounts"] = [{"network": n, "name": n} for n in networks]
    return ctx


def test_both_limits_are_in_the_list_of_checks() -> None:
    assert graph_version in CHECKS and x_budget in CHECKS


@pytest.mark.parametrize(("days_left", "severity", "blocks"), [
    (61, "ok", False), (60, "warning", False), (8, "warning", False), (7, "problem", True),
    (1, "problem", True)])
def test_the_graph_version_warns_60_days_ahead_and_blocks_in_the_last_week(
        make_app: Callable[..., App], days_left: int, severity: str, blocks: bool) -> None:
    app = _app_with(make_app, "networks", {"graph_api_version": "v21.0"})
    now = V21_RETIRES - timedelta(days=days_left) + timedelta(hours=9)

    [found] = graph_version(_context(app, now, ("facebook",)))

    assert (found.severity, found.blocks_week) == (severity, blocks)
    assert found.data["version"] == "v21.0"
    if severity != "ok":
        assert found.expires_at == V21_RETIRES
        assert "graph_api_version = \"v27.0\"" in found.sentence
        assert "21 January 2027" in found.sentence


def test_the_graph_version_is_not_checked_without_a_meta_account(
        make_app: Callable[..., App]) -> None:
    app = _app_with(make_app, "networks", {"graph_api_version": "v21.0"})

    assert graph_version(_context(app, V21_RETIRES - timedelta(days=3), ("x",))) == []


@pytest.fixture
def spent(make_app: Callable[..., App], clock: FakeClock) -> Iterator[Callable[[float], App]]:
    """An app whose X account has published one post with a link ($0.20) this month, with
    ``[x] monthly_budget`` set as asked."""
    workers: list[Worker] = []

    def with_budget(budget: float) -> App:
        app = _app_with(make_app, "x", {"monthly_budget": budget})
        connect(app, "x")
        add(app, "Il negozio: bottega.example.it", ["x"], at=MON_0930_ROME)
        clock.set(MON_0930_ROME)
        worker = Worker(app.store, app.settings, clock, lambda n: RecordingPublisher(n),
                        owner="test-daemon")
        workers.append(worker)
        worker.tick()
        clock.advance(60)
        worker.tick()
        return app

    yield with_budget
    for worker in workers:
        worker.shutdown()


def test_a_reached_budget_blocks_the_x_posts_due_this_week(
        spent: Callable[[float], App], clock: FakeClock) -> None:
    app = spent(0.10)
    add(app, "La lana della valle", ["x"], at=MON_0930_ROME + timedelta(days=2))

    result = check(app, clock.now(), checks=(x_budget,))

    [found] = result["items"]
    assert result["ready"] is False
    assert (found["code"], found["severity"], found["blocks_week"]) == (
        "x_budget", "problem", True)
    assert "The X budget of $0.10 is reached for November" in found["sentence"]
    assert "1 post to X is due in the next 7 days and will wait." in found["sentence"]
    assert found["data"]["spent_usd"] == "0.2" and found["data"]["blocked"] is True


def test_a_reached_budget_with_nothing_due_is_a_warning(spent: Callable[[float], App],
                                                        clock: FakeClock) -> None:
    [found] = check(spent(0.10), clock.now(), checks=(x_budget,))["items"]

    assert (found["severity"], found["blocks_week"]) == ("warning", False)


def test_a_budget_nearly_spent_is_a_warning(spent: Callable[[float], App],
                                            clock: FakeClock) -> None:
    [found] = check(spent(0.24), clock.now(), checks=(x_budget,))["items"]

    assert found["severity"] == "warning"
    assert found["sentence"].startswith("X has cost $0.20 of the $0.24 budget this month")


def test_a_budget_far_from_spent_is_ok(spent: Callable[[float], App],
                                      clock: FakeClock) -> None:
    [found] = check(spent(5), clock.now(), checks=(x_budget,))["items"]

    assert found["severity"] == "ok" and found["data"]["left_usd"] == "4.8"


def test_no_budget_no_finding(make_app: Callable[..., App], clock: FakeClock) -> None:
    assert check(make_app(), clock.now(), checks=(x_budget,))["items"] == []
