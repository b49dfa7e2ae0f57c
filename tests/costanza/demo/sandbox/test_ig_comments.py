"""Instagram comments in the sandbox's Graph API (both hosts): listings with replies,
answering, hiding, permissions and rate limits, over real HTTP."""

from __future__ import annotations

import pytest

GRAPH = "https://graph.facebook.com/v26.0"
IG_GRAPH = "https://graph.instagram.com/v26.0"


class Graph:
    def __init__(self, session, token, base=GRAPH):
        self.session, self.token, self.base = session, token, base

    def get(self, path, **params):
        return self.session.get(f"{self.base}/{path}", params=params,
                                headers={"Authorization": f"Bearer {self.token}"})

    def post(self, path, **data):
        return self.session.post(f"{self.base}/{path}",
                                 data={**data, "access_token": self.token})


@pytest.fixture
def ig(session, creds):
    return Graph(session, creds["instagram"]["token"])


@pytest.fixture
def media_id(ig, creds, media_host, jpeg):
    user = creds["instagram"]["ig_user_id"]
    url = media_host.put("telaio.jpg", jpeg(1080, 1080))
    container = ig.post(f"{user}/media", image_url=url, caption="Il telaio").json()["id"]
    reply = ig.post(f"{user}/media_publish", creation_id=container)
    assert reply.status_code == 200, reply.text
    return reply.json()["id"]


def test_comments_with_their_replies_and_answers(ig, media_id, control, creds):
    top = control.add_comment("instagram", media_id, "Stupendo", author="Marta Neri")
    answer = ig.post(f"{top['id']}/replies", message="Grazie Marta").json()["id"]
    back = control.add_comment("instagram", media_id, "Di niente", parent=answer)
    deeper = ig.post(f"{back['id']}/replies", message="Ciao!").json()["id"]
    fields = "id,text,username,from{id},parent_id,replies{id,text,parent_id,username}"
    [listed] = ig.get(f"{media_id}/comments", fields=fields).json()["data"]
    assert listed["id"] == top["id"] and listed["username"] == "marta_neri"
    assert "parent_id" not in listed
    assert [(r["id"], r["parent_id"]) for r in listed["replies"]["data"]] == [
        (answer, top["id"]), (back["id"], top["id"]), (deeper, top["id"])]
    assert listed["replies"]["data"][0]["username"] == creds["instagram"]["username"]
    replies = ig.get(f"{top['id']}/replies", fields="id,from{id,username}").json()["data"]
    assert replies[0]["from"] == {"id": creds["instagram"]["ig_user_id"],
                                  "username": creds["instagram"]["username"]}
    one = ig.get(deeper, fields="text,parent_id,timestamp").json()
    assert one["text"] == "Ciao!" and one["parent_id"] == top["id"] and one["timestamp"]
    count = ig.get(media_id, fields="comments_count").json()["comments_count"]
    assert count == 4


def test_thirty_comments_come_in_pages_and_the_first_comment_is_the_accounts(
        ig, media_id, control):
    first = ig.post(f"{media_id}/comments", message="#telaio").json()["id"]
    for n in range(29):
        control.add_comment("instagram", media_id, f"Bello {n}")
    page = ig.get(f"{media_id}/comments").json()
    assert len(page["data"]) == 25 and page["data"][0] == {
        "id": first, "text": "#telaio", "timestamp": page["data"][0]["timestamp"]}
    rest = ig.get(f"{media_id}/comments", after=page["paging"]["cursors"]["after"]).json()
    assert len(rest["data"]) == 5 and "next" not in rest["paging"]
    [post] = control.posts("instagram")
    assert [c["text"] for c in post["comments"]] == ["#telaio"]


def test_hide_and_a_deleted_comment(ig, media_id, control):
    rude = control.add_comment("instagram", media_id, "Spam")
    gone = control.add_comment("instagram", media_id, "Ops")
    assert ig.post(rude["id"], hide="true").json() == {"success": True}
    assert ig.get(rude["id"], fields="hidden").json()["hidden"] is True
    control.delete_comment(gone["id"])
    listed = ig.get(f"{media_id}/comments", fields="id,hidden").json()["data"]
    assert listed == [{"id": rude["id"], "hidden": True}]
    error = ig.get(gone["id"]).json()["error"]
    assert (error["code"], error["error_subcode"]) == (100, 33)
    assert ig.post(rude["id"], hide="false").json() == {"success": True}


def test_a_declined_comment_permission_answers_error_10(ig, media_id, control):
    control.add_comment("instagram", media_id, "Ciao")
    control.decline_permissions(["instagram_manage_comments"])
    error = ig.get(f"{media_id}/comments").json()["error"]
    assert error["code"] == 10 and "instagram_manage_comments" in error["message"]
    control.decline_permissions(["pages_read_engagement"])
    error = ig.get(f"{media_id}/comments").json()["error"]
    assert error["code"] == 10 and "pages_read_engagement" in error["message"]


def test_instagram_login_reads_and_answers_on_its_own_host(session, media_id, control, creds):
    login = Graph(session, creds["instagram"]["login_token"], IG_GRAPH)
    top = control.add_comment("instagram", media_id, "Bellissimo")
    [listed] = login.get(f"{media_id}/comments").json()["data"]
    assert listed["id"] == top["id"]
    assert login.post(f"{top['id']}/replies", message="Grazie").status_code == 200
    control.decline_permissions(["instagram_business_manage_comments"])
    error = login.get(f"{media_id}/comments").json()["error"]
    assert error["code"] == 10 and "instagram_business_manage_comments" in error["message"]
    wrong_host = Graph(session, creds["instagram"]["login_token"])
    assert wrong_host.get(f"{media_id}/comments").json()["error"]["code"] == 190


def test_instagram_comment_calls_can_be_limited(ig, media_id, control):
    top = control.add_comment("instagram", media_id, "Ciao")
    control.fault("instagram", "ig_comments", rate_limit_reset=300)
    assert ig.get(f"{media_id}/comments").json()["error"]["code"] == 4
    control.fault("instagram", "ig_reply", after_effect=True, status=500)
    assert ig.post(f"{top['id']}/replies", message="Ciao a te").status_code == 500
    replies = ig.get(f"{top['id']}/replies", fields="text").json()["data"]
    assert [r["text"] for r in replies] == ["Ciao a te"]
    control.fault("instagram", "ig_replies", status=503)
    assert ig.get(f"{top['id']}/replies").status_code == 503
