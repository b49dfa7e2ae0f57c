"""A reply's life cycle, as the store enforces it (``scheduler.comments.replies`` drives it)::

    queued -> (claimed: lease) -> sending (intent committed right before the one call)
           -> sent                          (its own comment row is stored too)
           -> retry -> ... sending          (not taken by the network; backoff)
           -> failed                        (refused, or tries used up)
           -> unknown -> looked up -> sent | sending again (settle period over) | unknown

A claim is a conditional UPDATE: of two processes claiming one reply, exactly one
changes the row. A claim on a reply left "sending" by a process that vanished (its
lease ran out) turns it into "unknown": it is looked up on the network before anything
is sent again. Every later write names the claim's owner and changes nothing once
another process holds the reply.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.orm import Session

from config.errors import InputError, NotFound
from config.i18n import _
from posts.comment_tables import Comment, CommentReply
from posts.upsert import insert_ignoring_conflict

# The states a reply can be sent, or looked up, from (once due and unclaimed).
WAITING = ("queued", "retry", "unknown")
# Replies that count as this comment's answer already: the same text is not queued twice.
ANSWERING = ("queued", "sending", "unknown", "retry", "sent")


class ReplyLost(Exception):
    """This process no longer holds the reply (its lease ran out; another took it)."""


def queue_reply(db: Session, profile_id: int, comment_id: int, text: str,
                now: datetime) -> CommentReply:
    """Queue the artisan's answer to a comment; refuses (writing nothing) a comment that
    is not there, gone or her own, an empty text, and an answer already given."""
    comment = db.get(Comment, comment_id)
    if comment is None or comment.profile_id != profile_id:
        raise NotFound(_("There is no comment {id}. See the comments with "
                         "`costanza comments`.").format(id=comment_id))
    if comment.deleted_at is not None:
        raise InputError(_("Comment {id} was deleted by its author, so it cannot be "
                           "answered any more. Nothing was sent.").format(id=comment_id))
    if comment.mine:
        raise InputError(_("Comment {id} is one of yours: answer the comment it replies "
                           "to instead. Nothing was sent.").format(id=comment_id))
    text = text.strip()
    if not text:
        raise InputError(_("The answer is empty. Write it in quotes, as in `costanza "
                           "reply {id} \"Thank you!\"`. Nothing was sent.").format(id=comment_id))
    same = db.scalar(select(CommentReply.id).where(
        CommentReply.comment_id == comment_id, CommentReply.state.in_(ANSWERING),
        CommentReply.text == text).limit(1))
    if same is not None:
        raise InputError(_("You already gave comment {id} this same answer; it is not "
                           "sent twice. See it with `costanza status`.").format(id=comment_id))
    reply = CommentReply(comment_id=comment_id, profile_id=profile_id,
                         network=comment.network, text=text, state="queued", due_at=now,
                         attempts=0, created_at=now, updated_at=now)
    db.add(reply)
    db.flush()
    return reply


def _due(now: datetime) -> Any:
    """A reply that may be claimed now: waiting and due, or left sending by a process
    whose lease ran out."""
    t = CommentReply
    free = or_(t.lease_owner.is_(None), t.lease_expires_at < now)
    return or_(and_(t.state.in_(WAITING), t.due_at <= now, free),
               and_(t.state == "sending", t.lease_expires_at < now))


def due_reply_ids(db: Session, now: datetime, limit: int) -> list[int]:
    """The replies due (to send, send again or look up), the longest waiting first."""
    return list(db.scalars(select(CommentReply.id).where(_due(now))
                           .order_by(CommentReply.due_at, CommentReply.id).limit(limit)))


def claim_reply(db: Session, reply_id: int, owner: str, now: datetime,
                lease: timedelta) -> bool:
    """Take the reply for ``lease`` if it is due and free; False when it is not (or
    another process took it first). One left "sending" becomes "unknown": its send
    left before its lease ran out, at the latest."""
    t = CommentReply
    result = db.execute(update(t).where(t.id == reply_id, _due(now)).values(
        lease_owner=owner, lease_expires_at=now + lease, updated_at=now,
        last_send_at=case((t.state == "sending", func.coalesce(t.lease_expires_at,
                                                               t.last_send_at)),
                          else_=t.last_send_at),
        state=case((t.state == "sending", "unknown"), else_=t.state))
        .execution_options(synchronize_session=False))
    return int(result.rowcount or 0) == 1  # type: ignore[attr-defined]


def _fenced(db: Session, reply_id: int, owner: str, now: datetime,
            values: dict[str, Any], live: bool = False) -> None:
    """Change the reply only while ``owner`` holds it (``live``: and its lease lasts)."""
    t = CommentReply
    held = [t.id == reply_id, t.lease_owner == owner]
    if live:
        held.append(t.lease_expires_at > now)
    result = db.execute(update(t).where(*held).values(updated_at=now, **values)
                        .execution_options(synchronize_session=False))
    if int(result.rowcount or 0) != 1:  # type: ignore[attr-defined]
        raise ReplyLost(_("reply {id}: another process holds it now").format(id=reply_id))


def mark_intent(db: Session, reply_id: int, owner: str, now: datetime) -> None:
    """Right before the call that creates the answer: from here on an interruption
    means "look it up first", never "send again"."""
    t = CommentReply
    _fenced(db, reply_id, owner, now, {
        "state": "sending", "intent_at": func.coalesce(t.intent_at, now),
        "last_send_at": now, "attempts": t.attempts + 1}, live=True)


def finish_reply(db: Session, reply_id: int, owner: str, now: datetime, state: str, *,
                 reason: str | None = None, due_at: datetime | None = None,
                 attempts: int | None = None, hold_code: str | None = None) -> None:
    """Record an outcome other than sent (unknown, retry, failed, or waiting again)
    and give the claim up. ``hold_code``: what holds it besides the network (the X
    budget), None for anything else."""
    values: dict[str, Any] = {"state": state, "reason": reason, "lease_owner": None,
                              "lease_expires_at": None, "hold_code": hold_code}
    if due_at is not None:
        values["due_at"] = due_at
    if attempts is not None:
        values["attempts"] = attempts
    _fenced(db, reply_id, owner, now, values)


def reply_sent(db: Session, reply_id: int, owner: str, now: datetime,
               remote_id: str) -> None:
    """The answer is on the network: the reply is sent, the comment answered and read,
    and the answer stored as the account's own comment under it (the next fetch finds
    nothing new)."""
    _fenced(db, reply_id, owner, now, {"state": "sent", "remote_id": remote_id,
                                       "sent_at": now, "reason": None, "hold_code": None,
                                       "lease_owner": None, "lease_expires_at": None})
    reply = db.get(CommentReply, reply_id)
    assert reply is not None
    comment = db.get(Comment, reply.comment_id)
    if comment is None:
        return
    comment.answered_at = comment.answered_at or now
    comment.read_at = comment.read_at or now
    db.flush()
    row = {"profile_id": comment.profile_id, "post_id": comment.post_id,
           "delivery_id": comment.delivery_id, "network": comment.network,
           "remote_id": remote_id, "parent_remote_id": comment.remote_id,
           "parent_id": comment.id, "text": reply.text, "mine": True,
           "written_at": now, "fetched_at": now}
    if not insert_ignoring_conflict(db, Comment.__table__, [row], ["network", "remote_id"]):
        db.execute(update(Comment).where(Comment.network == comment.network,
                                         Comment.remote_id == remote_id)
                   .values(mine=True, parent_id=comment.id,
                           parent_remote_id=comment.remote_id)
                   .execution_options(synchronize_session=False))
