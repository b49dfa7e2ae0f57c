"""The [notify] settings: defaults, and a bad value named with its key, file and what is allowed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from config.clock import FakeClock
from config.errors import SettingsError
from costanza.app import App
from scheduler.notify.channels import load_notify_config
from scheduler.notify.outbox import deliver_pending, enqueue


def test_nothing_set_means_no_channel(with_notify: Callable[..., Any]) -> None:
    assert load_notify_config(with_notify()).channels == ()


def test_defaults_follow_the_login(with_notify: Callable[..., Any]) -> None:
    plain = load_notify_config(with_notify(email_to="a@example.org", smtp_host="mail.local",
                                           email_from="c@example.org"))
    assert (plain.smtp_port, plain.smtp_starttls) == (25, False)
    login = load_notify_config(with_notify(email_to=["a@example.org", "b@example.org"],
                                           smtp_host="smtp.example.org",
                                           smtp_user="maria@example.org"))
    assert (login.smtp_port, login.smtp_starttls) == (587, True)
    assert login.email_from == "maria@example.org"
    assert login.email_to == ("a@example.org", "b@example.org")
    assert login.channels == ("email",)


@pytest.mark.parametrize(("key", "value", "allowed"), [
    ("smtp_port", "587", "a whole number from 1 to 65535"),
    ("smtp_port", 70000, "a whole number from 1 to 65535"),
    ("smtp_starttls", "yes", "true or false"),
    ("email_to", "maria at example.org", "an email address in quotes, or a list of them"),
    ("webhook_url", "example.org/hook", 'an address such as "https://'),
])
def test_a_bad_value_names_key_file_and_what_is_allowed(
        app: App, with_notify: Callable[..., Any], key: str, value: Any, allowed: str) -> None:
    values: dict[str, Any] = {"email_to": "a@example.org", "smtp_host": "smtp.example.org",
                              "email_from": "c@example.org"}
    values[key] = value
    with pytest.raises(SettingsError) as info:
        load_notify_config(with_notify(**values))
    text = info.value.message
    assert f"`notify.{key}`" in text
    assert str(app.settings.home.config_file) in text
    assert allowed in text


def test_an_unknown_key_lists_the_known_ones(app: App,
                                             with_notify: Callable[..., Any]) -> None:
    with pytest.raises(SettingsError) as info:
        load_notify_config(with_notify(smtp_pasword="x"))
    text = info.value.message
    assert "`notify.smtp_pasword` is unknown" in text
    assert str(app.settings.home.config_file) in text
    assert "smtp_host" in text and "webhook_url" in text


def test_email_without_a_server_is_refused(with_notify: Callable[..., Any]) -> None:
    with pytest.raises(SettingsError, match=r"notify\.smtp_host"):
        load_notify_config(with_notify(email_to="a@example.org", email_from="c@example.org"))


def test_a_webhook_address_is_never_echoed(with_notify: Callable[..., Any]) -> None:
    with pytest.raises(SettingsError) as info:
        load_notify_config(with_notify(webhook_url="ftp://host/t0ken-secret"))
    assert "t0ken-secret" not in info.value.message


def test_bad_settings_keep_rows_waiting_and_are_logged_once(
        app: App, clock: FakeClock, with_notify: Callable[..., Any],
        caplog: pytest.LogCaptureFixture) -> None:
    with app.store.write() as db:
        enqueue(db, kind="runway", subject="s", body="b", payload={}, now=clock.now())
    bad = with_notify(smtp_port="twenty-five")
    assert deliver_pending(app.store, bad, clock) == 0
    assert deliver_pending(app.store, bad, clock) == 0
    lines = [r for r in caplog.records if "notify.smtp_port" in r.getMessage()]
    assert len(lines) == 1
    from posts.models import Notification

    with app.store.read() as db:
        (row,) = db.query(Notification).all()
    assert row.next_attempt_at == clock.now() and row.attempts == 0
