"""XPublisher against the sandbox: real HTTP, tweepy, OAuth 1.0a signatures."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta

import pytest

from config.errors import AuthExpired, OutcomeUnknown, PublishFailed, RateLimited, RetryLater
from scheduler.publishers.registry import make_publisher
from scheduler.publishers.x.publisher import XPublisher
from scheduler.publishers.x.thread import weight

STORY = " ".join(
    f"Day {i}: we cut the cheese wheels, turned them by hand and brushed the rinds with brine."
    for i in range(1, 9))


@pytest.fixture
def x(sandbox) -> XPublisher:
    return XPublisher(sandbox.base_url, timeout=10, sleep=sandbox.sleep, chunk_bytes=64 * 1024)


def test_x_text_post(sandbox, x, make_request, checkpoints) -> None:
    result = x.publish(make_request("x", "Fresh ricotta this morning."), checkpoints)
    posts = sandbox.posts("x")
    assert [p["text"] for p in posts] == ["Fresh ricotta this morning."]
    assert result.remote_id == posts[0]["id"]
    assert result.permalink == posts[0]["permalink"]
    assert checkpoints.progress["tweet_ids"] == [result.remote_id]


def test_x_four_photos_with_alt_text(sandbox, x, make_request, media, checkpoints) -> None:
    photos = [media.photo(alt=f"Cheese wheel number {i}") for i in range(4)]
    x.publish(make_request("x", "Four wheels of pecorino.", photos), checkpoints)
    [post] = sandbox.posts("x")
    assert [m["kind"] for m in post["media"]] == ["photo"] * 4
    assert [m["alt_text"] for m in post["media"]] == [f"Cheese wheel number {i}"
                                                      for i in range(4)]
    assert len(checkpoints.progress["x_media"]) == 4


def test_x_video_chunked_with_processing_polls(sandbox, x, make_request, media,
                                               checkpoints) -> None:
    video = media.video(seconds=1.5, size=(320, 240))
    x.publish(make_request("x", "The milking, in one minute.", [video]), checkpoints)
    [post] = sandbox.posts("x")
    assert [m["kind"] for m in post["media"]] == ["video"]
    assert sandbox.slept, "processing status was polled through the injected sleep"


def test_x_thread_numbered_and_chained(sandbox, x, make_request, checkpoints) -> None:
    result = x.publish(make_request("x", STORY, thread=True), checkpoints)
    posts = sandbox.posts("x")
    total = len(posts)
    assert total >= 3
    assert all(p["text"].endswith(f" {i}/{total}") for i, p in enumerate(posts, start=1))
    assert all(weight(p["text"]) <= 280 for p in posts)
    assert [p["reply_to"] for p in posts[1:]] == [p["id"] for p in posts[:-1]]
    assert result.extra["tweet_ids"] == [p["id"] for p in posts]
    assert result.warning is None


def test_x_thread_refused_reply_keeps_what_went_out(sandbox, x, make_request,
                                                     checkpoints) -> None:
    sandbox.settings(x_self_replies_allowed=False)
    result = x.publish(make_request("x", STORY, thread=True), checkpoints)
    posts = sandbox.posts("x")
    assert len(posts) == 1 and result.remote_id == posts[0]["id"]
    assert result.warning and "first 1 of the" in result.warning
    assert result.extra["unsent_parts"]


def test_x_thread_resumes_after_the_parts_already_out(sandbox, x, make_request,
                                                      checkpoints) -> None:
    parts = XPublisher.parts(make_request("x", STORY, thread=True))
    first = x.publish(make_request("x", parts[0]), checkpoints)
    request = make_request("x", STORY, thread=True, progress={"tweet_ids": [first.remote_id]})
    result = x.publish(request, checkpoints)
    posts = sandbox.posts("x")
    assert len(posts) == len(parts)
    assert result.remote_id == first.remote_id


def test_x_rate_limit_gives_the_reset_time(sandbox, x, make_request, checkpoints) -> None:
    reset = int((datetime.now(UTC) + timedelta(minutes=15)).timestamp())
    sandbox.control.fault("x", "tweets", rate_limit_reset=reset)
    with pytest.raises(RateLimited) as info:
        x.publish(make_request("x", "Too soon?"), checkpoints)
    assert info.value.retry_at == datetime.fromtimestamp(reset, UTC)
    assert sandbox.posts("x") == []


def test_x_rate_limit_until_tomorrow_says_the_day(sandbox, x, make_request, checkpoints) -> None:
    # X's 24-hour cap resets up to a day later: "until 10:58" alone would read as today.
    from config.localtime import local_with_zone

    reset = int((datetime.now(UTC) + timedelta(hours=23)).timestamp())
    sandbox.control.fault("x", "tweets", rate_limit_reset=reset)
    with pytest.raises(RateLimited) as info:
        x.publish(make_request("x", "Tomorrow, then"), checkpoints)
    day = local_with_zone(datetime.fromtimestamp(reset, UTC), UTC)
    assert f"until {day} and try again" in info.value.message


def test_x_expired_token_asks_to_reconnect(sandbox, x, make_request, checkpoints) -> None:
    sandbox.control.fault("x", "tweets", expire_token=True)
    with pytest.raises(AuthExpired) as info:
        x.publish(make_request("x", "Hello"), checkpoints)
    assert "costanza account add x" in info.value.message
    assert sandbox.creds["x"]["access_token"] not in info.value.message


def test_x_duplicate_is_refused_in_plain_words(sandbox, x, make_request, checkpoints) -> None:
    x.publish(make_request("x", "Same words twice."), checkpoints)
    with pytest.raises(PublishFailed) as info:
        x.publish(make_request("x", "Same words twice.", delivery_id=2), lambda _: None)
    assert info.value.code == "duplicate"
    assert info.value.message.startswith("X refused the post because the same text")


@pytest.mark.parametrize("drop", [False, True])
def test_x_unknown_outcome_is_reconciled_not_doubled(sandbox, x, make_request, checkpoints,
                                                     drop: bool) -> None:
    sandbox.control.fault("x", "tweets", after_effect=True, drop=drop)
    request = make_request("x", "Did this go out?")
    with pytest.raises(OutcomeUnknown):
        x.publish(request, checkpoints)
    [post] = sandbox.posts("x")
    again = make_request("x", "Did this go out?", progress=dict(checkpoints.progress))
    found = x.reconcile(again)
    assert found.published is True and found.remote_id == post["id"]
    # Publishing again after the unknown outcome finds the post instead of doubling it.
    result = x.publish(again, checkpoints)
    assert result.remote_id == post["id"]
    assert len(sandbox.posts("x")) == 1


def test_x_reconcile_says_not_published_when_nothing_went_out(sandbox, x, make_request) -> None:
    found = x.reconcile(make_request("x", "Never sent"))
    assert found.published is False


def test_x_server_error_before_effect_is_unknown_then_absent(sandbox, x, make_request,
                                                            checkpoints) -> None:
    sandbox.control.fault("x", "tweets", status=503)
    with pytest.raises(OutcomeUnknown):
        x.publish(make_request("x", "Server trouble"), checkpoints)
    assert x.reconcile(make_request("x", "Server trouble")).published is False


def test_x_connection_refused_is_retry_later(make_request, checkpoints) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    x = make_publisher("x", f"http://127.0.0.1:{port}", timeout=5)
    with pytest.raises(RetryLater) as info:
        x.publish(make_request("x", "Anyone there?"), checkpoints)
    assert not isinstance(info.value, OutcomeUnknown)


def test_x_media_ids_are_reused_inside_their_window(sandbox, x, make_request, media,
                                                    checkpoints) -> None:
    photo = media.photo(alt="A basket of eggs")
    sandbox.control.fault("x", "tweets", status=503)
    with pytest.raises(OutcomeUnknown):
        x.publish(make_request("x", "Eggs.", [photo]), checkpoints)
    stored = checkpoints.progress["x_media"]
    uploads = len(sandbox.get("x-media"))
    result = x.publish(make_request("x", "Eggs.", [photo], progress=dict(checkpoints.progress)),
                       checkpoints)
    assert len(sandbox.get("x-media")) == uploads
    [post] = sandbox.posts("x")
    assert post["id"] == result.remote_id
    assert post["media"][0]["media_id"] == stored[0]["id"]


def test_x_too_long_without_thread_is_refused_before_sending(sandbox, x, make_request) -> None:
    with pytest.raises(PublishFailed):
        x.publish(make_request("x", STORY), lambda _: None)
    assert sandbox.posts("x") == []


def test_x_timeout_after_sending_is_unknown(sandbox, make_request, checkpoints) -> None:
    x = XPublisher(sandbox.base_url, timeout=0.5, sleep=sandbox.sleep)
    sandbox.control.fault("x", "tweets", timeout=True, hold_secs=2)
    with pytest.raises(OutcomeUnknown):
        x.publish(make_request("x", "Slow network"), checkpoints)
    assert checkpoints.progress["x_sending"] == 0


def test_x_duplicate_after_unknown_attempt_counts_as_published(sandbox, x, make_request,
                                                               checkpoints) -> None:
    sandbox.control.fault("x", "tweets", after_effect=True)
    with pytest.raises(OutcomeUnknown):
        x.publish(make_request("x", "Landed after all"), checkpoints)
    # The first look at the timeline misses it (say, not indexed yet): X's duplicate
    # refusal then tells that the earlier attempt landed.
    sandbox.control.fault("x", "user_tweets", status=200, body={"meta": {"result_count": 0}})
    result = x.publish(make_request("x", "Landed after all",
                                    progress=dict(checkpoints.progress)), checkpoints)
    [post] = sandbox.posts("x")
    assert result.remote_id == post["id"]


def test_x_other_refusal_in_plain_words(sandbox, x, make_request, checkpoints) -> None:
    sandbox.control.fault("x", "tweets", status=400, body={
        "title": "Invalid Request", "detail": "One or more parameters to your request was "
        "invalid.", "type": "https://api.twitter.com/2/problems/invalid-request"})
    with pytest.raises(PublishFailed) as info:
        x.publish(make_request("x", "Bad"), checkpoints)
    assert info.value.message.startswith("X refused the post: One or more parameters")
    assert "costanza post edit 12" in info.value.message


def test_x_reconcile_with_an_expired_token(sandbox, x, make_request) -> None:
    sandbox.control.expire_token("x")
    with pytest.raises(AuthExpired):
        x.reconcile(make_request("x", "Anything"))


def test_x_refused_photo_in_plain_words(sandbox, x, make_request, media, checkpoints) -> None:
    bad = media.photo()
    bad.path.write_bytes(b"this is not a picture")
    with pytest.raises(PublishFailed) as info:
        x.publish(make_request("x", "Broken photo", [bad]), checkpoints)
    assert info.value.message.startswith("X refused the photo:")
    assert sandbox.posts("x") == []


def test_x_expired_media_ids_are_uploaded_again(sandbox, x, make_request, media,
                                                checkpoints) -> None:
    photo = media.photo()
    old = {"id": "123", "expires_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat()}
    x.publish(make_request("x", "Fresh upload", [photo], progress={"x_media": [old]}),
              checkpoints)
    [post] = sandbox.posts("x")
    assert post["media"][0]["media_id"] != "123"
    assert checkpoints.progress["x_media"][0]["id"] == post["media"][0]["media_id"]


@pytest.mark.parametrize("kind", ["photo", "video"])
def test_x_upload_reply_without_a_media_id_is_retry_later(sandbox, x, make_request, media,
                                                          checkpoints, kind) -> None:
    item = media.photo() if kind == "photo" else media.video()
    sandbox.control.fault("x", "media_upload", status=200, body={"data": {}})
    with pytest.raises(RetryLater) as caught:
        x.publish(make_request("x", "No media id", [item]), checkpoints)
    assert caught.value.code == "bad_upload_reply"
    assert caught.value.message.startswith(f"X gave an incomplete answer while the {kind}")
    assert "x_media" not in checkpoints.progress
    assert sandbox.posts("x") == []
