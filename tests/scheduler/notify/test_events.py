"""From a worker event (or a queue running dry) to a row in the outbox, in plain words."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from config.clock import FakeClock
from config.errors import AuthExpired, OutcomeUnknown, PublishFailed
from costanza.app import App
from posts import queue
from posts.models import Account, Notification
from posts.profiles import get_profile
from scheduler.notify.outbox import Notifier, enqueue, event_to_notification
from scheduler.publishers.base import Reconciled
from scheduler.publishers.recording import RecordingPublisher
from scheduler.worker import Worker

# Fixed dates of their own on the fake clock, the week of tests.conftest.DEFAULT_START;
# they touch no real clock or file time (see tests/conftest.py).
pytestmark = pytest.mark.pinned_dates

MON_0930_ROME = datetime(2026, 11, 30, 8, 30, tzinfo=UTC)


def outbox(app: App) -> list[Notification]:
    with app.store.read() as db:
        return list(db.scalars(select(Notification).order_by(Notification.id)))


def test_enqueue_ignores_a_dedupe_key_already_used(app: App, clock: FakeClock) -> None:
    with app.store.write() as db:
        first = enqueue(db, kind="runway", subject="s", body="b", payload={"a": 1},
                        dedupe_key="runway:1:2026-12-19", profile_id=1, now=clock.now())
        again = enqueue(db, kind="runway", subject="s2", body="b2", payload={},
                        dedupe_key="runway:1:2026-12-19", now=clock.now())
        other = enqueue(db, kind="runway", subject="s3", body="b3", payload={},
                        now=clock.now())
    assert first is not None and again is None and other is not None
    with app.store.write() as db:  # in a later transaction too
        assert enqueue(db, kind="runway", subject="s", body="b", payload={},
                       dedupe_key="runway:1:2026-12-19", now=clock.now()) is None
    rows = outbox(app)
    assert [r.subject for r in rows] == ["s", "s3"]
    assert rows[0].next_attempt_at == clock.now() and rows[0].sent_at is None


def test_failed_is_told_in_plain_words() -> None:
    message = event_to_notification("failed", {
        "delivery_id": 34, "network": "instagram", "post_id": 12, "token": 3,
        "text": "La lana arriva dalla Val di Fiemme, filata a mano nel nostro laboratorio "
                "di Cavalese",
        "reason": "Instagram refused the photo: it is too wide"})
    assert message is not None
    assert message.subject == "Your post for Instagram could not go out"
    assert message.body.startswith(
        'Your post "La lana arriva dalla Val di Fiemme, filata a mano nel…" (post 12) '
        "could not go out on Instagram.")
    assert "What happened: Instagram refused the photo: it is too wide." in message.body
    assert "What to do:" in message.body and "`costanza retry 34`" in message.body
    assert message.dedupe_key == "failed:34:3"
    assert "text" not in message.payload and message.payload["network"] == "instagram"


@pytest.mark.parametrize(("kind", "subject", "words"), [
    ("needs_review", "Check whether your post went out on X",
     ["`costanza retry 5 --force`", "never appears twice"]),
    ("held", "Reconnect your X account: your posts are waiting",
     ["None is lost", "`costanza account add x ...`"]),
])
def test_each_event_says_what_to_do(kind: str, subject: str, words: list[str]) -> None:
    message = event_to_notification(kind, {"delivery_id": 5, "network": "x", "post_id": 2,
                                           "reason": "the token expired", "account": "me"})
    assert message is not None and message.subject == subject
    assert "What to do:" in message.body
    for word in words:
        assert word in message.body


def test_published_needs_no_notification() -> None:
    assert event_to_notification("published", {"delivery_id": 1}) is None


@pytest.fixture
def worker_and_fakes(app: App, clock: FakeClock) -> Iterator[tuple[Worker, Notifier,
                                                                   dict[str, Any]]]:
    fakes = {n: RecordingPublisher(n) for n in ("facebook", "instagram", "x")}
    notifier = Notifier(app.store, app.settings, clock)
    worker = Worker(app.store, app.settings, clock, lambda n: fakes[n], owner="test",
                    on_event=notifier.on_event)
    yield worker, notifier, fakes
    worker.shutdown()


def connect_and_add(app: App, network: str, text: str) -> int:
    with app.store.write() as db:
        profile = get_profile(db, "default")
        if not db.scalars(select(Account).where(Account.network == network)).first():
            db.add(Account(profile_id=profile.id, network=network, name=f"my-{network}",
                           remote_id="1", created_at=app.clock.now()))
        draft = queue.PostDraft(text=text, targets=[network])
        return queue.add_post(db, app.media, profile, draft, app.clock.now()).post.id


def refused_at_first_slot(app: App, clock: FakeClock, worker: Worker, fakes: dict[str, Any],
                          network: str, text: str, reason: str, http_status: int) -> int:
    """Queue a post on ``network``, have the network refuse it, and run its slot."""
    post_id = connect_and_add(app, network, text)
    fakes[network].fail_next(PublishFailed(reason, http_status=http_status))
    clock.set(MON_0930_ROME)
    worker.tick()
    return post_id


def test_worker_events_reach_the_outbox_once(app: App, clock: FakeClock,
                                             worker_and_fakes: Any) -> None:
    worker, notifier, fakes = worker_and_fakes
    post_id = refused_at_first_slot(app, clock, worker, fakes, "facebook",
                                    "Il formaggio di malga, stagionato in grotta",
                                    "Facebook refused the post: it is empty.", 400)
    assert outbox(app) == []  # the event waits in memory until the round
    notifier.flush_events()
    (row,) = outbox(app)
    assert row.kind == "failed"
    assert row.subject == "Your post for Facebook could not go out"
    assert f"(post {post_id}) could not go out on Facebook" in row.body
    assert "Facebook refused the post: it is empty." in row.body
    assert row.payload["delivery_id"] and row.payload["account"] == "my-facebook"
    notifier.on_event("failed", {"delivery_id": row.payload["delivery_id"]})
    notifier.flush_events()
    assert len(outbox(app)) == 1  # same episode: told once


def test_held_and_needs_review_events(app: App, clock: FakeClock,
                                      worker_and_fakes: Any) -> None:
    worker, notifier, fakes = worker_and_fakes
    connect_and_add(app, "x", "one")
    fakes["x"].fail_next(AuthExpired("X says the access was revoked.", http_status=401))
    clock.set(MON_0930_ROME)
    worker.tick()
    connect_and_add(app, "facebook", "two")
    fakes["facebook"].fail_next(OutcomeUnknown("No answer came back."), effect=False)
    fakes["facebook"].reconcile_next(Reconciled(published=None, reason="no clear answer"))
    clock.set(MON_0930_ROME + timedelta(days=2, hours=9))  # Wednesday 18:00 in Rome
    worker.tick()
    worker.tick()
    notifier.flush_events()
    kinds = [(r.kind, r.subject) for r in outbox(app)]
    assert ("held", "Reconnect your X account: your posts are waiting") in kinds
    assert ("needs_review", "Check whether your post went out on Facebook") in kinds


def test_a_queue_running_dry_is_told_once(app: App, clock: FakeClock) -> None:
    notifier = Notifier(app.store, app.settings, clock)
    assert notifier.check_runway(force=True) == 0  # nothing was ever queued
    connect_and_add(app, "x", "the only story")
    assert notifier.check_runway(force=True) == 1
    assert notifier.check_runway(force=True) == 0
    (row,) = outbox(app)
    assert row.kind == "runway"
    assert row.subject == "Your queue runs dry after Mon 30 Nov"
    assert "What to do:" in row.body and "costanza post add" in row.body
    assert row.dedupe_key.startswith("runway:")


def test_run_round_never_raises(app: App, clock: FakeClock,
                                caplog: pytest.LogCaptureFixture) -> None:
    notifier = Notifier(app.store, app.settings, clock)
    notifier.on_event("failed", {"delivery_id": "not a number"})
    assert notifier.run_round() == 0
    assert "preparing notifications failed (ValueError)" in caplog.text


def test_a_failure_whose_event_was_lost_is_still_told_once(app: App, clock: FakeClock,
                                                           worker_and_fakes: Any) -> None:
    worker, _, fakes = worker_and_fakes
    refused_at_first_slot(app, clock, worker, fakes, "x", "a story",
                          "X refused the post: it is a duplicate.", 403)
    # the event went to a notifier that "crashed" before saving it
    restarted = Notifier(app.store, app.settings, clock)
    assert restarted.catch_up() == 1
    assert restarted.catch_up(force=True) == 0
    (row,) = outbox(app)
    assert row.kind == "failed" and "it is a duplicate" in row.body
    # The same episode arriving as an event later is not told twice.
    restarted.on_event("failed", {"delivery_id": row.payload["delivery_id"]})
    restarted.flush_events()
    assert len(outbox(app)) == 1


def test_stop_saves_remembered_events(app: App, clock: FakeClock,
                                      worker_and_fakes: Any) -> None:
    worker, notifier, fakes = worker_and_fakes
    refused_at_first_slot(app, clock, worker, fakes, "x", "a story", "X refused the post.", 400)
    notifier.stop()
    assert [r.kind for r in outbox(app)] == ["failed"]
