"""The dialogue on X: a post's comments are the tweets of its conversation.

``fetch`` reads the conversation with the recent search (``conversation_id:`` of the
post's first tweet, every page), leaving out the thread's own parts; ``reply`` is a tweet
in reply to the comment; ``find_reply`` looks for that tweet in the conversation after an
unknown outcome; ``hide`` is X's hide-replies endpoint (``PUT /2/tweets/{id}/hidden``).

X's recent search covers the last 7 days: a post older than that may have comments
the search no longer shows, so its fetch is never ``complete`` (a comment missing from
it does not count as deleted). X bills each post read: ``Fetched.reads`` counts a fetch's,
``on_reads`` is told a lookup's.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from config.errors import OutcomeUnknown, PublishFailed
from config.i18n import _
from scheduler.comments.base import BeforeSend, Fetched, OnReads, RemoteComment, Target
from scheduler.publishers.matching import after_intent, parse_time, same_text
from scheduler.publishers.x.account import XAccount
from scheduler.publishers.x.errors import DUPLICATE

TWEET_FIELDS = ["author_id", "created_at", "conversation_id", "in_reply_to_user_id",
                "referenced_tweets"]
RECENT = timedelta(days=7)
# A post this close to the 7 days' edge is treated as past it (clocks differ).
EDGE = timedelta(minutes=10)
# X may show a reply's text after the @names it answers: compared without them.
LEADING_MENTIONS = re.compile(r"^(?:@\w+\s+)+")


@dataclass
class _Conversation:
    tweets: list[dict[str, Any]] = field(default_factory=list)  # newest first
    users: dict[str, dict[str, Any]] = field(default_factory=dict)


class XCommentClient:
    network = "x"

    def __init__(self, base_url: str | None, *, timeout: float = 30.0,
                 page_size: int = 100, now: Callable[[], datetime] | None = None) -> None:
        if not 10 <= page_size <= 100:
            raise ValueError("page_size must be from 10 to 100 (X's max_results)")
        self.base_url = base_url
        self.timeout = timeout
        self.page_size = page_size
        self.now = now or (lambda: datetime.now(UTC))

    # -- reading -------------------------------------------------------------------

    def _read(self, account: XAccount, target: Target,
              found: _Conversation | None = None) -> _Conversation:
        """Every page of the post's conversation (as far as the search reaches), into
        ``found`` (which keeps the pages read when a later one fails)."""
        found = found if found is not None else _Conversation()
        token: str | None = None
        while True:
            params: dict[str, Any] = {
                "tweet_fields": TWEET_FIELDS, "expansions": ["author_id"],
                "user_fields": ["name", "username"], "max_results": self.page_size}
            if token:
                params["next_token"] = token
            page = account.call(account.client.search_recent_tweets,
                                f"conversation_id:{target.remote_id}", creates=False,
                                what="comments", **params) or {}
            found.tweets += list(page.get("data") or [])
            for user in (page.get("includes") or {}).get("users") or []:
                found.users[str(user.get("id"))] = user
            token = (page.get("meta") or {}).get("next_token")
            if not token:
                return found

    def fetch(self, target: Target, since: datetime | None) -> Fetched:
        """The conversation's comments, all pages (``since`` is not used: only a full
        listing tells which comments were deleted)."""
        account = XAccount(target.account, self.base_url, self.timeout)
        with account.session:
            conversation = self._read(account, target)
        own = _own_parts(target)
        comments = [self._comment(tweet, conversation, account, own)
                    for tweet in conversation.tweets if str(tweet.get("id")) not in own]
        comments.sort(key=lambda c: (c.written_at, int(c.remote_id)))
        within = target.published_at >= self.now() - RECENT + EDGE
        return Fetched(comments=comments, complete=within, reads=len(conversation.tweets))

    def _comment(self, tweet: dict[str, Any], conversation: _Conversation,
                 account: XAccount, own: set[str]) -> RemoteComment:
        author_id = str(tweet.get("author_id") or "")
        user = conversation.users.get(author_id) or {}
        parent = _replied_to(tweet)
        return RemoteComment(
            remote_id=str(tweet["id"]), text=str(tweet.get("text") or ""),
            written_at=parse_time(tweet.get("created_at")) or self.now(),
            parent_remote_id=None if parent is None or parent in own else parent,
            author_name=user.get("name"), author_handle=user.get("username"),
            mine=bool(account.user_id) and author_id == str(account.user_id))

    # -- answering -----------------------------------------------------------------

    def reply(self, target: Target, comment_remote_id: str, text: str,
              before_send: BeforeSend) -> str:
        """A tweet answering the comment; ``before_send`` runs right before it is sent."""
        account = XAccount(target.account, self.base_url, self.timeout,
                           before_write=before_send)
        with account.session:
            try:
                answer = account.call(account.client.create_tweet, creates=True,
                                      what="reply", text=text,
                                      in_reply_to_tweet_id=comment_remote_id)
            except PublishFailed as exc:
                if exc.code != DUPLICATE:
                    raise
                raise PublishFailed(
                    _("X refused the answer because this account already posted the same "
                      "words. Write the answer a little differently and send it again."),
                    http_status=exc.http_status, code=DUPLICATE) from None
        tweet_id = ((answer or {}).get("data") or {}).get("id")
        if not tweet_id:
            raise OutcomeUnknown(_("X accepted the answer but did not say its id. Costanza "
                                   "will check whether it went out."), code="no_id")
        return str(tweet_id)

    def find_reply(self, target: Target, comment_remote_id: str, text: str,
                   after: datetime, on_reads: OnReads | None = None) -> str | None:
        """The account's oldest tweet answering the comment with ``text`` since ``after``
        (``RetryLater`` / ``RateLimited`` when X cannot be read now). ``on_reads`` is
        told the posts read, the pages read before a failure included."""
        account = XAccount(target.account, self.base_url, self.timeout)
        conversation = _Conversation()
        try:
            with account.session:
                self._read(account, target, conversation)
        finally:
            if on_reads is not None:
                on_reads(len(conversation.tweets))
        wanted = _bare(text)
        for tweet in reversed(conversation.tweets):  # oldest first
            if (account.user_id and str(tweet.get("author_id")) == str(account.user_id)
                    and _replied_to(tweet) == str(comment_remote_id)
                    and same_text(wanted, _bare(tweet.get("text")))
                    and after_intent(tweet.get("created_at"), after)):
                return str(tweet["id"])
        return None

    def hide(self, target: Target, comment_remote_id: str, hidden: bool) -> None:
        """Hide the reply (or show it again), as the conversation's owner."""
        account = XAccount(target.account, self.base_url, self.timeout)
        with account.session:
            method = account.client.hide_reply if hidden else account.client.unhide_reply
            account.call(method, comment_remote_id, creates=False, what="hide")


def _own_parts(target: Target) -> set[str]:
    """The post's own tweets: its first one and a thread's later parts."""
    return {str(target.remote_id), *(str(i) for i in target.extra.get("tweet_ids") or [])}


def _replied_to(tweet: dict[str, Any]) -> str | None:
    for ref in tweet.get("referenced_tweets") or []:
        if isinstance(ref, dict) and ref.get("type") == "replied_to" and ref.get("id"):
            return str(ref["id"])
    return None


def _bare(text: str | None) -> str:
    return LEADING_MENTIONS.sub("", (text or "").strip())
