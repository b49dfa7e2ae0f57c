"""Build the publisher for a network, routed to ``base_url`` when one is set."""

from __future__ import annotations

import time
from collections.abc import Callable

from posts.networks import NETWORKS
from scheduler.publishers.base import Publisher
from scheduler.publishers.graph.facebook import DEFAULT_CHUNK_THRESHOLD, FacebookPublisher
from scheduler.publishers.graph.instagram import InstagramPublisher
from scheduler.publishers.x.publisher import XPublisher

__all__ = ["NETWORKS", "make_publisher"]


def make_publisher(
    network: str,
    base_url: str | None,
    *,
    timeout: float = 30,
    sleep: Callable[[float], None] = time.sleep,
    facebook_chunk_bytes: int = DEFAULT_CHUNK_THRESHOLD,
    graph_version: str | None = None,
) -> Publisher:
    """The publisher for ``network`` ("facebook", "instagram" or "x").

    ``base_url``: send all platform traffic there (the sandbox, a proxy), or None
    for the real networks. ``sleep`` is used between status polls (tests pass a
    fake). ``facebook_chunk_bytes``: Facebook videos above this size are uploaded
    in chunks. ``graph_version``: the Graph API version of Facebook's and Instagram's
    addresses (``[networks] graph_api_version``; None: the default).
    """
    graph: FacebookPublisher | InstagramPublisher
    if network == "facebook":
        graph = FacebookPublisher(base_url, timeout=timeout, sleep=sleep,
                                  chunk_threshold=facebook_chunk_bytes)
    elif network == "instagram":
        graph = InstagramPublisher(base_url, timeout=timeout, sleep=sleep)
    elif network == "x":
        return XPublisher(base_url, timeout=timeout, sleep=sleep)
    else:
        raise ValueError(f"Unknown network {network!r}: use one of {', '.join(NETWORKS)}.")
    if graph_version:
        graph.graph_version = graph_version
    return graph
