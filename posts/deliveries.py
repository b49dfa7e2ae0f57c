"""The delivery life cycle, enforced by the store.

A delivery is one post on one network::

    queued -> claimed (lease, fencing token) -> publishing (intent committed before the call)
           -> published                      (terminal)
           -> retry_wait -> claimed ...      (provably not taken; backoff)
           -> failed                         (refused, or retries used up; `costanza retry`)
           -> held                           (the account must be reconnected; waits)
           -> unknown -> reconcile -> published | retry_wait | needs_review
                      (not found yet while a request may still land: unknown again,
                       due when its settle period ends; "checking", posts.settle)

Every state change after a claim is *fenced*: it names the fencing token the
claim received, and it only applies while the delivery still carries that
token and the lease has not run out. A worker whose lease expired (stopped,
cut off) can no longer record anything, nor start a publish.
"""

from __future__ import annotations

import functools
import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, case, func, or_, select, update
from sqlalchemy.orm import Session

from config.clock import utc
from posts.models import Account, Attempt, Delivery, Post, Profile
from posts.networks import NETWORKS, network_label
from posts.settle import note_sent

log = logging.getLogger("costanza.delivery")

CLAIMABLE = ("queued", "retry_wait")
IN_FLIGHT = ("claimed", "publishing")


class LeaseLost(Exception):
    """This worker no longer holds the delivery: another took it over."""


@dataclass(frozen=True)
class Claim:
    delivery_id: int
    token: int
    owner: str
    state: str  # the state before the claim: queued, retry_wait or unknown


def dispatch_post(db: Session, post: Post, slot_at: datetime, now: datetime) -> list[Delivery]:
    """The post's slot has come: create one delivery per target network."""
    post.state = "dispatched"
    post.slot_at = slot_at
    post.updated_at = now
    accounts = {a.network: a for a in db.scalars(
        select(Account).where(Account.profile_id == post.profile_id).order_by(Account.id))}
    created = []
    for network in post.targets:
        account = accounts.get(network)
        delivery = Delivery(
            post_id=post.id, profile_id=post.profile_id, network=network,
            account_id=account.id if account else None, state="queued", due_at=now,
            fencing_token=0, attempts=0, progress={}, created_at=now, updated_at=now,
        )
        if account is None:
            delivery.state = "held"
            delivery.reason = (f"No {network_label(network)} account is connected. Connect one "
                               f"with `costanza account add {network} ...`; the post waits.")
        elif account.health == "held":
            delivery.state = "held"
            delivery.reason = account.health_reason
        db.add(delivery)
        created.append(delivery)
    db.flush()
    return created


def expire_leases(db: Session, now: datetime) -> list[int]:
    """Deliveries whose worker vanished: claimed ones go back to the queue; ones
    that were publishing have an unknown outcome and must be reconciled."""
    # Locked (PostgreSQL; SQLite ignores it): a row another daemon holds locked is skipped,
    # not waited for (a daemon frozen mid-transaction would stall every other one), and a
    # row changed since this statement began is checked again, never overwritten blindly.
    stale = db.scalars(select(Delivery).where(
        Delivery.state.in_((*IN_FLIGHT, "unknown")), Delivery.lease_owner.is_not(None),
        Delivery.lease_expires_at < now).with_for_update(skip_locked=True)).all()
    unknown = []
    for d in stale:
        if d.state == "unknown":
            pass  # its reconciler vanished: the next one takes it over
        elif d.state == "claimed":
            d.state = "retry_wait" if d.attempts else "queued"
        else:
            d.state = "unknown"
            d.reason = ("Costanza stopped while publishing this post, so it is not yet known "
                        "whether it went out. It will check with the network before doing "
                        "anything else.")
            # Whatever it sent left before its lease ran out: the settle period counts
            # from there at the latest.
            d.progress = note_sent(d.progress, utc(d.lease_expires_at))
            unknown.append(d.id)
        d.lease_owner = None
        d.lease_expires_at = None
        d.fencing_token += 1
        d.updated_at = now
    db.flush()
    return unknown


def release_dead_leases(db: Session, owner: str, now: datetime) -> int:
    """On SQLite only one daemon runs: whoever held a lease before this one started is
    gone, so its leases end now (and are recovered at once rather than after the lease)."""
    result = db.execute(update(Delivery).where(
        Delivery.lease_owner.is_not(None), Delivery.lease_owner != owner,
        Delivery.lease_expires_at > now)
        .values(lease_expires_at=now - timedelta(microseconds=1))
        .execution_options(synchronize_session=False))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


_DELIVERIES = Delivery.__table__
CLAIM_LOCK = 7_233_001  # PostgreSQL advisory lock: claims are serialised cluster-wide
CLAIM_IDLE_TIMEOUT = timedelta(seconds=10)  # a claim frozen this long gives its lock up


def claim(db: Session, owner: str, now: datetime, lease: timedelta, limit: int,
          skip_locked: bool = False, per_network: int | None = None,
          fresh_only: bool = False,
          idle_timeout: timedelta = CLAIM_IDLE_TIMEOUT) -> list[Claim]:
    """Claim up to ``limit`` due deliveries (and unknown ones, to reconcile).

    Limits hold for every daemon sharing the database, since they are read from it:
    no more than ``per_network`` deliveries of one network in flight at once, and
    nothing for an account the network asked us to leave alone until a given time.
    On PostgreSQL the claim takes a transaction-scoped advisory lock, so two daemons
    claiming at the same moment cannot both take the last free place; the rows
    themselves are taken with FOR UPDATE SKIP LOCKED.
    """
    if skip_locked:
        from sqlalchemy import text

        # A daemon frozen (SIGSTOP, a stalled VM) in the middle of its claim would keep
        # the lock, and every other daemon waiting, until it woke: PostgreSQL ends this
        # transaction instead, and its session, once it sits idle that long.
        db.execute(text("SELECT set_config('idle_in_transaction_session_timeout', :ms, true),"
                        " pg_advisory_xact_lock(:k)"),
                   {"ms": str(int(idle_timeout.total_seconds() * 1000)), "k": CLAIM_LOCK})
    busy_statement, pick, take = _claim_statements(fresh_only, skip_locked)
    conn = db.connection()
    room: dict[str, int] | None = None
    if per_network is not None:
        busy = dict(conn.execute(busy_statement, {"now": now}).all())
        room = {n: per_network - busy.get(n, 0) for n in NETWORKS}
        if all(v <= 0 for v in room.values()):
            return []
    networks = list(NETWORKS) if room is None else [n for n, v in room.items() if v > 0]
    claims = []
    for d in conn.execute(pick, {"now": now, "networks": networks,
                                 "limit": limit if room is None else limit * 4}).all():
        if len(claims) >= limit:
            break
        if room is not None:
            if room.get(d.network, 0) <= 0:
                continue
            room[d.network] -= 1
        claims.append(Claim(d.id, d.fencing_token + 1, owner, d.state))
    if claims:
        conn.execute(take, {"ids": [c.delivery_id for c in claims], "owner": owner,
                            "until": now + lease, "now": now})
    return claims


@functools.lru_cache(maxsize=8)
def _claim_statements(fresh_only: bool, skip_locked: bool) -> tuple[Any, Any, Any]:
    """The claim's three statements, built once: how many deliveries each network has in
    flight, which due deliveries to take (in claim order), and taking them. A claim runs
    on the daemon's main thread for every few deliveries, so every value is a bound
    parameter and nothing is built or compiled again."""
    t, a = _DELIVERIES.c, Account.__table__.c
    now = bindparam("now")
    busy = (select(t.network, func.count())
            .where(t.state.in_((*IN_FLIGHT, "unknown")),  # (the state index, not a scan)
                   t.lease_owner.is_not(None), t.lease_expires_at >= now)
            .group_by(t.network))
    due = and_(t.state == "queued" if fresh_only else t.state.in_(CLAIMABLE), t.due_at <= now)
    if not fresh_only:  # and the unknown ones whose lease ran out, to reconcile
        due = or_(due, and_(t.state == "unknown", t.due_at <= now,
                            or_(t.lease_owner.is_(None), t.lease_expires_at < now)))
    blocked = select(a.id).where(or_(a.health == "held", a.rate_limited_until > now))
    pick = (select(t.id, t.network, t.state, t.fencing_token)
            .where(due, or_(t.account_id.is_(None), t.account_id.not_in(blocked)),
                   t.network.in_(bindparam("networks", expanding=True)))
            .order_by(t.due_at, t.id)
            .limit(bindparam("limit")))
    if skip_locked:
        pick = pick.with_for_update(skip_locked=True)
    take = (update(_DELIVERIES).where(t.id.in_(bindparam("ids", expanding=True)))
            .values(lease_owner=bindparam("owner"), lease_expires_at=bindparam("until"),
                    fencing_token=t.fencing_token + 1, updated_at=now,
                    state=case((t.state == "unknown", "unknown"), else_="claimed")))
    return busy, pick, take


def release(db: Session, c: Claim, now: datetime) -> None:
    """Give back a claim that was never started: the delivery is as before the claim."""
    _fenced(db, c, now, {"state": c.state, "lease_owner": None, "lease_expires_at": None},
            states=("claimed", "unknown"))


def rate_limit_account(db: Session, account_id: int, until: datetime) -> None:
    """Remember, for every daemon, that the network asked us to wait for this account."""
    account = db.get(Account, account_id)
    if account is not None and (account.rate_limited_until is None
                                or account.rate_limited_until < until):
        account.rate_limited_until = until


# What an attempt row copies from its delivery (read back by the fenced update itself;
# the delivery's ``id`` is the attempt's ``delivery_id``), and what it is told.
_COPIED = ("id", "profile_id", "post_id", "network", "account_id", "remote_id", "permalink")
_TOLD = ("action", "outcome", "http_status", "error_code", "message", "daemon_id",
         "started_at", "duration_ms")
_ATTEMPT_FIELDS = tuple(_DELIVERIES.c[name] for name in _COPIED)


@functools.lru_cache(maxsize=64)
def _fenced_statement(columns: tuple[str, ...], states: tuple[str, ...] | None) -> Any:
    """The fenced UPDATE that sets ``columns``, built once per shape: every value is a
    bound parameter, so a daemon neither builds nor compiles it again for each write."""
    t = _DELIVERIES.c
    conditions = [t.id == bindparam("f_id"), t.fencing_token == bindparam("f_token"),
                  t.lease_owner == bindparam("f_owner"), t.lease_expires_at >= bindparam("f_now")]
    if states:  # one state (the intent's) is a plain comparison: nothing to expand per run
        conditions.append(t.state == states[0] if len(states) == 1 else t.state.in_(states))
    return (update(_DELIVERIES).where(*conditions)
            .values({name: bindparam(f"v_{name}") for name in ("updated_at", *columns)})
            .returning(*_ATTEMPT_FIELDS))


def _fenced(db: Session, c: Claim, now: datetime, values: dict[str, Any],
            states: tuple[str, ...] | None = None,
            told: dict[str, Any] | None = None) -> Any:
    """Apply ``values`` only while the claim still holds the delivery; return the
    delivery's ``_ATTEMPT_FIELDS`` as they are after the change (one round trip). With
    ``told`` (PostgreSQL), the attempt row is inserted by the same statement."""
    columns = tuple(sorted(values))
    params = {"f_id": c.delivery_id, "f_token": c.token, "f_owner": c.owner, "f_now": now,
              "v_updated_at": now}
    params.update((f"v_{name}", values[name]) for name in columns)
    if told is None:
        statement = _fenced_statement(columns, states)
    else:
        assert states is None
        statement = _finish_statement(columns)
        params.update((f"a_{name}", value) for name, value in told.items())
    # Core, on the session's connection: the hottest statement skips the ORM's machinery.
    rows = db.connection().execute(statement, params).all()
    if len(rows) != 1:
        raise LeaseLost(f"delivery {c.delivery_id}: another daemon took it over")
    return rows[0]


def renew(db: Session, c: Claim, now: datetime, lease: timedelta) -> None:
    _fenced(db, c, now, {"lease_expires_at": now + lease})


def begin_publish(db: Session, c: Claim, now: datetime, attempts: int,
                  intent_at: datetime | None, progress: dict[str, Any] | None = None) -> None:
    """Commit the intent (and the progress so far, when given): from here on, an
    interruption means 'unknown', never 'retry'."""
    values: dict[str, Any] = {"state": "publishing", "attempts": attempts + 1,
                              "intent_at": intent_at or now}
    if progress is not None:
        values["progress"] = progress
    _fenced(db, c, now, values, states=("claimed",))


def save_progress(db: Session, c: Claim, now: datetime, progress: dict[str, Any]) -> None:
    _fenced(db, c, now, {"progress": progress})


_ATTEMPTS = Attempt.__table__
_INSERT_ATTEMPT = _ATTEMPTS.insert()


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
    log.log(level, "delivery %s (post %s) on %s: %s after %s ms%s", delivery.id,
            delivery.post_id, delivery.network, outcome, told["duration_ms"],
            f" - {message}" if message else (f" {delivery.permalink}"
                                             if outcome == "published" else ""),
            extra={"delivery_id": delivery.id, "network": delivery.network,
                   "outcome": outcome, "duration_ms": told["duration_ms"],
                   "permalink": delivery.permalink})


def record_attempt(db: Session, delivery: Any, *, action: str, outcome: str,
                   started: datetime, now: datetime, owner: str | None,
                   message: str | None = None, http_status: int | None = None,
                   error_code: str | None = None) -> None:
    """One attempt row; ``delivery`` is a ``Delivery`` or a row of its ``_ATTEMPT_FIELDS``."""
    told = _attempt_told(action=action, outcome=outcome, started=started, now=now,
                         owner=owner, message=message, http_status=http_status,
                         error_code=error_code)
    # One Core INSERT, not the ORM's unit of work (this runs for every attempt).
    copied = {("delivery_id" if name == "id" else name): getattr(delivery, name)
              for name in _COPIED}
    db.connection().execute(_INSERT_ATTEMPT, {**copied, **told})
    _log_attempt(delivery, told)


@functools.lru_cache(maxsize=64)
def _finish_statement(columns: tuple[str, ...]) -> Any:
    """PostgreSQL: the fenced UPDATE and the attempt's INSERT as one statement (the
    UPDATE in a WITH clause): one round trip, and atomic even outside a transaction.
    When the fence holds no longer, the UPDATE changes nothing and nothing is inserted."""
    done = _fenced_statement(columns, None).cte("done")
    told = [bindparam(f"a_{name}", type_=_ATTEMPTS.c[name].type) for name in _TOLD]
    rows = select(*(done.c[name] for name in _COPIED), *told)
    into = [("delivery_id" if name == "id" else name) for name in _COPIED] + list(_TOLD)
    return _ATTEMPTS.insert().from_select(into, rows).returning(
        _ATTEMPTS.c.delivery_id.label("id"),
        *(_ATTEMPTS.c[name] for name in _COPIED if name != "id"))


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
    delivery's ``_ATTEMPT_FIELDS`` as they are after the change."""
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
        delivery = _fenced(db, c, now, values, told=told)
        _log_attempt(delivery, told)
        return delivery
    delivery = _fenced(db, c, now, values)
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


def hold_account(db: Session, account_id: int, reason: str, now: datetime) -> None:
    account = db.get(Account, account_id)
    if account is None:
        return
    account.health = "held"
    account.health_reason = reason
    account.checked_at = now


def release_account(db: Session, account_id: int, now: datetime) -> int:
    """The account works again: its held deliveries go back to the queue."""
    account = db.get(Account, account_id)
    if account is None:
        return 0
    account.health = "ok"
    account.health_reason = None
    account.checked_at = now
    result = db.execute(update(Delivery).where(
        Delivery.account_id == account_id, Delivery.state == "held")
        .values(state="queued", due_at=now, reason=None, updated_at=now)
        .execution_options(synchronize_session=False))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def attach_account(db: Session, account: Account, now: datetime) -> int:
    """A new account: deliveries that waited for one on its network go to it."""
    result = db.execute(update(Delivery).where(
        Delivery.profile_id == account.profile_id, Delivery.network == account.network,
        Delivery.state == "held", Delivery.account_id.is_(None))
        .values(account_id=account.id, state="queued", due_at=now, reason=None,
                updated_at=now)
        .execution_options(synchronize_session=False))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def retry(db: Session, delivery: Delivery, now: datetime, force: bool) -> str:
    """`costanza retry`: a failed delivery is queued again; one that needs review is
    checked once more with the network first (or published anyway with force)."""
    if delivery.state in ("failed", "cancelled"):
        delivery.state = "queued"
    elif delivery.state == "needs_review":
        delivery.state = "queued" if force else "unknown"
        if force:
            progress = dict(delivery.progress or {})
            progress["forced"] = True
            delivery.progress = progress
    elif delivery.state == "held":
        delivery.state = "queued"
    else:
        return delivery.state
    delivery.attempts = 0
    delivery.due_at = now
    delivery.reason = None
    delivery.updated_at = now
    db.flush()
    return delivery.state


def profile_of(db: Session, profile_id: int) -> Profile:
    profile = db.get(Profile, profile_id)
    assert profile is not None
    return profile
