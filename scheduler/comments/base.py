"""The one small interface each network's comment client implements.

A client reads the comments under one published post (``fetch``), answers one
(``reply``), looks an answer up after an unknown outcome (``find_reply``) and hides
one (``hide``). It speaks through ``scheduler.http.routing`` like the publishers,
and tells outcomes the same way (``config.errors``):

- ``RateLimited`` / ``RetryLater`` (``retry_at``): nothing was taken, try again later;
- ``AuthExpired``: the account must be reconnected;
- ``PublishFailed``: refused for good (a lost permission, a deleted comment), with the
  reason in plain words and its ``code`` (``"permission"`` for a lost permission);
- ``OutcomeUnknown``: a reply was sent and no clear answer came back: the sender
  looks it up with ``find_reply`` before it ever sends again.

``reply`` calls ``before_send()`` right before the one call that creates the answer;
whatever it raises propagates (the sender lost its claim on the reply). ``find_reply``
calls ``on_reads(n)`` with the posts it read where the network bills reads (X), once,
even when it fails part way (the pages read before are billed all the same).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from posts.remote_comments import Fetched, RemoteComment
from scheduler.publishers.base import AccountAuth

__all__ = ["BeforeSend", "ClientFactory", "CommentClient", "Fetched", "OnReads",
           "RemoteComment", "Target"]


@dataclass(frozen=True)
class Target:
    """A published post whose comments are read: its delivery on one network."""

    delivery_id: int
    network: str
    remote_id: str  # the post's id on the network (the first part of an X thread)
    account: AccountAuth
    published_at: datetime
    # The delivery's extra ids (an X thread's ``tweet_ids``, a first comment's id...).
    extra: dict[str, Any] = field(default_factory=dict)


BeforeSend = Callable[[], None]
OnReads = Callable[[int], None]  # the posts a lookup read (X bills each)


class CommentClient(Protocol):
    network: str

    def fetch(self, target: Target, since: datetime | None) -> Fetched:
        """The comments under ``target`` (all of them; ``since``: the last complete fetch,
        a hint a network may use to read less)."""
        ...

    def reply(self, target: Target, comment_remote_id: str, text: str,
              before_send: BeforeSend) -> str:
        """Answer the comment; the answer's remote id."""
        ...

    def find_reply(self, target: Target, comment_remote_id: str, text: str,
                   after: datetime, on_reads: OnReads | None = None) -> str | None:
        """The remote id of the account's answer with ``text`` under the comment, written
        after ``after``; None when there is none. Raises ``RetryLater`` when it cannot tell.
        ``on_reads``: told the posts read, where reads are billed."""
        ...

    def hide(self, target: Target, comment_remote_id: str, hidden: bool) -> None:
        """Hide (or show again) the comment; ``PublishFailed`` where the network cannot."""
        ...


ClientFactory = Callable[[str], CommentClient]
