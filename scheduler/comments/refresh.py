"""`costanza comments fetch`: look under every watched post of one profile now, in one
round, with the daemon's own rules (``CommentFetcher``), and say why some were left alone.

A post is left alone, with its reason (``Skipped.reason``), when its account needs
attention (``attention``: held, or no longer connected), the network asked to wait
(``rate_limited``, until when: publishing's limit or the comments' own), the month's
X budget is reached (``x_budget``, until the next month), its account is about to
publish (``publishing``: publishing wins, ``posts.comments.PUBLISHING_AHEAD``), or
another process is reading it right now (``taken``: ``comment_watch.taken_until``).
The others are made due now (``posts.comments.make_watches_due``) and read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from config.clock import utc
from posts import comments as cm
from posts.comment_tables import CommentWatch
from posts.models import Account, Delivery
from scheduler.comments import x_budget
from scheduler.comments.fetching import MOVED, CommentFetcher, Looked
from scheduler.x_costs import BUDGET_CODE

SKIP_REASONS = ("attention", "rate_limited", "x_budget", "publishing", "taken")
COUNTS = ("looked", "new", "changed", "deleted")


@dataclass(frozen=True)
class Skipped:
    """A post not read now, and why (one of ``SKIP_REASONS``); ``until``: when it may be
    read again, if known; ``problem``: the words kept for it (the account's, the budget's)."""

    delivery_id: int
    post_id: int
    network: str
    account: str | None
    reason: str
    until: datetime | None = None
    problem: str | None = None


@dataclass
class Refreshed:
    """What one "look now" did: per network, the posts read and the comments new,
    changed and deleted; the posts left alone; the problems met, in plain words."""

    watched: int = 0
    networks: dict[str, dict[str, int]] = field(default_factory=dict)
    skipped: list[Skipped] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def count(self, network: str, key: str, n: int = 1) -> None:
        row = self.networks.setdefault(network, dict.fromkeys(COUNTS, 0))
        row[key] += n


def refresh(fetcher: CommentFetcher, profile_id: int) -> Refreshed:
    """Look under the profile's watched posts now (newly published ones included)."""
    now = fetcher.clock.now()
    done = Refreshed()
    with fetcher.store.write() as db:
        done.watched = cm.watch_published(db, now, fetcher.settings)
    with fetcher.store.read() as db:
        done.skipped = left_alone(db, fetcher, profile_id, now)
        active = _active(db, profile_id)
    with fetcher.store.write() as db:
        cm.make_watches_due(db, profile_id, now, leave=[s.delivery_id for s in done.skipped])
    for looked in fetcher.look_due(max(1, active), profile_id):
        _tally(fetcher, done, looked)
    return done


def _active(db: Session, profile_id: int) -> int:
    from sqlalchemy import func

    return int(db.scalar(select(func.count()).select_from(CommentWatch).where(
        CommentWatch.profile_id == profile_id, CommentWatch.next_fetch_at.is_not(None))) or 0)


def _tally(fetcher: CommentFetcher, done: Refreshed, looked: Looked) -> None:
    watch = looked.watch
    if looked.summary is not None:
        done.count(watch.network, "looked")
        for key in ("new", "changed", "deleted"):
            done.count(watch.network, key, getattr(looked.summary, key))
        return
    if looked.left == MOVED:  # another process took it, or a limit met in this round
        skipped = _moved(fetcher, watch)
        if skipped is not None:
            done.skipped.append(skipped)
        return
    if looked.left == BUDGET_CODE:  # (already said, when it was due before this round)
        if any(s.delivery_id == watch.delivery_id for s in done.skipped):
            return
        done.skipped.append(_skip(fetcher, watch, BUDGET_CODE, looked.until, looked.problem))
        return
    if looked.problem is not None and looked.problem not in done.problems:
        done.problems.append(looked.problem)


def _skip(fetcher: CommentFetcher, watch: CommentWatch, reason: str,
          until: datetime | None, problem: str | None = None) -> Skipped:
    with fetcher.store.read() as db:
        row = db.execute(select(Delivery.post_id, Account.name)
                         .outerjoin(Account, Account.id == Delivery.account_id)
                         .where(Delivery.id == watch.delivery_id)).first()
    return Skipped(watch.delivery_id, row[0] if row else 0, watch.network,
                   row[1] if row else None, reason, until, problem)


def _moved(fetcher: CommentFetcher, watch: CommentWatch) -> Skipped | None:
    """A watch moved between the list and the take: read by another process now, or
    paused by a limit one of this round's reads met."""
    now = fetcher.clock.now()
    with fetcher.store.read() as db:
        row = db.get(CommentWatch, watch.delivery_id)
        if row is None or row.next_fetch_at is None:
            return None
        taken, later = row.taken_until, row.next_fetch_at
    if taken is not None and utc(taken) > now:
        return _skip(fetcher, watch, "taken", utc(taken))
    if utc(later) > now:
        return _skip(fetcher, watch, "rate_limited", utc(later))
    return None


def _watch_rows(db: Session, profile_id: int) -> list[Any]:
    return list(db.execute(
        select(CommentWatch.delivery_id, CommentWatch.network, CommentWatch.next_fetch_at,
               CommentWatch.taken_until, CommentWatch.problem_code, CommentWatch.problem,
               Delivery.post_id, Delivery.account_id, Account.name, Account.health,
               Account.health_reason, Account.rate_limited_until)
        .join(Delivery, Delivery.id == CommentWatch.delivery_id)
        .outerjoin(Account, Account.id == Delivery.account_id)
        .where(CommentWatch.profile_id == profile_id, CommentWatch.next_fetch_at.is_not(None))
        .order_by(CommentWatch.delivery_id)).all())


def left_alone(db: Session, fetcher: CommentFetcher, profile_id: int,
               now: datetime) -> list[Skipped]:
    """The profile's watched posts that are not read now, each with its reason."""
    rows = _watch_rows(db, profile_id)
    busy = set(db.scalars(cm.busy_accounts(now)))
    # The network asked to wait for the comments of an account: until its latest ask.
    limited: dict[int, datetime] = {}
    for r in rows:
        if r.problem_code == "rate_limited" and r.account_id is not None \
                and utc(r.next_fetch_at) > now:
            limited[r.account_id] = max(limited.get(r.account_id, now), utc(r.next_fetch_at))
    budgets = x_budget.Budgets(fetcher.settings, now)
    skipped = []
    for r in rows:
        reason, until, problem = _reason(db, r, profile_id, now, busy, limited, budgets)
        if reason is not None:
            skipped.append(Skipped(r.delivery_id, r.post_id, r.network, r.name, reason,
                                   until, problem))
    return skipped


def _reason(db: Session, r: Any, profile_id: int, now: datetime, busy: set[int],
            limited: dict[int, datetime], budgets: x_budget.Budgets,
            ) -> tuple[str | None, datetime | None, str | None]:
    if r.name is None or r.health != "ok":
        return "attention", None, r.health_reason
    if r.rate_limited_until is not None and utc(r.rate_limited_until) > now:
        return "rate_limited", utc(r.rate_limited_until), None
    if r.account_id in busy:
        return "publishing", None, None
    if r.taken_until is not None and utc(r.taken_until) > now:
        return "taken", utc(r.taken_until), None
    if r.account_id in limited and utc(r.next_fetch_at) > now:
        return "rate_limited", limited[r.account_id], r.problem
    status = budgets.blocking(db, r.network, profile_id)
    if status is not None:
        return BUDGET_CODE, status.until, x_budget.reading_reason(status)
    return None, None, None
