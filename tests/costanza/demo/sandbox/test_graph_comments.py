"""Facebook Page comments in the sandbox's Graph API: listings, pages, replies, hiding,
permissions and rate limits, over real HTTP."""

from __future__ import annotations

import json

import pytest

from costanza.demo.sandbox.graph_comments import parse_fields

GRAPH = "https://graph.facebook.com/v26.0"


class Graph:
    """Plain Graph calls with one token (in a header for reads, in the body for writes)."""

    def __init__(self, session, token):
        self.session, self.token = session, token

    def get(self, path, **params):
        return self.session.get(f"{GRAPH}/{path}", params=params,
                                headers={"Authorization": f"OAuth {self.token}"})

    def post(self, path, **data):
        return self.session.post(f"{GRAPH}/{path}", data={**data, "access_token": self.token})


@pytest.fixture
def page(session, creds):
    return Graph(session, creds["facebook"]["page_token"])


@pytest.fixture
def post_id(page, creds):
    reply = page.post(f"{creds['facebook']['page_id']}/feed", message="Il telaio nuovo")
    assert reply.status_code == 200, reply.text
    return reply.json()["id"]


def test_fields_with_subfields_are_parsed():
    assert parse_fields("id,from{id,name},replies{id,from{id}},text") == [
        ("id", None), ("from", [("id", None), ("name", None)]),
        ("replies", [("id", None), ("from", [("id", None)])]), ("text", None)]


def test_thirty_comments_come_in_two_pages(page, post_id, control):
    for n in range(30):
        control.add_comment("facebook", post_id, f"Bello {n}", author=f"Cliente {n}")
    first = page.get(f"{post_id}/comments").json()
    assert [c["message"] for c in first["data"]] == [f"Bello {n}" for n in range(25)]
    assert set(first["paging"]["cursors"]) == {"before", "after"}
    assert first["paging"]["next"].startswith("http")
    second = page.get(f"{post_id}/comments", after=first["paging"]["cursors"]["after"]).json()
    assert [c["message"] for c in second["data"]] == [f"Bello {n}" for n in range(25, 30)]
    assert "next" not in second["paging"]
    reverse = page.get(f"{post_id}/comments", order="reverse_chronological", limit=200).json()
    assert [c["message"] for c in reverse["data"]] == [f"Bello {n}" for n in range(29, -1, -1)]
    assert page.get(f"{post_id}/comments", limit="many").json()["error"]["code"] == 100


def test_replies_are_one_level_deep_and_the_stream_shows_them(page, post_id, control, creds):
    top = control.add_comment("facebook", post_id, "Quanto costa?", author="Anna Bianchi")
    answer = page.post(f"{top['id']}/comments", message="Quaranta euro").json()["id"]
    again = control.add_comment("facebook", post_id, "Grazie!", parent=answer)
    deeper = page.post(f"{again['id']}/comments", message="Prego!").json()["id"]
    fields = "id,message,from{id},parent{id},comment_count,can_hide"
    toplevel = page.get(f"{post_id}/comments", fields=fields).json()["data"]
    assert [(c["id"], c["comment_count"]) for c in toplevel] == [(top["id"], 3)]
    assert "parent" not in toplevel[0]
    stream = page.get(f"{post_id}/comments", fields=fields, filter="stream").json()["data"]
    assert [c["message"] for c in stream] == ["Quanto costa?", "Quaranta euro", "Grazie!",
                                              "Prego!"]
    by_id = {c["id"]: c for c in stream}
    assert by_id[deeper]["parent"] == {"id": top["id"]}  # under the top comment
    assert by_id[again["id"]]["parent"] == {"id": top["id"]}
    assert by_id[answer]["from"] == {"id": creds["facebook"]["page_id"]}
    assert by_id[answer]["can_hide"] is False and by_id[top["id"]]["can_hide"] is True
    replies = page.get(f"{top['id']}/comments").json()["data"]
    assert [r["id"] for r in replies] == [answer, again["id"], deeper]
    one = page.get(answer, fields="message,parent{id},from{name}").json()
    assert one == {"id": answer, "message": "Quaranta euro", "parent": {"id": top["id"]},
                   "from": {"name": creds["facebook"]["page_name"]}}


def test_from_is_given_with_a_page_token_only(session, page, post_id, control, creds):
    control.add_comment("facebook", post_id, "Che bello", author="Rita Verdi")
    user = Graph(session, creds["facebook"]["user_token"])
    [seen] = user.get(f"{post_id}/comments", fields="id,from,message").json()["data"]
    assert "from" not in seen and seen["message"] == "Che bello"
    [by_page] = page.get(f"{post_id}/comments", fields="from").json()["data"]
    assert by_page["from"]["name"] == "Rita Verdi"
    refused = user.post(f"{seen['id']}/comments", message="Grazie")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == 200


def test_a_deleted_comment_is_not_listed_and_not_found(page, post_id, control):
    gone = control.add_comment("facebook", post_id, "Sbagliato")
    kept = control.add_comment("facebook", post_id, "Giusto")
    control.delete_comment(gone["id"])
    assert [c["id"] for c in page.get(f"{post_id}/comments").json()["data"]] == [kept["id"]]
    error = page.get(gone["id"]).json()["error"]
    assert (error["code"], error["error_subcode"]) == (100, 33)
    assert page.post(f"{gone['id']}/comments", message="Ciao").json()["error"]["code"] == 100


def test_hiding_and_showing_a_comment(page, post_id, control):
    rude = control.add_comment("facebook", post_id, "Spam")
    assert page.post(rude["id"], is_hidden="true").json() == {"success": True}
    assert page.get(rude["id"], fields="is_hidden").json()["is_hidden"] is True
    [record] = control.comments("facebook", post_id)
    assert record["hidden"] is True
    assert page.post(rude["id"], is_hidden="false").json() == {"success": True}
    assert page.get(rude["id"], fields="is_hidden").json()["is_hidden"] is False
    assert page.post(rude["id"], is_hidden="maybe").json()["error"]["code"] == 100


def test_the_first_comment_is_a_comment_of_the_account(page, post_id, control, creds):
    first = page.post(f"{post_id}/comments", message="#telaio #lana").json()["id"]
    [record] = control.comments("facebook", post_id)
    assert record["id"] == first and record["by_account"] is True and record["parent"] is None
    [post] = control.posts("facebook")
    assert [c["text"] for c in post["comments"]] == ["#telaio #lana"]
    [listed] = page.get(f"{post_id}/comments", fields="from,message").json()["data"]
    assert listed["from"]["id"] == creds["facebook"]["page_id"]


def test_declined_permissions_answer_error_10(page, post_id, control):
    top = control.add_comment("facebook", post_id, "Ciao")
    control.decline_permissions(["pages_manage_engagement"])
    assert page.get(f"{post_id}/comments").status_code == 200
    refused = page.post(f"{top['id']}/comments", message="Ciao a te").json()["error"]
    assert refused["code"] == 10 and "pages_manage_engagement" in refused["message"]
    assert page.post(top["id"], is_hidden="true").json()["error"]["code"] == 10
    control.decline_permissions(["pages_read_engagement"])
    reply = page.get(f"{post_id}/comments")
    assert reply.status_code == 403
    assert reply.json()["error"]["message"].startswith(
        "(#10) This endpoint requires the 'pages_read_engagement' permission")
    assert page.get(top["id"]).json()["error"]["code"] == 10
    control.decline_permissions([])
    assert page.get(f"{post_id}/comments").status_code == 200


def test_comment_calls_count_and_can_be_limited(page, post_id, control):
    top = control.add_comment("facebook", post_id, "Ciao")
    reply = page.get(f"{post_id}/comments")
    assert "call_count" in json.loads(reply.headers["X-App-Usage"])
    control.fault("facebook", "fb_comments", rate_limit_reset=600, rate_limit_code=613)
    limited = page.get(f"{post_id}/comments")
    assert limited.json()["error"]["code"] == 613
    assert "estimated_time_to_regain_access" in limited.headers["X-Business-Use-Case-Usage"]
    control.fault("facebook", "fb_reply", status=429)
    assert page.post(f"{top['id']}/comments", message="Ciao").status_code == 429
    control.fault("facebook", "comment_hide", status=500)
    assert page.post(top["id"], is_hidden="true").status_code == 500
    assert [c["text"] for c in control.comments("facebook", post_id)] == ["Ciao"]
    assert page.get(top["id"]).json()["message"] == "Ciao"


def test_a_page_video_has_comments_like_a_post(page, session, creds, control, mp4):
    published = session.post(
        f"https://graph-video.facebook.com/v26.0/{creds['facebook']['page_id']}/videos",
        data={"access_token": page.token, "description": "Al telaio"},
        files={"source": ("v.mp4", mp4, "video/mp4")})
    video_id = published.json()["id"]
    [post] = control.posts("facebook")  # the Page's post of the video: {page-id}_{video-id}
    asked = control.add_comment("facebook", post["id"], "Che bello!", author="Giulia Rossi")
    listed = page.get(f"{video_id}/comments", fields="id,message,from{name}").json()["data"]
    assert listed == [{"id": asked["id"], "message": "Che bello!",
                       "from": {"name": "Giulia Rossi"}}]
    own = page.post(f"{video_id}/comments", message="Grazie!")
    assert own.status_code == 200, own.text
    assert [c["message"] for c in page.get(f"{video_id}/comments").json()["data"]] == [
        "Che bello!", "Grazie!"]
