"""Telling the artisan when something needs them: a failure, a post to check, an account
to reconnect, a queue running dry.

Notifications go through an outbox (the ``notifications`` table), apart from
publishing: a mail server that is down never blocks the daemon, and nothing is
lost when it restarts.

- ``enqueue`` adds a row; a ``dedupe_key`` already used is ignored, so one event
  notifies once however often it is seen.
- ``event_to_notification`` (in ``scheduler.notify.wording``) turns a worker event
  (``failed``, ``needs_review``, ``held``) or a ``runway`` warning into a subject
  and a body in plain words.
- ``deliver_pending`` (in ``scheduler.notify.sending``) sends what is due on every
  channel that is set up (see ``scheduler.notify.channels``), records the result
  per channel, and tries a failed channel again later with a growing wait; after
  ``MAX_ATTEMPTS`` it gives up with a log line. It never raises and each call is
  limited by timeouts.
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
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from config import i18n
from config.clock import Clock, utc
from config.errors import CostanzaError
from config.i18n import _
from config.localtime import month_short, weekday_short
from config.secrets import SecretStore
from config.settings import Settings
from posts.models import Account, Delivery, Notification, Post
from posts.store import Store
from scheduler.notify.sending import (
    BATCH,
    FIRST_WAIT,
    LONGEST_WAIT,
    MAX_ATTEMPTS,
    SENDING_LEASE,
    deliver_pending,
    retry_wait,
)
from scheduler.notify.wording import KINDS, Message, event_to_notification

__all__ = [
    "BATCH", "CATCH_UP", "FIRST_WAIT", "KINDS", "LONGEST_WAIT", "MAX_ATTEMPTS",
    "RUNWAY_CHECK_EVERY", "SENDING_LEASE", "Message", "Notifier", "deliver_pending",
    "describe_delivery", "enqueue", "enqueue_message", "event_to_notification",
    "readiness_messages", "retry_wait", "runway_messages",
]

log = logging.getLogger("costanza.notify")

RUNWAY_CHECK_EVERY = timedelta(minutes=10)
# How long before something expires the daily readiness check tells the artisan.
READINESS_AHEAD = timedelta(days=7)
# How far back the safety net looks for failures whose event was lost in a crash.
CATCH_UP = timedelta(days=1)


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


def _day_words(local: datetime) -> str:
    """'Mon 30 Nov' / 'lun 30 nov': the day a queue runs dry, in the language spoken."""
    day = f"{local.day}" if i18n.language() == "it" else f"{local.day:02d}"
    return f"{weekday_short(local.weekday())} {day} {month_short(local.month)}"


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
            runs_dry: str | None = _day_words(local)
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


def readiness_messages(items: list[dict[str, Any]], now: datetime) -> list[Message]:
    """What the daily readiness check found, worth telling: whatever expires within 7 days
    (``expiring``) and, for the rest, whatever will stop a post in the next 7 days
    (``blocked``). ``items`` are findings as `costanza check --json` gives them."""
    day = utc(now).date().isoformat()
    messages = []
    for item in items:
        expires = item.get("expires_at")
        soon = bool(expires) and utc(datetime.fromisoformat(str(expires))) - utc(now) \
            <= READINESS_AHEAD
        if not soon and not item.get("blocks_week"):
            continue
        message = event_to_notification("expiring" if soon else "blocked",
                                        {**item, "day": day})
        if message is not None:
            messages.append(message)
    return messages


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
            log.error(_("preparing notifications failed ({problem}); Costanza will try again"
                        ).format(problem=exc.message if isinstance(exc, CostanzaError)
                                 else type(exc).__name__))
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
            log.error(_("notifications could not be saved at shutdown ({error})").format(
                error=type(exc).__name__))

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

    def tell(self, messages: list[Message]) -> int:
        """Put messages in the outbox (each dedupe key once); return how many were new."""
        if not messages:
            return 0
        added = 0
        with self.store.write() as db:
            now = self.clock.now()
            for message in messages:
                if enqueue_message(db, message, now) is not None:
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
