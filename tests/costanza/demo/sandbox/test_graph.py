"""Facebook Pages in the sandbox, driven by facebook-sdk's GraphAPI and plain requests."""

from __future__ import annotations

import json

import facebook
import pytest

from costanza.demo.sandbox.routing import redirect_session

GRAPH = "https://graph.facebook.com/v26.0"


def page_path(creds, edge=""):
    return f"v26.0/{creds['facebook']['page_id']}" + (f"/{edge}" if edge else "")


def test_graph_feed_post_and_permalink(graph, creds, control):
    post_id = graph.request(page_path(creds, "feed"), post_args={"message": "New scarves"})["id"]
    page_id = creds["facebook"]["page_id"]
    assert post_id.startswith(f"{page_id}_")
    fields = graph.request(f"v26.0/{post_id}", args={"fields": "permalink_url,message"})
    assert fields["message"] == "New scarves"
    assert fields["permalink_url"] == f"https://www.facebook.com/{page_id}/posts/" + \
        post_id.split("_")[1]
    [post] = control.posts("facebook")
    assert post["id"] == post_id and post["text"] == "New scarves"


def test_graph_version_set_after_construction(base_url, creds):
    graph = facebook.GraphAPI(creds["facebook"]["page_token"],
                              session=redirect_session(base_url))
    graph.version = "v26.0"
    assert graph.request(f"v26.0/{creds['facebook']['page_id']}")["id"] == \
        creds["facebook"]["page_id"]


def test_graph_link_post(graph, creds, control):
    graph.request(page_path(creds, "feed"),
                  post_args={"message": "Our shop", "link": "https://example.org/shop"})
    assert control.posts("facebook")[0]["link"] == "https://example.org/shop"


def test_graph_photo_upload_with_source(graph, creds, control, jpeg):
    data = jpeg(1200, 900)
    reply = graph.request(page_path(creds, "photos"),
                          post_args={"message": "The kiln", "alt_text_custom": "A kiln"},
                          files={"source": ("kiln.jpg", data, "image/jpeg")})
    assert set(reply) == {"id", "post_id"}
    [post] = control.posts("facebook")
    assert post["id"] == reply["post_id"]
    import hashlib

    assert post["media_sha256"] == [hashlib.sha256(data).hexdigest()]
    assert post["media"][0]["alt_text"] == "A kiln"
    assert control.media(post["media_sha256"][0]) == data


def test_graph_photo_by_url_is_fetched(graph, creds, control, media_host, png):
    url = media_host.put("pot.png", png(600, 600))
    reply = graph.request(page_path(creds, "photos"), post_args={"url": url, "message": "Pot"})
    assert "post_id" in reply
    assert control.posts("facebook")[0]["media"][0]["mime"] == "image/png"


def test_graph_unreachable_photo_url(graph, creds):
    with pytest.raises(facebook.GraphAPIError) as caught:
        graph.request(page_path(creds, "photos"),
                      post_args={"url": "http://127.0.0.1:9/nothing.jpg"})
    assert caught.value.code == 100


def test_graph_several_photos_in_one_post(graph, creds, control, jpeg):
    ids = []
    for color in ((10, 10, 10), (200, 200, 200)):
        reply = graph.request(page_path(creds, "photos"),
                              post_args={"published": "false"},
                              files={"source": ("p.jpg", jpeg(color=color), "image/jpeg")})
        assert set(reply) == {"id"}
        ids.append(reply["id"])
    assert control.posts("facebook") == []
    attached = json.dumps([{"media_fbid": i} for i in ids])
    post_id = graph.request(page_path(creds, "feed"),
                            post_args={"message": "Two", "attached_media": attached})["id"]
    [post] = control.posts("facebook")
    assert post["id"] == post_id
    assert [m["photo_id"] for m in post["media"]] == ids
    with pytest.raises(facebook.GraphAPIError) as caught:  # attached photos cannot be reused
        graph.request(page_path(creds, "feed"),
                      post_args={"message": "Again", "attached_media": attached})
    assert caught.value.code == 100


def test_graph_attached_media_must_be_this_pages(graph, creds):
    attached = json.dumps([{"media_fbid": "100000000099999"}])
    with pytest.raises(facebook.GraphAPIError) as caught:
        graph.request(page_path(creds, "feed"), post_args={"attached_media": attached})
    assert caught.value.code == 100


def test_graph_duplicate_status_is_506(graph, creds):
    graph.request(page_path(creds, "feed"), post_args={"message": "Open on Sunday"})
    with pytest.raises(facebook.GraphAPIError) as caught:
        graph.request(page_path(creds, "feed"), post_args={"message": "Open on Sunday"})
    assert caught.value.code == 506
    error = caught.value.result["error"]
    assert {"message", "type", "code", "error_subcode", "fbtrace_id"} <= set(error)


def test_graph_invalid_token_is_190(base_url, creds):
    graph = facebook.GraphAPI("EAAnotatoken", session=redirect_session(base_url))
    with pytest.raises(facebook.GraphAPIError) as caught:
        graph.request(page_path(creds, "feed"), post_args={"message": "x"})
    assert caught.value.code == 190
    assert caught.value.type == "OAuthException"


def test_graph_expired_token_is_190(graph, creds, control):
    control.expire_token("facebook", token=creds["facebook"]["page_token"])
    with pytest.raises(facebook.GraphAPIError) as caught:
        graph.request(page_path(creds, "feed"), post_args={"message": "x"})
    assert caught.value.code == 190
    assert caught.value.result["error"]["error_subcode"] == 463


def test_graph_missing_token(session, creds):
    response = session.post(f"{GRAPH}/{creds['facebook']['page_id']}/feed",
                            data={"message": "x"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == 104


def test_graph_unknown_id_is_100(graph):
    with pytest.raises(facebook.GraphAPIError) as caught:
        graph.request("v26.0/999999999/feed", post_args={"message": "x"})
    assert caught.value.code == 100
    assert caught.value.result["error"]["error_subcode"] == 33


def test_graph_user_token_reads_but_cannot_post(base_url, creds):
    user = facebook.GraphAPI(creds["facebook"]["user_token"], session=redirect_session(base_url))
    pages = user.request("v26.0/me/accounts")["data"]
    assert pages[0]["id"] == creds["facebook"]["page_id"]
    assert pages[0]["access_token"] == creds["facebook"]["page_token"]
    with pytest.raises(facebook.GraphAPIError) as caught:
        user.request(page_path(creds, "feed"), post_args={"message": "as a user"})
    assert caught.value.code == 200


def test_graph_instagram_business_account(graph, creds):
    reply = graph.request(page_path(creds), args={"fields": "instagram_business_account"})
    assert reply["instagram_business_account"]["id"] == creds["instagram"]["ig_user_id"]


def test_graph_token_in_header_or_query(session, creds):
    page_id, token = creds["facebook"]["page_id"], creds["facebook"]["page_token"]
    by_header = session.post(f"{GRAPH}/{page_id}/feed", data={"message": "header"},
                             headers={"Authorization": f"Bearer {token}"})
    assert by_header.status_code == 200
    by_query = session.post(f"{GRAPH}/{page_id}/feed?access_token={token}",
                            data={"message": "query"})
    assert by_query.status_code == 200


def test_graph_listing_with_paging(graph, creds):
    for index in range(3):
        graph.request(page_path(creds, "feed"), post_args={"message": f"m{index}"})
    first = graph.request(page_path(creds, "posts"), args={"limit": 2,
                                                           "fields": "message,created_time"})
    assert [p["message"] for p in first["data"]] == ["m2", "m1"]
    after = first["paging"]["cursors"]["after"]
    rest = graph.request(page_path(creds, "feed"), args={"limit": 2, "after": after,
                                                         "fields": "message"})
    assert [p["message"] for p in rest["data"]] == ["m0"]


def test_graph_old_version_is_refused(graph, creds):
    with pytest.raises(facebook.GraphAPIError) as caught:
        graph.request(f"v19.0/{creds['facebook']['page_id']}/feed", post_args={"message": "x"})
    assert caught.value.code == 2635


def test_graph_video_single_request(session, creds, control, mp4):
    page_id, token = creds["facebook"]["page_id"], creds["facebook"]["page_token"]
    response = session.post(f"https://graph-video.facebook.com/v26.0/{page_id}/videos",
                            data={"access_token": token, "description": "Spinning"},
                            files={"source": ("v.mp4", mp4, "video/mp4")})
    assert response.status_code == 200, response.text
    video_id = response.json()["id"]
    [post] = control.posts("facebook")
    assert post["text"] == "Spinning" and post["media"][0]["video_id"] == video_id


def test_graph_video_chunked_upload(session, creds, control, mp4):
    control.settings(fb_video_chunk_bytes=1000)
    page_id, token = creds["facebook"]["page_id"], creds["facebook"]["page_token"]
    url = f"https://graph-video.facebook.com/v26.0/{page_id}/videos"
    start = session.post(url, data={"access_token": token, "upload_phase": "start",
                                    "file_size": str(len(mp4))}).json()
    assert set(start) == {"video_id", "upload_session_id", "start_offset", "end_offset"}
    window = start
    transfers = 0
    while window["start_offset"] != window["end_offset"]:
        lo, hi = int(window["start_offset"]), int(window["end_offset"])
        reply = session.post(url, data={"access_token": token, "upload_phase": "transfer",
                                        "upload_session_id": start["upload_session_id"],
                                        "start_offset": str(lo)},
                             files={"video_file_chunk": ("chunk", mp4[lo:hi])})
        assert reply.status_code == 200, reply.text
        window = reply.json()
        transfers += 1
    assert transfers == -(-len(mp4) // 1000)
    assert control.posts("facebook") == []
    finish = session.post(url, data={"access_token": token, "upload_phase": "finish",
                                     "upload_session_id": start["upload_session_id"],
                                     "title": "Loom", "description": "At the loom"})
    assert finish.json() == {"success": True}
    [post] = control.posts("facebook")
    assert post["text"] == "At the loom"
    import hashlib

    assert post["media_sha256"] == [hashlib.sha256(mp4).hexdigest()]
    video = session.get(f"{GRAPH}/{start['video_id']}",
                        params={"fields": "status,permalink_url", "access_token": token}).json()
    assert video["status"]["video_status"] == "ready"


def test_graph_video_transfer_at_wrong_offset(session, creds, mp4):
    page_id, token = creds["facebook"]["page_id"], creds["facebook"]["page_token"]
    url = f"{GRAPH}/{page_id}/videos"
    start = session.post(url, data={"access_token": token, "upload_phase": "start",
                                    "file_size": str(len(mp4))}).json()
    reply = session.post(url, data={"access_token": token, "upload_phase": "transfer",
                                    "upload_session_id": start["upload_session_id"],
                                    "start_offset": "5"},
                         files={"video_file_chunk": ("chunk", mp4[5:])})
    assert reply.status_code == 400
    assert reply.json()["error"]["code"] == 6001


def test_graph_usage_header_on_every_reply(session, creds):
    reply = session.get(f"{GRAPH}/{creds['facebook']['page_id']}",
                        params={"access_token": creds["facebook"]["page_token"]})
    usage = json.loads(reply.headers["X-App-Usage"])
    assert set(usage) == {"call_count", "total_cputime", "total_time"}
    page = json.loads(reply.headers["X-Business-Use-Case-Usage"])
    assert page[creds["facebook"]["page_id"]][0]["type"] == "pages"


def test_graph_long_lived_token_exchange_and_debug(session, creds):
    reply = session.get(f"{GRAPH}/oauth/access_token",
                        params={"grant_type": "fb_exchange_token", "client_id": "1",
                                "client_secret": "s",
                                "fb_exchange_token": creds["facebook"]["user_token"]}).json()
    assert reply["token_type"] == "bearer" and reply["expires_in"] > 86400
    pages = session.get(f"{GRAPH}/me/accounts",
                        params={"access_token": reply["access_token"]}).json()["data"]
    assert pages[0]["access_token"] == creds["facebook"]["page_token"]
    debug = session.get(f"{GRAPH}/debug_token",
                        params={"input_token": creds["facebook"]["page_token"],
                                "access_token": reply["access_token"]}).json()["data"]
    assert debug["is_valid"] is True and debug["type"] == "PAGE"
    assert "pages_manage_posts" in debug["scopes"]


def test_graph_me_with_a_page_token_is_the_page(graph, creds):
    assert graph.request("v26.0/me")["id"] == creds["facebook"]["page_id"]


def test_graph_attached_media_in_indexed_form(session, creds, graph, control, jpeg):
    page_id, token = creds["facebook"]["page_id"], creds["facebook"]["page_token"]
    ids = [graph.request(page_path(creds, "photos"), post_args={"published": "false"},
                         files={"source": ("p.jpg", jpeg(color=(i, i, i)))})["id"]
           for i in (1, 2)]
    form = {"access_token": token, "message": "Indexed"}
    form.update({f"attached_media[{n}]": json.dumps({"media_fbid": i})
                 for n, i in enumerate(ids)})
    reply = session.post(f"{GRAPH}/{page_id}/feed", data=form)
    assert reply.status_code == 200, reply.text
    assert [m["photo_id"] for m in control.posts("facebook")[0]["media"]] == ids


def test_graph_listing_since_iso_time(graph, creds):
    graph.request(page_path(creds, "feed"), post_args={"message": "recent"})
    recent = graph.request(page_path(creds, "posts"), args={"since": "2000-01-01T00:00:00Z"})
    assert len(recent["data"]) == 1
    none = graph.request(page_path(creds, "posts"), args={"since": "2999-01-01T00:00:00+00:00"})
    assert none["data"] == []


def test_graph_json_body(session, creds, control):
    page_id, token = creds["facebook"]["page_id"], creds["facebook"]["page_token"]
    reply = session.post(f"{GRAPH}/{page_id}/feed", json={"message": "as json",
                                                          "access_token": token})
    assert reply.status_code == 200
    assert control.posts("facebook")[0]["text"] == "as json"


def test_graph_high_level_sdk_methods(base_url, creds, jpeg):
    graph = facebook.GraphAPI(creds["facebook"]["page_token"],
                              session=redirect_session(base_url))
    graph.version = "v26.0"
    page_id = creds["facebook"]["page_id"]
    graph.put_object(page_id, "feed", message="first")
    photo = graph.put_photo(jpeg(), album_path=f"{page_id}/photos", message="second")
    assert graph.get_object(photo["post_id"], fields="message")["message"] == "second"
    graph.put_object(page_id, "feed", message="third")
    messages = [p["message"] for p in graph.get_all_connections(page_id, "posts", limit=1,
                                                                 fields="message")]
    assert messages == ["third", "second", "first"]
