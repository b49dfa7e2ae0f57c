"""InstagramPublisher against the sandbox: containers, polling, publishing, reconciliation."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from config.errors import (
    AuthExpired,
    OutcomeUnknown,
    PublishFailed,
    RateLimited,
    RetryLater,
)
from scheduler.publishers.graph.instagram import InstagramPublisher


@pytest.fixture
def ig(sandbox) -> InstagramPublisher:
    return InstagramPublisher(sandbox.base_url, timeout=10, sleep=sandbox.sleep,
                              poll_interval=2.0)


def _container(sandbox, container_id: str) -> dict:
    return next(c for c in sandbox.get("containers") if c["id"] == container_id)


def test_instagram_photo_with_alt_text_and_permalink(sandbox, ig, make_request, media,
                                                     checkpoints) -> None:
    photo = media.photo(size=(400, 400), alt="Three cheeses on a wooden board")
    result = ig.publish(make_request("instagram", "Our cheeses #dairy", [photo]), checkpoints)
    [post] = sandbox.posts("instagram")
    assert post["text"] == "Our cheeses #dairy"
    assert post["media"][0]["alt_text"] == "Three cheeses on a wooden board"
    assert post["media"][0]["sha256"] == photo.sha256
    assert result.remote_id == post["id"] and result.permalink == post["permalink"]
    assert checkpoints.calls[0] == {"container_id": checkpoints.progress["container_id"]}
    assert checkpoints.progress["media_id"] == post["id"]


def test_instagram_carousel_of_photos_and_a_video(sandbox, ig, make_request, media,
                                                  checkpoints) -> None:
    items = [media.photo(size=(400, 400), alt="Board"), media.photo(size=(400, 500)),
             media.video()]
    ig.publish(make_request("instagram", "A day at the dairy", items), checkpoints)
    [post] = sandbox.posts("instagram")
    assert post["media_type"] == "CAROUSEL_ALBUM"
    assert [m["kind"] for m in post["media"]] == ["photo", "photo", "video"]
    assert post["media"][0]["alt_text"] == "Board"
    # Every item container was checkpointed as soon as it existed.
    counts = [sum(1 for i in c.get("item_containers", []) if i) for c in checkpoints.calls]
    assert counts[:3] == [1, 2, 3]


def test_instagram_reel_by_resumable_upload(sandbox, ig, make_request, media,
                                            checkpoints) -> None:
    video = media.video(seconds=1.5)
    result = ig.publish(make_request("instagram", "The milking", [video]), checkpoints)
    [post] = sandbox.posts("instagram")
    assert post["product_type"] == "REELS"
    assert post["media"][0]["sha256"] == video.sha256
    assert result.permalink and "/reel/" in result.permalink
    assert checkpoints.progress["uploaded"] is True


def test_instagram_first_comment(sandbox, ig, make_request, media, checkpoints) -> None:
    result = ig.publish(make_request("instagram", "Ricotta", [media.photo(size=(400, 400))],
                                     first_comment="#ricotta #dairy #handmade"), checkpoints)
    [post] = sandbox.posts("instagram")
    assert [c["text"] for c in post["comments"]] == ["#ricotta #dairy #handmade"]
    assert result.extra["first_comment_id"] == post["comments"][0]["id"]


def test_instagram_first_comment_without_an_answer_is_not_said_missing(
        sandbox, ig, make_request, media, checkpoints) -> None:
    sandbox.control.fault("instagram", "comments", after_effect=True, drop=True)
    result = ig.publish(make_request("instagram", "Ricotta", [media.photo(size=(400, 400))],
                                     first_comment="#ricotta"), checkpoints)
    [post] = sandbox.posts("instagram")
    assert result.remote_id == post["id"]
    assert result.warning == ("The post is out, but Costanza is not sure the first comment "
                              "was added. Check the post on Instagram and add it by hand if "
                              "missing.")
    assert "first_comment_id" not in result.extra


def test_instagram_first_comment_refused_for_a_while_never_promises_a_retry(
        sandbox, ig, make_request, media, checkpoints) -> None:
    sandbox.control.fault("instagram", "comments", rate_limit_reset=600)
    result = ig.publish(make_request("instagram", "Ricotta", [media.photo(size=(400, 400))],
                                     first_comment="#ricotta"), checkpoints)
    [post] = sandbox.posts("instagram")
    assert result.remote_id == post["id"] and post.get("comments", []) == []
    assert result.warning is not None
    assert "first comment was not added" in result.warning
    assert "add it by hand" in result.warning.lower()
    assert "try again" not in result.warning and "will retry" not in result.warning


def test_instagram_polls_until_the_container_is_ready(sandbox, ig, make_request, media,
                                                      checkpoints) -> None:
    sandbox.settings(ig_processing_secs=7)
    ig.publish(make_request("instagram", "Slow one", [media.photo(size=(400, 400))]),
               checkpoints)
    assert sum(sandbox.slept) >= 7
    assert len(sandbox.posts("instagram")) == 1


def test_instagram_processing_timeout_is_retry_later_then_resumes(sandbox, make_request, media,
                                                                   checkpoints) -> None:
    sandbox.settings(ig_processing_secs=60)
    ig = InstagramPublisher(sandbox.base_url, timeout=10, sleep=sandbox.sleep,
                            poll_interval=5.0, photo_timeout=10.0)
    photo = media.photo(size=(400, 400))
    with pytest.raises(RetryLater) as info:
        ig.publish(make_request("instagram", "Patience", [photo]), checkpoints)
    assert not isinstance(info.value, RateLimited)
    container = checkpoints.progress["container_id"]
    sandbox.sleep(60)
    ig.publish(make_request("instagram", "Patience", [photo],
                            progress=dict(checkpoints.progress)), checkpoints)
    [post] = sandbox.posts("instagram")
    assert post["parent_id"] == container
    assert len(sandbox.get("containers")) == 1


def test_instagram_full_daily_cap_defers(sandbox, ig, make_request, media,
                                         checkpoints) -> None:
    sandbox.settings(ig_publish_limit=1)
    ig.publish(make_request("instagram", "First", [media.photo(size=(400, 400))]), checkpoints)
    before = datetime.now(UTC)
    with pytest.raises(RateLimited) as info:
        ig.publish(make_request("instagram", "Second", [media.photo(size=(400, 400))],
                                delivery_id=2), lambda _: None)
    assert info.value.retry_at is not None and info.value.retry_at > before
    assert len(sandbox.posts("instagram")) == 1


def test_instagram_too_wide_photo_refused_in_plain_words(sandbox, ig, make_request, media,
                                                         checkpoints) -> None:
    wide = media.photo(size=(800, 300))
    with pytest.raises(PublishFailed) as info:
        ig.publish(make_request("instagram", "Panorama", [wide]), checkpoints)
    assert info.value.message == ("Instagram refused the photo: it is wider than 1.91:1. Run "
                                  "`costanza post edit 12 --fit crop` or choose another photo.")


def test_instagram_unreachable_photo_url(sandbox, ig, make_request, media, checkpoints) -> None:
    photo = media.photo(size=(400, 400))
    gone = replace(photo, public_url=photo.public_url + ".missing")
    with pytest.raises(PublishFailed) as info:
        ig.publish(make_request("instagram", "Lost", [gone]), checkpoints)
    assert "public web address" in info.value.message


def test_instagram_expired_token(sandbox, ig, make_request, media, checkpoints) -> None:
    sandbox.control.fault("instagram", "media", expire_token=True)
    with pytest.raises(AuthExpired) as info:
        ig.publish(make_request("instagram", "Hi", [media.photo(size=(400, 400))]), checkpoints)
    assert sandbox.creds["instagram"]["token"] not in info.value.message


def test_instagram_rate_limit_on_container(sandbox, ig, make_request, media,
                                           checkpoints) -> None:
    sandbox.control.fault("instagram", "media", rate_limit_reset=600)
    with pytest.raises(RateLimited):
        ig.publish(make_request("instagram", "Hi", [media.photo(size=(400, 400))]), checkpoints)
    assert sandbox.posts("instagram") == []


@pytest.mark.parametrize("drop", [False, True])
def test_instagram_unknown_publish_is_settled_by_the_container(sandbox, ig, make_request, media,
                                                               checkpoints, drop: bool) -> None:
    sandbox.control.fault("instagram", "media_publish", after_effect=True, drop=drop)
    photo = media.photo(size=(400, 400))
    try:
        result = ig.publish(make_request("instagram", "Maybe out", [photo]), checkpoints)
    except OutcomeUnknown:
        result = None
    [post] = sandbox.posts("instagram")
    found = ig.reconcile(make_request("instagram", "Maybe out", [photo],
                                      progress=dict(checkpoints.progress)))
    assert found.published is True and found.remote_id == post["id"]
    if result is not None:  # the container told the publisher at once
        assert result.remote_id == post["id"]


def test_instagram_reconcile_finished_container_is_not_published(sandbox, ig, make_request,
                                                                 media, checkpoints) -> None:
    sandbox.control.fault("instagram", "media_publish", status=500, body={"error": {
        "message": "An unexpected error has occurred.", "code": 2, "type": "OAuthException"}})
    photo = media.photo(size=(400, 400))
    with pytest.raises(OutcomeUnknown):
        ig.publish(make_request("instagram", "Not yet", [photo]), checkpoints)
    request = make_request("instagram", "Not yet", [photo], progress=dict(checkpoints.progress))
    assert ig.reconcile(request).published is False
    # Publishing again reuses the same container: one container, one post.
    ig.publish(request, checkpoints)
    assert len(sandbox.posts("instagram")) == 1
    assert len(sandbox.get("containers")) == 1


def test_instagram_reconcile_expired_container(sandbox, ig, make_request, media,
                                               checkpoints) -> None:
    sandbox.control.fault("instagram", "media_publish", status=500)
    photo = media.photo(size=(400, 400))
    with pytest.raises(OutcomeUnknown):
        ig.publish(make_request("instagram", "Old", [photo]), checkpoints)
    sandbox.sleep(timedelta(hours=25).total_seconds())
    request = make_request("instagram", "Old", [photo], progress=dict(checkpoints.progress))
    found = ig.reconcile(request)
    assert found.published is False and "expired" in (found.reason or "")
    ig.publish(request, checkpoints)  # a fresh container replaces the expired one
    assert len(sandbox.posts("instagram")) == 1


def test_instagram_text_only_is_refused_before_any_call(sandbox, ig, make_request) -> None:
    with pytest.raises(PublishFailed):
        ig.publish(make_request("instagram", "Just words"), lambda _: None)


class _Crash(Exception):
    pass


def _crash_when(checkpoints, predicate):
    def checkpoint(values: dict) -> None:
        checkpoints(values)
        if predicate(values):
            raise _Crash("the machine went down")
    return checkpoint


@pytest.mark.parametrize("crash_on", ["container", "uploaded"])
def test_instagram_reel_resumes_after_a_crash(sandbox, ig, make_request, media, checkpoints,
                                              crash_on: str) -> None:
    video = media.video()
    if crash_on == "container":
        def predicate(values: dict) -> bool:
            return values.get("uploaded") is False
    else:
        def predicate(values: dict) -> bool:
            return values.get("uploaded") is True
    with pytest.raises(_Crash):
        ig.publish(make_request("instagram", "Reel", [video]),
                   _crash_when(checkpoints, predicate))
    progress = dict(checkpoints.progress)
    if crash_on == "uploaded":
        progress["uploaded"] = False  # the crash hit before this was committed
    ig.publish(make_request("instagram", "Reel", [video], progress=progress), checkpoints)
    [post] = sandbox.posts("instagram")
    assert post["media"][0]["sha256"] == video.sha256
    assert len(sandbox.get("containers")) == 1


def test_instagram_carousel_resumes_without_new_item_containers(sandbox, ig, make_request,
                                                                media, checkpoints) -> None:
    items = [media.photo(size=(400, 400)) for _ in range(3)]

    def after_two(values: dict) -> bool:
        return sum(1 for i in values.get("item_containers", []) if i) == 2

    with pytest.raises(_Crash):
        ig.publish(make_request("instagram", "Three", items), _crash_when(checkpoints, after_two))
    ig.publish(make_request("instagram", "Three", items, progress=dict(checkpoints.progress)),
               checkpoints)
    [post] = sandbox.posts("instagram")
    assert [m["sha256"] for m in post["media"]] == [i.sha256 for i in items]
    assert len(sandbox.get("containers")) == 4  # three items and the carousel


def test_instagram_carousel_whose_container_id_was_lost_makes_new_items(
        sandbox, ig, make_request, media, checkpoints) -> None:
    """Killed after the carousel container was made but before its id was saved: the
    items are spent (Instagram refuses to reuse them), so new ones are made, once."""
    items = [media.photo(size=(400, 400)) for _ in range(2)]

    def carousel_made(values: dict) -> bool:
        return "container_id" in values

    with pytest.raises(_Crash):
        ig.publish(make_request("instagram", "Two", items),
                   _crash_when(checkpoints, carousel_made))
    progress = dict(checkpoints.progress)
    progress.pop("container_id")  # the crash hit before this was committed
    ig.publish(make_request("instagram", "Two", items, progress=progress), checkpoints)
    [post] = sandbox.posts("instagram")
    assert [m["sha256"] for m in post["media"]] == [i.sha256 for i in items]
    assert len(sandbox.get("containers")) == 6  # 2 items + lost carousel, 2 new + carousel


def test_instagram_upload_with_expired_token(sandbox, ig, make_request, media,
                                             checkpoints) -> None:
    sandbox.control.fault("instagram", "ig_upload", expire_token=True)
    with pytest.raises(AuthExpired):
        ig.publish(make_request("instagram", "Reel", [media.video()]), checkpoints)


def test_instagram_connection_refused_is_retry_later(make_request, media, checkpoints) -> None:
    ig = InstagramPublisher("http://127.0.0.1:9", timeout=5)
    with pytest.raises(RetryLater) as info:
        ig.publish(make_request("instagram", "Hi", [media.photo(size=(400, 400))]), checkpoints)
    assert not isinstance(info.value, OutcomeUnknown | RateLimited)


def test_instagram_daily_limit_at_publish_time_defers(sandbox, ig, make_request, media,
                                                      checkpoints) -> None:
    sandbox.settings(ig_publish_limit=0)
    sandbox.control.fault("instagram", "content_publishing_limit", status=500)
    with pytest.raises(RateLimited) as info:
        ig.publish(make_request("instagram", "Over the cap", [media.photo(size=(400, 400))]),
                   checkpoints)
    assert "daily limit" in info.value.message
    assert info.value.retry_at is not None
    # The container stays for the next attempt: it is ready and not published.
    found = ig.reconcile(make_request("instagram", "Over the cap",
                                      progress=dict(checkpoints.progress)))
    assert found.published is False


def test_instagram_carousel_video_without_public_url_is_uploaded(sandbox, ig, make_request,
                                                                 media, checkpoints) -> None:
    video = replace(media.video(), public_url=None)
    items = [media.photo(size=(400, 400)), video]
    ig.publish(make_request("instagram", "Photo and clip", items), checkpoints)
    [post] = sandbox.posts("instagram")
    assert [m["kind"] for m in post["media"]] == ["photo", "video"]
    assert post["media"][1]["sha256"] == video.sha256
    assert checkpoints.progress["item_uploaded"] == [True, True]
