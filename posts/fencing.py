"""Fencing: every state change after a claim names the claim's fencing token.

A change only applies while the delivery still carries that token and the lease
has not run out, so a worker whose lease expired (stopped, cut off) can no longer
record anything, nor start a publish. ``fenced`` applies such a change in one
statement (on PostgreSQL, with the attempt row inserted by the same statement).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from config.i18n import _
from posts.models import Attempt, Delivery


class LeaseLost(Exception):
    """This worker no longer holds the delivery: another took it over."""


@dataclass(frozen=True)
class Claim:
    delivery_id: int
    token: int
    owner: str
    state: str  # the state before the claim: queued, retry_wait or unknown


DELIVERIES = Delivery.__table__
ATTEMPTS = Attempt.__table__

# What an attempt row copies from its delivery (read back by the fenced update itself;
# the delivery's ``id`` is the attempt's ``delivery_id``), and what it is told.
COPIED = ("id", "profile_id", "post_id", "network", "account_id", "remote_id", "permalink")
TOLD = ("action", "outcome", "http_status", "error_code", "message", "daemon_id",
        "started_at", "duration_ms")
ATTEMPT_FIELDS = tuple(DELIVERIES.c[name] for name in COPIED)


@functools.lru_cache(maxsize=64)
def _fenced_statement(columns: tuple[str, ...], states: tuple[str, ...] | None) -> Any:
    """The fenced UPDATE that sets ``columns``, built once per shape: every value is a
    bound parameter, so a daemon neither builds nor compiles it again for each write."""
    t = DELIVERIES.c
    conditions = [t.id == bindparam("f_id"), t.fencing_token == bindparam("f_token"),
                  t.lease_owner == bindparam("f_owner"), t.lease_expires_at >= bindparam("f_now")]
    if states:  # one state (the intent's) is a plain comparison: nothing to expand per run
        conditions.append(t.state == states[0] if len(states) == 1 else t.state.in_(states))
    return (update(DELIVERIES).where(*conditions)
            .values({name: bindparam(f"v_{name}") for name in ("updated_at", *columns)})
            .returning(*ATTEMPT_FIELDS))


@functools.lru_cache(maxsize=64)
def _finish_statement(columns: tuple[str, ...]) -> Any:
    """PostgreSQL: the fenced UPDATE and the attempt's INSERT as one statement (the
    UPDATE in a WITH clause): one round trip, and atomic even outside a transaction.
    When the fence holds no longer, the UPDATE changes nothing and nothing is inserted."""
    done = _fenced_statement(columns, None).cte("done")
    told = [bindparam(f"a_{name}", type_=ATTEMPTS.c[name].type) for name in TOLD]
    rows = select(*(done.c[name] for name in COPIED), *told)
    into = [("delivery_id" if name == "id" else name) for name in COPIED] + list(TOLD)
    return ATTEMPTS.insert().from_select(into, rows).returning(
        ATTEMPTS.c.delivery_id.label("id"),
        *(ATTEMPTS.c[name] for name in COPIED if name != "id"))


def fenced(db: Session, c: Claim, now: datetime, values: dict[str, Any],
           states: tuple[str, ...] | None = None,
           told: dict[str, Any] | None = None) -> Any:
    """Apply ``values`` only while the claim still holds the delivery; return the
    delivery's ``ATTEMPT_FIELDS`` as they are after the change (one round trip). With
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
        raise LeaseLost(_("delivery {delivery}: another daemon took it over").format(
            delivery=c.delivery_id))
    return rows[0]
