"""FacebookPublisher against the sandbox: facebook-sdk over real HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from config.errors import AuthExpired, OutcomeUnknown, PublishFailed, RateLimited, RetryLater
from scheduler.publishers.graph.facebook import FacebookPublisher


@pytest.fixture
def fb(sandbox) -> FacebookPublisher:
    return FacebookPublisher(sandbox.base_url, timeout=10, sleep=sandbox.sleep)


def test_facebook_text_post_with_permalink(sandbox, fb, make_request, checkpoints) -> None:
    result = fb.publish(make_request("facebook", "Our new linen shirts are ready."),
                        checkpoints)
    [post] = sandbox.posts("facebook")
    assert post["text"] == "Our new linen shirts are ready."
    assert result.remote_id == post["id"]
    assert result.permalink == post["permalink"]
    assert checkpoints.progress["post_id"] == post["id"]


def test_facebook_link_goes_in_the_link_field(sandbox, fb, make_request, checkpoints) -> None:
    fb.publish(make_request("facebook", "Read the story at https://example.it/story. Enjoy!"),
               checkpoints)
    [post] = sandbox.posts("facebook")
    assert post["link"] == "https://example.it/story"


def test_facebook_one_photo_with_alt_text(sandbox, fb, make_request, media,
                                          checkpoints) -> None:
    photo = media.photo(alt="A blue linen shirt on a hanger")
    result = fb.publish(make_request("facebook", "Blue linen.", [photo]), checkpoints)
    [post] = sandbox.posts("facebook")
    assert result.remote_id == post["id"]
    assert post["media"][0]["alt_text"] == "A blue linen shirt on a hanger"
    assert post["media"][0]["sha256"] == photo.sha256


def test_facebook_four_photos_in_one_post(sandbox, fb, make_request, media,
                                          checkpoints) -> None:
    photos = [media.photo(alt=f"Shirt {i}") for i in range(4)]
    fb.publish(make_request("facebook", "The whole collection.", photos), checkpoints)
    [post] = sandbox.posts("facebook")
    assert [m["sha256"] for m in post["media"]] == [p.sha256 for p in photos]
    assert [m["alt_text"] for m in post["media"]] == [f"Shirt {i}" for i in range(4)]
    # Each unpublished photo was checkpointed as soon as it was uploaded.
    assert [sum(1 for i in c["photo_ids"] if i) for c in checkpoints.calls][:4] == [1, 2, 3, 4]


def test_facebook_photo_upload_trouble_is_retry_later(sandbox, fb, make_request, media,
                                                     checkpoints) -> None:
    sandbox.control.fault("facebook", "photos", status=500, body={"error": {
        "message": "An unknown error occurred", "code": 1, "type": "OAuthException"}})
    with pytest.raises(RetryLater):
        fb.publish(make_request("facebook", "Two shirts.", [media.photo(), media.photo()]),
                   checkpoints)
    assert sandbox.posts("facebook") == []


def test_facebook_resumes_without_uploading_photos_again(sandbox, fb, make_request, media,
                                                         checkpoints) -> None:
    photos = [media.photo() for _ in range(3)]
    sandbox.control.fault("facebook", "feed", status=400, body={"error": {
        "message": "(#100) Invalid parameter", "code": 100, "type": "OAuthException"}})
    with pytest.raises(PublishFailed):
        fb.publish(make_request("facebook", "Three shirts.", photos), checkpoints)
    uploaded = list(checkpoints.progress["photo_ids"])
    assert len(uploaded) == 3 and all(uploaded)
    assert [sum(1 for i in c["photo_ids"] if i) for c in checkpoints.calls] == [1, 2, 3]
    fb.publish(make_request("facebook", "Three shirts.", photos,
                            progress=dict(checkpoints.progress)), checkpoints)
    [post] = sandbox.posts("facebook")
    assert [m["photo_id"] for m in post["media"]] == uploaded


def test_facebook_small_video_in_one_request(sandbox, fb, make_request, media,
                                             checkpoints) -> None:
    video = media.video()
    result = fb.publish(make_request("facebook", "Weaving, in a minute.", [video]),
                        checkpoints)
    [post] = sandbox.posts("facebook")
    assert post["kind"] == "video" and post["text"] == "Weaving, in a minute."
    assert result.permalink and result.permalink.startswith("https://")


def test_facebook_big_video_in_chunks(sandbox, make_request, media, checkpoints) -> None:
    sandbox.settings(fb_video_chunk_bytes=1024)
    fb = FacebookPublisher(sandbox.base_url, timeout=10, chunk_threshold=1024)
    video = media.video(seconds=2, size=(320, 240))
    assert video.size_bytes > 4 * 1024
    fb.publish(make_request("facebook", "The loom at work.", [video]), checkpoints)
    [post] = sandbox.posts("facebook")
    assert post["kind"] == "video" and post["media"][0]["sha256"] == video.sha256
    offsets = [c["video_offset"] for c in checkpoints.calls if "video_offset" in c]
    assert len(set(offsets)) > 2 and checkpoints.progress["video_session"]


def test_facebook_chunked_video_start_without_a_video_id_is_retry_later(
        sandbox, make_request, media, checkpoints) -> None:
    sandbox.settings(fb_video_chunk_bytes=1024)
    fb = FacebookPublisher(sandbox.base_url, timeout=10, chunk_threshold=1024)
    video = media.video(seconds=2, size=(320, 240))
    sandbox.control.fault("facebook", "videos", status=200, body={
        "upload_session_id": "1234", "start_offset": "0", "end_offset": "1024"})
    with pytest.raises(RetryLater) as caught:
        fb.publish(make_request("facebook", "No id.", [video]), checkpoints)
    assert caught.value.code == "bad_upload_reply"
    assert "nothing was posted" in caught.value.message
    assert sandbox.posts("facebook") == []
    assert not checkpoints.calls  # no session worth resuming was kept


class _Crash(Exception):
    pass


def test_facebook_chunked_video_resumes_from_the_stored_offset(sandbox, make_request, media,
                                                               checkpoints) -> None:
    sandbox.settings(fb_video_chunk_bytes=1024)
    fb = FacebookPublisher(sandbox.base_url, timeout=10, chunk_threshold=1024)
    video = media.video(seconds=2, size=(320, 240))

    def crash_after_three_chunks(values: dict) -> None:
        checkpoints(values)
        if values.get("video_offset", 0) >= 3 * 1024:
            raise _Crash("the machine went down")

    with pytest.raises(_Crash):
        fb.publish(make_request("facebook", "Loom again.", [video]), crash_after_three_chunks)
    assert sandbox.posts("facebook") == []
    resumed_at = checkpoints.progress["video_offset"]
    fb.publish(make_request("facebook", "Loom again.", [video],
                            progress=dict(checkpoints.progress)), checkpoints)
    [post] = sandbox.posts("facebook")
    assert post["media"][0]["sha256"] == video.sha256
    later = [c["video_offset"] for c in checkpoints.calls if "video_offset" in c]
    assert min(later[later.index(resumed_at) + 1:]) > resumed_at


def test_facebook_expired_token(sandbox, fb, make_request, checkpoints) -> None:
    sandbox.control.fault("facebook", "feed", expire_token=True)
    with pytest.raises(AuthExpired) as info:
        fb.publish(make_request("facebook", "Hello"), checkpoints)
    assert sandbox.creds["facebook"]["page_token"] not in info.value.message


def test_facebook_rate_limit(sandbox, fb, make_request, checkpoints) -> None:
    sandbox.control.fault("facebook", "feed", rate_limit_reset=600)
    before = datetime.now(UTC)
    with pytest.raises(RateLimited) as info:
        fb.publish(make_request("facebook", "Hello"), checkpoints)
    assert sandbox.posts("facebook") == []
    # estimated_time_to_regain_access (minutes) from X-Business-Use-Case-Usage
    retry_at = info.value.retry_at
    assert before + timedelta(minutes=9) <= retry_at <= before + timedelta(minutes=11)


def test_facebook_duplicate_is_refused(sandbox, fb, make_request, checkpoints) -> None:
    fb.publish(make_request("facebook", "Twice."), checkpoints)
    with pytest.raises(PublishFailed) as info:
        fb.publish(make_request("facebook", "Twice.", delivery_id=2), lambda _: None)
    assert info.value.code == "duplicate"


@pytest.mark.parametrize("drop", [False, True])
def test_facebook_unknown_outcome_then_reconcile(sandbox, fb, make_request, checkpoints,
                                                 drop: bool) -> None:
    sandbox.control.fault("facebook", "feed", after_effect=True, drop=drop)
    with pytest.raises(OutcomeUnknown):
        fb.publish(make_request("facebook", "Did it go out?"), checkpoints)
    [post] = sandbox.posts("facebook")
    found = fb.reconcile(make_request("facebook", "Did it go out?",
                                      progress=dict(checkpoints.progress)))
    assert found.published is True and found.remote_id == post["id"]
    assert found.permalink == post["permalink"]


def test_facebook_reconcile_finds_nothing_when_nothing_went_out(sandbox, fb,
                                                                make_request) -> None:
    assert fb.reconcile(make_request("facebook", "Never sent")).published is False


def test_facebook_photo_refused_in_plain_words(sandbox, fb, make_request, media,
                                               checkpoints) -> None:
    bad = media.photo()
    bad.path.write_bytes(b"not really a photo")
    with pytest.raises(PublishFailed) as info:
        fb.publish(make_request("facebook", "Broken", [bad]), checkpoints)
    assert info.value.message.startswith("Facebook refused the post")
    assert "costanza post edit 12" in info.value.message


def test_facebook_connection_refused_is_retry_later(make_request, checkpoints) -> None:
    fb = FacebookPublisher("http://127.0.0.1:9", timeout=5)
    with pytest.raises(RetryLater) as info:
        fb.publish(make_request("facebook", "Hi"), checkpoints)
    assert not isinstance(info.value, OutcomeUnknown)
