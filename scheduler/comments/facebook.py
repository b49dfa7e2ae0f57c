"""The comments under a Facebook Page's post, read and answered through the Graph API.

``fetch`` reads ``/{post-id}/comments?filter=stream``: every comment and reply, flat, each
reply with its ``parent``. Facebook replies are one level deep (a reply to a reply is
filed under the top comment), so ``find_reply`` looks under the top comment.
Reading needs the Page token's ``pages_read_engagement``, answering and hiding
``pages_manage_engagement``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from posts.remote_comments import Fetched, RemoteComment
from scheduler.comments.base import Target
from scheduler.comments.graph_common import GraphCommentClient, read_all, when

FIELDS = "id,message,created_time,from{id,name},parent{id},is_hidden"


class FacebookCommentClient(GraphCommentClient):
    """Comments under the posts of one Facebook Page (``account.remote_id``: the Page id)."""

    network = "facebook"
    token_keys = ("page_token", "token", "access_token")
    token_name = "Page token"
    command = "facebook"
    reply_edge = "comments"
    hide_field = "is_hidden"
    parent_field = "parent{id}"
    answer_fields = "id,message,created_time,from{id}"
    text_key, time_key = "message", "created_time"

    def read_permission(self, target: Target) -> str:
        return "pages_read_engagement"

    def write_permission(self, target: Target) -> str:
        return "pages_manage_engagement"

    @staticmethod
    def _page_id(target: Target) -> str | None:
        return target.account.remote_id or target.account.secrets.get("page_id")

    def parent_of(self, node: dict[str, Any]) -> str | None:
        parent = node.get("parent") if isinstance(node.get("parent"), dict) else {}
        return str(parent["id"]) if parent.get("id") else None

    def is_mine(self, target: Target) -> Callable[[dict[str, Any]], bool]:
        page = self._page_id(target)

        def mine(item: dict[str, Any]) -> bool:
            author = item.get("from") if isinstance(item.get("from"), dict) else {}
            return page is not None and str(author.get("id")) == str(page)
        return mine

    def fetch(self, target: Target, since: datetime | None) -> Fetched:
        with self.session(target, self.read_permission(target)) as client:
            items, complete = read_all(client, f"{target.remote_id}/comments", {
                "filter": "stream", "fields": FIELDS, "limit": self.page_size})
        page = self._page_id(target)
        return Fetched([self._remote(item, page) for item in items], complete)

    @staticmethod
    def _remote(item: dict[str, Any], page: str | None) -> RemoteComment:
        author = item.get("from") if isinstance(item.get("from"), dict) else {}
        parent = item.get("parent") if isinstance(item.get("parent"), dict) else {}
        return RemoteComment(
            remote_id=str(item["id"]), text=str(item.get("message") or ""),
            written_at=when(item.get("created_time")),
            parent_remote_id=str(parent["id"]) if parent.get("id") else None,
            author_name=author.get("name"),
            mine=page is not None and str(author.get("id")) == str(page),
            hidden=bool(item.get("is_hidden")))
