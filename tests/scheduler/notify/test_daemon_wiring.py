"""A failed post (and the queue running dry) reach the artisan's webhook through the
daemon's own notifier."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from config.errors import PublishFailed
from costanza.app import App
from posts import queue
from posts.models import Account
from posts.profiles import get_profile
from scheduler.daemon import Daemon
from scheduler.publishers.recording import RecordingPublisher
from tests.scheduler.notify.conftest import Webhook


def test_daemon_notifies_a_failed_post(app: App, clock, webhook: Webhook) -> None:  # type: ignore[no-untyped-def]
    app.settings = dataclasses.replace(app.settings, notify={"webhook_url": webhook.url})
    fake = RecordingPublisher("x")
    fake.fail_next(PublishFailed("X refused the post: the text repeats an earlier one."))
    with app.store.write() as db:
        profile = get_profile(db, "default")
        db.add(Account(profile_id=profile.id, network="x", name="x", remote_id="1",
                       created_at=clock.now()))
        queue.add_post(db, app.media, profile, queue.PostDraft(text="Lana", targets=["x"]),
                       clock.now())
    daemon = Daemon(app, publishers=lambda n: fake)
    clock.set(datetime(2026, 11, 30, 8, 30, tzinfo=UTC))
    daemon.worker.tick()
    daemon.notifier.run_round()
    daemon.worker.shutdown()
    daemon.notifier.stop()
    kinds = sorted(body["kind"] for body in webhook.received)
    assert kinds == ["failed", "runway"]  # and the queue is now empty: add stories
    failed = next(body for body in webhook.received if body["kind"] == "failed")
    assert "Lana" in failed["text"] and "costanza retry" in failed["text"]
