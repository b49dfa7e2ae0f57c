"""The resumable upload host (``rupload.facebook.com``) for Instagram video containers.

``POST /ig-api-upload/{version}/{container-id}`` (also accepted without the
version) with headers ``Authorization: OAuth TOKEN``, ``offset`` and
``file_size`` and the raw bytes as the body. An upload may come in several
parts (``offset`` = bytes received so far). When all ``file_size`` bytes are
in, the container starts processing. Errors come as ``{"debug_info":
{"retriable", "type", "message"}}``, as the upload host sends them.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from costanza.demo.sandbox.instagram import store_video
from costanza.demo.sandbox.messages import ApiError, Reply, Request
from costanza.demo.sandbox.routes import Route

if TYPE_CHECKING:
    from costanza.demo.sandbox.routes import Sandbox

_PATH = re.compile(r"^/ig-api-upload/(?:v\d+\.\d+/)?(\d+)/?$")
MAX_BYTES = 1024 * 1024 * 1024


def resolve(request: Request) -> Route | None:
    match = _PATH.match(request.path)
    if not match or request.method != "POST":
        return None
    return Route("instagram", "ig_upload", upload, {"id": match.group(1)})


def _fail(status: int, kind: str, message: str, retriable: bool = False) -> ApiError:
    return ApiError(Reply(status, {"debug_info": {"retriable": retriable, "type": kind,
                                                  "message": message}}))


def upload(app: Sandbox, request: Request) -> Reply:
    header = request.headers.get("Authorization") or ""
    token = header.split(None, 1)[1].strip() if header.lower().startswith("oauth ") else ""
    info = app.state["tokens"].get(token)
    # Both logins' tokens upload here (Instagram Login's too, as Meta's Reels guide shows).
    if not info or info["kind"] not in ("ig", "fb_page", "fb_user", "ig_login"):
        raise _fail(401, "OAuthException", "Invalid OAuth access token - Cannot parse access "
                                           "token")
    if info["expired"] or ("expires_ts" in info and app.state.now() > info["expires_ts"]):
        raise _fail(401, "OAuthException", "Error validating access token: Session has "
                                           "expired.")
    record: dict[str, Any] | None = app.state["ig_containers"].get(request.args["id"])
    if not record or record["account"] != info["account"]:
        raise _fail(404, "ProcessingFailedError", "Unknown container id: "
                                                  f"{request.args['id']}")
    state = app.state
    with state.change():  # checks under the lock: parts of one upload may race
        if record["uploaded"] or "upload" not in record:
            raise _fail(400, "ProcessingFailedError", "This container is not waiting for an "
                                                      "upload.")
        try:
            offset = int(request.headers.get("offset") or "0")
            size = int(request.headers.get("file_size") or "")
        except ValueError as exc:
            raise _fail(400, "ProcessingFailedError", "The offset and file_size headers are "
                                                      "required.") from exc
        progress = record["upload"]
        if offset != progress["received"]:
            raise _fail(400, "ProcessingFailedError",
                        f"Wrong offset: expected {progress['received']}, got {offset}.",
                        retriable=True)
        if not 0 < size <= MAX_BYTES or offset + len(request.body) > size:
            raise _fail(400, "ProcessingFailedError",
                        f"file_size {size} is not in 1..{MAX_BYTES} or is less than offset "
                        f"{offset} plus the {len(request.body)} bytes sent.")
        state.put_chunk(f"ig{record['id']}", progress["chunks"], request.body)
        progress["chunks"] += 1
        progress["received"] += len(request.body)
        progress["file_size"] = size
        if progress["received"] == size:
            data = state.join_chunks(f"ig{record['id']}", progress["chunks"])
            record["uploaded"] = True
            record["ready_ts"] = state.now() + state.settings["ig_processing_secs"]
            store_video(app, record, data)
    return Reply(200, {"success": True, "message": "Upload successful."})
