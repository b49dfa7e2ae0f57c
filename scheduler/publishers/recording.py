"""An in-memory publisher for tests of the daemon and delivery code.

It implements the ``Publisher`` interface, keeps every request it was given,
and can be told what to do on the next calls::

    pub = RecordingPublisher("x")
    pub.fail_next(RateLimited("slow down", retry_at=later))      # next publish raises
    pub.fail_next(OutcomeUnknown("timeout"), effect=True)        # post lands, reply lost
    pub.fail_next(RetryLater("boom"), checkpoint={"media_ids": ["m1"]})  # ids first, then error

``published`` is the "network's" own record: what went out, once per call
that took effect. ``reconcile`` answers from it, so an unknown outcome
scripted with ``effect=True`` is found as published, and one with
``effect=False`` as not published.
"""

from __future__ import annotations

import itertools
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from scheduler.publishers.base import (
    Checkpoint,
    PublishRequest,
    PublishResult,
    Reconciled,
)


@dataclass
class _Step:
    error: BaseException | None
    effect: bool = False
    checkpoint: dict[str, Any] | None = None
    warning: str | None = None


@dataclass
class RecordedPost:
    """One post the fake network holds."""

    remote_id: str
    delivery_id: int
    post_id: int
    text: str
    media: int
    permalink: str
    request: PublishRequest = field(repr=False)


class RecordingPublisher:
    """A fake publisher: records requests, can be scripted to fail, supports checkpoints."""

    def __init__(self, network: str) -> None:
        self.network = network
        self.requests: list[PublishRequest] = []
        self.reconcile_requests: list[PublishRequest] = []
        self.checkpoints: list[dict[str, Any]] = []
        self.published: list[RecordedPost] = []
        self._steps: deque[_Step] = deque()
        self._reconcile_script: deque[Reconciled | BaseException] = deque()
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        # Run right before the post would be sent (a test freezes the daemon there).
        self.before_send: Callable[[PublishRequest], None] | None = None

    # -- scripting ---------------------------------------------------------

    def fail_next(
        self,
        error: BaseException,
        *,
        times: int = 1,
        effect: bool = False,
        checkpoint: dict[str, Any] | None = None,
    ) -> None:
        """Make the next ``times`` publish calls raise ``error``.

        ``effect=True``: the post is recorded as published before the error is
        raised (the "sent, the reply was lost" case). ``checkpoint``: passed to
        the checkpoint callback before raising (ids learnt before the failure).
        """
        with self._lock:
            for _ in range(times):
                self._steps.append(_Step(error, effect=effect, checkpoint=checkpoint))

    def succeed_next(
        self,
        *,
        times: int = 1,
        checkpoint: dict[str, Any] | None = None,
        warning: str | None = None,
    ) -> None:
        """Queue successful calls (useful between scripted failures, or to add a warning)."""
        with self._lock:
            for _ in range(times):
                self._steps.append(_Step(None, checkpoint=checkpoint, warning=warning))

    def reconcile_next(self, answer: Reconciled | BaseException, *, times: int = 1) -> None:
        """Make the next ``times`` reconcile calls return (or raise) ``answer``."""
        with self._lock:
            for _ in range(times):
                self._reconcile_script.append(answer)

    def reset(self) -> None:
        """Forget the scripted steps (what was recorded stays)."""
        with self._lock:
            self._steps.clear()
            self._reconcile_script.clear()

    # -- queries -----------------------------------------------------------

    def posts_for(self, delivery_id: int) -> list[RecordedPost]:
        """What the fake network holds for one delivery (more than one is a double)."""
        with self._lock:
            return [p for p in self.published if p.delivery_id == delivery_id]

    @property
    def calls(self) -> int:
        return len(self.requests)

    # -- the interface -----------------------------------------------------

    def publish(self, request: PublishRequest, checkpoint: Checkpoint) -> PublishResult:
        with self._lock:
            self.requests.append(request)
            step = self._steps.popleft() if self._steps else _Step(None)
        if step.checkpoint:
            self.checkpoints.append(dict(step.checkpoint))
            checkpoint(dict(step.checkpoint))
        if step.error is not None and not step.effect:
            raise step.error
        if self.before_send is not None:
            self.before_send(request)
        if request.before_send is not None:  # as the real transport does before each POST
            request.before_send()
        post = self._record(request)
        if step.error is not None:
            raise step.error
        return PublishResult(
            remote_id=post.remote_id,
            permalink=post.permalink,
            extra={"fake": True},
            warning=step.warning,
        )

    def reconcile(self, request: PublishRequest) -> Reconciled:
        with self._lock:
            self.reconcile_requests.append(request)
            scripted = self._reconcile_script.popleft() if self._reconcile_script else None
        if isinstance(scripted, BaseException):
            raise scripted
        if scripted is not None:
            return scripted
        found = self.posts_for(request.delivery_id)
        if found:
            return Reconciled(published=True, remote_id=found[-1].remote_id,
                              permalink=found[-1].permalink)
        return Reconciled(published=False, reason="No matching post was found.")

    def _record(self, request: PublishRequest) -> RecordedPost:
        with self._lock:
            remote_id = f"{self.network}-{next(self._ids)}"
            post = RecordedPost(
                remote_id=remote_id,
                delivery_id=request.delivery_id,
                post_id=request.post_id,
                text=request.text,
                media=len(request.media),
                permalink=f"https://fake.invalid/{self.network}/{remote_id}",
                request=request,
            )
            self.published.append(post)
            return post
