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

The parts live in their own modules: taking deliveries (``posts.claims``), the
fence itself (``posts.fencing``), recording outcomes (``posts.outcomes``) and
accounts that hold deliveries back (``posts.account_holds``); their names are
re-exported here, so ``from posts import deliveries as dl; dl.claim(...)`` works.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from config.i18n import _
from posts.account_holds import (
    attach_account,
    hold_account,
    rate_limit_account,
    release_account,
)
from posts.claims import (
    CLAIM_IDLE_TIMEOUT,
    CLAIM_LOCK,
    CLAIMABLE,
    IN_FLIGHT,
    claim,
    expire_leases,
    release,
    release_dead_leases,
    renew,
)
from posts.fencing import Claim, LeaseLost
from posts.models import Account, Delivery, Post, Profile
from posts.networks import network_label
from posts.outcomes import backoff, begin_publish, finish, record_attempt, save_progress

__all__ = [
    "CLAIMABLE", "CLAIM_IDLE_TIMEOUT", "CLAIM_LOCK", "IN_FLIGHT", "Claim", "LeaseLost",
    "attach_account", "backoff", "begin_publish", "claim", "dispatch_post",
    "expire_leases", "finish", "hold_account", "profile_of", "rate_limit_account",
    "record_attempt", "release", "release_account", "release_dead_leases", "renew",
    "retry", "save_progress",
]


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
            delivery.reason = _("No {name} account is connected. Connect one with "
                                "`costanza account add {network} ...`; the post waits.").format(
                name=network_label(network), network=network)
        elif account.health == "held":
            delivery.state = "held"
            delivery.reason = account.health_reason
        db.add(delivery)
        created.append(delivery)
    db.flush()
    return created


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
