"""The dialogue's writes: which published posts are watched and when they are looked at
again, what a fetch found (stored once, however often it is fetched), and hiding.

The replies' life cycle is in ``posts.comment_replies``; its names are re-exported here,
so ``from posts import comments; comments.queue_reply(...)`` works.

Two daemons on one PostgreSQL database may fetch the same post at the same moment: a
comment is inserted with ``ON CONFLICT DO NOTHING`` on its (network, remote id), and one
the other daemon stored first is read back and updated instead (never a second row).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from config.i18n import _
from config.settings import Settings
from posts.comment_replies import (
    ReplyLost,
    claim_reply,
    due_reply_ids,
    finish_reply,
    mark_intent,
    queue_reply,
    reply_sent,
)
from posts.comment_tables import Comment, CommentWatch
from posts.models import Account, Delivery
from posts.remote_comments import Fetched, RemoteComment
from posts.upsert import insert_ignoring_conflict

__all__ = [
    "FetchSummary", "ReplyLost", "busy_accounts", "claim_reply", "due_reply_ids",
    "due_watches", "fetch_failed", "finish_reply", "insert_ignoring_conflict",
    "make_watches_due", "mark_hidden", "mark_intent", "max_age_days", "next_fetch_at",
    "pause_account_watches", "queue_reply", "record_fetch", "reply_sent", "take_watch",
    "watch_published",
]

# An account with a delivery due this soon is left to publishing: no comments are read.
PUBLISHING_AHEAD = timedelta(minutes=10)
DAY, WEEK = timedelta(days=1), timedelta(days=7)


# -- the schedule ---------------------------------------------------------------
def max_age_days(network: str, settings: Settings) -> int:
    """Until what age (days) a post on ``network`` is looked at; 0: never."""
    days = settings.comments_max_age_days
    if network == "x":
        days = min(days, settings.comments_x_max_age_days)
    return max(0, days)


def _interval(age: timedelta, settings: Settings) -> timedelta:
    if age < DAY:
        return timedelta(minutes=settings.comments_new_minutes)
    if age < WEEK:
        return timedelta(minutes=settings.comments_week_minutes)
    return timedelta(hours=settings.comments_old_hours)


def next_fetch_at(network: str, published_at: datetime, last: datetime | None,
                  now: datetime, settings: Settings) -> datetime | None:
    """When to look under the post next: one interval after the last look (or after it
    was published), the interval set by its age then; never before ``now``, never after
    its last day. None once it is older than the network's max age (or that is 0)."""
    days = max_age_days(network, settings)
    if days <= 0:
        return None
    end = published_at + timedelta(days=days)
    if now >= end:
        return None
    since = last or published_at
    when = since + _interval(since - published_at, settings)
    return min(max(when, now), end)


# -- watches --------------------------------------------------------------------
def watch_published(db: Session, now: datetime, settings: Settings) -> int:
    """A watch for every published delivery (with its remote id, young enough to be
    looked at) that has none yet; how many were added. Safe to run again and again."""
    oldest = max(max_age_days(n, settings) for n in ("x", "facebook", "instagram"))
    if oldest <= 0:
        return 0
    watched = select(CommentWatch.delivery_id)
    rows = db.execute(select(Delivery.id, Delivery.profile_id, Delivery.network,
                             Delivery.published_at).where(
        Delivery.state == "published", Delivery.remote_id.is_not(None),
        Delivery.published_at.is_not(None),
        Delivery.published_at >= now - timedelta(days=oldest),
        Delivery.id.not_in(watched)).order_by(Delivery.id)).all()
    new = []
    for delivery_id, profile_id, network, published_at in rows:
        first = next_fetch_at(network, published_at, None, now, settings)
        if first is None:
            continue  # older than its network's max age
        new.append({"delivery_id": delivery_id, "profile_id": profile_id,
                    "network": network, "published_at": published_at,
                    "next_fetch_at": first, "fetches": 0})
    return len(insert_ignoring_conflict(db, CommentWatch.__table__, new, ["delivery_id"]))


def busy_accounts(now: datetime) -> Any:
    """The accounts publishing needs now or soon: a delivery due within
    ``PUBLISHING_AHEAD``, or one being published."""
    return select(Delivery.account_id).where(Delivery.account_id.is_not(None), or_(
        Delivery.state.in_(("claimed", "publishing")),
        and_(Delivery.state.in_(("queued", "retry_wait", "unknown")),
             Delivery.due_at <= now + PUBLISHING_AHEAD)))


def _readable(now: datetime) -> list[Any]:
    """A watch's account may be read now: it is fine, not rate limited for publishing,
    not about to publish (publishing wins). (With ``Account`` joined.)"""
    return [Account.health == "ok",
            or_(Account.rate_limited_until.is_(None), Account.rate_limited_until <= now),
            Account.id.not_in(busy_accounts(now))]


def due_watches(db: Session, now: datetime, limit: int,
                profile_id: int | None = None) -> list[CommentWatch]:
    """The watches due (of one profile, with ``profile_id``), the longest waiting first;
    none of an account that is held, rate limited for publishing, or about to publish."""
    query = (select(CommentWatch)
             .join(Delivery, Delivery.id == CommentWatch.delivery_id)
             .join(Account, Account.id == Delivery.account_id)
             .where(CommentWatch.next_fetch_at.is_not(None), CommentWatch.next_fetch_at <= now,
                    *_readable(now)))
    if profile_id is not None:
        query = query.where(CommentWatch.profile_id == profile_id)
    return list(db.scalars(query.order_by(CommentWatch.next_fetch_at, CommentWatch.delivery_id)
                           .limit(limit)))


def make_watches_due(db: Session, profile_id: int, now: datetime,
                     leave: Iterable[int] = ()) -> int:
    """Look now: the profile's active watches whose next look is later are due now,
    but not those being read right now (``taken_until``), those of an account that may
    not be read now (held, rate limited, about to publish) and those in ``leave``
    (delivery ids: the network asked to wait, the X budget). How many."""
    readable = (select(Delivery.id).join(Account, Account.id == Delivery.account_id)
                .where(Delivery.profile_id == profile_id, *_readable(now)))
    conditions = [CommentWatch.profile_id == profile_id,
                  CommentWatch.next_fetch_at.is_not(None), CommentWatch.next_fetch_at > now,
                  or_(CommentWatch.taken_until.is_(None), CommentWatch.taken_until <= now),
                  CommentWatch.delivery_id.in_(readable)]
    left = list(leave)
    if left:
        conditions.append(CommentWatch.delivery_id.not_in(left))
    result = db.execute(update(CommentWatch).where(*conditions).values(next_fetch_at=now)
                        .execution_options(synchronize_session=False))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def take_watch(db: Session, watch: CommentWatch, until: datetime) -> bool:
    """Take a due watch for one fetch: it is being read until ``until`` (``taken_until``)
    and its next look moves there (when a fetcher that vanished is replaced), unless
    another daemon moved it first (then False)."""
    result = db.execute(update(CommentWatch).where(
        CommentWatch.delivery_id == watch.delivery_id,
        CommentWatch.next_fetch_at == watch.next_fetch_at)
        .values(next_fetch_at=until, taken_until=until)
        .execution_options(synchronize_session=False))
    return int(result.rowcount or 0) == 1  # type: ignore[attr-defined]


def fetch_failed(db: Session, watch: CommentWatch, problem: str, code: str | None,
                 retry_at: datetime | None, now: datetime) -> None:
    """A fetch did not complete: the problem in plain words, and when to look again
    (None: never)."""
    db.execute(update(CommentWatch).where(CommentWatch.delivery_id == watch.delivery_id)
               .values(problem=problem, problem_code=code, next_fetch_at=retry_at,
                       taken_until=None)
               .execution_options(synchronize_session=False))


def pause_account_watches(db: Session, account_id: int, until: datetime) -> int:
    """The network asked to wait: no watch of the account is looked at before ``until``
    (for comments only; publishing keeps its own limits)."""
    deliveries = select(Delivery.id).where(Delivery.account_id == account_id)
    result = db.execute(update(CommentWatch).where(
        CommentWatch.delivery_id.in_(deliveries), CommentWatch.next_fetch_at.is_not(None),
        CommentWatch.next_fetch_at < until).values(next_fetch_at=until)
        .execution_options(synchronize_session=False))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def mark_hidden(db: Session, comment_id: int, hidden: bool, now: datetime) -> None:
    """Note that the comment is hidden on the network (or shown again)."""
    comment = db.get(Comment, comment_id)
    if comment is None:
        from config.errors import NotFound

        raise NotFound(_("There is no comment {id}. See the comments with "
                         "`costanza comments`.").format(id=comment_id))
    comment.hidden_at = (comment.hidden_at or now) if hidden else None
    db.flush()


# -- what a fetch found ---------------------------------------------------------
@dataclass(frozen=True)
class FetchSummary:
    new: int = 0
    changed: int = 0
    deleted: int = 0


def _stored(db: Session, watch: CommentWatch, remote_ids: Iterable[str]) -> dict[str, Comment]:
    """The delivery's stored comments, and any others with these remote ids."""
    ids = list(remote_ids)
    return {c.remote_id: c for c in db.scalars(select(Comment).where(
        Comment.network == watch.network,
        or_(Comment.delivery_id == watch.delivery_id, Comment.remote_id.in_(ids))))}


def _update(row: Comment, seen: RemoteComment, now: datetime) -> bool:
    """Bring a stored comment up to what the network shows; True when that changed it."""
    changed = False
    if row.text != seen.text:
        row.text, changed = seen.text, True
    if row.deleted_at is not None:
        row.deleted_at, changed = None, True  # back on the network
    if seen.hidden != (row.hidden_at is not None):
        row.hidden_at, changed = (now if seen.hidden else None), True
    if seen.mine and not row.mine:
        row.mine = True
    if seen.parent_remote_id and row.parent_remote_id != seen.parent_remote_id:
        row.parent_remote_id, row.parent_id = seen.parent_remote_id, None
    row.fetched_at = now
    return changed


def _new_row(watch: CommentWatch, post_id: int, seen: RemoteComment,
             now: datetime) -> dict[str, Any]:
    return {"profile_id": watch.profile_id, "post_id": post_id,
            "delivery_id": watch.delivery_id, "network": watch.network,
            "remote_id": seen.remote_id, "parent_remote_id": seen.parent_remote_id,
            "author_name": seen.author_name, "author_handle": seen.author_handle,
            "text": seen.text, "mine": seen.mine, "written_at": seen.written_at,
            "fetched_at": now, "hidden_at": now if seen.hidden else None}


def _store_comments(db: Session, watch: CommentWatch, fetched: Fetched,
                    now: datetime) -> tuple[dict[str, Comment], int, int]:
    """Every fetched comment stored (inserted or updated): the rows by remote id, and
    how many were new (written by others) and changed."""
    seen = {c.remote_id: c for c in fetched.comments}  # a comment listed twice: once
    stored = _stored(db, watch, seen)
    delivery = db.get(Delivery, watch.delivery_id)
    post_id = delivery.post_id if delivery is not None else 0
    changed = 0
    fresh = [_new_row(watch, post_id, c, now) for rid, c in seen.items() if rid not in stored]
    inserted = {key[1] for key in insert_ignoring_conflict(
        db, Comment.__table__, fresh, ["network", "remote_id"])}
    if fresh:  # the rows just inserted, and those another daemon stored first
        stored = _stored(db, watch, seen)
    for rid, comment in seen.items():
        row = stored.get(rid)
        if row is not None and rid not in inserted and _update(row, comment, now):
            changed += 1
    # "New" counts what others wrote: the account's own comments (a first comment, an
    # answer given from the phone) are stored, but nobody waits for them to be read.
    new = sum(1 for rid in inserted if not seen[rid].mine)
    return stored, new, changed


def _link_and_answer(db: Session, stored: dict[str, Comment], network: str) -> None:
    """Each reply linked to its parent's row (a parent may come after its child in the
    list); a parent the account answered (from the phone, or Costanza) is answered."""
    wanted = {c.parent_remote_id for c in stored.values()
              if c.parent_remote_id and c.parent_remote_id not in stored}
    parents = dict(stored)
    if wanted:
        parents.update({c.remote_id: c for c in db.scalars(select(Comment).where(
            Comment.network == network, Comment.remote_id.in_(wanted)))})
    for row in stored.values():
        parent = parents.get(row.parent_remote_id or "")
        if parent is None:
            continue
        if row.parent_id != parent.id:
            row.parent_id = parent.id
        if row.mine and not parent.mine and parent.answered_at is None:
            parent.answered_at = row.written_at
            parent.read_at = parent.read_at or row.written_at


def record_fetch(db: Session, watch: CommentWatch, fetched: Fetched, now: datetime,
                 settings: Settings) -> FetchSummary:
    """Store what a fetch found, and when the post is looked at next."""
    stored, new, changed = _store_comments(db, watch, fetched, now)
    _link_and_answer(db, stored, watch.network)
    deleted = 0
    if fetched.complete:
        listed = {c.remote_id for c in fetched.comments}
        for row in stored.values():
            if (row.delivery_id == watch.delivery_id and row.remote_id not in listed
                    and row.deleted_at is None):
                row.deleted_at = now
                deleted += 1
    db.flush()
    fetches = (watch.fetches or 0) + 1
    db.execute(update(CommentWatch).where(CommentWatch.delivery_id == watch.delivery_id)
               .values(last_fetch_at=now, fetches=CommentWatch.fetches + 1, problem=None,
                       problem_code=None, taken_until=None,
                       next_fetch_at=next_fetch_at(watch.network, watch.published_at, now,
                                                   now, settings))
               .execution_options(synchronize_session=False))
    watch.fetches, watch.last_fetch_at = fetches, now
    return FetchSummary(new=new, changed=changed, deleted=deleted)
