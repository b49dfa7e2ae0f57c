"""Fixtures for the comment clients against the sandbox (a real HTTP server): the
publishers' sandbox and media, a post really published there first (``publish``), as the
``Target`` a comment client reads, the check of a lost permission
(``lost_permission``), and ``Sends``, a ``before_send`` that counts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from config.errors import PublishFailed
from scheduler.comments.base import Target
from scheduler.publishers.base import AccountAuth, PublishRequest
from scheduler.publishers.graph.facebook import FacebookPublisher
from scheduler.publishers.graph.instagram import InstagramPublisher
from scheduler.publishers.x.publisher import XPublisher
from tests.scheduler.publishers import conftest as publishers
from tests.scheduler.publishers.conftest import Checkpoints

# The publishers' fixtures: a sandbox per test, its demo account's requests, real media.
sandbox = publishers.sandbox
make_request = publishers.make_request
media = publishers.media
public = publishers.public
checkpoints = publishers.checkpoints


def ig_login(sandbox: Any, request: PublishRequest) -> PublishRequest:
    """The request as an account connected with Instagram Login makes it."""
    creds = sandbox.creds["instagram"]
    account = AccountAuth("instagram", "demo", creds["ig_user_id"],
                          {"token": creds["login_token"], "login": "instagram"})
    return replace(request, account=account)


@pytest.fixture
def publish(sandbox: Any, make_request: Callable[..., PublishRequest],
            media: Any) -> Callable[..., Target]:
    """Publish a post with the real publisher (Facebook, Instagram or X); its ``Target``.
    ``login``: Instagram Login."""

    def factory(network: str, text: str = "Il telaio nuovo", *,
                login: bool = False) -> Target:
        if network == "facebook":
            publisher: Any = FacebookPublisher(sandbox.base_url, timeout=10,
                                               sleep=sandbox.sleep)
            request = make_request("facebook", text)
        elif network == "x":
            publisher = XPublisher(sandbox.base_url, timeout=10)
            request = make_request("x", text)
        else:
            publisher = InstagramPublisher(sandbox.base_url, timeout=10, sleep=sandbox.sleep,
                                           poll_interval=2.0)
            request = make_request("instagram", text, [media.photo(size=(400, 400))])
            if login:
                request = ig_login(sandbox, request)
        result = publisher.publish(request, Checkpoints())
        return Target(delivery_id=request.delivery_id, network=network,
                      remote_id=result.remote_id, account=request.account,
                      published_at=datetime.now(UTC), extra=dict(result.extra))

    return factory


class Sends:
    """A ``before_send`` that counts the requests about to create an answer."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> None:
        self.count += 1


@pytest.fixture
def lost_permission(sandbox: Any,
                    publish: Callable[..., Target]) -> Callable[[Any, str, str], PublishFailed]:
    """Check a lost permission with a Graph comment client: publish a post, decline
    ``permission`` for the login, read the post's comments. The refusal is plain (code
    ``permission``, naming the permission and the command that connects the account again,
    not Graph's own words) and publishing still works; the refusal is returned."""

    def check(client: Any, network: str, permission: str) -> PublishFailed:
        target = publish(network)
        sandbox.control.decline_permissions([permission])
        with pytest.raises(PublishFailed) as lost:
            client.fetch(target, None)
        assert lost.value.code == "permission"
        assert permission in lost.value.message
        assert f"`costanza account add {network}`" in lost.value.message
        assert "(#10)" not in lost.value.message
        again = publish(network, "Il telaio, di nuovo")
        assert again.remote_id in [p["id"] for p in sandbox.posts(network)]
        return lost.value

    return check
