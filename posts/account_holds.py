"""Accounts a network asked Costanza to leave alone: held until reconnected, or
rate limited until a given time; and deliveries that waited for an account."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from posts.models import Account, Delivery


def rate_limit_account(db: Session, account_id: int, until: datetime) -> None:
    """Remember, for every daemon, that the network asked us to wait for this account."""
    account = db.get(Account, account_id)
    if account is not None and (account.rate_limited_until is None
                                or account.rate_limited_until < until):
        account.rate_limited_until = until


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

