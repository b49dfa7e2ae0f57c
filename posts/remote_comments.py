"""What a network says about the comments under a post, in the store's words: the comment
clients (``scheduler.comments``) return these, ``posts.comments`` stores them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class RemoteComment:
    """A comment (or a reply to one) as the network shows it."""

    remote_id: str
    text: str
    written_at: datetime  # aware, UTC
    parent_remote_id: str | None = None  # None: written directly under the post
    author_name: str | None = None
    author_handle: str | None = None  # the username, without "@"; None when not given
    mine: bool = False  # written by the account itself
    hidden: bool = False


@dataclass(frozen=True)
class Fetched:
    """One post's comments, as far as the fetch went."""

    comments: list[RemoteComment]
    # True when every comment the network holds under the post was listed: only then
    # does a stored comment missing from the list count as deleted.
    complete: bool
    reads: int = 0  # posts read, for networks that bill reads (X)
