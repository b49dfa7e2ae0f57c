"""Secret hygiene of notifications: the SMTP password and a token in the webhook's path
never reach a log, stdout/stderr or the database, even with every logger at DEBUG."""

from __future__ import annotations

import dataclasses
import secrets as random
from pathlib import Path

import pytest

from config.clock import FakeClock
from config.secrets import SecretStore
from costanza.app import App
from scheduler.notify.outbox import deliver_pending, enqueue
from tests.integration.hygiene.conftest import Trap
from tests.integration.hygiene.test_canaries import files_of, find_leaks
from tests.scheduler.notify.conftest import SmtpServer, Webhook


def test_notification_secrets_stay_out_of_logs_output_and_database(
        app: App, clock: FakeClock, smtp: SmtpServer, webhook: Webhook, trap: Trap,
        capfd: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    canary = {"smtp password": "pw-" + random.token_hex(16),
              "webhook token": "hook-" + random.token_hex(16)}
    smtp.mailbox.password = canary["smtp password"]
    store = SecretStore(app.settings.home.secrets_file, env={})
    store.put("notify", {"smtp_password": canary["smtp password"]})
    site = webhook.url.split("/hooks/")[0]
    settings = dataclasses.replace(app.settings, notify={
        "email_to": "maria@example.org", "email_from": "costanza@example.org",
        "smtp_host": "127.0.0.1", "smtp_port": smtp.port, "smtp_user": "maria",
        "smtp_starttls": False, "webhook_url": f"{site}/hooks/{canary['webhook token']}"})
    with app.store.write() as db:
        enqueue(db, kind="failed", subject="Your post for X could not go out", body="...",
                payload={"delivery_id": 1}, now=clock.now())
    webhook.answers = [500]
    assert deliver_pending(app.store, settings, clock, store) == 0  # mail down, hook 500
    smtp.start()
    clock.advance(minutes=1)
    assert deliver_pending(app.store, settings, clock, store) == 1
    assert smtp.mailbox.logins == [("maria", canary["smtp password"])]
    assert webhook.paths == [f"/hooks/{canary['webhook token']}"] * 2
    logs = "\n".join(trap.logs.lines)
    assert "could not be sent" in logs and "DEBUG" in logs
    files = files_of(app.settings.home.data_dir, store.path)
    app.close()
    files.update(files_of(app.settings.home.data_dir, store.path))
    out, err = capfd.readouterr()
    haystacks: dict[str, str | bytes] = {"logs": logs, "stdout": out, "stderr": err}
    haystacks.update({f"file {name}": data for name, data in files.items()})
    assert find_leaks(canary, haystacks) == []
