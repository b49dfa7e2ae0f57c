from __future__ import annotations

import email.parser
import email.policy
from pathlib import Path

import pytest

from config.errors import PublishFailed
from scheduler.http.multipart import FileSlice, MultipartBody
from scheduler.publishers.base import AccountAuth, MediaFile, PublishRequest
from scheduler.publishers.checks import check_media_files


def _parse(body: MultipartBody) -> dict[str, bytes]:
    raw = body.read(7) + body.read(100) + body.read()
    assert len(raw) == len(body)
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {body.content_type}\r\n\r\n".encode() + raw)
    return {part.get_param("name", header="content-disposition"): part.get_payload(decode=True)
            for part in message.iter_parts()}


def test_multipart_body_streams_a_slice_of_a_file(tmp_path: Path) -> None:
    data = bytes(range(256)) * 40
    path = tmp_path / "video.mp4"
    path.write_bytes(data)
    body = MultipartBody({"upload_phase": "transfer", "start_offset": 1000, "skip": None},
                         {"video_file_chunk": ("chunk", FileSlice(path, 1000, 3000),
                                               "application/octet-stream")})
    parts = _parse(body)
    assert parts["upload_phase"] == b"transfer"
    assert parts["start_offset"] == b"1000"
    assert "skip" not in parts
    assert parts["video_file_chunk"] == data[1000:4000]


def test_multipart_body_whole_file_by_default(tmp_path: Path) -> None:
    path = tmp_path / "a.bin"
    path.write_bytes(b"x" * 100_000)
    body = MultipartBody({}, {"media": ("a.bin", FileSlice(path), "image/jpeg")})
    assert _parse(body)["media"] == b"x" * 100_000


def test_missing_media_is_refused_before_any_call(tmp_path: Path) -> None:
    gone = MediaFile(path=tmp_path / "gone.jpg", kind="photo", mime="image/jpeg", sha256="0",
                     size_bytes=1, width=1, height=1)
    request = PublishRequest(delivery_id=1, post_id=4, network="facebook", text="t",
                             media=[gone], account=AccountAuth("facebook", "a", "1"))
    with pytest.raises(PublishFailed) as info:
        check_media_files(request)
    assert "costanza post edit 4" in info.value.message
