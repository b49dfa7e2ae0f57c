"""The daily digest of comments waiting for an answer: once a day at most, only with
something new since the last one, never in the night, and it reaches the webhook through
the daemon's own housekeeping."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from sqlalchemy import select

from config.clock import FakeClock
from costanza.app import App
from posts.models import Notification
from scheduler.daemon import Daemon
from scheduler.notify.comment_digest import DIGEST_FROM_HOUR, MOST_LISTED, digest_round
from scheduler.notify.outbox import Notifier
from tests.factories.inbox import comment, published
from tests.scheduler.notify.conftest import Webhook


def _digests(app: App) -> list[Notification]:
    with app.store.read() as db:
        rows = db.scalars(select(Notification).where(Notification.kind == "comments")
                          .order_by(Notification.id)).all()
        db.expunge_all()
        return list(rows)


def _at_hour(clock: FakeClock, hour: int) -> None:
    """The fake clock moved to the next ``hour`` o'clock in Rome (the profile's zone)."""
    from zoneinfo import ZoneInfo

    local = clock.now().astimezone(ZoneInfo("Europe/Rome"))
    target = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    if target <= local:
        target += timedelta(days=1)
    clock.set(target)


def test_the_digest_lists_post_author_first_words_id_and_how_to_answer(
        app: App, clock: FakeClock) -> None:
    _at_hour(clock, 10)
    now = clock.now()
    delivery = published(app, "Il telaio di nonna, costruito nel 1920", "instagram",
                         now - timedelta(days=1))
    first = comment(app, delivery, "Che meraviglia! Quanto costa una sciarpa come questa?",
                    now - timedelta(hours=2), author_name="Lucia", author_handle="lucia.b")
    other = comment(app, delivery, "Bellissimo", now - timedelta(hours=3))
    comment(app, delivery, "Grazie mille", now - timedelta(hours=1), mine=True,
            parent_id=other)  # answered from the phone: neither is listed
    notifier = Notifier(app.store, app.settings, clock)
    assert digest_round(notifier, now) == 1
    [digest] = _digests(app)
    assert digest.subject == "1 comment waits for your answer"
    assert "Post 1 on Instagram (\"Il telaio di nonna, costruito nel 1920\")" in digest.body
    assert f'[{first}] Lucia (@lucia.b): "Che meraviglia!' in digest.body
    assert 'costanza reply ID "..."' in digest.body
    assert "costanza comments read ID" in digest.body
    assert "Bellissimo" not in digest.body and "Grazie mille" not in digest.body
    assert digest.payload["newest_id"] == first


def test_once_a_day_at_most_and_only_with_something_new(app: App, clock: FakeClock) -> None:
    _at_hour(clock, 10)
    delivery = published(app, "La lana", "facebook", clock.now() - timedelta(days=1))
    comment(app, delivery, "Bella!", clock.now() - timedelta(hours=1))
    notifier = Notifier(app.store, app.settings, clock)
    assert digest_round(notifier, clock.now()) == 1
    clock.advance(hours=1)
    comment(app, delivery, "Anche in blu?", clock.now())
    assert digest_round(notifier, clock.now()) == 0  # the same day: tomorrow's digest
    _at_hour(clock, 10)
    assert digest_round(notifier, clock.now()) == 1  # the next day, with the new one
    assert "Anche in blu?" in _digests(app)[-1].body
    _at_hour(clock, 10)
    assert digest_round(notifier, clock.now()) == 0  # a day later, nothing new: no mail
    assert len(_digests(app)) == 2


def test_comments_read_or_answered_are_no_news(app: App, clock: FakeClock) -> None:
    _at_hour(clock, 10)
    delivery = published(app, "La lana", "facebook", clock.now() - timedelta(days=1))
    comment(app, delivery, "Bella!", clock.now(), read_at=clock.now())
    comment(app, delivery, "Grazie", clock.now(), mine=True)
    assert digest_round(Notifier(app.store, app.settings, clock), clock.now()) == 0
    assert _digests(app) == []


def test_no_digest_in_the_night(app: App, clock: FakeClock) -> None:
    _at_hour(clock, DIGEST_FROM_HOUR - 1)
    delivery = published(app, "La lana", "facebook", clock.now() - timedelta(days=1))
    comment(app, delivery, "Bella!", clock.now())
    notifier = Notifier(app.store, app.settings, clock)
    assert digest_round(notifier, clock.now()) == 0
    clock.advance(hours=1)
    assert digest_round(notifier, clock.now()) == 1


def test_a_long_digest_counts_the_rest(app: App, clock: FakeClock) -> None:
    _at_hour(clock, 10)
    delivery = published(app, "La lana", "x", clock.now() - timedelta(days=1))
    for n in range(MOST_LISTED + 3):
        comment(app, delivery, f"commento {n}", clock.now() - timedelta(minutes=60 - n))
    assert digest_round(Notifier(app.store, app.settings, clock), clock.now()) == 1
    [digest] = _digests(app)
    assert digest.subject == f"{MOST_LISTED + 3} comments wait for your answer"
    assert "And 3 more: `costanza comments` shows them all." in digest.body
    assert f"commento {MOST_LISTED - 1}\"" in digest.body
    assert f"commento {MOST_LISTED}\"" not in digest.body


def test_the_daemon_housekeeping_sends_the_digest(app: App, clock: FakeClock,
                                                  webhook: Webhook) -> None:
    app.settings = dataclasses.replace(app.settings, notify={"webhook_url": webhook.url})
    _at_hour(clock, 10)
    delivery = published(app, "La lana", "facebook", clock.now() - timedelta(days=1))
    comment(app, delivery, "Bella!", clock.now())
    daemon = Daemon(app)
    try:
        daemon.housekeeping()
        daemon.notifier.run_round()
    finally:
        daemon.worker.shutdown()
    [body] = [b for b in webhook.received if b["kind"] == "comments"]
    assert "Bella!" in body["text"] and "costanza reply" in body["text"]
