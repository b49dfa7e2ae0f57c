"""Accounts and posts written straight into a Costanza store, for worker-driven tests."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from costanza.app import App
from posts import queue
from posts.models import Account, Delivery, Post
from posts.profiles import get_profile


def connect(app: App, *networks: str) -> None:
    """An account for each of ``networks`` on the default profile (no secrets stored)."""
    with app.store.write() as db:
        profile = get_profile(db, "default")
        for network in networks:
            db.add(Account(profile_id=profile.id, network=network, name=f"my-{network}",
                           remote_id="1", created_at=app.clock.now()))


def add(app: App, text: str, targets: list[str], **kwargs: Any) -> int:
    """Queue a post on the default profile; ``kwargs`` go to ``PostDraft``. Returns its id."""
    with app.store.write() as db:
        profile = get_profile(db, "default")
        draft = queue.PostDraft(text=text, targets=targets, **kwargs)
        return queue.add_post(db, app.media, profile, draft, app.clock.now()).post.id


def dispatched(app: App, post_id: int, network: str, state: str, at: datetime) -> None:
    """The post's slot ``at`` came: it is dispatched, with one delivery on ``network`` in
    ``state`` (published at ``at`` when that is its state)."""
    with app.store.write() as db:
        post = db.get(Post, post_id)
        assert post is not None
        post.state, post.slot_at = "dispatched", at
        db.add(Delivery(post_id=post_id, profile_id=post.profile_id, network=network,
                        state=state, due_at=at,
                        published_at=at if state == "published" else None,
                        fencing_token=0, attempts=0, progress={}, created_at=at,
                        updated_at=at))
