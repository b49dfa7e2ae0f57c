"""Taking deliveries to publish: the claim and its lease, and leases that ran out.

A claim gives the worker a lease and a new fencing token (see ``posts.fencing``);
limits on how much is in flight are read from the database, so they hold for every
daemon sharing it.
"""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, case, func, or_, select, update
from sqlalchemy.orm import Session

from config.clock import utc
from config.i18n import _
from posts.fencing import DELIVERIES, Claim, fenced
from posts.models import Account, Delivery
from posts.networks import NETWORKS
from posts.settle import note_sent

CLAIMABLE = ("queued", "retry_wait")
IN_FLIGHT = ("claimed", "publishing")


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
            d.reason = _("Costanza stopped while publishing this post, so it is not yet known "
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
    t, a = DELIVERIES.c, Account.__table__.c
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
    take = (update(DELIVERIES).where(t.id.in_(bindparam("ids", expanding=True)))
            .values(lease_owner=bindparam("owner"), lease_expires_at=bindparam("until"),
                    fencing_token=t.fencing_token + 1, updated_at=now,
                    state=case((t.state == "unknown", "unknown"), else_="claimed")))
    return busy, pick, take


def release(db: Session, c: Claim, now: datetime) -> None:
    """Give back a claim that was never started: the delivery is as before the claim."""
    fenced(db, c, now, {"state": c.state, "lease_owner": None, "lease_expires_at": None},
           states=("claimed", "unknown"))


def renew(db: Session, c: Claim, now: datetime, lease: timedelta) -> None:
    fenced(db, c, now, {"lease_expires_at": now + lease})

