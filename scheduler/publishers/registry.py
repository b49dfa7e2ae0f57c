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
) -> Publisher:
    """The publisher for ``network`` ("facebook", "instagram" or "x").

    ``base_url``: send all platform traffic there (the sandbox, a proxy), or None
    for the real networks. ``sleep`` is used between status polls (tests pass a
    fake). ``facebook_chunk_bytes``: Facebook videos above this size are uploaded
    in chunks.
    """
    if network == "facebook":
        return FacebookPublisher(base_url, timeout=timeout, sleep=sleep,
                                 chunk_threshold=facebook_chunk_bytes)
    if network == "instagram":
        return InstagramPublisher(base_url, timeout=timeout, sleep=sleep)
    if network == "x":
        return XPublisher(base_url, timeout=timeout, sleep=sleep)
    raise ValueError(f"Unknown network {network!r}: use one of {', '.join(NETWORKS)}.")
