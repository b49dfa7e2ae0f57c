from __future__ import annotations

import pytest

from scheduler.publishers.graph.facebook import FacebookPublisher
from scheduler.publishers.graph.instagram import InstagramPublisher
from scheduler.publishers.registry import make_publisher
from scheduler.publishers.x.publisher import XPublisher


def test_make_publisher_builds_each_network() -> None:
    def no_sleep(_: float) -> None:
        return None

    fb = make_publisher("facebook", "http://127.0.0.1:1", timeout=5, sleep=no_sleep,
                        facebook_chunk_bytes=1234)
    assert isinstance(fb, FacebookPublisher) and fb.chunk_threshold == 1234
    ig = make_publisher("instagram", None, sleep=no_sleep)
    assert isinstance(ig, InstagramPublisher) and ig.sleep is no_sleep
    x = make_publisher("x", "http://127.0.0.1:1")
    assert isinstance(x, XPublisher) and x.base_url == "http://127.0.0.1:1"
    assert {p.network for p in (fb, ig, x)} == {"facebook", "instagram", "x"}


def test_make_publisher_rejects_unknown_networks() -> None:
    with pytest.raises(ValueError, match="Unknown network"):
        make_publisher("myspace", None)
