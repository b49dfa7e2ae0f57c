"""X API v2 media upload in the sandbox: one-shot images, chunked video, alt text, rules."""

from __future__ import annotations

import hashlib

import pytest

UPLOAD = "https://api.x.com/2/media/upload"


def one_shot(session, auth, data, category="tweet_image"):
    response = session.post(UPLOAD, files={"media": ("photo", data)},
                            data={"media_category": category}, auth=auth)
    assert response.status_code == 200, response.text
    return response.json()["data"]


def chunked(session, auth, data, media_type="video/mp4", category="tweet_video", size=1000):
    init = session.post(f"{UPLOAD}/initialize", auth=auth,
                        json={"media_type": media_type, "total_bytes": len(data),
                              "media_category": category})
    assert init.status_code == 200, init.text
    media_id = init.json()["data"]["id"]
    for index, offset in enumerate(range(0, len(data), size)):
        reply = session.post(f"{UPLOAD}/{media_id}/append", auth=auth,
                             data={"segment_index": str(index)},
                             files={"media": ("blob", data[offset:offset + size])})
        assert reply.status_code == 200, reply.text
    final = session.post(f"{UPLOAD}/{media_id}/finalize", auth=auth)
    assert final.status_code == 200, final.text
    return final.json()["data"]


def test_x_one_shot_image_with_alt_text_in_a_post(session, x_auth, x_client, control, jpeg):
    data = jpeg(640, 480)
    media = one_shot(session, x_auth, data)
    assert media["media_key"] == f"3_{media['id']}"
    assert media["image"] == {"image_type": "image/jpeg", "w": 640, "h": 480}
    assert media["expires_after_secs"] > 0
    alt = session.post("https://api.x.com/2/media/metadata", auth=x_auth,
                       json={"id": media["id"], "metadata": {"alt_text": {"text": "A hat"}}})
    assert alt.status_code == 200
    x_client.create_tweet(text="New hats", media_ids=[media["id"]])
    [post] = control.posts("x")
    assert post["media_sha256"] == [hashlib.sha256(data).hexdigest()]
    assert post["media"][0]["alt_text"] == "A hat"


def test_x_alt_text_longer_than_1000_is_refused(session, x_auth, png):
    media = one_shot(session, x_auth, png())
    reply = session.post("https://api.x.com/2/media/metadata", auth=x_auth,
                         json={"id": media["id"], "metadata": {"alt_text": {"text": "x" * 1001}}})
    assert reply.status_code == 400


def test_x_chunked_video_processing(session, x_auth, x_client, control, mp4):
    final = chunked(session, x_auth, mp4)
    media_id = final["id"]
    assert final["processing_info"]["state"] == "pending"
    assert final["processing_info"]["check_after_secs"] >= 1
    with pytest.raises(Exception, match="not ready"):
        x_client.create_tweet(text="too early", media_ids=[media_id])
    states = []
    for _ in range(5):
        reply = session.get(UPLOAD, params={"command": "STATUS", "media_id": media_id},
                            auth=x_auth)
        states.append(reply.json()["data"]["processing_info"]["state"])
        if states[-1] == "succeeded":
            break
    assert states == ["in_progress", "succeeded"]
    x_client.create_tweet(text="At the wheel", media_ids=[media_id])
    assert control.posts("x")[0]["media"][0]["kind"] == "video"
    assert control.posts("x")[0]["media_sha256"] == [hashlib.sha256(mp4).hexdigest()]


def test_x_video_that_is_not_a_video_fails_processing(session, x_auth):
    final = chunked(session, x_auth, b"not a video at all" * 10)
    reply = session.get(UPLOAD, params={"command": "STATUS", "media_id": final["id"]},
                        auth=x_auth).json()["data"]
    for _ in range(3):
        if reply["processing_info"]["state"] == "failed":
            break
        reply = session.get(UPLOAD, params={"command": "STATUS", "media_id": final["id"]},
                            auth=x_auth).json()["data"]
    assert reply["processing_info"]["state"] == "failed"
    assert reply["processing_info"]["error"]["message"]


def test_x_finalize_with_missing_bytes(session, x_auth, mp4):
    init = session.post(f"{UPLOAD}/initialize", auth=x_auth,
                        json={"media_type": "video/mp4", "total_bytes": len(mp4) + 10,
                              "media_category": "tweet_video"}).json()["data"]
    session.post(f"{UPLOAD}/{init['id']}/append", auth=x_auth, data={"segment_index": "0"},
                 files={"media": ("blob", mp4)})
    reply = session.post(f"{UPLOAD}/{init['id']}/finalize", auth=x_auth)
    assert reply.status_code == 400


def test_x_initialize_is_checked_against_the_spec(session, x_auth):
    for body in ({"media_type": "video/avi", "total_bytes": 10},
                 {"media_type": "video/mp4", "total_bytes": 10, "media_category": "tweet_image"},
                 {"media_type": "video/mp4", "total_bytes": -1},
                 {"media_type": "video/mp4", "total_bytes": 10, "extra": True}):
        assert session.post(f"{UPLOAD}/initialize", json=body, auth=x_auth).status_code == 400


def test_x_media_of_another_user_is_invalid(session, x_auth, x_client_for, control, jpeg):
    media = one_shot(session, x_auth, jpeg())
    other = x_client_for(control.create_accounts("other"))
    with pytest.raises(Exception, match="media IDs are invalid"):
        other.create_tweet(text="stolen", media_ids=[media["id"]])


def test_x_unknown_and_expired_media_ids(session, x_auth, x_client, control, jpeg):
    with pytest.raises(Exception, match="media IDs are invalid"):
        x_client.create_tweet(text="ghost", media_ids=["1860000000000999999"])
    media = one_shot(session, x_auth, jpeg())
    control.advance_clock(86400 + 1)
    with pytest.raises(Exception, match="media IDs are invalid"):
        x_client.create_tweet(text="stale", media_ids=[media["id"]])


def test_x_a_video_cannot_be_mixed_with_photos(session, x_auth, x_client, jpeg, mp4):
    photo = one_shot(session, x_auth, jpeg())
    video = chunked(session, x_auth, mp4)
    for _ in range(2):
        session.get(UPLOAD, params={"command": "STATUS", "media_id": video["id"]}, auth=x_auth)
    with pytest.raises(Exception, match="invalid"):
        x_client.create_tweet(text="mixed", media_ids=[photo["id"], video["id"]])


def test_x_one_shot_rejects_non_images(session, x_auth):
    reply = session.post(UPLOAD, files={"media": ("x", b"plain text")},
                         data={"media_category": "tweet_image"}, auth=x_auth)
    assert reply.status_code == 400


def test_x_upload_needs_user_context(session, creds, jpeg):
    app = {"Authorization": f"Bearer {creds['x']['app_bearer_token']}"}
    reply = session.post(UPLOAD, files={"media": ("p", jpeg())},
                         data={"media_category": "tweet_image"}, headers=app)
    assert reply.status_code == 403


def poll(session, auth, media_id):
    for _ in range(4):
        data = session.get(UPLOAD, params={"command": "STATUS", "media_id": media_id},
                           auth=auth).json()["data"]
        if data["processing_info"]["state"] in ("succeeded", "failed"):
            return data
    raise AssertionError("processing never ended")


@pytest.mark.parametrize(("args", "reason"), [
    ((320, 240, 3), "lasts 0.3 s"),
    ((1600, 900, 10), "1600x900"),
    ((320, 240, 10, "mpeg4"), "codec is mpeg4"),
])
def test_x_video_outside_the_limits_fails_processing(session, x_auth, make_mp4, args, reason):
    final = chunked(session, x_auth, make_mp4(*args), size=100_000)
    data = poll(session, x_auth, final["id"])
    assert data["processing_info"]["state"] == "failed"
    assert reason in data["processing_info"]["error"]["message"]


def test_x_media_sent_as_a_plain_multipart_field(session, x_auth, x_client, control, png):
    data = png(300, 200)
    reply = session.post(UPLOAD, files={"media": (None, data),
                                        "media_category": (None, "tweet_image")}, auth=x_auth)
    assert reply.status_code == 200, reply.text
    x_client.create_tweet(text="raw field", media_ids=[reply.json()["data"]["id"]])
    assert control.posts("x")[0]["media_sha256"] == [hashlib.sha256(data).hexdigest()]


def test_x_chunked_image_that_is_not_an_image(session, x_auth):
    init = session.post(f"{UPLOAD}/initialize", auth=x_auth,
                        json={"media_type": "image/png", "total_bytes": 10,
                              "media_category": "tweet_image"}).json()["data"]
    session.post(f"{UPLOAD}/{init['id']}/append", auth=x_auth, data={"segment_index": "0"},
                 files={"media": ("b", b"0123456789")})
    assert session.post(f"{UPLOAD}/{init['id']}/finalize", auth=x_auth).status_code == 400
