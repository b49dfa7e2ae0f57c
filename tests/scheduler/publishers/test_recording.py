from __future__ import annotations

from datetime import UTC, datetime

import pytest

from config.errors import OutcomeUnknown, RateLimited
from scheduler.publishers.base import AccountAuth, PublishRequest
from scheduler.publishers.recording import RecordingPublisher


def _request(delivery_id: int = 1) -> PublishRequest:
    return PublishRequest(
        delivery_id=delivery_id, post_id=7, network="x", text="hello", media=[],
        account=AccountAuth(network="x", name="demo", remote_id="u1"),
    )


def test_recording_publisher_records_and_publishes() -> None:
    pub = RecordingPublisher("x")
    result = pub.publish(_request(), lambda _: None)
    assert result.remote_id == "x-1"
    assert pub.calls == 1
    assert len(pub.posts_for(1)) == 1


def test_recording_publisher_scripted_failure_then_success() -> None:
    pub = RecordingPublisher("x")
    later = datetime(2030, 1, 1, tzinfo=UTC)
    pub.fail_next(RateLimited("slow", retry_at=later), times=2)
    for _ in range(2):
        with pytest.raises(RateLimited):
            pub.publish(_request(), lambda _: None)
    assert pub.posts_for(1) == []
    assert pub.reconcile(_request()).published is False
    pub.publish(_request(), lambda _: None)
    assert len(pub.posts_for(1)) == 1


def test_recording_publisher_effect_then_reconcile_and_checkpoint() -> None:
    pub = RecordingPublisher("instagram")
    seen: list[dict] = []
    pub.fail_next(OutcomeUnknown("lost"), effect=True, checkpoint={"container_id": "c1"})
    with pytest.raises(OutcomeUnknown):
        pub.publish(_request(3), seen.append)
    assert seen == [{"container_id": "c1"}]
    found = pub.reconcile(_request(3))
    assert found.published is True and found.remote_id == "instagram-1"
