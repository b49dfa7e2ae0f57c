"""What the Facebook and Instagram comment clients share: the Graph client on the account's
token (``scheduler.publishers.graph.client``), reading every page of a listing, answering,
hiding and looking an answer up (``find_reply``), and the Graph's errors worded for
comments.

A lost permission (Graph's code 10 or 2xx) is not the account's token gone: publishing
keeps working, so it is ``PublishFailed(code="permission")`` naming the permission and how
to grant it again, never ``AuthExpired`` (which would hold the account's posts).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from config.errors import AuthExpired, OutcomeUnknown, PublishFailed, RateLimited
from config.i18n import _
from config.localtime import local_with_zone
from scheduler.comments.base import BeforeSend, OnReads, Target
from scheduler.http.hygiene import redact
from scheduler.http.transport import network_name
from scheduler.publishers.graph.client import (
    GRAPH_HOST,
    GRAPH_VERSION,
    GraphClient,
    open_account_client,
)
from scheduler.publishers.graph.errors import PERMISSION_CODES
from scheduler.publishers.matching import CLOCK_SLACK, parse_time, same_text

# When Meta asks to slow down without saying how long: wait this long.
DEFAULT_BACKOFF = timedelta(minutes=30)
# At most this many pages of one listing in one fetch (25 000 comments at 100 a page);
# a listing cut there is not complete.
MAX_PAGES = 250
GONE_CODE = "100/33"  # "Object with ID ... does not exist"
_PERMISSION_IN_TEXT = re.compile(r"'([a-z_]+)' permission|the ([a-z_]+) permission")


class GraphCommentClient:
    """Base of the Facebook and Instagram comment clients (one Graph client per call)."""

    network: str
    token_keys: tuple[str, ...]
    token_name: str
    command: str  # `costanza account add COMMAND` connects the account again
    reply_edge: str  # the edge a reply is posted to: ``/{comment-id}/{reply_edge}``
    hide_field: str  # the field that hides a comment: ``POST /{comment-id}`` with it
    parent_field: str  # the field naming the comment a reply is under
    answer_fields: str  # the fields of the replies read when an answer is looked up
    text_key: str  # a comment's text field
    time_key: str  # a comment's time field
    page_size: int = 100  # comments asked for per page (Graph: 1-100)

    def __init__(self, base_url: str | None, *, timeout: float = 30.0,
                 graph_version: str | None = None) -> None:
        self.base_url = base_url
        self.timeout = timeout
        self.graph_version = graph_version or GRAPH_VERSION
        self.now: Callable[[], datetime] = lambda: datetime.now(UTC)

    def _host(self, target: Target) -> str:
        return GRAPH_HOST

    def read_permission(self, target: Target) -> str:
        raise NotImplementedError

    def write_permission(self, target: Target) -> str:
        raise NotImplementedError

    def parent_of(self, node: dict[str, Any]) -> str | None:
        """The id of the comment that ``node`` (read with ``parent_field``) replies to."""
        raise NotImplementedError

    def is_mine(self, target: Target) -> Callable[[dict[str, Any]], bool]:
        """Whether a comment read from the Graph was written by the account."""
        raise NotImplementedError

    def find_reply(self, target: Target, comment_remote_id: str, text: str,
                   after: datetime, on_reads: OnReads | None = None) -> str | None:
        """The account's answer with ``text`` under the comment since ``after``. Replies
        are one level deep, so it is looked for under the top comment. (Meta does not
        bill reads: ``on_reads`` is not told anything.)"""
        with self.session(target, self.read_permission(target),
                          comment=comment_remote_id) as client:
            node = client.get(comment_remote_id, fields=f"id,{self.parent_field}")
            top = self.parent_of(node) or comment_remote_id
            items, _complete = read_all(client, f"{top}/{self.reply_edge}", {
                "fields": self.answer_fields, "limit": self.page_size})
        return matching_reply(items, text, after, mine=self.is_mine(target),
                              text_key=self.text_key, time_key=self.time_key)

    def reply(self, target: Target, comment_remote_id: str, text: str,
              before_send: BeforeSend) -> str:
        """Answer the comment on its ``reply_edge``; the answer's id."""
        try:
            with self.session(target, self.write_permission(target),
                              comment=comment_remote_id, before_send=before_send,
                              what="reply") as client:
                answer = client.post(f"{comment_remote_id}/{self.reply_edge}",
                                     {"message": text})
        except OutcomeUnknown as exc:
            if exc.code == "no_reply":  # no answer at all: the transport's words for it
                raise
            raise self._unknown_reply(exc) from None
        return str(answer["id"])

    def hide(self, target: Target, comment_remote_id: str, hidden: bool) -> None:
        """Hide the comment (or show it again) with the network's ``hide_field``."""
        with self.session(target, self.write_permission(target),
                          comment=comment_remote_id, what="hide") as client:
            client.post(comment_remote_id, {self.hide_field: hidden}, creates=False)

    @contextmanager
    def session(self, target: Target, permission: str, *, comment: str | None = None,
                before_send: Callable[[], None] | None = None,
                what: str = "comments") -> Iterator[GraphClient]:
        """A Graph client for the account, its errors worded for comments: ``comment``
        is the comment the calls are about (None: the post's comments); ``what`` the
        kind of calls ("comments": reads, "reply", "hide")."""
        client = open_account_client(
            target.account, self.token_keys, network=self.network,
            token_name=self.token_name, base_url=self.base_url, timeout=self.timeout,
            now=self.now, host=self._host(target), version=self.graph_version,
            before_send=before_send, what=what)
        with client.session:
            try:
                yield client
            except AuthExpired as exc:
                if not _is_permission(exc.code):
                    raise
                raise self._lost_permission(exc, permission) from None
            except RateLimited as exc:
                raise self._slow_down(exc) from None
            except PublishFailed as exc:
                if exc.code == "permission":
                    raise
                raise self._refused(exc, client, target, comment) from None

    def _lost_permission(self, exc: AuthExpired, default: str) -> PublishFailed:
        found = _PERMISSION_IN_TEXT.search(exc.message)
        permission = next((g for g in found.groups() if g), default) if found else default
        return PublishFailed(
            _("{network} no longer lets Costanza read or answer the comments of this "
              "account: the permission {permission} is missing. Connect the account again "
              "with `costanza account add {command}` and grant {permission}; publishing "
              "keeps working meanwhile.").format(
                network=network_name(self.network), permission=permission,
                command=self.command),
            http_status=exc.http_status, code="permission")

    def _slow_down(self, exc: RateLimited) -> RateLimited:
        retry_at = exc.retry_at if isinstance(exc.retry_at, datetime) else \
            self.now() + DEFAULT_BACKOFF
        return RateLimited(
            _("{network} asked Costanza to slow down (too many calls). Nothing was sent; "
              "Costanza will look at the comments again after {time}.").format(
                network=network_name(self.network), time=local_with_zone(retry_at, UTC)),
            retry_at=retry_at, http_status=exc.http_status, code=exc.code)

    def _unknown_reply(self, exc: OutcomeUnknown) -> OutcomeUnknown:
        return OutcomeUnknown(
            _("The reply was sent to {network} but no clear answer came back, so it may or "
              "may not be there. Costanza will look for it before sending it again.").format(
                network=network_name(self.network)),
            http_status=exc.http_status, code=exc.code)

    def _refused(self, exc: PublishFailed, client: GraphClient, target: Target,
                 comment: str | None) -> PublishFailed:
        """Refused for good: the post or comment is gone (100/33, code ``gone``), or the
        network said no in its own words (Graph's code kept)."""
        name = network_name(self.network)
        if exc.code == GONE_CODE and comment is not None:
            message = _("The comment {comment} is no longer on {network} (its author deleted "
                        "it, or the post was deleted), so it cannot be answered or hidden."
                        ).format(comment=comment, network=name)
        elif exc.code == GONE_CODE:
            message = _("The post {post} is no longer on {network} (it was deleted there), "
                        "so its comments cannot be read.").format(
                post=target.remote_id, network=name)
        else:
            message = _("{network} refused what Costanza asked about the comments ({said}); "
                        "trying again unchanged will not help.").format(
                network=name, said=_platform_words(client) or _("no reason given"))
        return PublishFailed(message, http_status=exc.http_status,
                             code="gone" if exc.code == GONE_CODE else exc.code)


def read_all(client: GraphClient, path: str, params: dict[str, Any], *,
             first: dict[str, Any] | None = None) -> tuple[list[dict[str, Any]], bool]:
    """Every item of a Graph listing, page after page (the ``after`` cursor while the reply
    has a ``paging.next``; the token stays in a header, never in the address that
    ``next`` gives). ``first``: a page already read (a nested edge). Returns the items and
    whether the listing was read to its end."""
    items: list[dict[str, Any]] = []
    page = first if first is not None else client.get(path, **params)
    for _count in range(MAX_PAGES):
        items.extend(d for d in page.get("data") or [] if isinstance(d, dict))
        paging = page.get("paging") or {}
        after = (paging.get("cursors") or {}).get("after")
        if not paging.get("next") or not after:
            return items, True
        page = client.get(path, **{**params, "after": after})
    return items, False


def when(value: Any) -> datetime:
    """A Graph time as an aware UTC datetime (the epoch when it is missing)."""
    parsed = parse_time(value if isinstance(value, str) else None)
    return (parsed or datetime.fromtimestamp(0, UTC)).astimezone(UTC)


def matching_reply(items: list[dict[str, Any]], text: str, after: datetime, *,
                   mine: Callable[[dict[str, Any]], bool], text_key: str,
                   time_key: str) -> str | None:
    """The oldest of ``items`` written by the account with ``text``, after ``after`` (less
    the clocks' slack)."""
    after = after if after.tzinfo else after.replace(tzinfo=UTC)
    found = sorted((when(i.get(time_key)), str(i["id"])) for i in items
                   if mine(i) and same_text(text, i.get(text_key))
                   and when(i.get(time_key)) >= after - CLOCK_SLACK)
    return found[0][1] if found else None


def _platform_words(client: GraphClient) -> str:
    """The Graph error's own message of the last reply, secrets removed."""
    response = client.session.last_response
    try:
        error = response.json().get("error") if response is not None else None
    except ValueError:
        return ""
    said = error.get("message") if isinstance(error, dict) else None
    return redact(str(said), client.secrets).strip() if said else ""


def _is_permission(code: str | None) -> bool:
    try:
        return int(str(code).split("/")[0]) in PERMISSION_CODES
    except ValueError:
        return False
