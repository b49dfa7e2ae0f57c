"""The Graph publishers' account lookups: missing token or id, in plain words."""

from __future__ import annotations

import pytest

from config.errors import AuthExpired, PublishFailed
from scheduler.publishers.base import AccountAuth, PublishRequest
from scheduler.publishers.graph.facebook import FacebookPublisher
from scheduler.publishers.graph.instagram import InstagramPublisher


def _request(network: str, remote_id: str | None = None) -> PublishRequest:
    return PublishRequest(delivery_id=1, post_id=7, network=network, text="Hello", media=[],
                          account=AccountAuth(network, "bottega", remote_id, {}))


def test_missing_token_names_the_network_and_the_command() -> None:
    with pytest.raises(AuthExpired) as caught:
        FacebookPublisher().publish(_request("facebook", "42"), lambda _: None)
    assert caught.value.message == (
        "The Facebook account 'bottega' has no Page token saved. Connect it with "
        "`costanza account add facebook`.")
    with pytest.raises(AuthExpired) as caught:
        InstagramPublisher().publish(_request("instagram", "42"), lambda _: None)
    assert caught.value.message.startswith("The Instagram account 'bottega' has no token")


def test_missing_account_id_names_the_network_and_the_command() -> None:
    request = _request("instagram")
    with pytest.raises(PublishFailed) as caught:
        InstagramPublisher._user(request)
    assert caught.value.message == (
        "The Instagram account has no id saved. Connect it again with "
        "`costanza account add instagram`.")
    assert caught.value.code == "no_account"
    with pytest.raises(PublishFailed) as caught:
        FacebookPublisher._page(_request("facebook"))
    assert caught.value.message.startswith("The Facebook account has no Page id saved.")
