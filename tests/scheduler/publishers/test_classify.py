from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests

from config.errors import (
    AuthExpired,
    OutcomeUnknown,
    PublishFailed,
    RateLimited,
    RetryLater,
)
from scheduler.publishers.base import MediaFile
from scheduler.publishers.graph.errors import classify_graph_error, usage_retry_at
from scheduler.publishers.x.errors import classify_x_response, reset_time

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def _graph(code: int | None, subcode: int | None = None, *, status: int = 400,
           creates: bool = True, network: str = "facebook", headers: dict | None = None,
           media: list[MediaFile] | None = None):
    error = {"message": f"(#{code}) something", "type": "OAuthException", "code": code}
    if subcode:
        error["error_subcode"] = subcode
    return classify_graph_error(status, error, headers or {}, network=network,
                                creates=creates, now=NOW, media=media, post_id=12)


def test_graph_190_is_auth_expired() -> None:
    err = _graph(190)
    assert isinstance(err, AuthExpired) and err.code == "190"
    assert "costanza account add facebook" in err.message


@pytest.mark.parametrize("code", [4, 17, 32, 613, 80001])
def test_graph_rate_limits(code: int) -> None:
    usage = {"123": [{"type": "pages", "call_count": 100,
                      "estimated_time_to_regain_access": 12}]}
    err = _graph(code, headers={"X-Business-Use-Case-Usage": json.dumps(usage)})
    assert isinstance(err, RateLimited)
    assert err.retry_at == NOW + timedelta(minutes=12)


def test_graph_usage_header_without_estimate_gives_no_time() -> None:
    assert usage_retry_at({"X-App-Usage": '{"call_count": 100}'}, NOW) is None


def test_graph_368_is_retry_later_and_506_is_duplicate() -> None:
    assert type(_graph(368)) is RetryLater
    dup = _graph(506)
    assert isinstance(dup, PublishFailed) and dup.code == "duplicate"


@pytest.mark.parametrize("code,status", [(1, 500), (2, 500), (None, 502)])
def test_graph_transient_depends_on_whether_the_call_creates(code, status) -> None:
    assert isinstance(_graph(code, status=status, creates=True), OutcomeUnknown)
    assert type(_graph(code, status=status, creates=False)) is RetryLater


def test_graph_100_is_refused_with_words() -> None:
    err = _graph(100)
    assert isinstance(err, PublishFailed)
    assert "costanza post edit 12" in err.message


def test_instagram_aspect_ratio_in_plain_words(tmp_path: Path) -> None:
    wide = MediaFile(path=tmp_path / "a.jpg", kind="photo", mime="image/jpeg", sha256="x",
                     size_bytes=10, width=2000, height=800)
    err = _graph(36003, 2207009, network="instagram", media=[wide])
    assert isinstance(err, PublishFailed)
    assert err.message == ("Instagram refused the photo: it is wider than 1.91:1. Run "
                           "`costanza post edit 12 --fit crop` or choose another photo.")


@pytest.mark.parametrize("subcode", [2207004, 2207005, 2207052, 9004])
def test_instagram_media_refusals(subcode: int) -> None:
    err = _graph(36000, subcode, network="instagram")
    assert isinstance(err, PublishFailed) and "Instagram" in err.message


def test_instagram_daily_limit_waits_until_tomorrow() -> None:
    err = _graph(9, 2207042, network="instagram")
    assert isinstance(err, RateLimited) and err.retry_at == NOW + timedelta(hours=24)


def _response(status: int, body: dict, headers: dict | None = None) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = json.dumps(body).encode()
    response.headers.update(headers or {})
    return response


def test_x_429_uses_reset_header() -> None:
    reset = int(NOW.timestamp()) + 900
    err = classify_x_response(_response(429, {"title": "Too Many Requests"},
                                         {"x-rate-limit-reset": str(reset),
                                          "x-rate-limit-remaining": "0"}), creates=True)
    assert isinstance(err, RateLimited)
    assert err.retry_at == datetime.fromtimestamp(reset, UTC)


def test_x_daily_limit_reset_wins_when_used_up() -> None:
    headers = {"x-rate-limit-reset": "100", "x-user-limit-24hour-remaining": "0",
               "x-user-limit-24hour-reset": "5000"}
    assert reset_time(headers) == datetime.fromtimestamp(5000, UTC)


def test_x_duplicate_and_other_refusals() -> None:
    dup = classify_x_response(_response(403, {
        "detail": "You are not allowed to create a Tweet with duplicate content.",
        "type": "about:blank", "title": "Forbidden", "status": 403}), creates=True)
    assert isinstance(dup, PublishFailed) and dup.code == "duplicate"
    assert dup.message.startswith("X refused the post because the same text")
    other = classify_x_response(_response(400, {"detail": "Invalid media id"}), creates=True)
    assert isinstance(other, PublishFailed) and "Invalid media id" in other.message


def test_x_401_and_5xx() -> None:
    assert isinstance(classify_x_response(_response(401, {}), creates=True), AuthExpired)
    assert isinstance(classify_x_response(_response(503, {}), creates=True), OutcomeUnknown)
    assert type(classify_x_response(_response(503, {}), creates=False)) is RetryLater
