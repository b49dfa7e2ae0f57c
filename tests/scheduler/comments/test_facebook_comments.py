"""FacebookCommentClient against the sandbox: a post published there first, then its
comments read page after page, answered exactly once, looked up and hidden."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests

from config.errors import OutcomeUnknown, PublishFailed, RateLimited
from scheduler.comments.facebook import FacebookCommentClient
from tests.scheduler.comments.conftest import Sends


@pytest.fixture
def client(sandbox) -> FacebookCommentClient:
    return FacebookCommentClient(sandbox.base_url, timeout=10)


def _calls(sandbox, endpoint: str) -> list[dict]:
    return [r for r in sandbox.control.requests() if r.get("endpoint") == endpoint]


def test_every_page_is_read(sandbox, client, publish) -> None:
    target = publish("facebook")
    for n in range(30):
        sandbox.control.add_comment("facebook", target.remote_id, f"Bello {n}",
                                    author=f"Cliente {n}")
    client.page_size = 25
    fetched = client.fetch(target, None)
    assert fetched.complete is True
    assert [c.text for c in fetched.comments] == [f"Bello {n}" for n in range(30)]
    assert len(_calls(sandbox, "fb_comments")) == 2
    first = fetched.comments[0]
    assert first.author_name == "Cliente 0" and first.author_handle is None
    assert first.mine is False and first.parent_remote_id is None
    assert first.written_at.tzinfo is not None
    assert abs(first.written_at - datetime.now(UTC)) < timedelta(minutes=5)


def test_replies_and_replies_to_replies(sandbox, client, publish) -> None:
    target = publish("facebook")
    top = sandbox.control.add_comment("facebook", target.remote_id, "Quanto costa?")
    sends = Sends()
    answer = client.reply(target, top["id"], "Quaranta euro", sends)
    assert sends.count == 1
    again = sandbox.control.add_comment("facebook", target.remote_id, "E la spedizione?",
                                        parent=answer)
    deeper = client.reply(target, again["id"], "Gratis", sends)
    by_id = {c.remote_id: c for c in client.fetch(target, None).comments}
    assert list(by_id) == [top["id"], answer, again["id"], deeper]
    assert by_id[answer].mine and by_id[deeper].mine and not by_id[again["id"]].mine
    assert by_id[answer].parent_remote_id == top["id"]
    assert by_id[deeper].parent_remote_id == top["id"]  # Facebook files it under the top
    assert by_id[again["id"]].parent_remote_id == top["id"]


def test_a_deleted_comment_is_left_out_and_cannot_be_answered(sandbox, client,
                                                              publish) -> None:
    target = publish("facebook")
    gone = sandbox.control.add_comment("facebook", target.remote_id, "Ops")
    kept = sandbox.control.add_comment("facebook", target.remote_id, "Bello")
    sandbox.control.delete_comment(gone["id"])
    fetched = client.fetch(target, None)
    assert [c.remote_id for c in fetched.comments] == [kept["id"]] and fetched.complete
    with pytest.raises(PublishFailed) as refused:
        client.reply(target, gone["id"], "Grazie", Sends())
    assert refused.value.code == "gone" and gone["id"] in refused.value.message


def test_too_many_calls_is_rate_limited_with_a_time(sandbox, client, publish) -> None:
    target = publish("facebook")
    sandbox.control.fault("facebook", "fb_comments", rate_limit_reset=600)
    with pytest.raises(RateLimited) as limited:
        client.fetch(target, None)
    assert limited.value.retry_at > datetime.now(UTC) + timedelta(minutes=5)
    sandbox.control.fault("facebook", "fb_comments", status=429)
    with pytest.raises(RateLimited) as bare:
        client.fetch(target, None)
    assert bare.value.retry_at > datetime.now(UTC)


def test_a_lost_read_permission_is_plain_and_publishing_still_works(
        client, lost_permission) -> None:
    lost_permission(client, "facebook", "pages_read_engagement")


def test_a_lost_write_permission_names_it(sandbox, client, publish) -> None:
    target = publish("facebook")
    top = sandbox.control.add_comment("facebook", target.remote_id, "Ciao")
    sandbox.control.decline_permissions(["pages_manage_engagement"])
    with pytest.raises(PublishFailed) as lost:
        client.reply(target, top["id"], "Ciao a te", Sends())
    assert lost.value.code == "permission" and "pages_manage_engagement" in lost.value.message
    assert len(client.fetch(target, None).comments) == 1


def test_a_reply_lands_once_and_is_found_after_an_unknown_outcome(sandbox, client,
                                                                  publish) -> None:
    target = publish("facebook")
    top = sandbox.control.add_comment("facebook", target.remote_id, "Che bello!")
    asked = datetime.now(UTC)
    sandbox.control.fault("facebook", "fb_reply", after_effect=True, status=500)
    with pytest.raises(OutcomeUnknown) as unknown:
        client.reply(target, top["id"], "Grazie mille!", Sends())
    assert "reply" in unknown.value.message
    [landed] = [c for c in sandbox.control.comments("facebook", target.remote_id)
                if c["by_account"]]
    assert landed["text"] == "Grazie mille!"
    assert client.find_reply(target, top["id"], "grazie  MILLE!", asked) == landed["id"]
    assert client.find_reply(target, top["id"], "Altro testo", asked) is None
    assert client.find_reply(target, top["id"], "Grazie mille!",
                             asked + timedelta(hours=1)) is None


def test_a_reply_to_a_reply_is_found_under_the_top_comment(sandbox, client, publish) -> None:
    target = publish("facebook")
    top = sandbox.control.add_comment("facebook", target.remote_id, "Quanto costa?")
    under = sandbox.control.add_comment("facebook", target.remote_id, "Anche io",
                                        parent=top["id"])
    asked = datetime.now(UTC)
    sandbox.control.fault("facebook", "fb_reply", after_effect=True, drop=True)
    with pytest.raises(OutcomeUnknown):
        client.reply(target, under["id"], "Venti euro", Sends())
    found = client.find_reply(target, under["id"], "Venti euro", asked)
    assert found is not None
    assert [c["id"] for c in sandbox.control.comments("facebook", target.remote_id)
            if c["by_account"]] == [found]


def test_a_timeout_after_sending_is_unknown(sandbox, publish) -> None:
    target = publish("facebook")
    top = sandbox.control.add_comment("facebook", target.remote_id, "Ciao")
    sandbox.control.fault("facebook", "fb_reply", timeout=True, after_effect=True,
                          hold_secs=3)
    with pytest.raises(OutcomeUnknown):
        FacebookCommentClient(sandbox.base_url, timeout=1).reply(target, top["id"], "Ciao!",
                                                                 Sends())


def test_before_send_refusing_sends_nothing(sandbox, client, publish) -> None:
    target = publish("facebook")
    top = sandbox.control.add_comment("facebook", target.remote_id, "Ciao")

    def lost_claim() -> None:
        raise RuntimeError("the claim is gone")

    with pytest.raises(RuntimeError):
        client.reply(target, top["id"], "Ciao!", lost_claim)
    assert _calls(sandbox, "fb_reply") == []
    assert len(sandbox.control.comments("facebook", target.remote_id)) == 1


def test_hide_and_show_again(sandbox, client, publish) -> None:
    target = publish("facebook")
    rude = sandbox.control.add_comment("facebook", target.remote_id, "Spam")
    client.hide(target, rude["id"], True)
    assert sandbox.control.comments("facebook", target.remote_id)[0]["hidden"] is True
    assert client.fetch(target, None).comments[0].hidden is True
    client.hide(target, rude["id"], False)
    assert client.fetch(target, None).comments[0].hidden is False


def test_a_deleted_post_and_a_refusal_are_plain(sandbox, client, publish) -> None:
    target = publish("facebook")
    first = sandbox.control.add_comment("facebook", target.remote_id, "Ciao")
    answer = client.reply(target, first["id"], "Ciao a te", Sends())
    with pytest.raises(PublishFailed) as refused:
        client.hide(target, answer, True)  # a Page cannot hide its own comment
    assert "cannot hide its own comment" in refused.value.message
    assert refused.value.code == "100" and "post edit" not in refused.value.message
    token = sandbox.creds["facebook"]["page_token"]
    deleted = requests.delete(f"{sandbox.base_url}/v26.0/{target.remote_id}",
                              headers={"Authorization": f"OAuth {token}"}, timeout=10)
    assert deleted.json() == {"success": True}
    with pytest.raises(PublishFailed) as gone:
        client.fetch(target, None)
    assert gone.value.code == "gone" and target.remote_id in gone.value.message
