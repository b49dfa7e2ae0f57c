"""Recording what a publish did: the intent before the call, the progress on the way,
the outcome with its attempt row (and log line), and when to try again."""

from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from config.i18n import _, pgettext
from posts.fencing import ATTEMPTS, COPIED, Claim, fenced
from posts.models import Delivery

log = logging.getLogger("costanza.delivery")


def begin_publish(db: Session, c: Claim, now: datetime, attempts: int,
                  intent_at: datetime | None, progress: dict[str, Any] | None = None) -> None:
    """Commit the intent (and the progress so far, when given): from here on, an
    interruption means 'unknown', never 'retry'."""
    values: dict[str, Any] = {"state": "publishing", "attempts": attempts + 1,
                              "intent_at": intent_at or now}
    if progress is not None:
        values["progress"] = progress
    fenced(db, c, now, values, states=("claimed",))


def save_progress(db: Session, c: Claim, now: datetime, progress: dict[str, Any]) -> None:
    fenced(db, c, now, {"progress": progress})


_INSERT_ATTEMPT = ATTEMPTS.insert()


def _attempt_told(*, action: str, outcome: str, started: datetime, now: datetime,
                  owner: str | None, message: str | None, http_status: int | None,
                  error_code: str | None) -> dict[str, Any]:
    return {"action": action, "outcome": outcome, "http_status": http_status,
            "error_code": error_code, "message": message, "daemon_id": owner,
            "started_at": started,
            "duration_ms": max(0, int((now - started).total_seconds() * 1000))}


def _log_attempt(delivery: Any, told: dict[str, Any]) -> None:
    outcome, message = told["outcome"], told["message"]
    level = logging.INFO if outcome in ("published", "retry") else logging.WARNING
    if not log.isEnabledFor(level):
        return
    said = {"delivery": delivery.id, "post": delivery.post_id, "network": delivery.network,
            "outcome": _outcome_word(outcome), "ms": told["duration_ms"]}
    if message:
        line = _("delivery {delivery} (post {post}) on {network}: {outcome} after {ms} ms "
                 "- {message}").format(message=message, **said)
    elif outcome == "published" and delivery.permalink:
        line = _("delivery {delivery} (post {post}) on {network}: {outcome} after {ms} ms "
                 "{permalink}").format(permalink=delivery.permalink, **said)
    else:
        line = _("delivery {delivery} (post {post}) on {network}: {outcome} after {ms} "
                 "ms").format(**said)
    log.log(level, line,
            extra={"delivery_id": delivery.id, "network": delivery.network,
                   "outcome": outcome, "duration_ms": told["duration_ms"],
                   "permalink": delivery.permalink})


def _outcome_word(outcome: str) -> str:
    """The outcome of a try as the daemon's log says it (the code itself in English)."""
    words = {"published": pgettext("attempt outcome", "published"),
             "retry": pgettext("attempt outcome", "retry"),
             "failed": pgettext("attempt outcome", "failed"),
             "unknown": pgettext("attempt outcome", "unknown"),
             "needs_review": pgettext("attempt outcome", "needs_review"),
             "held": pgettext("attempt outcome", "held"),
             "cancelled": pgettext("attempt outcome", "cancelled")}
    return words.get(outcome, outcome)


def record_attempt(db: Session, delivery: Any, *, action: str, outcome: str,
                   started: datetime, now: datetime, owner: str | None,
                   message: str | None = None, http_status: int | None = None,
                   error_code: str | None = None) -> None:
    """One attempt row; ``delivery`` is a ``Delivery`` or a row of its ``ATTEMPT_FIELDS``."""
    told = _attempt_told(action=action, outcome=outcome, started=started, now=now,
                         owner=owner, message=message, http_status=http_status,
                         error_code=error_code)
    # One Core INSERT, not the ORM's unit of work (this runs for every attempt).
    copied = {("delivery_id" if name == "id" else name): getattr(delivery, name)
              for name in COPIED}
    db.connection().execute(_INSERT_ATTEMPT, {**copied, **told})
    _log_attempt(delivery, told)


def finish(db: Session, c: Claim, now: datetime, state: str, *, started: datetime,
           action: str, message: str | None = None, remote_id: str | None = None,
           permalink: str | None = None, due_at: datetime | None = None,
           http_status: int | None = None, error_code: str | None = None,
           extra: dict[str, Any] | None = None,
           progress: dict[str, Any] | None = None, attempts: int | None = None) -> Any:
    """Record an outcome (fenced) and the attempt row, in one transaction (on PostgreSQL
    in one statement: with ``progress`` given, it may run outside a transaction).

    ``progress``, when given, is the delivery's whole progress as the caller holds it
    (the lease keeps anyone else from changing it): it is stored, with ``extra`` on top,
    without reading the row first. ``attempts``, when given, is stored too. Returns the
    delivery's ``ATTEMPT_FIELDS`` as they are after the change."""
    values: dict[str, Any] = {"state": state, "reason": message,
                              "lease_owner": None, "lease_expires_at": None}
    if remote_id is not None:
        values["remote_id"] = remote_id
    if permalink is not None:
        values["permalink"] = permalink
    if state == "published":
        values["published_at"] = now
    if due_at is not None:
        values["due_at"] = due_at
    if attempts is not None:
        values["attempts"] = attempts
    if progress is not None:
        values["progress"] = {**progress, **(extra or {})}
    elif extra:
        delivery = db.get(Delivery, c.delivery_id)
        assert delivery is not None
        values["progress"] = {**(delivery.progress or {}), **extra}
    outcome = {"retry_wait": "retry", "needs_review": "needs_review"}.get(state, state)
    if db.get_bind().dialect.name == "postgresql":
        told = _attempt_told(action=action, outcome=outcome, started=started, now=now,
                             owner=c.owner, message=message, http_status=http_status,
                             error_code=error_code)
        delivery = fenced(db, c, now, values, told=told)
        _log_attempt(delivery, told)
        return delivery
    delivery = fenced(db, c, now, values)
    record_attempt(db, delivery, action=action, outcome=outcome, started=started, now=now,
                   owner=c.owner, message=message, http_status=http_status,
                   error_code=error_code)
    return delivery


def backoff(attempts: int, now: datetime, retry_at: datetime | None = None,
            base: float = 30.0, cap: float = 6 * 3600.0,
            rng: random.Random | None = None) -> datetime:
    """Exponential backoff with full jitter, never earlier than the network's reset time."""
    rng = rng or random.Random()
    delay = rng.uniform(base / 2, min(cap, base * (2 ** max(0, attempts - 1))))
    when = now + timedelta(seconds=delay)
    if retry_at is not None and retry_at > when:
        when = retry_at
    return when

