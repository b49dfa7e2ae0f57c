"""The worker against a real SQLite file, a fake clock and a recording publisher."""

from __future__ import annotations

import dataclasses
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from config.clock import FakeClock
from config.errors import AuthExpired, OutcomeUnknown, PublishFailed, RateLimited
from costanza.app import App
from posts.models import Account, Attempt, Delivery, Post
from scheduler.publishers.base import Reconciled
from scheduler.publishers.recording import RecordingPublisher
from scheduler.worker import Worker
from tests.factories.queue import add, connect

# Fixed dates of their own on the fake clock, the week of tests.conftest.DEFAULT_START;
# they touch no real clock or file time (see tests/conftest.py).
pytestmark = pytest.mark.pinned_dates

MON_0930_ROME = datetime(2026, 11, 30, 8, 30, tzinfo=UTC)
WED_1800_ROME = datetime(2026, 12, 2, 17, 0, tzinfo=UTC)
FRI_1200_ROME = datetime(2026, 12, 4, 11, 0, tzinfo=UTC)


@pytest.fixture
def fakes() -> dict[str, RecordingPublisher]:
    return {n: RecordingPublisher(n) for n in ("facebook", "instagram", "x")}


@pytest.fixture
def app(backend: str, make_app: Any) -> App:
    """Every worker test runs on SQLite and on PostgreSQL."""
    return make_app()


@pytest.fixture
def worker(app: App, clock: FakeClock, fakes: dict[str, RecordingPublisher]) -> Worker:
    w = Worker(app.store, app.settings, clock, lambda n: fakes[n], owner="test-daemon")
    yield w
    w.shutdown()


def dispatch_x_stories(app: App, clock: FakeClock, count: int) -> None:
    """``count`` stories for X, pinned a second apart from Monday 09:30, all dispatched:
    one delivery each, due, unclaimed."""
    connect(app, "x")
    for i in range(count):
        add(app, f"story {i}", ["x"], at=MON_0930_ROME + timedelta(seconds=i))
    clock.set(MON_0930_ROME + timedelta(minutes=1))
    Worker(app.store, app.settings, clock, lambda n: RecordingPublisher(n),
           owner="dispatcher").dispatch_due(clock.now())


def deliveries(app: App) -> list[Delivery]:
    with app.store.read() as db:
        return list(db.scalars(select(Delivery).order_by(Delivery.id)))


def test_worker_publishes_at_the_slot_and_not_before(app: App, clock: FakeClock,
                                                     worker: Worker, fakes: Any) -> None:
    connect(app, "x", "facebook")
    post_id = add(app, "La lana arriva dalla Val di Fiemme", ["x", "facebook"])
    wake = worker.tick()
    assert fakes["x"].calls == 0
    assert wake <= clock.now() + timedelta(seconds=app.settings.poll_seconds)
    clock.set(MON_0930_ROME - timedelta(seconds=1))
    worker.tick()
    assert fakes["x"].calls == 0
    clock.set(MON_0930_ROME)
    worker.tick()
    assert [p.post_id for p in fakes["x"].published] == [post_id]
    assert [p.post_id for p in fakes["facebook"].published] == [post_id]
    rows = deliveries(app)
    assert {d.state for d in rows} == {"published"}
    assert all(d.permalink for d in rows)
    with app.store.read() as db:
        post = db.get(Post, post_id)
        assert post.state == "dispatched" and post.slot_at == MON_0930_ROME
        outcomes = db.scalars(select(Attempt.outcome)).all()
    assert outcomes == ["published", "published"]


def test_next_wake_is_the_next_slot_when_it_is_sooner_than_a_poll(app: App, clock: FakeClock,
                                                                  worker: Worker) -> None:
    connect(app, "x")
    add(app, "one", ["x"])
    clock.set(MON_0930_ROME - timedelta(seconds=0.5))
    assert worker.tick() == MON_0930_ROME


def test_daemon_down_across_several_slots_publishes_one_late_post_then_keeps_cadence(
        app: App, clock: FakeClock, worker: Worker, fakes: Any) -> None:
    connect(app, "x")
    ids = [add(app, f"story {i}", ["x"]) for i in range(4)]
    # Stopped from Saturday until Friday 12:30: Mon and Wed were missed beyond grace,
    # Friday 12:00 is within the 2 h grace period.
    clock.set(FRI_1200_ROME + timedelta(minutes=30))
    worker.tick()
    worker.tick()
    assert [p.post_id for p in fakes["x"].published] == [ids[0]]
    # Next Monday the second story goes out: the queue shifted, no burst.
    clock.set(MON_0930_ROME + timedelta(days=7))
    worker.tick()
    assert [p.post_id for p in fakes["x"].published] == ids[:2]


def test_missed_beyond_grace_shifts_to_next_slot(app: App, clock: FakeClock, worker: Worker,
                                                 fakes: Any) -> None:
    connect(app, "x")
    first = add(app, "only story", ["x"])
    clock.set(MON_0930_ROME + timedelta(hours=3))
    worker.tick()
    assert fakes["x"].calls == 0
    clock.set(WED_1800_ROME)
    worker.tick()
    assert [p.post_id for p in fakes["x"].published] == [first]


def test_rate_limit_waits_until_the_reset_time(app: App, clock: FakeClock, worker: Worker,
                                               fakes: Any) -> None:
    connect(app, "x")
    add(app, "story", ["x"])
    reset = MON_0930_ROME + timedelta(minutes=15)
    fakes["x"].fail_next(RateLimited("X asked us to slow down.", retry_at=reset,
                                     http_status=429))
    clock.set(MON_0930_ROME)
    worker.tick()
    (d,) = deliveries(app)
    assert d.state == "retry_wait" and d.due_at >= reset
    clock.set(reset - timedelta(seconds=1))
    worker.tick()
    assert fakes["x"].calls == 1
    clock.set(d.due_at)
    worker.tick()
    assert len(fakes["x"].published) == 1
    assert deliveries(app)[0].state == "published"


def test_refused_post_fails_with_its_reason_and_retry_requeues(app: App, clock: FakeClock,
                                                               worker: Worker,
                                                               fakes: Any) -> None:
    connect(app, "x")
    add(app, "story", ["x"])
    fakes["x"].fail_next(PublishFailed("X refused the post: the text is too long.",
                                       http_status=400))
    clock.set(MON_0930_ROME)
    worker.tick()
    (d,) = deliveries(app)
    assert d.state == "failed" and "too long" in d.reason
    from posts.deliveries import retry

    with app.store.write() as db:
        retry(db, db.get(Delivery, d.id), clock.now(), force=False)
    worker.tick()
    assert deliveries(app)[0].state == "published"


def test_expired_token_holds_the_account_and_nothing_is_dropped(app: App, clock: FakeClock,
                                                                worker: Worker,
                                                                fakes: Any) -> None:
    connect(app, "facebook")
    add(app, "one", ["facebook"])
    add(app, "two", ["facebook"])
    fakes["facebook"].fail_next(AuthExpired("Facebook says the Page token expired.",
                                            http_status=400, code="190"))
    clock.set(MON_0930_ROME)
    worker.tick()
    clock.set(WED_1800_ROME)
    worker.tick()
    rows = deliveries(app)
    assert [d.state for d in rows] == ["held", "held"]
    assert fakes["facebook"].calls == 1  # the second one waits: the account is held
    from posts.deliveries import release_account

    with app.store.write() as db:
        account = db.scalars(select(Account)).one()
        assert account.health == "held"
        release_account(db, account.id, clock.now())
    worker.tick()
    assert [d.state for d in deliveries(app)] == ["published", "published"]


def test_unknown_outcome_is_reconciled_not_retried(app: App, clock: FakeClock,
                                                   worker: Worker, fakes: Any) -> None:
    connect(app, "x")
    add(app, "story", ["x"])
    fakes["x"].fail_next(OutcomeUnknown("The connection dropped."), effect=True)
    clock.set(MON_0930_ROME)
    worker.tick()
    assert deliveries(app)[0].state == "unknown"
    worker.tick()
    (d,) = deliveries(app)
    assert d.state == "published"
    assert fakes["x"].calls == 1  # publish was never called again
    assert len(fakes["x"].published) == 1


def test_unknown_outcome_that_did_not_land_is_published_once(app: App, clock: FakeClock,
                                                              worker: Worker,
                                                              fakes: Any) -> None:
    connect(app, "x")
    add(app, "story", ["x"])
    fakes["x"].fail_next(OutcomeUnknown("Timed out."), effect=False)
    clock.set(MON_0930_ROME)
    worker.tick()
    worker.tick()
    worker.tick()
    assert len(fakes["x"].published) == 1
    assert deliveries(app)[0].state == "published"


def test_unsettled_outcome_needs_review(app: App, clock: FakeClock, worker: Worker,
                                        fakes: Any) -> None:
    connect(app, "x")
    add(app, "story", ["x"])
    fakes["x"].fail_next(OutcomeUnknown("Timed out."))
    fakes["x"].reconcile_next(Reconciled(published=None, reason="the account's posts "
                                         "could not be read"))
    clock.set(MON_0930_ROME)
    worker.tick()
    worker.tick()
    (d,) = deliveries(app)
    assert d.state == "needs_review"
    assert "costanza retry" in d.reason


def test_crash_mid_publish_is_reconciled_after_the_lease(app: App, clock: FakeClock,
                                                         fakes: Any) -> None:
    """A worker that committed its intent and vanished: the next one reconciles."""
    from posts import deliveries as dl

    connect(app, "x")
    add(app, "story", ["x"])
    clock.set(MON_0930_ROME)
    dead = Worker(app.store, app.settings, clock, lambda n: fakes[n], owner="dead")
    dead.dispatch_due(clock.now())
    with app.store.write() as db:
        (c,) = dl.claim(db, "dead", clock.now(), timedelta(seconds=60), 1)
    with app.store.write() as db:
        dl.begin_publish(db, c, clock.now(), 0, None)
    # The dead worker's post did land on the network before it died:
    from scheduler.prepare import build_request

    with app.store.read() as db:
        request = build_request(db, db.get(Delivery, c.delivery_id), app.media,
                                dead.secrets, "pad")
    fakes["x"]._record(request)
    dead.shutdown()
    clock.advance(61)
    alive = Worker(app.store, app.settings, clock, lambda n: fakes[n], owner="alive")
    alive.tick()
    alive.tick()
    (d,) = deliveries(app)
    assert d.state == "published"
    assert len(fakes["x"].published) == 1
    # The dead worker can no longer record anything: its fencing token is stale.
    with pytest.raises(dl.LeaseLost), app.store.write() as db:
        dl.finish(db, c, clock.now(), "failed", started=clock.now(), action="publish")
    alive.shutdown()


@pytest.mark.parametrize("intent_committed", [False, True], ids=["before-intent", "after-intent"])
def test_a_daemon_frozen_past_its_lease_before_the_call_does_not_publish(
        app: App, clock: FakeClock, fakes: Any, intent_committed: bool) -> None:
    """Frozen right before sending (before its intent was committed, or after): when it
    wakes, its lease is gone (another daemon may have the post), so it sends nothing;
    the next daemon finds the post not sent (at once, or by asking the network) and
    publishes it once."""
    connect(app, "x")
    add(app, "story", ["x"])
    clock.set(MON_0930_ROME)
    lease = app.settings.lease_seconds

    def freeze(request: Any) -> None:
        if intent_committed:
            request.before_send()  # the intent is committed; then the daemon freezes
        clock.advance(lease + 1)

    frozen = Worker(app.store, app.settings, clock, lambda n: fakes[n], owner="frozen")
    fakes["x"].before_send = freeze
    frozen.tick()
    frozen.shutdown()
    assert fakes["x"].published == []
    (d,) = deliveries(app)
    expected = "publishing" if intent_committed else "claimed"
    assert (d.state, d.lease_owner) == (expected, "frozen")
    fakes["x"].before_send = None
    alive = Worker(app.store, app.settings, clock, lambda n: fakes[n], owner="alive")
    for _ in range(3):
        alive.tick()
    if intent_committed:
        # A request may have left before the lease ran out: not found is no proof until
        # the settle period has passed since then (see test_settle_window).
        (d,) = deliveries(app)
        assert d.state == "unknown" and d.reason.startswith("Checking whether it went out")
        assert fakes["x"].published == []
        clock.advance(app.settings.settle_seconds_x)
        alive.tick()
        alive.tick()
    alive.shutdown()
    (d,) = deliveries(app)
    assert d.state == "published"
    assert len(fakes["x"].published) == 1


def test_the_lease_check_allows_a_call_while_the_lease_is_alive_and_renewed(
        app: App, clock: FakeClock, worker: Worker, fakes: Any) -> None:
    from posts import deliveries as dl

    connect(app, "x")
    add(app, "story", ["x"])
    clock.set(MON_0930_ROME)
    worker.dispatch_due(clock.now())
    (c,) = worker._claim(1, fresh_only=False)
    lease = app.settings.lease_seconds
    worker._inflight[c.delivery_id] = c
    clock.advance(lease * 0.7)
    worker.still_ours(c.delivery_id)  # 70% of the lease gone: still safe
    clock.advance(lease * 0.1)
    with pytest.raises(dl.LeaseLost):  # within the last quarter: not any more
        worker.still_ours(c.delivery_id)
    worker.renew_leases()
    worker.still_ours(c.delivery_id)  # renewed: safe again
    with pytest.raises(dl.LeaseLost):
        worker.still_ours(c.delivery_id + 1)  # never claimed by this daemon


def test_renewing_leases_survives_a_database_that_does_not_answer(
        app: App, clock: FakeClock, worker: Worker, tmp_path: Any,
        caplog: pytest.LogCaptureFixture) -> None:
    """The heartbeat must go on: the failure is logged in plain words, nothing is raised,
    and the lease this daemon knows of is not extended (so it stops sending in time)."""
    import logging

    from posts import deliveries as dl
    from posts.store import Store

    connect(app, "x")
    add(app, "story", ["x"])
    clock.set(MON_0930_ROME)
    worker.dispatch_due(clock.now())
    (c,) = worker._claim(1, fresh_only=False)
    worker._inflight[c.delivery_id] = c
    clock.advance(app.settings.lease_seconds * 0.8)
    working = worker.store
    worker.store = Store(f"sqlite:///{tmp_path}", migrate=False)  # a folder: cannot open
    try:
        with caplog.at_level(logging.ERROR, logger="costanza.daemon"):
            worker.renew_leases()
    finally:
        worker.store.dispose()
        worker.store = working
    assert "could not be renewed" in caplog.text
    with pytest.raises(dl.LeaseLost):
        worker.still_ours(c.delivery_id)


def test_no_account_holds_the_delivery_until_one_is_connected(app: App, clock: FakeClock,
                                                              worker: Worker,
                                                              fakes: Any) -> None:
    add(app, "story", ["facebook"])
    clock.set(MON_0930_ROME)
    worker.tick()
    (d,) = deliveries(app)
    assert d.state == "held" and "costanza account add facebook" in d.reason
    from posts.deliveries import attach_account

    connect(app, "facebook")
    with app.store.write() as db:
        attach_account(db, db.scalars(select(Account)).one(), clock.now())
    worker.tick()
    assert deliveries(app)[0].state == "published"


def test_retries_are_capped(app: App, clock: FakeClock, worker: Worker, fakes: Any) -> None:
    from config.errors import RetryLater

    connect(app, "x")
    add(app, "story", ["x"])
    fakes["x"].fail_next(RetryLater("Connection refused."), times=50)
    clock.set(MON_0930_ROME)
    for _ in range(app.settings.max_attempts + 2):
        worker.tick()
        clock.advance(hours=7)
    (d,) = deliveries(app)
    assert d.state == "failed"
    assert d.attempts == app.settings.max_attempts
    assert fakes["x"].calls == app.settings.max_attempts


def test_a_rate_limit_holds_the_whole_account(app: App, clock: FakeClock, worker: Worker,
                                              fakes: Any) -> None:
    """The network's reset time is remembered on the account, for every daemon."""
    connect(app, "x")
    first = add(app, "one", ["x"], at=MON_0930_ROME)
    second = add(app, "two", ["x"], at=MON_0930_ROME + timedelta(minutes=1))
    reset = MON_0930_ROME + timedelta(minutes=15)
    fakes["x"].fail_next(RateLimited("X asked us to slow down.", retry_at=reset))
    clock.set(MON_0930_ROME)
    worker.tick()
    clock.set(MON_0930_ROME + timedelta(minutes=2))
    worker.tick()
    assert fakes["x"].calls == 1  # the second post waits for the reset too
    with app.store.read() as db:
        account = db.scalars(select(Account)).one()
        assert account.rate_limited_until == reset
    clock.set(reset + timedelta(minutes=30))
    worker.tick()
    worker.tick()
    assert sorted(p.post_id for p in fakes["x"].published) == [first, second]


def test_per_network_concurrency_counts_every_daemon(app: App, clock: FakeClock) -> None:
    """Deliveries already leased by another daemon take places from the limit."""
    from posts import deliveries as dl

    dispatch_x_stories(app, clock, 5)
    with app.store.write() as db:
        other = dl.claim(db, "other-daemon", clock.now(), timedelta(minutes=5), 10,
                         skip_locked=not app.store.is_sqlite, per_network=3)
    assert len(other) == 3
    with app.store.write() as db:
        mine = dl.claim(db, "this-daemon", clock.now(), timedelta(minutes=5), 10,
                        skip_locked=not app.store.is_sqlite, per_network=3)
    assert mine == []
    clock.advance(minutes=6)  # the other daemon's leases ran out
    with app.store.write() as db:
        dl.expire_leases(db, clock.now())
    with app.store.write() as db:
        mine = dl.claim(db, "this-daemon", clock.now(), timedelta(minutes=5), 10,
                        skip_locked=not app.store.is_sqlite, per_network=3)
    assert len(mine) == 3


def test_missing_media_fails_that_post_and_the_queue_goes_on(app: App, clock: FakeClock,
                                                             worker: Worker, fakes: Any,
                                                             tmp_path: Any) -> None:
    from tests.factories.media import make_jpeg

    connect(app, "x")
    photo = make_jpeg(tmp_path / "telaio.jpg", size=(640, 640))
    broken = add(app, "with a photo", ["x"], photos=[photo], at=MON_0930_ROME)
    fine = add(app, "text only", ["x"], at=MON_0930_ROME + timedelta(seconds=1))
    for item in (app.settings.media_dir).rglob("*.jpg"):
        item.unlink()  # the media store lost the file (a disk swapped, a careless cleanup)
    clock.set(MON_0930_ROME + timedelta(seconds=2))
    worker.tick()
    states = {d.post_id: d for d in deliveries(app)}
    assert states[broken].state == "failed"
    assert "missing" in states[broken].reason and "costanza" in states[broken].reason
    assert states[fine].state == "published"
    assert [p.post_id for p in fakes["x"].published] == [fine]


def test_a_row_that_makes_no_sense_fails_plainly(app: App, clock: FakeClock, worker: Worker,
                                                 fakes: Any, tmp_path: Any) -> None:
    from tests.factories.media import make_png

    connect(app, "x", "facebook")
    photo = make_png(tmp_path / "vaso.png", size=(640, 480))
    odd = add(app, "odd", ["x"], photos=[photo], at=MON_0930_ROME)
    fine = add(app, "fine", ["facebook"], at=MON_0930_ROME + timedelta(seconds=1))
    with app.store.write() as db:
        db.get(Post, odd).fit = "sideways"  # a hand-edited database: no such fitting mode
    clock.set(MON_0930_ROME + timedelta(seconds=2))
    worker.tick()
    states = {d.post_id: d for d in deliveries(app)}
    assert states[fine].state == "published"
    assert states[odd].state == "failed", states[odd].reason
    assert "sideways" in states[odd].reason and "pad or crop" in states[odd].reason
    assert fakes["x"].calls == 0


def test_one_structured_log_line_per_outcome(app: App, clock: FakeClock, worker: Worker,
                                             fakes: Any, caplog: Any) -> None:
    import json
    import logging

    from costanza.logsetup import JsonFormatter

    connect(app, "x")
    add(app, "story", ["x"])
    fakes["x"].fail_next(PublishFailed("X refused the post.", http_status=400))
    clock.set(MON_0930_ROME)
    with caplog.at_level(logging.INFO, logger="costanza.delivery"):
        worker.tick()
    records = [r for r in caplog.records if r.name == "costanza.delivery"]
    assert len(records) == 1
    line = json.loads(JsonFormatter().format(records[0]))
    assert line["outcome"] == "failed" and line["network"] == "x"
    assert "X refused the post." in line["message"]
    assert isinstance(line["duration_ms"], int)


def test_unknown_then_absent_again_and_again_stops_for_review(app: App, clock: FakeClock,
                                                              worker: Worker,
                                                              fakes: Any) -> None:
    """A network that keeps answering unclearly and never shows the post: no endless loop."""
    from scheduler.worker import MAX_ABSENT

    connect(app, "x")
    add(app, "story", ["x"])
    fakes["x"].fail_next(OutcomeUnknown("X called it a duplicate but does not show it."),
                         times=50)
    clock.set(MON_0930_ROME)
    for _ in range(4 * MAX_ABSENT):
        worker.tick()
        clock.advance(hours=7)
    (d,) = deliveries(app)
    assert d.state == "needs_review"
    assert "costanza retry" in d.reason
    assert fakes["x"].calls == MAX_ABSENT


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)  # the lock is PostgreSQL's
def test_a_claim_frozen_mid_transaction_does_not_stall_the_other_daemons(
        app: App, clock: FakeClock, backend: str) -> None:
    """PostgreSQL: a daemon frozen inside its claim holds the cluster-wide claim lock;
    after the idle timeout PostgreSQL ends its transaction and the others go on."""
    from sqlalchemy.exc import DBAPIError

    from posts import deliveries as dl

    dispatch_x_stories(app, clock, 2)
    lease = timedelta(seconds=60)
    frozen = app.store._sessions()
    frozen.connection(execution_options={"write": True})
    taken = dl.claim(frozen, "frozen", clock.now(), lease, 1, skip_locked=True,
                     idle_timeout=timedelta(milliseconds=500))
    assert len(taken) == 1  # ...and now it sits frozen, its transaction open
    other: list[list[dl.Claim]] = []

    def claim_elsewhere() -> None:
        with app.store.write() as db:
            other.append(dl.claim(db, "alive", clock.now(), lease, 5, skip_locked=True))

    started = time.monotonic()
    thread = threading.Thread(target=claim_elsewhere, daemon=True)
    thread.start()
    thread.join(30)
    assert not thread.is_alive(), "the other daemon is still waiting for the claim lock"
    waited = time.monotonic() - started
    assert waited >= 0.3  # it did wait for the frozen claim, then went on
    # The frozen claim was undone: both deliveries went to the daemon still alive.
    assert len(other) == 1 and len(other[0]) == 2
    with pytest.raises(DBAPIError):  # waking, the frozen daemon finds its session ended
        frozen.commit()
    frozen.close()


def test_claims_waiting_for_a_thread_are_given_back_at_shutdown(
        app: App, clock: FakeClock, fakes: Any) -> None:
    """A thread that finishes takes the next delivery claimed ahead at once; at shutdown,
    the ones no thread has started go back to the queue, unleased, for any daemon."""
    dispatch_x_stories(app, clock, 3)
    worker = Worker(app.store, app.settings, clock, lambda n: fakes[n], owner="stopping",
                    concurrency=1)
    assert worker.prefetch == 1
    started, gate = threading.Event(), threading.Event()

    def hold(request: Any) -> None:
        started.set()
        assert gate.wait(10)

    fakes["x"].before_send = hold
    runner = threading.Thread(target=worker.run_due)
    runner.start()
    assert started.wait(10)
    rows = deliveries(app)
    assert sorted(d.state for d in rows) == ["claimed", "claimed", "queued"]  # one ahead
    stopper = threading.Thread(target=worker.shutdown)
    stopper.start()
    time.sleep(0.2)
    gate.set()
    stopper.join(10)
    runner.join(10)
    rows = deliveries(app)
    assert sorted(d.state for d in rows) == ["published", "queued", "queued"]
    assert all(d.lease_owner is None and d.lease_expires_at is None for d in rows)
    assert len(fakes["x"].published) == 1


def test_a_busy_worker_claims_a_few_deliveries_at_a_time(
        app: App, clock: FakeClock, fakes: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each claim costs the same for one delivery as for several: while its threads are
    busy, the worker claims again only once half of the deliveries claimed ahead have
    started, never one at a time as each delivery finishes."""
    import scheduler.worker as worker_module

    real = worker_module.dl.claim
    asked: list[int] = []

    def counting(db: Any, owner: str, now: Any, lease: Any, limit: int, **kw: Any) -> Any:
        asked.append(limit)
        return real(db, owner, now, lease, limit, **kw)

    monkeypatch.setattr(worker_module.dl, "claim", counting)
    dispatch_x_stories(app, clock, 30)
    settings = dataclasses.replace(app.settings, per_network_concurrency=64)  # no cap here
    worker = Worker(app.store, settings, clock, lambda n: fakes[n], owner="batching",
                    concurrency=8)
    assert (worker.prefetch, worker.claim_batch) == (4, 2)
    turns = threading.Semaphore(0)
    fakes["x"].before_send = lambda request: turns.acquire(timeout=10)
    done: list[int] = []
    runner = threading.Thread(target=lambda: done.append(worker.run_due()))
    runner.start()
    try:
        for _ in range(30):  # the posts go out one by one, some time apart
            turns.release()
            time.sleep(0.03)
        runner.join(30)
    finally:
        worker.shutdown()
    assert done == [30]
    assert len(fakes["x"].published) == 30
    assert asked[0] == 12 and len(asked) > 3
    assert min(asked) >= 2, asked


def test_warm_up_loads_every_publisher_before_the_first_post(
        worker: Worker, fakes: Any) -> None:
    assert worker._publishers == {}
    worker.warm_up()
    assert worker._publishers == fakes


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)  # SQLite reads in the claim
def test_claims_are_published_even_if_reading_them_together_fails(
        app: App, clock: FakeClock, fakes: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """PostgreSQL reads a batch of claims after the claim commits; if that read fails
    (the database blinked), each delivery is read on its own when it starts."""
    import scheduler.worker as worker_module

    real = worker_module.fetch_deliveries
    calls: list[int] = []

    def blink(db: Any, ids: list[int]) -> Any:
        calls.append(len(ids))
        if len(calls) == 1:
            raise ConnectionError("the database blinked")
        return real(db, ids)

    monkeypatch.setattr(worker_module, "fetch_deliveries", blink)
    dispatch_x_stories(app, clock, 3)
    worker = Worker(app.store, app.settings, clock, lambda n: fakes[n], owner="w",
                    concurrency=4)
    try:
        worker.run_due()
    finally:
        worker.shutdown()
    assert calls[0] == 3 and calls[1:] == [1, 1, 1]  # the batch, then one by one
    assert [d.state for d in deliveries(app)] == ["published"] * 3
    assert len(fakes["x"].published) == 3


def test_a_slow_post_does_not_hold_up_another_posts_retry(app: App, clock: FakeClock,
                                                          worker: Worker, fakes: Any) -> None:
    """A round lasts as long as its slowest post (an Instagram video being processed can
    take minutes): the retries of other posts that come due meanwhile go out on time."""
    connect(app, "facebook")
    connect(app, "x")
    add(app, "slow on Facebook", ["facebook"], at=MON_0930_ROME)
    add(app, "limited on X", ["x"], at=MON_0930_ROME + timedelta(seconds=1))
    retry_at = MON_0930_ROME + timedelta(minutes=1)
    fakes["x"].fail_next(RateLimited("X asked us to slow down.", retry_at=retry_at,
                                     http_status=429))
    started, gate = threading.Event(), threading.Event()

    def hold(request: Any) -> None:
        started.set()
        assert gate.wait(60)

    fakes["facebook"].before_send = hold
    clock.set(MON_0930_ROME + timedelta(seconds=2))
    runner = threading.Thread(target=worker.tick)
    runner.start()
    try:
        assert started.wait(30)
        deadline = time.monotonic() + 30

        def x_state() -> str:
            return next(d.state for d in deliveries(app) if d.network == "x")

        while x_state() != "retry_wait" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert x_state() == "retry_wait"
        clock.set(retry_at + timedelta(seconds=1))  # the retry is due; Facebook still busy
        while not fakes["x"].published and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(fakes["x"].published) == 1 and not fakes["facebook"].published
    finally:
        gate.set()
        runner.join(60)
    assert sorted(d.state for d in deliveries(app)) == ["published", "published"]
