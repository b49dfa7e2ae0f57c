"""X's costs in the daemon's round: the ledger of the posts that went out (never twice), and
X posts that wait once the month's budget is reached, against a real database, a fake
clock and recording publishers."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from config.clock import FakeClock
from config.errors import OutcomeUnknown, RetryLater
from costanza.app import App
from posts.models import Attempt, Delivery, XCharge
from scheduler.publishers.recording import RecordingPublisher
from scheduler.worker import Worker
from tests.factories.queue import add, connect

pytestmark = pytest.mark.pinned_dates

MON_0930_ROME = datetime(2026, 11, 30, 8, 30, tzinfo=UTC)
LONG = " ".join(f"Frase numero {i} sul telaio e sulla lana della valle." for i in range(12))


@pytest.fixture
def app(backend: str, make_app: Any) -> App:
    return make_app()


@pytest.fixture
def fakes() -> dict[str, RecordingPublisher]:
    return {n: RecordingPublisher(n) for n in ("facebook", "instagram", "x")}


@pytest.fixture
def worker(app: App, clock: FakeClock, fakes: dict[str, RecordingPublisher]) -> Iterator[Worker]:
    w = Worker(app.store, app.settings, clock, lambda n: fakes[n], owner="test-daemon")
    yield w
    w.shutdown()


def charges(app: App) -> list[XCharge]:
    with app.store.read() as db:
        return list(db.scalars(select(XCharge).order_by(XCharge.delivery_id, XCharge.part)))


def deliveries(app: App) -> list[Delivery]:
    with app.store.read() as db:
        return list(db.scalars(select(Delivery).order_by(Delivery.id)))


def with_budget(worker: Worker, dollars: float | None) -> None:
    worker.settings = dataclasses.replace(worker.settings, x_monthly_budget=dollars)


def test_a_published_x_post_is_charged_once_by_its_kind(app: App, clock: FakeClock,
                                                        worker: Worker) -> None:
    connect(app, "x", "facebook")
    add(app, "Il telaio di nonna", ["x", "facebook"], at=MON_0930_ROME)
    add(app, "Il negozio: bottega.example.it", ["x"], at=MON_0930_ROME + timedelta(minutes=1))
    clock.set(MON_0930_ROME)
    worker.tick()
    clock.advance(60)
    worker.tick()
    worker.tick()
    rows = charges(app)
    assert [(r.kind, r.amount_micro, r.prices_of) for r in rows] == [
        ("post", 15_000, "2026-04-20"), ("post_with_url", 200_000, "2026-04-20")]
    assert rows[0].remote_id and rows[0].charged_at == MON_0930_ROME
    assert all(d.network == "facebook" or d.state == "published" for d in deliveries(app))


def test_a_post_found_after_an_unknown_outcome_is_charged_once(app: App, clock: FakeClock,
                                                               worker: Worker,
                                                               fakes: Any) -> None:
    connect(app, "x")
    add(app, "story", ["x"])
    fakes["x"].fail_next(OutcomeUnknown("The connection dropped."), effect=True)
    clock.set(MON_0930_ROME)
    worker.tick()
    assert deliveries(app)[0].state == "unknown"
    assert charges(app) == []  # not known to exist yet
    worker.tick()
    worker.tick()
    assert deliveries(app)[0].state == "published"
    assert [(r.part, r.kind) for r in charges(app)] == [(0, "post")]


def test_a_thread_retried_half_way_charges_each_part_once(app: App, clock: FakeClock,
                                                          worker: Worker, fakes: Any) -> None:
    connect(app, "x")
    add(app, LONG, ["x"], thread=True)
    fakes["x"].fail_next(RetryLater("X is busy."), checkpoint={"tweet_ids": ["t1"]})
    clock.set(MON_0930_ROME)
    worker.tick()
    (d,) = deliveries(app)
    assert d.state == "retry_wait"
    assert [(r.part, r.remote_id) for r in charges(app)] == [(0, "t1")]
    clock.set(d.due_at + timedelta(seconds=1))
    worker.tick()
    assert deliveries(app)[0].state == "published"
    parts = [r.part for r in charges(app)]
    assert parts == list(range(len(parts))) and len(parts) >= 3


def test_x_waits_once_the_budget_is_reached_and_facebook_goes_on(
        app: App, clock: FakeClock, worker: Worker, fakes: Any) -> None:
    with_budget(worker, 0.02)
    connect(app, "x", "facebook")
    for i in range(3):
        add(app, f"story {i}", ["x", "facebook"], at=MON_0930_ROME + timedelta(minutes=i))
    for i in range(3):
        clock.set(MON_0930_ROME + timedelta(minutes=i))
        worker.tick()
    x = [d for d in deliveries(app) if d.network == "x"]
    assert [d.state for d in x] == ["published", "published", "held"]
    assert x[2].attempts == 0
    assert x[2].reason == ("The X budget of $0.02 is reached for November: posts to X wait "
                           "until 1 December, or raise `[x] monthly_budget` in the settings.")
    assert x[2].due_at == datetime(2026, 11, 30, 23, 0, tzinfo=UTC)  # midnight in Rome
    assert [d.state for d in deliveries(app) if d.network == "facebook"] == ["published"] * 3
    with app.store.read() as db:
        tries = db.scalars(select(Attempt).where(Attempt.delivery_id == x[2].id)).all()
    assert [(t.action, t.outcome, t.error_code) for t in tries] == [
        ("budget", "held", "x_budget")]
    assert len(fakes["x"].published) == 2 and len(charges(app)) == 2
    clock.advance(60)
    worker.tick()  # still the same month, same budget: it stays held, nothing is sent
    assert deliveries(app)[4].state == "held" and len(fakes["x"].published) == 2


def test_a_higher_budget_releases_the_held_posts(app: App, clock: FakeClock, worker: Worker,
                                                 fakes: Any) -> None:
    with_budget(worker, 0)
    connect(app, "x")
    add(app, "story", ["x"])
    clock.set(MON_0930_ROME)
    worker.tick()
    assert deliveries(app)[0].state == "held" and fakes["x"].published == []
    with_budget(worker, 1)
    worker.tick()
    (d,) = deliveries(app)
    assert d.state == "published" and "x_budget" not in d.progress
    assert len(charges(app)) == 1


def test_a_new_month_releases_the_held_posts(app: App, clock: FakeClock, worker: Worker,
                                             fakes: Any) -> None:
    with_budget(worker, 0.01)
    connect(app, "x")
    add(app, "first", ["x"])
    add(app, "second", ["x"], at=MON_0930_ROME + timedelta(minutes=5))
    clock.set(MON_0930_ROME)
    worker.tick()
    clock.set(MON_0930_ROME + timedelta(minutes=5))
    worker.tick()
    assert [d.state for d in deliveries(app)] == ["published", "held"]
    clock.set(datetime(2026, 11, 30, 22, 59, tzinfo=UTC))  # 23:59 in Rome: still November
    worker.tick()
    assert deliveries(app)[1].state == "held"
    clock.set(datetime(2026, 11, 30, 23, 0, 1, tzinfo=UTC))  # 1 December in Rome
    worker.tick()
    assert [d.state for d in deliveries(app)] == ["published", "published"]
    assert len(fakes["x"].published) == 2


def test_the_log_of_a_post_held_by_the_budget_points_at_the_budget(
        app: App, clock: FakeClock, worker: Worker) -> None:
    from costanza.services.log import format_entry, log_entries, new_attempts

    with_budget(worker, 0.01)
    connect(app, "x")
    add(app, "story", ["x"], at=MON_0930_ROME)
    add(app, "another", ["x"], at=MON_0930_ROME + timedelta(minutes=1))
    clock.set(MON_0930_ROME)
    worker.tick()
    clock.set(MON_0930_ROME + timedelta(minutes=1))
    worker.tick()
    (entry,) = log_entries(app, failed=True)
    assert (entry["state"], entry["fix"]) == ("held", "costanza costs")
    lines = "\n".join(format_entry(entry))
    assert "To fix: see `costanza costs`; raise [x] monthly_budget to send now." in lines
    assert "reconnect the account" not in lines
    _top, tries = new_attempts(app, 0, failed=True)
    assert [t["fix"] for t in tries] == ["costanza costs"]
