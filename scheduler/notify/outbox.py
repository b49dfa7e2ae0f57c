"""Telling the artisan when something needs them: a failure, a post to check, an account
to reconnect, a queue running dry.

Notifications go through an outbox (the ``notifications`` table), apart from
publishing: a mail server that is down never blocks the daemon, and nothing is
lost when it restarts.

- ``enqueue`` adds a row; a ``dedupe_key`` already used is ignored, so one event
  notifies once however often it is seen.
- ``event_to_notification`` turns a worker event (``failed``, ``needs_review``,
  ``held``) or a ``runway`` warning into a subject and a body in plain words.
- ``deliver_pending`` sends what is due on every channel that is set up (see
  ``scheduler.notify.channels``), records the result per channel, and tries a
  failed channel again later with a growing wait; after ``MAX_ATTEMPTS`` it gives
  up with a log line. It never raises and each call is limited by timeouts.
- ``Notifier`` wires it into the daemon: ``on_event`` for ``Worker(on_event=...)``
  and ``run_round()`` once per round.

A row is *waiting* (``sent_at`` empty, ``next_attempt_at`` set), *sent*
(``sent_at`` set), or *settled unsent* (both empty; ``channels["result"]`` says
why: no channel is set up, or Costanza gave up).
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from config.clock import Clock, utc
from config.errors import CostanzaError, SettingsError
from config.secrets import SecretStore
from config.settings import Settings
from posts.models import Account, Delivery, Notification, Post
from posts.networks import network_label
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

KINDS = ("failed", "needs_review", "held", "runway")
MAX_ATTEMPTS = 10
FIRST_WAIT = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=1)
BATCH = 10
# How long a row being sent is kept from other daemons (PostgreSQL, several daemons).
SENDING_LEASE = timedelta(minutes=2)
RUNWAY_CHECK_EVERY = timedelta(minutes=10)
# How far back the safety net looks for failures whose event was lost in a crash.
CATCH_UP = timedelta(days=1)


@dataclass(frozen=True)
class Message:
    kind: str
    subject: str
    body: str
    payload: dict[str, Any] = field(default_factory=dict)
    dedupe_key: str | None = None
    profile_id: int | None = None


# -- the outbox ----------------------------------------------------------------
def enqueue(db: Session, *, kind: str, subject: str, body: str, payload: dict[str, Any],
            dedupe_key: str | None = None, profile_id: int | None = None,
            now: datetime) -> int | None:
    """Add a notification to the outbox; return its id, or None when ``dedupe_key``
    was already used (that is not an error: the event was already told)."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}: use one of {', '.join(KINDS)}")
    if dedupe_key is not None and db.scalar(
            select(Notification.id).where(Notification.dedupe_key == dedupe_key)) is not None:
        return None
    row = Notification(kind=kind, subject=subject, body=body, payload=dict(payload),
                       dedupe_key=dedupe_key, profile_id=profile_id, created_at=now,
                       channels={}, attempts=0, next_attempt_at=now, sent_at=None)
    try:
        with db.begin_nested():
            db.add(row)
    except IntegrityError:  # another daemon added the same key just now
        return None
    return row.id


def enqueue_message(db: Session, message: Message, now: datetime) -> int | None:
    return enqueue(db, kind=message.kind, subject=message.subject, body=message.body,
                   payload=message.payload, dedupe_key=message.dedupe_key,
                   profile_id=message.profile_id, now=now)


# -- plain words -----------------------------------------------------------------
def _excerpt(text: str | None, size: int = 60) -> str:
    text = " ".join((text or "").split())
    if len(text) <= size:
        return text
    cut = text[: size - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip(" ,;:.") + "…"


def _post_words(data: dict[str, Any]) -> str:
    excerpt = _excerpt(data.get("text"))
    post_id = data.get("post_id")
    if excerpt and post_id is not None:
        return f'Your post "{excerpt}" (post {post_id})'
    if post_id is not None:
        return f"Your post {post_id}"
    return "A post"


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?", ")")) else text + "."


def event_to_notification(kind: str, data: dict[str, Any]) -> Message | None:
    """Plain words for an event, or None for events that need no notification.

    ``data`` holds what is known: ``delivery_id``, ``network``, ``reason``,
    ``post_id``, ``text``, ``account``, ``profile_id``, ``token`` (the claim's
    fencing token, which makes each episode distinct); for ``runway``:
    ``profile``, ``profile_id``, ``runs_dry`` (a local date in words, or None for an
    empty queue), ``days`` and ``key_date``.
    """
    delivery_id = data.get("delivery_id")
    network = network_label(str(data["network"])) if data.get("network") else "the network"
    reason = _sentence(str(data.get("reason") or "no reason was given"))
    episode = f"{delivery_id}:{data.get('token', 0)}"
    payload = {k: v for k, v in data.items() if k not in ("text",)}
    payload["kind"] = kind
    profile_id = data.get("profile_id")
    post = _post_words(data)
    if kind == "failed":
        return Message(
            kind, f"Your post for {network} could not go out",
            f"{post} could not go out on {network}.\n\n"
            f"What happened: {reason}\n\n"
            f"What to do: fix what the line above asks for, then run "
            f"`costanza retry {delivery_id}` to try again. The rest of your queue keeps "
            f"going out at its times.",
            payload, f"failed:{episode}", profile_id)
    if kind == "needs_review":
        return Message(
            kind, f"Check whether your post went out on {network}",
            f"{post} was sent to {network}, but Costanza could not find out whether it "
            f"was published.\n\n"
            f"What happened: {reason}\n\n"
            f"What to do: look at your {network} account. If the post is there, run "
            f"`costanza retry {delivery_id}`: Costanza checks again and records it. If it is "
            f"not there, run `costanza retry {delivery_id} --force` to publish it. Costanza "
            f"does not publish it again on its own, so that it never appears twice.",
            payload, f"needs_review:{episode}", profile_id)
    if kind == "held":
        account = data.get("account")
        named = f' "{account}"' if account else ""
        command = str(data.get("network") or "NETWORK")
        return Message(
            kind, f"Reconnect your {network} account: your posts are waiting",
            f"{network} no longer accepts Costanza for your account{named}, so your posts "
            f"for {network} are waiting. None is lost.\n\n"
            f"What happened: {reason}\n\n"
            f"What to do: connect the account again with `costanza account add {command} "
            f"...`, then run `costanza account check`. The waiting posts then go out, in "
            f"order.",
            payload, f"held:{episode}", profile_id)
    if kind == "runway":
        profile = data.get("profile") or "your profile"
        runs_dry = data.get("runs_dry")
        key = f"runway:{profile_id}:{data.get('key_date')}"
        if runs_dry:
            return Message(
                kind, f"Your queue runs dry after {runs_dry}",
                f"After {runs_dry} there are no more posts in the queue of {profile}, so "
                f"nothing will go out at your next slots.\n\n"
                f"What to do: add a few stories with `costanza post add \"...\"` (photos "
                f"with --photo). A steady rhythm is what your followers notice: a few "
                f"posts every week, every week.",
                payload, key, profile_id)
        return Message(
            kind, "Your queue is empty",
            f"There are no more posts in the queue of {profile}, so nothing will go out "
            f"at your next slots.\n\n"
            f"What to do: add a few stories with `costanza post add \"...\"` to keep your "
            f"weekly rhythm.",
            payload, key, profile_id)
    return None


def describe_delivery(db: Session, delivery_id: int) -> dict[str, Any]:
    """What the database knows about a delivery, for a notification's words."""
    delivery = db.get(Delivery, delivery_id)
    if delivery is None:
        return {"delivery_id": delivery_id}
    post = db.get(Post, delivery.post_id)
    account = db.get(Account, delivery.account_id) if delivery.account_id else None
    data: dict[str, Any] = {
        "delivery_id": delivery.id, "network": delivery.network, "post_id": delivery.post_id,
        "profile_id": delivery.profile_id, "state": delivery.state,
        "token": delivery.fencing_token, "attempts": delivery.attempts,
    }
    if delivery.reason:
        data["reason"] = delivery.reason
    if post is not None:
        data["text"] = post.text_for(delivery.network)
    if account is not None:
        data["account"] = account.name
    return data


def runway_messages(db: Session, settings: Settings, now: datetime) -> list[Message]:
    """A warning for each profile whose queue runs dry within ``runway_warning_days``."""
    from scheduler.planning.planner import runway_days
    from scheduler.planning.plans import profile_plans

    messages = []
    for p in profile_plans(db, now, settings.grace_period):
        days = runway_days(p.plan, now)
        if days is None or days >= settings.runway_warning_days:
            continue
        tz = ZoneInfo(p.timezone)
        if p.plan.runs_dry_at is not None:
            local = utc(p.plan.runs_dry_at).astimezone(tz)
            runs_dry: str | None = local.strftime("%a %d %b")
        else:
            if p.last_used is None:
                continue  # nothing was ever queued: nothing runs dry
            local = p.last_used.astimezone(tz)
            runs_dry = None
        message = event_to_notification("runway", {
            "profile": p.name, "profile_id": p.profile_id, "runs_dry": runs_dry,
            "days": round(days, 1), "key_date": local.date().isoformat()})
        if message is not None:
            messages.append(message)
    return messages


# -- sending ---------------------------------------------------------------------
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
            log.error("notifications are not sent until the settings are fixed: %s",
                      exc.message)
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
            log.error("notification %s (%s) could not be sent after %s attempts; Costanza "
                      "gave up on it: %s", item.id, item.subject, row.attempts,
                      "; ".join(str(channels[c]) for c in failed))
            return False
        wait = retry_wait(row.attempts)
        row.next_attempt_at = now + wait
        minutes = int(wait.total_seconds() // 60)
        log.warning("notification %s could not be sent (%s); trying again in %s minute%s",
                    item.id, "; ".join(str(channels[c]) for c in failed), minutes,
                    "" if minutes == 1 else "s")
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
        log.error("sending notifications failed (%s); Costanza will try again",
                  exc.message if isinstance(exc, CostanzaError) else type(exc).__name__)
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
            log.error("notifications: %s", exc.message)
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
                results[channel] = f"unexpected error ({type(exc).__name__})"
                down.add(channel)
            else:
                results[channel] = "sent"
        if _record(store, item, results, needed, clock.now()):
            sent += 1
            log.info("notification %s sent (%s): %s", item.id, ", ".join(needed), item.subject)
    return sent


# -- the daemon's side -----------------------------------------------------------------
class Notifier:
    """Notifications for a running daemon.

    ``on_event`` is given to ``Worker(on_event=...)``. The worker calls it from its
    publishing threads while its own write transaction is still open, so it only
    remembers the event (no database, no network). ``run_round()``, called once
    per daemon round, writes the remembered events to the outbox, looks for recent
    failures whose event was lost in a crash and warns about a queue running dry
    (both at most every ``RUNWAY_CHECK_EVERY``), and sends what is due. It never
    raises. ``stop()`` saves the remembered events at shutdown.
    """

    def __init__(self, store: Store, settings: Settings, clock: Clock,
                 secrets: SecretStore | None = None) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        self.secrets = secrets or SecretStore(settings.home.secrets_file)
        self._events: deque[tuple[str, dict[str, Any]]] = deque()
        self._lock = threading.Lock()
        self._runway_checked: datetime | None = None
        self._caught_up: datetime | None = None

    def on_event(self, kind: str, data: dict[str, Any]) -> None:
        if kind in ("failed", "needs_review", "held"):
            with self._lock:
                self._events.append((kind, dict(data)))

    def run_round(self) -> int:
        """Outbox the events, check the runway, send what is due; return how many were sent."""
        try:
            self.flush_events()
            self.catch_up()
            self.check_runway()
        except Exception as exc:
            log.error("preparing notifications failed (%s); Costanza will try again",
                      exc.message if isinstance(exc, CostanzaError) else type(exc).__name__)
        return deliver_pending(self.store, self.settings, self.clock, self.secrets)

    def flush_events(self) -> int:
        with self._lock:
            events = list(self._events)
            self._events.clear()
        added = 0
        try:
            with self.store.write() as db:
                now = self.clock.now()
                for kind, data in events:
                    known = describe_delivery(db, int(data["delivery_id"])) \
                        if data.get("delivery_id") is not None else {}
                    message = event_to_notification(kind, {**data, **known})
                    if message is not None and enqueue_message(db, message, now) is not None:
                        added += 1
        except Exception:
            with self._lock:  # keep them for the next round
                self._events.extendleft(reversed(events))
            raise
        return added

    def stop(self) -> None:
        """At shutdown: write the remembered events to the outbox (sending waits for the next
        start). Never raises."""
        try:
            self.flush_events()
        except Exception as exc:
            log.error("notifications could not be saved at shutdown (%s)", type(exc).__name__)

    def catch_up(self, force: bool = False) -> int:
        """A safety net for events lost in a crash: failures and posts to check from the
        last ``CATCH_UP`` are put in the outbox too (the same episode is told once)."""
        now = self.clock.now()
        if (not force and self._caught_up is not None
                and now - self._caught_up < RUNWAY_CHECK_EVERY):
            return 0
        self._caught_up = now
        added = 0
        with self.store.write() as db:
            ids = db.scalars(select(Delivery.id).where(
                Delivery.state.in_(("failed", "needs_review")),
                Delivery.updated_at >= now - CATCH_UP).order_by(Delivery.id)).all()
            for delivery_id in ids:
                data = describe_delivery(db, delivery_id)
                message = event_to_notification(str(data["state"]), data)
                if message is not None and enqueue_message(db, message, now) is not None:
                    added += 1
        return added

    def check_runway(self, force: bool = False) -> int:
        now = self.clock.now()
        if (not force and self._runway_checked is not None
                and now - self._runway_checked < RUNWAY_CHECK_EVERY):
            return 0
        self._runway_checked = now
        added = 0
        with self.store.read() as db:  # planning every profile takes no write lock
            messages = runway_messages(db, self.settings, now)
        if not messages:
            return 0
        with self.store.write() as db:
            for message in messages:
                if enqueue_message(db, message, now) is not None:
                    added += 1
        return added
