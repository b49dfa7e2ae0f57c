"""Sending the outbox: what is due goes out on every channel that is set up (see
``scheduler.notify.channels``), the result is recorded per channel, and a failed
channel is tried again later with a growing wait; after ``MAX_ATTEMPTS`` Costanza
gives up with a log line. ``deliver_pending`` never raises and each call is limited
by timeouts."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select, update

from config.clock import Clock, utc
from config.errors import CostanzaError, SettingsError
from config.i18n import _, ngettext
from config.secrets import SecretStore
from config.settings import Settings
from posts.models import Notification
from posts.store import Store
from scheduler.notify.channels import (
    SECRET_ACCOUNT,
    ChannelError,
    NotifyConfig,
    Outgoing,
    load_notify_config,
    post_webhook,
    send_email,
)

log = logging.getLogger("costanza.notify")

MAX_ATTEMPTS = 10
FIRST_WAIT = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=1)
BATCH = 10
# How long a row being sent is kept from other daemons (PostgreSQL, several daemons).
SENDING_LEASE = timedelta(minutes=2)


def retry_wait(attempts: int) -> timedelta:
    """1 minute after the first failure, then twice as long each time, at most an hour."""
    return min(LONGEST_WAIT, FIRST_WAIT * (2 ** max(0, attempts - 1)))


_config_problem: list[str] = []


def _config(settings: Settings) -> NotifyConfig | None:
    try:
        cfg = load_notify_config(settings)
    except SettingsError as exc:
        if exc.message not in _config_problem:  # say it once, not every round
            _config_problem[:] = [exc.message]
            log.error(_("notifications are not sent until the settings are fixed: {problem}"
                        ).format(problem=exc.message))
        return None
    _config_problem.clear()
    return cfg


def _claim_due(store: Store, now: datetime, limit: int) -> list[Outgoing]:
    """Take up to ``limit`` due rows, keeping them from other daemons for a while."""
    taken = []
    with store.write() as db:
        rows = db.execute(
            select(Notification.id, Notification.next_attempt_at).where(
                Notification.sent_at.is_(None), Notification.next_attempt_at.is_not(None),
                Notification.next_attempt_at <= now)
            .order_by(Notification.next_attempt_at, Notification.id).limit(limit)).all()
        for row_id, seen in rows:
            claimed = db.execute(
                update(Notification)
                .where(Notification.id == row_id, Notification.next_attempt_at == seen)
                .values(next_attempt_at=now + SENDING_LEASE)
                .execution_options(synchronize_session=False))
            if claimed.rowcount == 1:  # type: ignore[attr-defined]
                taken.append(row_id)
        items = db.scalars(select(Notification).where(Notification.id.in_(taken))
                           .order_by(Notification.id)).all()
        return [Outgoing(id=n.id, kind=n.kind, subject=n.subject, body=n.body,
                         payload=dict(n.payload or {}),
                         created_at=utc(n.created_at).isoformat()) for n in items]


def _send(channel: str, cfg: NotifyConfig, item: Outgoing, secrets: dict[str, str]) -> None:
    if channel == "email":
        send_email(cfg, item, secrets.get("smtp_password"))
    else:
        post_webhook(secrets.get("webhook_url") or cfg.webhook_url or "", item)


def _record(store: Store, item: Outgoing, results: dict[str, str], needed: tuple[str, ...],
            now: datetime) -> bool:
    """Write one row's results; return True when it is now fully sent."""
    with store.write() as db:
        row = db.get(Notification, item.id)
        if row is None:
            return False
        channels = dict(row.channels or {})
        channels.update(results)
        row.channels = channels
        if not needed:
            channels["result"] = "not needed: no notification channel is set up"
            row.next_attempt_at = None
            return False
        if all(channels.get(c) == "sent" for c in needed):
            row.sent_at = now
            row.next_attempt_at = None
            channels.pop("result", None)
            return True
        failed = [c for c in needed if c in results and results[c] != "sent"]
        if not failed:  # nothing was tried this round (a channel was found down): soon again
            row.next_attempt_at = now
            return False
        row.attempts = (row.attempts or 0) + 1
        if row.attempts >= MAX_ATTEMPTS:
            row.next_attempt_at = None
            channels["result"] = f"gave up after {row.attempts} attempts"
            log.error(_("notification {id} ({subject}) could not be sent after {attempts} "
                        "attempts; Costanza gave up on it: {problems}").format(
                id=item.id, subject=item.subject, attempts=row.attempts,
                problems="; ".join(str(channels[c]) for c in failed)))
            return False
        wait = retry_wait(row.attempts)
        row.next_attempt_at = now + wait
        minutes = int(wait.total_seconds() // 60)
        log.warning(ngettext(
            "notification {id} could not be sent ({problems}); trying again in {n} minute",
            "notification {id} could not be sent ({problems}); trying again in {n} minutes",
            minutes).format(id=item.id, problems="; ".join(str(channels[c]) for c in failed),
                            n=minutes))
        return False


def deliver_pending(store: Store, settings: Settings, clock: Clock,
                    secrets: SecretStore | None = None, *, limit: int = BATCH) -> int:
    """Send the notifications that are due; return how many were fully sent.

    Never raises: a problem is logged (without secrets) and the row is tried again
    later. A channel that fails once is not tried again in the same call, so a mail
    server that is down costs one timeout per call, not one per notification.
    """
    try:
        return _deliver(store, settings, clock, secrets, limit)
    except Exception as exc:
        log.error(_("sending notifications failed ({problem}); Costanza will try again"
                    ).format(problem=exc.message if isinstance(exc, CostanzaError)
                             else type(exc).__name__))
        return 0


def _deliver(store: Store, settings: Settings, clock: Clock, secrets: SecretStore | None,
             limit: int) -> int:
    cfg = _config(settings)
    if cfg is None:
        return 0
    needed = cfg.channels
    items = _claim_due(store, clock.now(), limit)
    if not items:
        return 0
    private: dict[str, str] = {}
    if needed:
        store_ = secrets or SecretStore(settings.home.secrets_file)
        try:
            private = store_.get(SECRET_ACCOUNT)
        except SettingsError as exc:
            log.error(_("notifications: {problem}").format(problem=exc.message))
    down: set[str] = set()
    sent = 0
    for item in items:
        results: dict[str, str] = {}
        with store.read() as db:
            row = db.get(Notification, item.id)
            done = dict(row.channels or {}) if row is not None else {}
        for channel in needed:
            if done.get(channel) == "sent" or channel in down:
                continue
            try:
                _send(channel, cfg, item, private)
            except ChannelError as exc:
                results[channel] = exc.message
                down.add(channel)
            except Exception as exc:  # a bug or a library surprise: never into the daemon
                results[channel] = _("unexpected error ({error})").format(
                    error=type(exc).__name__)
                down.add(channel)
            else:
                results[channel] = "sent"
        if _record(store, item, results, needed, clock.now()):
            sent += 1
            log.info(_("notification {id} sent ({channels}): {subject}").format(
                id=item.id, channels=", ".join(needed), subject=item.subject))
    return sent

