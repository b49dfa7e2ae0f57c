"""InstagramCommentClient against the sandbox: a photo published there first, then its
comments and their replies read, answered exactly once, looked up and hidden, through
Facebook Login (graph.facebook.com) and Instagram Login (graph.instagram.com)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from config.errors import OutcomeUnknown, PublishFailed, RateLimited
from scheduler.comments.instagram import InstagramCommentClient


@pytest.fixture
def client(sandbox) -> InstagramCommentClient:
    return InstagramCommentClient(sandbox.base_url, timeout=10)


def _never() -> None:
    return None


def _paths(sandbox) -> list[str]:
    return [r["path"] for r in sandbox.control.requests()
            if r.get("endpoint") in ("ig_comments", "ig_comment", "ig_replies", "ig_reply",
                                     "comment_hide")]


def test_every_page_and_every_reply_is_read(sandbox, client, publish) -> None:
    target = publish("instagram")
    control = sandbox.control
    tops = [control.add_comment("instagram", target.remote_id, f"Bello {n}",
                                author=f"Cliente {n}") for n in range(30)]
    control.add_comment("instagram", target.remote_id, "Anche per me", parent=tops[0]["id"])
    control.add_comment("instagram", target.remote_id, "Quanto?", parent=tops[29]["id"])
    client.page_size = 25
    fetched = client.fetch(target, None)
    assert fetched.complete is True
    texts = [c.text for c in fetched.comments]
    assert len(texts) == 32 and texts[:2] == ["Bello 0", "Anche per me"]
    assert texts[-2:] == ["Bello 29", "Quanto?"]
    by_text = {c.text: c for c in fetched.comments}
    assert by_text["Anche per me"].parent_remote_id == tops[0]["id"]
    assert by_text["Bello 3"].author_handle == "cliente_3"
    assert by_text["Bello 3"].mine is False
    assert sum(1 for p in _paths(sandbox) if p.endswith("/comments")) == 2


def test_replies_are_under_the_top_comment_and_mine(sandbox, client, publish) -> None:
    target = publish("instagram")
    top = sandbox.control.add_comment("instagram", target.remote_id, "Stupendo")
    answer = client.reply(target, top["id"], "Grazie!", _never)
    back = sandbox.control.add_comment("instagram", target.remote_id, "Prego", parent=answer)
    deeper = client.reply(target, back["id"], "A presto", _never)
    by_id = {c.remote_id: c for c in client.fetch(target, None).comments}
    assert list(by_id) == [top["id"], answer, back["id"], deeper]
    assert {i for i, c in by_id.items() if c.mine} == {answer, deeper}
    assert {c.parent_remote_id for i, c in by_id.items() if i != top["id"]} == {top["id"]}


def test_a_reply_is_found_after_an_unknown_outcome(sandbox, client, publish) -> None:
    target = publish("instagram")
    top = sandbox.control.add_comment("instagram", target.remote_id, "Che bello!")
    asked = datetime.now(UTC)
    sandbox.control.fault("instagram", "ig_reply", after_effect=True, status=502)
    with pytest.raises(OutcomeUnknown):
        client.reply(target, top["id"], "Grazie mille!", _never)
    [landed] = [c for c in sandbox.control.comments("instagram", target.remote_id)
                if c["by_account"]]
    assert client.find_reply(target, top["id"], "Grazie mille!", asked) == landed["id"]
    assert client.find_reply(target, landed["id"], "Grazie mille!", asked) == landed["id"]
    assert client.find_reply(target, top["id"], "Grazie", asked) is None


def test_hide_a_deleted_comment_and_rate_limits(sandbox, client, publish) -> None:
    target = publish("instagram")
    rude = sandbox.control.add_comment("instagram", target.remote_id, "Spam")
    gone = sandbox.control.add_comment("instagram", target.remote_id, "Ops")
    client.hide(target, rude["id"], True)
    sandbox.control.delete_comment(gone["id"])
    [seen] = client.fetch(target, None).comments
    assert seen.remote_id == rude["id"] and seen.hidden is True
    with pytest.raises(PublishFailed) as refused:
        client.hide(target, gone["id"], True)
    assert refused.value.code == "gone"
    sandbox.control.fault("instagram", "ig_comments", rate_limit_reset=900)
    with pytest.raises(RateLimited) as limited:
        client.fetch(target, None)
    assert limited.value.retry_at > datetime.now(UTC) + timedelta(minutes=10)


def test_a_lost_comment_permission_is_plain(client, lost_permission) -> None:
    lost_permission(client, "instagram", "instagram_manage_comments")


def test_instagram_login_reads_and_answers_on_its_host(sandbox, client, publish) -> None:
    target = publish("instagram", login=True)
    top = sandbox.control.add_comment("instagram", target.remote_id, "Bellissimo")
    answer = client.reply(target, top["id"], "Grazie", _never)
    fetched = client.fetch(target, None)
    assert [c.remote_id for c in fetched.comments] == [top["id"], answer]
    assert fetched.comments[1].mine is True
    assert _paths(sandbox) and all(p.startswith("/ig-graph/") for p in _paths(sandbox))
    sandbox.control.decline_permissions(["instagram_business_manage_comments"])
    with pytest.raises(PublishFailed) as lost:
        client.fetch(target, None)
    assert lost.value.code == "permission"
    assert "instagram_business_manage_comments" in lost.value.message
