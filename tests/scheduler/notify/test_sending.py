"""Sending the outbox over a real SMTP server and a real webhook, with retries."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from config.clock import FakeClock
from config.secrets import SecretStore
from costanza.app import App
from posts.models import Notification
from scheduler.notify.outbox import MAX_ATTEMPTS, deliver_pending, enqueue
from tests.scheduler.notify.conftest import SmtpServer, Webhook, free_port


def add(app: App, clock: FakeClock, key: str | None = None, kind: str = "failed") -> int:
    with app.store.write() as db:
        row_id = enqueue(db, kind=kind, subject="Your post for Instagram could not go out",
                         body="Your post 3 could not go out on Instagram.\n\nWhat to do: ...",
                         payload={"delivery_id": 7, "network": "instagram"}, dedupe_key=key,
                         now=clock.now())
    assert row_id is not None
    return row_id


def row(app: App, row_id: int) -> Notification:
    with app.store.read() as db:
        found = db.get(Notification, row_id)
        assert found is not None
        return found


def email_settings(with_notify: Callable[..., Any], port: int, **more: Any) -> Any:
    return with_notify(email_to="maria@example.org", email_from="costanza@example.org",
                       smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False, **more)


def test_email_reaches_a_real_smtp_server(app: App, clock: FakeClock, smtp: SmtpServer,
                                          with_notify: Callable[..., Any],
                                          secrets: SecretStore) -> None:
    smtp.start()
    row_id = add(app, clock)
    settings = email_settings(with_notify, smtp.port, smtp_user="maria")
    assert deliver_pending(app.store, settings, clock, secrets) == 1
    (mail,) = smtp.mailbox.messages
    assert mail["Subject"] == "Costanza: Your post for Instagram could not go out"
    assert mail["To"] == "maria@example.org"
    assert mail["From"] == "costanza@example.org"
    assert mail["X-Costanza-Kind"] == "failed"
    assert "What to do:" in mail.get_payload(decode=True).decode()
    assert smtp.mailbox.logins == [("maria", "s3cret-mail")]
    sent = row(app, row_id)
    assert sent.sent_at == clock.now() and sent.channels == {"email": "sent"}
    assert deliver_pending(app.store, settings, clock, secrets) == 0
    assert len(smtp.mailbox.messages) == 1


def test_webhook_receives_the_notification_as_json(app: App, clock: FakeClock,
                                                   webhook: Webhook,
                                                   with_notify: Callable[..., Any]) -> None:
    row_id = add(app, clock)
    settings = with_notify(webhook_url=webhook.url)
    assert deliver_pending(app.store, settings, clock, SecretStore(app.settings.home.secrets_file,
                                                                   env={})) == 1
    (document,) = webhook.received
    assert document["id"] == row_id
    assert document["kind"] == "failed"
    assert document["subject"] == "Your post for Instagram could not go out"
    assert document["text"].startswith("Your post 3 could not go out")
    assert document["data"] == {"delivery_id": 7, "network": "instagram"}
    assert webhook.paths == ["/hooks/t0ken-in-path"]


def test_smtp_down_is_tried_again_later_and_then_sent(app: App, clock: FakeClock,
                                                      smtp: SmtpServer,
                                                      with_notify: Callable[..., Any],
                                                      secrets: SecretStore) -> None:
    row_id = add(app, clock)
    settings = email_settings(with_notify, smtp.port)
    assert deliver_pending(app.store, settings, clock, secrets) == 0
    waiting = row(app, row_id)
    assert waiting.sent_at is None and waiting.attempts == 1
    assert waiting.next_attempt_at == clock.now() + timedelta(minutes=1)
    assert "could not reach the mail server 127.0.0.1" in waiting.channels["email"]
    smtp.start()
    clock.advance(30)
    assert deliver_pending(app.store, settings, clock, secrets) == 0  # not due yet
    assert smtp.mailbox.messages == []
    clock.advance(30)
    assert deliver_pending(app.store, settings, clock, secrets) == 1
    assert len(smtp.mailbox.messages) == 1
    assert row(app, row_id).channels == {"email": "sent"}


def test_webhook_answering_500_is_tried_again(app: App, clock: FakeClock, webhook: Webhook,
                                              with_notify: Callable[..., Any]) -> None:
    webhook.answers = [500, 500]
    row_id = add(app, clock)
    settings = with_notify(webhook_url=webhook.url)
    assert deliver_pending(app.store, settings, clock) == 0
    first = row(app, row_id)
    assert first.channels["webhook"] == (
        f"The webhook at {webhook.url.split('/hooks')[0]} answered 500 instead of accepting "
        "the message.")
    clock.set(first.next_attempt_at)
    assert deliver_pending(app.store, settings, clock) == 0
    second = row(app, row_id)
    assert second.attempts == 2
    assert second.next_attempt_at == clock.now() + timedelta(minutes=2)
    clock.set(second.next_attempt_at)
    assert deliver_pending(app.store, settings, clock) == 1
    assert len(webhook.received) == 3


def test_a_channel_that_worked_is_not_repeated_when_another_failed(
        app: App, clock: FakeClock, smtp: SmtpServer, webhook: Webhook,
        with_notify: Callable[..., Any], secrets: SecretStore) -> None:
    row_id = add(app, clock)
    settings = email_settings(with_notify, smtp.port, webhook_url=webhook.url)
    assert deliver_pending(app.store, settings, clock, secrets) == 0
    assert len(webhook.received) == 1
    assert row(app, row_id).channels["webhook"] == "sent"
    smtp.start()
    clock.advance(minutes=1)
    assert deliver_pending(app.store, settings, clock, secrets) == 1
    assert len(webhook.received) == 1 and len(smtp.mailbox.messages) == 1


def test_a_mail_server_that_is_down_costs_one_try_per_round(
        app: App, clock: FakeClock, with_notify: Callable[..., Any],
        secrets: SecretStore) -> None:
    ids = [add(app, clock, key=f"k{i}") for i in range(3)]
    settings = email_settings(with_notify, free_port())
    assert deliver_pending(app.store, settings, clock, secrets) == 0
    attempts = [row(app, i).attempts for i in ids]
    assert attempts == [1, 0, 0]  # the other two wait for the next round, untouched
    assert all(row(app, i).next_attempt_at == clock.now() for i in ids[1:])


def test_gives_up_after_the_cap_with_a_log_line(app: App, clock: FakeClock,
                                                with_notify: Callable[..., Any],
                                                secrets: SecretStore,
                                                caplog: pytest.LogCaptureFixture) -> None:
    row_id = add(app, clock)
    settings = email_settings(with_notify, free_port())
    for _ in range(MAX_ATTEMPTS):
        deliver_pending(app.store, settings, clock, secrets)
        clock.advance(hours=2)
    gave_up = row(app, row_id)
    assert gave_up.attempts == MAX_ATTEMPTS
    assert gave_up.next_attempt_at is None and gave_up.sent_at is None
    assert gave_up.channels["result"] == f"gave up after {MAX_ATTEMPTS} attempts"
    assert any("gave up" in r.getMessage() for r in caplog.records
               if r.levelno == logging.ERROR)
    assert deliver_pending(app.store, settings, clock, secrets) == 0
    assert row(app, row_id).attempts == MAX_ATTEMPTS


def test_no_channel_set_up_marks_rows_as_not_needed(app: App, clock: FakeClock,
                                                    with_notify: Callable[..., Any]) -> None:
    row_id = add(app, clock)
    assert deliver_pending(app.store, with_notify(), clock) == 0
    settled = row(app, row_id)
    assert settled.next_attempt_at is None and settled.sent_at is None
    assert settled.channels["result"].startswith("not needed")
    with app.store.read() as db:
        waiting = db.scalars(select(Notification).where(
            Notification.next_attempt_at.is_not(None))).all()
    assert waiting == []


def test_a_missing_smtp_password_is_said_plainly_and_retried(
        app: App, clock: FakeClock, smtp: SmtpServer, with_notify: Callable[..., Any],
        tmp_path: Any) -> None:
    smtp.start()
    row_id = add(app, clock)
    settings = email_settings(with_notify, smtp.port, smtp_user="maria")
    empty = SecretStore(tmp_path / "none.toml", env={})
    assert deliver_pending(app.store, settings, clock, empty) == 0
    waiting = row(app, row_id)
    assert "No password is saved for the mail account maria" in waiting.channels["email"]
    assert waiting.next_attempt_at is not None


def test_a_wrong_smtp_password_is_reported_without_the_password(
        app: App, clock: FakeClock, smtp: SmtpServer, with_notify: Callable[..., Any],
        tmp_path: Any, caplog: pytest.LogCaptureFixture) -> None:
    smtp.start()
    row_id = add(app, clock)
    wrong = SecretStore(tmp_path / "wrong.toml", env={})
    wrong.put("notify", {"smtp_password": "not-the-password-xyz"})
    settings = email_settings(with_notify, smtp.port, smtp_user="maria")
    assert deliver_pending(app.store, settings, clock, wrong) == 0
    text = row(app, row_id).channels["email"]
    assert "refused the login of maria" in text
    assert "not-the-password-xyz" not in text + caplog.text


def test_deliver_pending_never_raises(clock: FakeClock, app: App,
                                     with_notify: Callable[..., Any],
                                     caplog: pytest.LogCaptureFixture) -> None:
    class BrokenStore:
        def write(self) -> Any:
            raise RuntimeError("disk on fire")

        read = write

    assert deliver_pending(BrokenStore(), with_notify(), clock) == 0  # type: ignore[arg-type]
    assert "sending notifications failed (RuntimeError)" in caplog.text
