"""Build the comment client for a network, routed to ``base_url`` when one is set."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from scheduler.comments.base import CommentClient


def make_comment_client(network: str, base_url: str | None, *, timeout: float,
                        graph_version: str | None,
                        now: Callable[[], datetime] | None = None) -> CommentClient:
    """The comment client for ``network`` ("facebook", "instagram" or "x").

    ``base_url``: send all platform traffic there (the sandbox, a proxy), or None for
    the real networks; ``graph_version``: the Graph API version of Facebook's and
    Instagram's addresses (None: the default); ``now``: the clock's ``now`` (X counts
    its 7 days of recent search on it; None: the real time). The clients are imported
    here, when one is first needed."""
    if network == "x":
        from scheduler.comments.x import XCommentClient

        return XCommentClient(base_url, timeout=timeout, now=now)
    if network == "facebook":
        from scheduler.comments.facebook import FacebookCommentClient

        return FacebookCommentClient(base_url, timeout=timeout, graph_version=graph_version)
    if network == "instagram":
        from scheduler.comments.instagram import InstagramCommentClient

        return InstagramCommentClient(base_url, timeout=timeout, graph_version=graph_version)
    raise ValueError(f"Unknown network {network!r}: use one of x, facebook, instagram.")
