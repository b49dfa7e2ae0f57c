"""InstagramPublisher for an account connected with Instagram Login: every call goes to
graph.instagram.com (the sandbox's ``/ig-graph/``), with the same guarantees as through
the Page."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from config.errors import AuthExpired, OutcomeUnknown
from scheduler.publishers.base import AccountAuth, PublishRequest
from scheduler.publishers.graph.instagram import InstagramPublisher


@pytest.fixture
def ig(sandbox: Any) -> InstagramPublisher:
    return InstagramPublisher(sandbox.base_url, timeout=10, sleep=sandbox.sleep,
                              poll_interval=2.0)


def _login(sandbox: Any, request: PublishRequest, token: str | None = None) -> PublishRequest:
    creds = sandbox.creds["instagram"]
    account = AccountAuth("instagram", "demo", creds["ig_user_id"],
                          {"token": token or creds["login_token"], "login": "instagram"})
    return replace(request, account=account)


def _graph_paths(sandbox: Any) -> list[str]:
    return [r["path"] for r in sandbox.control.requests()
            if r.get("network") == "instagram" and not r["path"].startswith("/ig-api-upload")]


def test_a_photo_goes_out_through_graph_instagram_com(sandbox, ig, make_request, media,
                                                      checkpoints) -> None:
    photo = media.photo(size=(400, 400), alt="Yarn dyed with madder")
    result = ig.publish(_login(sandbox, make_request("instagram", "Madder red", [photo],
                                                     first_comment="#wool")), checkpoints)
    [post] = sandbox.posts("instagram")
    assert post["text"] == "Madder red" and post["media"][0]["sha256"] == photo.sha256
    assert result.remote_id == post["id"] and result.permalink == post["permalink"]
    assert [c["text"] for c in post["comments"]] == ["#wool"]
    paths = _graph_paths(sandbox)
    user = sandbox.creds["instagram"]["ig_user_id"]
    assert f"/ig-graph/v26.0/{user}/media" in paths
    assert f"/ig-graph/v26.0/{user}/media_publish" in paths
    assert f"/ig-graph/v26.0/{user}/content_publishing_limit" in paths
    assert all(p.startswith("/ig-graph/v26.0/") for p in paths)


def test_a_reel_is_uploaded_with_the_instagram_login_token(sandbox, ig, make_request, media,
                                                           checkpoints) -> None:
    video = media.video(seconds=1.5)
    ig.publish(_login(sandbox, make_request("instagram", "The loom", [video])), checkpoints)
    [post] = sandbox.posts("instagram")
    assert post["product_type"] == "REELS" and checkpoints.progress["uploaded"] is True


def test_an_unknown_publish_is_settled_by_the_container(sandbox, ig, make_request, media,
                                                        checkpoints) -> None:
    sandbox.control.fault("instagram", "media_publish", after_effect=True, drop=True)
    photo = media.photo(size=(400, 400))
    request = _login(sandbox, make_request("instagram", "Maybe out", [photo]))
    try:
        result = ig.publish(request, checkpoints)
    except OutcomeUnknown:
        result = None
    [post] = sandbox.posts("instagram")  # once, whatever the answer
    found = ig.reconcile(replace(request, progress=dict(checkpoints.progress)))
    assert found.published is True and found.remote_id == post["id"]
    if result is not None:  # the container (read on graph.instagram.com) told at once
        assert result.remote_id == post["id"]


def test_a_facebook_login_token_is_refused_there(sandbox, ig, make_request, media,
                                                 checkpoints) -> None:
    # The Page-flavour token is not an Instagram Login one: graph.instagram.com refuses it.
    request = _login(sandbox, make_request("instagram", "Hi", [media.photo(size=(400, 400))]),
                     token=sandbox.creds["instagram"]["token"])
    with pytest.raises(AuthExpired) as info:
        ig.publish(request, checkpoints)
    assert sandbox.creds["instagram"]["token"] not in info.value.message
    assert sandbox.posts("instagram") == []


def test_an_instagram_login_token_is_refused_on_graph_facebook_com(
        sandbox, ig, make_request, media, checkpoints) -> None:
    creds = sandbox.creds["instagram"]
    request = replace(make_request("instagram", "Hi", [media.photo(size=(400, 400))]),
                      account=AccountAuth("instagram", "demo", creds["ig_user_id"],
                                          {"token": creds["login_token"]}))
    with pytest.raises(AuthExpired):
        ig.publish(request, checkpoints)
    assert not any(p.startswith("/ig-graph/") for p in _graph_paths(sandbox))


def test_an_expired_instagram_login_token(sandbox, ig, make_request, media,
                                          checkpoints) -> None:
    sandbox.control.fault("instagram", "media", expire_token=True)
    with pytest.raises(AuthExpired) as info:
        ig.publish(_login(sandbox, make_request("instagram", "Hi",
                                                [media.photo(size=(400, 400))])), checkpoints)
    assert sandbox.creds["instagram"]["login_token"] not in info.value.message
