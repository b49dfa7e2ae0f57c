"""Sending the artisan's replies: intent first, unknown outcomes looked up, never twice."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from config.clock import FakeClock
from config.errors import AuthExpired, OutcomeUnknown, PublishFailed, RateLimited, RetryLater
from config.secrets import SecretStore
from costanza.app import App
from posts import comments as cm
from posts.comment_tables import Comment, CommentReply
from posts.remote_comments import Fetched
from scheduler.comments.replies import ReplySender
from tests.factories.comments import RecordingCommentClient, published


@pytest.fixture
def fake(clock: FakeClock) -> RecordingCommentClient:
    return RecordingCommentClient("facebook", now=clock.now())


def sender(app: App, fake: RecordingCommentClient, owner: str = "me") -> ReplySender:
    return ReplySender(app.store, app.settings, app.clock, lambda n: fake,
                       SecretStore(app.settings.home.secrets_file, env={}), owner)


def a_comment(app: App, clock: FakeClock, fake: RecordingCommentClient) -> Comment:
    """A comment under a published Facebook post, fetched into the store."""
    now = clock.now()
    delivery_id = published(app, "facebook", now - timedelta(hours=1), remote_id="page_1")
    fake.add("page_1", "page_1_c1", "Quanto costa?", now - timedelta(minutes=10))
    with app.store.write() as db:
        cm.watch_published(db, now, app.settings)
    with app.store.read() as db:
        watch = cm.due_watches(db, now, 10)[0]
    assert watch.delivery_id == delivery_id
    with app.store.write() as db:
        cm.record_fetch(db, watch, Fetched(fake.comments["page_1"], True), now, app.settings)
    with app.store.read() as db:
        return db.scalars(select(Comment).where(Comment.remote_id == "page_1_c1")).one()


def queue(app: App, comment: Comment, text: str = "40 euro") -> int:
    with app.store.write() as db:
        return cm.queue_reply(db, comment.profile_id, comment.id, text, app.clock.now()).id


def reply_row(app: App, reply_id: int) -> CommentReply:
    with app.store.read() as db:
        row = db.get(CommentReply, reply_id)
        assert row is not None
        return row


def test_a_reply_is_sent_with_its_intent_first(app: App, clock: FakeClock,
                                               fake: RecordingCommentClient) -> None:
    comment = a_comment(app, clock, fake)
    reply_id = queue(app, comment)
    seen: dict[str, Any] = {}

    original = fake.reply

    def watching(target: Any, rid: str, text: str, before_send: Any) -> str:
        def check() -> None:
            before_send()
            seen["row"] = reply_row(app, reply_id)  # committed before the call
        return original(target, rid, text, check)

    fake.reply = watching  # type: ignore[method-assign]
    outcome = sender(app, fake).send(reply_id)
    assert outcome.state == "sent" and outcome.remote_id == "facebook-answer-1"
    assert seen["row"].state == "sending" and seen["row"].intent_at == clock.now()
    assert len(fake.answers("page_1")) == 1
    # The next fetch finds her answer stored already: nothing new.
    with app.store.read() as db:
        watch = cm.due_watches(db, clock.now() + timedelta(hours=1), 10)[0]
    with app.store.write() as db:
        summary = cm.record_fetch(db, watch, Fetched(fake.comments["page_1"], True),
                                  clock.now(), app.settings)
    assert summary.new == 0
    # Sending it again does nothing.
    assert sender(app, fake).send(reply_id).state == "sent"
    assert fake.count("reply") == 1


def test_unknown_outcome_found_on_the_network_is_sent_exactly_once(
        app: App, clock: FakeClock, fake: RecordingCommentClient) -> None:
    comment = a_comment(app, clock, fake)
    reply_id = queue(app, comment)
    fake.fail_next(OutcomeUnknown("no answer"), on="reply", effect=True)
    assert sender(app, fake).send(reply_id).state == "unknown"
    assert sender(app, fake).run_due() == 1
    row = reply_row(app, reply_id)
    assert row.state == "sent" and row.remote_id == "facebook-answer-1"
    assert fake.count("find") == 1 and fake.count("reply") == 1
    assert len(fake.answers("page_1")) == 1


def test_unknown_and_not_found_waits_for_the_settle_period_then_sends_once(
        app: App, clock: FakeClock, fake: RecordingCommentClient) -> None:
    comment = a_comment(app, clock, fake)
    reply_id = queue(app, comment)
    fake.fail_next(OutcomeUnknown("no answer"), on="reply")  # it did not land
    send = sender(app, fake)
    assert send.send(reply_id).state == "unknown"
    settle = timedelta(seconds=app.settings.settle_seconds_facebook)
    clock.advance(seconds=1)
    assert send.run_due() == 1
    row = reply_row(app, reply_id)
    assert row.state == "unknown" and row.due_at == row.intent_at + settle
    assert "Checking whether your answer went out" in row.reason
    assert fake.count("reply") == 1
    assert send.run_due() == 0  # not due yet
    clock.set(row.due_at)
    assert send.run_due() == 1
    row = reply_row(app, reply_id)
    assert row.state == "sent" and fake.count("reply") == 2 and fake.count("find") == 2
    assert len(fake.answers("page_1")) == 1 and row.attempts == 2


def test_a_lease_that_ran_out_while_sending_is_looked_up_before_sending(
        app: App, clock: FakeClock, fake: RecordingCommentClient) -> None:
    comment = a_comment(app, clock, fake)
    reply_id = queue(app, comment)
    gone = sender(app, fake, owner="killed")

    def killed(*_: Any) -> None:
        raise SystemExit  # the process dies right after the answer went out

    original = fake.reply

    def dying(target: Any, rid: str, text: str, before_send: Any) -> str:
        original(target, rid, text, before_send)
        killed()
        return ""

    fake.reply = dying  # type: ignore[method-assign]
    with pytest.raises(SystemExit):
        gone.send(reply_id)
    fake.reply = original  # type: ignore[method-assign]
    assert reply_row(app, reply_id).state == "sending"
    other = sender(app, fake, owner="next")
    assert other.run_due() == 0  # its lease still runs
    clock.advance(seconds=app.settings.lease_seconds + 1)
    assert other.run_due() == 1
    row = reply_row(app, reply_id)
    assert row.state == "sent" and fake.count("find") == 1 and fake.count("reply") == 1
    assert len(fake.answers("page_1")) == 1


def test_find_reply_that_cannot_tell_waits(app: App, clock: FakeClock,
                                           fake: RecordingCommentClient) -> None:
    comment = a_comment(app, clock, fake)
    reply_id = queue(app, comment)
    fake.fail_next(OutcomeUnknown("no answer"), on="reply")
    send = sender(app, fake)
    send.send(reply_id)
    fake.fail_next(RetryLater("busy", retry_at=clock.now() + timedelta(minutes=30)),
                   on="find")
    assert send.run_due() == 1
    row = reply_row(app, reply_id)
    assert row.state == "unknown" and row.due_at >= clock.now() + timedelta(minutes=30)
    assert fake.count("reply") == 1


def test_rate_limited_replies_retry_with_backoff_then_fail(app: App, clock: FakeClock,
                                                           fake: RecordingCommentClient) -> None:
    import dataclasses

    app.settings = dataclasses.replace(app.settings, max_attempts=2)
    comment = a_comment(app, clock, fake)
    reply_id = queue(app, comment)
    later = clock.now() + timedelta(minutes=15)
    fake.fail_next(RateLimited("slow down", retry_at=later), on="reply", times=2)
    send = sender(app, fake)
    outcome = send.send(reply_id)
    assert outcome.state == "retry" and outcome.reason == "slow down"
    row = reply_row(app, reply_id)
    assert row.due_at >= later and row.attempts == 1 and row.lease_owner is None
    assert send.run_due() == 0
    clock.set(row.due_at)
    outcome = send.run_due()
    row = reply_row(app, reply_id)
    assert row.state == "failed" and "Tried 2 times" in row.reason
    assert fake.answers("page_1") == []


def test_refusals_fail_in_plain_words(app: App, clock: FakeClock,
                                      fake: RecordingCommentClient) -> None:
    comment = a_comment(app, clock, fake)
    first, second = queue(app, comment, "Grazie"), queue(app, comment, "A presto")
    fake.fail_next(PublishFailed("Facebook does not let you answer this comment.",
                                 code="permission"), on="reply")
    fake.fail_next(AuthExpired("The Facebook login expired."), on="reply")
    assert sender(app, fake).send(first).reason == (
        "Facebook does not let you answer this comment.")
    outcome = sender(app, fake).send(second)
    assert outcome.state == "failed"
    assert "The Facebook login expired." in outcome.reason
    assert "costanza account add facebook" in outcome.reason
    assert f"costanza reply {comment.id}" in outcome.reason
    # After reconnecting, the same answer can be queued and sent again.
    third = queue(app, comment, "A presto")
    assert sender(app, fake).send(third).state == "sent"
