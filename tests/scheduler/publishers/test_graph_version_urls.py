"""`[networks] graph_api_version` is the version of every Graph call the publishers make,
against the sandbox as a real HTTP server (v27.0, whose retirement is not published: the
sandbox's clock is real time); a retired version holds the account, with the fix."""

from __future__ import annotations

from dataclasses import replace

import pytest

from config.errors import AuthExpired
from scheduler.publishers.registry import make_publisher


def _graph_paths(sandbox) -> list[str]:
    return [r["path"] for r in sandbox.control.requests() if r["network"] in
            ("facebook", "instagram")]


def test_facebook_calls_use_the_version_set(sandbox, make_request, media, checkpoints) -> None:
    fb = make_publisher("facebook", sandbox.base_url, timeout=10, sleep=sandbox.sleep,
                        graph_version="v27.0", facebook_chunk_bytes=1)
    fb.publish(make_request("facebook", "Linen shirts"), checkpoints)
    fb.publish(make_request("facebook", "Two scarves", [media.photo(), media.photo()],
                            delivery_id=2), checkpoints)
    fb.publish(make_request("facebook", "The loom at work", [media.video()], delivery_id=3),
               checkpoints)
    paths = _graph_paths(sandbox)
    assert len(paths) >= 6 and all(p.startswith("/v27.0/") for p in paths), paths
    assert len(sandbox.posts("facebook")) == 3


def test_instagram_calls_and_the_upload_use_the_version_set(sandbox, make_request, media,
                                                            checkpoints) -> None:
    ig = make_publisher("instagram", sandbox.base_url, timeout=10, sleep=sandbox.sleep,
                        graph_version="v27.0")
    video = replace(media.video(), public_url=None)  # sent by resumable upload
    ig.publish(make_request("instagram", "The milking", [video]), checkpoints)
    paths = [r["path"] for r in sandbox.control.requests()]
    graph = [p for p in paths if not p.startswith("/ig-api-upload/")]
    assert graph and all(p.startswith("/v27.0/") for p in graph), paths
    assert any(p.startswith("/ig-api-upload/v27.0/") for p in paths), paths
    assert len(sandbox.posts("instagram")) == 1


def test_the_default_version_without_the_setting(sandbox, make_request, checkpoints) -> None:
    fb = make_publisher("facebook", sandbox.base_url, timeout=10, sleep=sandbox.sleep)
    fb.publish(make_request("facebook", "Hello"), checkpoints)
    assert {p.split("/")[1] for p in _graph_paths(sandbox)} == {"v26.0"}


@pytest.mark.parametrize("network", ["facebook", "instagram"])
def test_a_retired_version_holds_the_account_with_the_fix(sandbox, make_request, media,
                                                          checkpoints, network: str) -> None:
    publisher = make_publisher(network, sandbox.base_url, timeout=10, sleep=sandbox.sleep,
                               graph_version="v20.0")  # retired on 24 September 2026
    with pytest.raises(AuthExpired) as caught:
        publisher.publish(make_request(network, "Too late", [media.photo(size=(400, 400))]),
                          checkpoints)
    assert caught.value.code == "graph_version"
    assert 'Set [networks] graph_api_version = "v27.0"' in caught.value.message
    assert "run `costanza account check`" in caught.value.message
    assert sandbox.posts(network) == []
