"""The one small interface every network publisher implements.

The daemon hands a publisher a ``PublishRequest`` and a ``checkpoint``
callback. The publisher calls ``checkpoint({...})`` with every remote id the
moment it learns it (an Instagram container, an X media id, an unpublished
Facebook photo): the daemon commits it before the publisher goes on, so a
restart resumes from ``request.progress`` instead of starting over.

Outcomes are told by return value or exception (``costanza.errors``):

- return ``PublishResult``: the post is out;
- ``RetryLater`` / ``RateLimited``: provably not taken, safe to try again (``retry_at``);
- ``AuthExpired``: the account must be reconnected; the delivery waits;
- ``PublishFailed``: refused for good, with the reason in plain words;
- ``OutcomeUnknown``: sent, but no clear answer: the daemon reconciles, never blindly retries.

Whatever ``request.still_ours`` raises is left to propagate: the daemon lost the
delivery and must not touch it again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol


@dataclass(frozen=True)
class MediaFile:
    """A photo or video ready for one network (already fitted to its rules)."""

    path: Path
    kind: str  # "photo" or "video"
    mime: str  # "image/jpeg", "video/mp4", ...
    sha256: str
    size_bytes: int
    width: int
    height: int
    duration: float | None = None
    alt_text: str | None = None
    public_url: str | None = None  # set for Instagram photos (media host)


@dataclass(frozen=True)
class AccountAuth:
    """Who to publish as. ``secrets`` never reaches a log, the database or a URL."""

    network: str
    name: str
    remote_id: str | None  # page id, Instagram user id, X user id
    secrets: dict[str, str] = field(repr=False, default_factory=dict)


@dataclass(frozen=True)
class PublishRequest:
    delivery_id: int
    post_id: int
    network: str
    text: str
    media: list[MediaFile]
    account: AccountAuth
    first_comment: str | None = None
    thread: bool = False
    progress: dict[str, Any] = field(default_factory=dict)
    # When the first attempt's intent was committed: reconciliation looks after it.
    intent_at: datetime | None = None
    # Called right before every call that sends something to the network (each POST):
    # it raises when this daemon may no longer hold the delivery (its lease ran out
    # while it was frozen or cut off), so that a late daemon never publishes.
    still_ours: Callable[[], None] | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class PublishResult:
    remote_id: str
    permalink: str | None = None
    # Anything worth keeping (thread ids, first comment id, a partial-thread note).
    extra: dict[str, Any] = field(default_factory=dict)
    # Plain words when the post went out but not entirely (a thread cut short).
    warning: str | None = None


@dataclass(frozen=True)
class Reconciled:
    """What reconciliation found: ``published`` True/False, or None when it cannot tell."""

    published: bool | None
    remote_id: str | None = None
    permalink: str | None = None
    reason: str | None = None


Checkpoint = Callable[[dict[str, Any]], None]


class Publisher(Protocol):
    network: str

    def publish(self, request: PublishRequest, checkpoint: Checkpoint) -> PublishResult:
        """Publish (or resume publishing) one delivery."""
        ...

    def reconcile(self, request: PublishRequest) -> Reconciled:
        """After an unknown outcome: did the post go out?"""
        ...
