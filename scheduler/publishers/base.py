"""The one small interface every network publisher implements.

The daemon hands a publisher a ``PublishRequest`` and a ``checkpoint``
callback. The publisher calls ``checkpoint({...})`` with every remote id the
moment it learns it (an Instagram container, an X media id, an unpublished
Facebook photo), so a restart resumes from ``request.progress`` instead of
starting over. The daemon's checkpoint is a write-ahead record: what it is
given is committed before the next call that sends anything (``before_send``),
or together with the outcome, whichever comes first; ``checkpoint.flush()``
(when the callback has one) commits it at once, for an id worth keeping
through a long wait (``Progress.save_now``).

Outcomes are told by return value or exception (``config.errors``):

- return ``PublishResult``: the post is out;
- ``RetryLater`` / ``RateLimited``: provably not taken, safe to try again (``retry_at``);
- ``AuthExpired``: the account must be reconnected; the delivery waits;
- ``PublishFailed``: refused for good, with the reason in plain words;
- ``OutcomeUnknown``: sent, but no clear answer: the daemon reconciles, never blindly retries.

Whatever ``request.before_send`` raises is left to propagate: the daemon lost the
delivery, or could not put on record what must be there before anything is sent,
and must not touch it again.
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
    # Called right before every call that sends something to the network (each POST).
    # The daemon commits there what must be on record before a send (the intent to
    # publish, the progress so far), and raises when it may no longer hold the
    # delivery (its lease ran out while it was frozen or cut off), so that a late
    # daemon never publishes.
    before_send: Callable[[], None] | None = field(default=None, repr=False, compare=False)


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
    # Plain words when more than one post on the network matches this delivery (an
    # earlier attempt landed too): the oldest is taken, the others are reported here.
    note: str | None = None


Checkpoint = Callable[[dict[str, Any]], None]


class Publisher(Protocol):
    network: str

    def publish(self, request: PublishRequest, checkpoint: Checkpoint) -> PublishResult:
        """Publish (or resume publishing) one delivery."""
        ...

    def reconcile(self, request: PublishRequest) -> Reconciled:
        """After an unknown outcome: did the post go out?"""
        ...
