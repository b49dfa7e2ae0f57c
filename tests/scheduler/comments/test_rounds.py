"""The daemon's comments job: replies first, then comments; publishing wins."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from config.clock import FakeClock
from costanza.app import App
from posts import comments as cm
from posts.comment_tables import Comment, CommentReply
from posts.models import Delivery
from scheduler.daemon import Daemon
from scheduler.publishers.recording import RecordingPublisher
from tests.factories.comments import RecordingCommentClient, published

HOUR = timedelta(hours=1)


def daemon(app: App, fake: RecordingCommentClient) -> Daemon:
    return Daemon(app, publishers=lambda n: RecordingPublisher(n),
                  comment_clients=lambda n: fake)


def _queued_reply(app: App, clock: FakeClock, fake: RecordingCommentClient) -> int:
    """A comment fetched by a first round, and an answer queued to it."""
    now = clock.now()
    published(app, "facebook", now - HOUR, remote_id="p1")
    fake.add("p1", "c1", "Quanto costa?", now - HOUR / 2)
    d = daemon(app, fake)
    assert d.comments.run() is not None
    with app.store.write() as db:
        comment = db.scalars(select(Comment)).one()
        return cm.queue_reply(db, comment.profile_id, comment.id, "40 euro", now).id


def test_a_round_sends_the_replies_before_reading_more(app: App, clock: FakeClock) -> None:
    fake = RecordingCommentClient("facebook", now=clock.now())
    reply_id = _queued_reply(app, clock, fake)
    clock.advance(minutes=app.settings.comments_new_minutes)
    done = daemon(app, fake).comments.run()
    assert done is not None and done["replies"] == 1 and done["looked"] == 1
    assert [w for w, _ in fake.calls] == ["fetch", "reply", "fetch"]
    assert done["new"] == 0  # her answer was stored when it was sent
    with app.store.read() as db:
        assert db.get(CommentReply, reply_id).state == "sent"


def test_nothing_is_done_while_a_delivery_is_due(app: App, clock: FakeClock) -> None:
    fake = RecordingCommentClient("facebook", now=clock.now())
    reply_id = _queued_reply(app, clock, fake)
    other = published(app, "x", clock.now() - HOUR, remote_id="x1")
    with app.store.write() as db:
        d = db.get(Delivery, other)
        d.state, d.due_at, d.remote_id, d.published_at = "queued", clock.now(), None, None
    calls = len(fake.calls)
    assert daemon(app, fake).comments.run() is None
    assert len(fake.calls) == calls
    with app.store.read() as db:
        assert db.get(CommentReply, reply_id).state == "queued"
    with app.store.write() as db:
        db.get(Delivery, other).state = "published"
    assert daemon(app, fake).comments.run() is not None
    with app.store.read() as db:
        assert db.get(CommentReply, reply_id).state == "sent"


def test_with_max_age_zero_only_the_replies_go_out(app: App, clock: FakeClock) -> None:
    fake = RecordingCommentClient("facebook", now=clock.now())
    reply_id = _queued_reply(app, clock, fake)
    app.settings = dataclasses.replace(app.settings, comments_max_age_days=0)
    clock.advance(hours=3)
    done = daemon(app, fake).comments.run()
    assert done == {"replies": 1}
    assert [w for w, _ in fake.calls] == ["fetch", "reply"]
    with app.store.read() as db:
        assert db.get(CommentReply, reply_id).state == "sent"


def test_the_daemon_runs_the_comments_job(app: App, clock: FakeClock) -> None:
    fake = RecordingCommentClient("facebook", now=clock.now())
    d = daemon(app, fake)
    started = datetime.now(UTC)
    d.start()
    try:
        job: Any = d._scheduler.get_job("comments")
        assert job is not None and job.func == d.comments.run
        assert job.trigger.interval == timedelta(seconds=30)
        # The first round soon after the start, not a whole interval later.
        first = job.next_run_time - started
        assert timedelta(0) < first <= timedelta(seconds=2) + timedelta(milliseconds=500)
    finally:
        d.stop()
        d.shutdown()
