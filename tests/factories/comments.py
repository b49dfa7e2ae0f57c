"""The dialogue's test double and rows: a comment client that keeps the comments in
memory (like ``scheduler.publishers.recording`` for publishers), and published
deliveries to watch."""

from __future__ import annotations

import itertools
import threading
from collections import deque
from dataclasses import dataclass, field, replace
from datetime import datetime

from costanza.app import App
from posts.models import Account, Delivery, Post
from posts.profiles import get_profile
from posts.remote_comments import Fetched, RemoteComment
from scheduler.comments.base import BeforeSend, OnReads, Target


@dataclass
class _Step:
    error: BaseException
    effect: bool = False  # the answer lands on the "network" before the error is raised


@dataclass
class RecordingCommentClient:
    """A fake network's comments: ``comments[post remote id]`` is what ``fetch`` lists
    (all of it, ``complete``), ``reply`` adds the account's answer there.

    ``fail_next(exc, on="reply")``: the request is sent (``before_send`` runs), then the
    network answers ``exc``; ``effect=True``: the answer lands first (an
    ``OutcomeUnknown`` whose answer is on the network). ``on`` is "fetch", "reply",
    "find" or "hide".
    """

    network: str
    comments: dict[str, list[RemoteComment]] = field(default_factory=dict)
    complete: bool = True
    reads: int = 0
    calls: list[tuple[str, str]] = field(default_factory=list)  # (what, post remote id)
    hidden: dict[str, bool] = field(default_factory=dict)
    now: datetime | None = None  # when answers are written (the test's clock)
    _steps: dict[str, deque[_Step]] = field(default_factory=dict)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # -- scripting ------------------------------------------------------------
    def add(self, post: str, remote_id: str, text: str, written_at: datetime, *,
            parent: str | None = None, mine: bool = False,
            author: str = "Giulia Rossi") -> RemoteComment:
        comment = RemoteComment(remote_id=remote_id, text=text, written_at=written_at,
                                parent_remote_id=parent, author_name=author,
                                author_handle=author.lower().replace(" ", "_"), mine=mine)
        self.comments.setdefault(post, []).append(comment)
        return comment

    def edit(self, post: str, remote_id: str, text: str) -> None:
        self.comments[post] = [replace(c, text=text) if c.remote_id == remote_id else c
                               for c in self.comments[post]]

    def delete(self, post: str, remote_id: str) -> None:
        self.comments[post] = [c for c in self.comments[post] if c.remote_id != remote_id]

    def fail_next(self, error: BaseException, *, on: str, effect: bool = False,
                  times: int = 1) -> None:
        for _ in range(times):
            self._steps.setdefault(on, deque()).append(_Step(error, effect))

    def answers(self, post: str) -> list[RemoteComment]:
        return [c for c in self.comments.get(post, []) if c.mine]

    def count(self, what: str) -> int:
        return sum(1 for w, _post in self.calls if w == what)

    def _step(self, what: str, post: str) -> _Step | None:
        with self._lock:
            self.calls.append((what, post))
            queue = self._steps.get(what)
            return queue.popleft() if queue else None

    # -- the interface --------------------------------------------------------
    def fetch(self, target: Target, since: datetime | None) -> Fetched:
        step = self._step("fetch", target.remote_id)
        if step is not None:
            raise step.error
        return Fetched(comments=list(self.comments.get(target.remote_id, [])),
                       complete=self.complete, reads=self.reads)

    def reply(self, target: Target, comment_remote_id: str, text: str,
              before_send: BeforeSend) -> str:
        step = self._step("reply", target.remote_id)
        before_send()  # the request leaves; a scripted error is the network's answer
        if step is not None and not step.effect:
            raise step.error
        remote_id = f"{self.network}-answer-{next(self._ids)}"
        written = self.now or target.published_at
        self.add(target.remote_id, remote_id, text, written, parent=comment_remote_id,
                 mine=True, author="Me")
        if step is not None:
            raise step.error
        return remote_id

    def find_reply(self, target: Target, comment_remote_id: str, text: str,
                   after: datetime, on_reads: OnReads | None = None) -> str | None:
        step = self._step("find", target.remote_id)
        if on_reads is not None:
            on_reads(self.reads)  # a lookup reads what a fetch would
        if step is not None:
            raise step.error
        for c in self.answers(target.remote_id):
            if c.parent_remote_id == comment_remote_id and c.text == text:
                return c.remote_id
        return None

    def hide(self, target: Target, comment_remote_id: str, hidden: bool) -> None:
        step = self._step("hide", target.remote_id)
        if step is not None:
            raise step.error
        self.hidden[comment_remote_id] = hidden


def published(app: App, network: str, at: datetime, *, remote_id: str | None = None,
              account: str | None = None, text: str = "Il telaio") -> int:
    """A post published on ``network`` at ``at`` (its account connected, "ok"); the
    delivery's id. ``account``: the account's name (one per name and profile)."""
    name = account or f"my-{network}"
    with app.store.write() as db:
        profile = get_profile(db, "default")
        found = [a for a in db.query(Account).filter_by(profile_id=profile.id, name=name)]
        acc = found[0] if found else Account(profile_id=profile.id, network=network,
                                             name=name, remote_id="1",
                                             created_at=app.clock.now())
        db.add(acc)
        post = Post(profile_id=profile.id, text=text, texts={}, targets=[network],
                    checks={}, state="dispatched", position=1, slot_at=at,
                    created_at=at, updated_at=at)
        db.add(post)
        db.flush()
        delivery = Delivery(post_id=post.id, profile_id=profile.id, network=network,
                            account_id=acc.id, state="published", due_at=at,
                            published_at=at, remote_id=remote_id or f"post-{post.id}",
                            fencing_token=0, attempts=1, progress={}, created_at=at,
                            updated_at=at)
        db.add(delivery)
        db.flush()
        return delivery.id
