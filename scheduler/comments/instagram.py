"""The comments under an Instagram professional account's media, through the Graph API.

``fetch`` reads ``/{ig-media-id}/comments`` with each comment's ``replies`` (and the rest
of a comment's replies from ``/{ig-comment-id}/replies`` when they run over a page).
Instagram replies are one level deep: ``find_reply`` looks under the top comment.
An account connected with Instagram Login is read on ``graph.instagram.com`` and needs
``instagram_business_manage_comments``; with Facebook Login ``instagram_manage_comments``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from posts.remote_comments import Fetched, RemoteComment
from scheduler.comments.base import Target
from scheduler.comments.graph_common import GraphCommentClient, read_all, when
from scheduler.publishers.graph.client import GRAPH_HOST, IG_LOGIN_HOST, GraphClient
from scheduler.publishers.graph.instagram import INSTAGRAM_LOGIN, LOGIN_KEY

ONE = "id,text,timestamp,username,from{id,username},hidden,parent_id"
FIELDS = f"{ONE},replies{{{ONE}}}"


class InstagramCommentClient(GraphCommentClient):
    """Comments under one Instagram account's media (``account.remote_id``: its user id)."""

    network = "instagram"
    token_keys = ("token", "access_token", "page_token")
    token_name = "token"
    command = "instagram"
    reply_edge = "replies"
    hide_field = "hide"
    parent_field = "parent_id"
    answer_fields = ONE
    text_key, time_key = "text", "timestamp"

    def _host(self, target: Target) -> str:
        return IG_LOGIN_HOST if self._ig_login(target) else GRAPH_HOST

    @staticmethod
    def _ig_login(target: Target) -> bool:
        return target.account.secrets.get(LOGIN_KEY) == INSTAGRAM_LOGIN

    def read_permission(self, target: Target) -> str:
        return ("instagram_business_manage_comments" if self._ig_login(target)
                else "instagram_manage_comments")

    write_permission = read_permission

    def parent_of(self, node: dict[str, Any]) -> str | None:
        return str(node["parent_id"]) if node.get("parent_id") else None

    def is_mine(self, target: Target) -> Callable[[dict[str, Any]], bool]:
        user = target.account.remote_id or target.account.secrets.get("ig_user_id")
        handle = (target.account.secrets.get("username") or "").lower() or None

        def mine(item: dict[str, Any]) -> bool:
            author = item.get("from") if isinstance(item.get("from"), dict) else {}
            if author.get("id") is not None and user is not None:
                return str(author["id"]) == str(user)
            return handle is not None and str(item.get("username") or "").lower() == handle
        return mine

    def fetch(self, target: Target, since: datetime | None) -> Fetched:
        with self.session(target, self.read_permission(target)) as client:
            tops, complete = read_all(client, f"{target.remote_id}/comments", {
                "fields": FIELDS, "limit": self.page_size})
            items: list[dict[str, Any]] = []
            for top in tops:
                items.append(top)
                replies, whole = self._replies(client, top)
                items.extend(replies)
                complete = complete and whole
        mine = self.is_mine(target)
        return Fetched([self._remote(item, mine) for item in items], complete)

    def _replies(self, client: GraphClient,
                 top: dict[str, Any]) -> tuple[list[dict[str, Any]], bool]:
        """A comment's replies: those given with it, and the next pages when there are."""
        nested = top.get("replies") if isinstance(top.get("replies"), dict) else {"data": []}
        replies, whole = read_all(client, f"{top['id']}/replies",
                                  {"fields": ONE, "limit": self.page_size}, first=nested)
        for reply in replies:
            reply.setdefault("parent_id", top["id"])
        return replies, whole

    @staticmethod
    def _remote(item: dict[str, Any], mine: Callable[[dict[str, Any]], bool]) -> RemoteComment:
        author = item.get("from") if isinstance(item.get("from"), dict) else {}
        handle = item.get("username") or author.get("username")
        return RemoteComment(
            remote_id=str(item["id"]), text=str(item.get("text") or ""),
            written_at=when(item.get("timestamp")),
            parent_remote_id=str(item["parent_id"]) if item.get("parent_id") else None,
            author_handle=str(handle) if handle else None,
            mine=mine(item), hidden=bool(item.get("hidden")))
