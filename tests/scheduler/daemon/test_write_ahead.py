"""The write-ahead record of a delivery: the intent and the progress are committed
right before the next send, or with the outcome, and never later than that."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from config.clock import FakeClock
from config.errors import PublishFailed, RetryLater
from costanza.app import App
from posts import deliveries as dl
from posts.models import Delivery
from scheduler.publishers.progress import Progress
from scheduler.publishers.recording import RecordingPublisher
from scheduler.worker import Worker
from scheduler.write_ahead import WriteAhead
from tests.factories.queue import add, connect

MON_0930_ROME = datetime(2026, 11, 30, 8, 30, tzinfo=UTC)


@pytest.fixture
def app(backend: str, make_app: Any) -> App:
    return make_app()


@pytest.fixture
def fakes() -> dict[str, RecordingPublisher]:
    return {n: RecordingPublisher(n) for n in ("facebook", "instagram", "x")}


@pytest.fixture
def worker(app: App, clock: FakeClock, fakes: dict[str, RecordingPublisher]) -> Worker:
    w = Worker(app.store, app.settings, clock, lambda n: fakes[n], owner="test-daemon")
    yield w
    w.shutdown()


class CountingWrite:
    """The store's write transaction, counted."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.count = 0

    def __call__(self, fn: Callable[[Any], Any], one_statement: bool = False) -> Any:
        self.count += 1
        store = self.app.store
        with store.one_statement() if one_statement else store.write() as db:
            return fn(db)


def claimed(app: App, clock: FakeClock, worker: Worker) -> dl.Claim:
    connect(app, "x")
    add(app, "story", ["x"])
    clock.set(MON_0930_ROME)
    worker.dispatch_due(clock.now())
    (c,) = worker._claim(1, fresh_only=False)
    return c


def row(app: App, delivery_id: int) -> Delivery:
    with app.store.read() as db:
        d = db.get(Delivery, delivery_id)
        assert d is not None
        return d


def test_checkpoints_wait_for_the_next_send_and_go_with_the_intent(
        app: App, clock: FakeClock, worker: Worker) -> None:
    c = claimed(app, clock, worker)
    write = CountingWrite(app)
    checks: list[str] = []
    record = WriteAhead(write, c, clock, 0, None, {"kept": 1},
                        lambda: checks.append("lease"))
    progress = Progress({"kept": 1}, record)
    progress.save(media_id="m1")
    progress.save(uploaded=True)
    assert write.count == 0  # nothing committed yet
    assert (row(app, c.delivery_id).state, row(app, c.delivery_id).progress) == ("claimed", {})
    assert record.attempts_to_record() == 1

    record.before_send()
    d = row(app, c.delivery_id)
    assert write.count == 1  # the intent and both checkpoints: one transaction
    assert (d.state, d.attempts) == ("publishing", 1)
    assert d.intent_at is not None
    assert d.progress == {"kept": 1, "media_id": "m1", "uploaded": True}
    assert checks == ["lease"]
    assert record.attempts_to_record() is None  # the intent counted the attempt

    record.before_send()  # nothing new: nothing written, the lease still checked
    assert write.count == 1 and checks == ["lease", "lease"]

    progress.drop("uploaded")
    progress.save(tweet_id="t1")
    record.before_send()
    assert write.count == 2
    assert row(app, c.delivery_id).progress == {"kept": 1, "media_id": "m1", "tweet_id": "t1"}


def test_a_delivery_with_no_send_yet_commits_nothing_but_save_now_does(
        app: App, clock: FakeClock, worker: Worker) -> None:
    c = claimed(app, clock, worker)
    write = CountingWrite(app)
    record = WriteAhead(write, c, clock, 2, None, {}, lambda: None)
    progress = Progress({}, record)
    progress.save_now(container_id="c1")  # a long wait follows: commit it now
    d = row(app, c.delivery_id)
    assert write.count == 1
    assert (d.state, d.attempts, d.progress) == ("publishing", 3, {"container_id": "c1"})


def test_the_lease_is_checked_after_the_commit_and_its_refusal_propagates(
        app: App, clock: FakeClock, worker: Worker) -> None:
    c = claimed(app, clock, worker)

    def refuse() -> None:
        raise dl.LeaseLost("gone")

    record = WriteAhead(CountingWrite(app), c, clock, 0, None, {}, refuse)
    with pytest.raises(dl.LeaseLost):
        record.before_send()
    assert row(app, c.delivery_id).state == "publishing"  # committed, then refused


def test_a_daemon_that_lost_the_delivery_commits_nothing(
        app: App, clock: FakeClock, worker: Worker) -> None:
    c = claimed(app, clock, worker)
    clock.advance(app.settings.lease_seconds + 1)
    with app.store.write() as db:  # another daemon takes it over
        dl.expire_leases(db, clock.now())
    record = WriteAhead(CountingWrite(app), c, clock, 0, None, {}, lambda: None)
    record({"media_id": "m1"})
    with pytest.raises(dl.LeaseLost):
        record.before_send()
    d = row(app, c.delivery_id)
    assert (d.state, d.progress, d.intent_at) == ("queued", {}, None)


def publish_failing(app: App, clock: FakeClock, worker: Worker, fakes: Any,
                    error: BaseException, **step: Any) -> Delivery:
    """A story for X whose first publish fails with ``error``: its delivery after."""
    connect(app, "x")
    add(app, "story", ["x"])
    clock.set(MON_0930_ROME)
    fakes["x"].fail_next(error, **step)
    worker.tick()
    return row(app, 1)


def test_progress_learnt_before_a_failure_is_stored_with_the_outcome(
        app: App, clock: FakeClock, worker: Worker, fakes: Any) -> None:
    d = publish_failing(app, clock, worker, fakes, RetryLater("X is busy"),
                        checkpoint={"x_media": ["m1"]})
    assert (d.state, d.attempts, d.progress) == ("retry_wait", 1, {"x_media": ["m1"]})
    assert d.intent_at is None  # nothing was sent: no intent was ever committed
    clock.set(d.due_at + timedelta(seconds=1))
    worker.tick()
    d = row(app, 1)
    assert d.state == "published"
    assert fakes["x"].requests[-1].progress == {"x_media": ["m1"]}  # resumed from it


def test_a_refusal_before_any_send_counts_as_an_attempt(
        app: App, clock: FakeClock, worker: Worker, fakes: Any) -> None:
    d = publish_failing(app, clock, worker, fakes, PublishFailed("The text is too long for X."))
    assert (d.state, d.attempts, d.reason) == ("failed", 1, "The text is too long for X.")


def test_an_unexpected_error_before_any_send_is_tried_again_not_reconciled(
        app: App, clock: FakeClock, worker: Worker, fakes: Any) -> None:
    d = publish_failing(app, clock, worker, fakes, ZeroDivisionError("a bug"))
    assert d.state == "retry_wait"
    assert "before the post was sent" in (d.reason or "")
    assert fakes["x"].reconcile_requests == []


def test_deliveries_and_all_they_need_are_read_in_one_query(
        app: App, clock: FakeClock, worker: Worker, tmp_path: Any) -> None:
    from sqlalchemy import event

    from scheduler.prepare import fetch_deliveries, load_request
    from tests.factories.media import make_jpeg

    connect(app, "x")
    photos = [make_jpeg(tmp_path / f"p{i}.jpg", size=(64 + i, 48)) for i in range(2)]
    add(app, "two photos", ["x"], photos=photos, alts=["first", "second"])
    clock.set(MON_0930_ROME)
    worker.dispatch_due(clock.now())
    statements: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(app.store.engine, "before_cursor_execute", seen)
    try:
        with app.store.read() as db:
            statements.clear()
            found = fetch_deliveries(db, [1, 999])
            assert list(found) == [1]
            loaded = load_request(db, *found[1])
            reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    finally:
        event.remove(app.store.engine, "before_cursor_execute", seen)
    assert len(reads) == 1, "\n\n".join(reads)
    assert loaded.post.text == "two photos"
    assert loaded.account.network == "x"
    assert [(m.original_name, alt) for m, alt in loaded.media] == [
        ("p0.jpg", "first"), ("p1.jpg", "second")]


def _statements(app: App) -> Any:
    from sqlalchemy import event

    seen: list[str] = []

    def listen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(" ".join(statement.split()).upper())

    event.listen(app.store.engine, "before_cursor_execute", listen)
    return seen, lambda: event.remove(app.store.engine, "before_cursor_execute", listen)


def test_the_outcome_and_its_attempt_row_are_written_together_or_not_at_all(
        app: App, clock: FakeClock, worker: Worker, backend: str) -> None:
    from sqlalchemy import func, select

    from posts.models import Attempt

    c = claimed(app, clock, worker)
    seen, stop = _statements(app)
    try:
        with app.store.one_statement() as db:
            dl.finish(db, c, clock.now(), "published", started=clock.now(), action="publish",
                      remote_id="r1", permalink="https://x.com/a/status/r1",
                      progress={"tweet_ids": ["r1"]}, attempts=1)
    finally:
        stop()
    writes = [s for s in seen if not s.startswith(("SELECT", "BEGIN", "PRAGMA"))]
    # PostgreSQL: the UPDATE rides in the INSERT's WITH clause, one statement.
    assert len(writes) == (1 if backend == "postgres" else 2), writes
    d = row(app, c.delivery_id)
    assert (d.state, d.remote_id, d.progress) == ("published", "r1", {"tweet_ids": ["r1"]})
    with app.store.read() as db:
        attempts = db.execute(select(Attempt.outcome, Attempt.remote_id, Attempt.post_id,
                                     Attempt.daemon_id)).all()
    assert attempts == [("published", "r1", d.post_id, "test-daemon")]
    # The claim no longer holds (it finished): a late second outcome changes nothing.
    with pytest.raises(dl.LeaseLost), app.store.one_statement() as db:
        dl.finish(db, c, clock.now(), "failed", started=clock.now(), action="publish",
                  message="late", progress={})
    with app.store.read() as db:
        assert db.scalar(select(func.count()).select_from(Attempt)) == 1
    assert row(app, c.delivery_id).state == "published"
