"""Published posts and the comments under them, written straight into a Costanza store
(as the daemon's fetch would leave them), for the tests of what the artisan reads."""

from __future__ import annotations

from datetime import datetime
from itertools import count
from typing import Any

from sqlalchemy import select

from costanza.app import App
from posts.comment_tables import Comment, CommentReply, CommentWatch
from posts.models import Account, Delivery, Post
from tests.factories.queue import add

_remote = count(1000)


def published(app: App, text: str, network: str, at: datetime,
              permalink: str | None = None) -> int:
    """A post on ``network`` published at ``at`` (through the profile's account on it, if
    one is connected: `tests.factories.queue.connect`); returns its delivery's id. (Queued for
    Facebook, which takes a text alone, then given the network: only its text is read.)"""
    post_id = add(app, text, ["facebook"])
    with app.store.write() as db:
        post = db.get(Post, post_id)
        assert post is not None
        post.state, post.slot_at, post.targets = "dispatched", at, [network]
        account = db.scalar(select(Account.id).where(Account.profile_id == post.profile_id,
                                                     Account.network == network))
        delivery = Delivery(post_id=post_id, profile_id=post.profile_id, network=network,
                            account_id=account,
                            state="published", due_at=at, published_at=at,
                            remote_id=f"p{next(_remote)}",
                            permalink=permalink or f"https://{network}.example/p/{post_id}",
                            fencing_token=0, attempts=0, progress={}, created_at=at,
                            updated_at=at)
        db.add(delivery)
        db.flush()
        return delivery.id


def comment(app: App, delivery_id: int, text: str, at: datetime, **fields: Any) -> int:
    """A comment under the delivery's post, written at ``at``; ``fields`` are more of
    ``Comment``'s columns (``author_name``, ``parent_id``, ``mine``, ``read_at``...).
    Returns its id."""
    with app.store.write() as db:
        delivery = db.get(Delivery, delivery_id)
        assert delivery is not None
        fields.setdefault("author_name", "Maria Rossi")
        fields.setdefault("author_handle", "maria.rossi")
        row = Comment(profile_id=delivery.profile_id, post_id=delivery.post_id,
                      delivery_id=delivery_id, network=delivery.network,
                      remote_id=f"c{next(_remote)}", text=text, written_at=at,
                      fetched_at=at, **fields)
        if row.parent_id is not None and row.parent_remote_id is None:
            parent = db.get(Comment, row.parent_id)
            assert parent is not None
            row.parent_remote_id = parent.remote_id
        db.add(row)
        db.flush()
        return row.id


def reply_row(app: App, comment_id: int, text: str, state: str, at: datetime) -> int:
    """One of the artisan's replies to the comment, in ``state``; returns its id."""
    with app.store.write() as db:
        parent = db.get(Comment, comment_id)
        assert parent is not None
        row = CommentReply(comment_id=comment_id, profile_id=parent.profile_id,
                           network=parent.network, text=text, state=state, due_at=at,
                           created_at=at, updated_at=at)
        db.add(row)
        db.flush()
        return row.id


def watch(app: App, delivery_id: int, problem: str | None = None,
          code: str | None = None) -> None:
    """The delivery's comment watch, with the problem its last fetch met (if any)."""
    with app.store.write() as db:
        delivery = db.get(Delivery, delivery_id)
        assert delivery is not None and delivery.published_at is not None
        db.add(CommentWatch(delivery_id=delivery_id, profile_id=delivery.profile_id,
                            network=delivery.network, published_at=delivery.published_at,
                            next_fetch_at=delivery.published_at, problem=problem,
                            problem_code=code))
