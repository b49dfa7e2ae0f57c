"""Facebook Page videos: a one-request multipart upload or the chunked upload session.

- ``POST /{page-id}/videos`` with multipart ``source`` (and ``description``,
  ``title``): published at once, returns ``{"id": VIDEO}``.
- Chunked: ``upload_phase=start&file_size=N`` returns
  ``{upload_session_id, video_id, start_offset, end_offset}`` (offsets as
  strings, as Graph sends them); each ``upload_phase=transfer`` with
  ``upload_session_id``, ``start_offset`` and multipart ``video_file_chunk``
  returns the next window until ``start_offset == end_offset == N``; then
  ``upload_phase=finish`` (``title``, ``description``) publishes:
  ``{"success": true}``. The window size is the ``fb_video_chunk_bytes`` setting.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from costanza.demo.sandbox import graph_errors
from costanza.demo.sandbox.facebook import new_post, page_of
from costanza.demo.sandbox.graph_auth import authorize, pick_fields, requested_fields
from costanza.demo.sandbox.images import looks_like_video
from costanza.demo.sandbox.messages import Reply, Request
from costanza.demo.sandbox.timefmt import graph_time
from costanza.demo.sandbox.video import probe_video

if TYPE_CHECKING:
    from costanza.demo.sandbox.routes import Sandbox

VIDEO_MAX = 10 * 1024 * 1024 * 1024
DEFAULT_CHUNK = 4 * 1024 * 1024


def create_video(app: Sandbox, request: Request) -> Reply:
    account, page = page_of(app, request)
    authorize(app, request, account, write=True)
    phase = request.param("upload_phase")
    if phase == "start":
        return _start(app, request, account, page)
    if phase == "transfer":
        return _transfer(app, request, account)
    if phase == "finish":
        return _finish(app, request, account, page)
    if phase:
        raise graph_errors.bad_param("(#100) upload_phase must be one of start, transfer, "
                                     "finish")
    source = request.part_bytes("source")
    if source is None:
        if request.param("file_url"):
            raise graph_errors.bad_param("(#100) file_url is not supported by this sandbox; "
                                         "send the bytes as source")
        raise graph_errors.error(390, "(#390) There was a problem uploading your video file. "
                                      "Please try again.", subcode=1363030)
    with app.state.change():
        video = _new_video(app, account, page, len(source))
        video["sha256"] = app.state.put_media(source)
        _publish(app, request, account, page, video, source)
    return Reply(200, {"id": video["id"]})


def _new_video(app: Sandbox, account: str, page: dict[str, Any], size: int) -> dict[str, Any]:
    state = app.state
    video_id = state.new_id("fb")
    video = {"id": video_id, "account": account, "page_id": page["page_id"],
             "file_size": size, "received": 0, "chunks": 0, "session": state.new_id("session"),
             "sha256": None, "post_id": None, "created_ts": state.now(), "status": "uploading"}
    state["fb_videos"][video_id] = video
    state["fb_videos"][f"session:{video['session']}"] = {"video_id": video_id}
    state["nodes"][video_id] = {"kind": "video", "account": account}
    return video


def _session(app: Sandbox, request: Request, account: str) -> dict[str, Any]:
    session = request.param("upload_session_id") or ""
    ref = app.state["fb_videos"].get(f"session:{session}")
    video = app.state["fb_videos"].get(ref["video_id"]) if ref else None
    if not video or video["account"] != account:
        raise graph_errors.bad_param("(#100) Invalid upload_session_id", subcode=1363019)
    return video


def _window(app: Sandbox, video: dict[str, Any]) -> dict[str, str]:
    chunk = int(app.state.settings.get("fb_video_chunk_bytes", DEFAULT_CHUNK))
    start = video["received"]
    return {"start_offset": str(start), "end_offset": str(min(video["file_size"], start + chunk))}


def _start(app: Sandbox, request: Request, account: str, page: dict[str, Any]) -> Reply:
    try:
        size = int(request.param("file_size") or "")
    except ValueError as exc:
        raise graph_errors.bad_param("(#100) file_size is required for upload_phase=start") \
            from exc
    if not 0 < size <= VIDEO_MAX:
        raise graph_errors.bad_param("(#100) file_size is out of range", subcode=1363024)
    with app.state.change():
        video = _new_video(app, account, page, size)
    return Reply(200, {"video_id": video["id"], "upload_session_id": video["session"],
                       **_window(app, video)})


def _transfer(app: Sandbox, request: Request, account: str) -> Reply:
    video = _session(app, request, account)
    chunk = request.part_bytes("video_file_chunk")
    if chunk is None:
        raise graph_errors.bad_param("(#100) video_file_chunk is required", subcode=1363030)
    try:
        start = int(request.param("start_offset") or "")
    except ValueError as exc:
        raise graph_errors.bad_param("(#100) start_offset is required") from exc
    with app.state.change():
        window = _window(app, video)
        expected = int(window["end_offset"]) - int(window["start_offset"])
        if start != video["received"] or len(chunk) != expected:
            raise graph_errors.error(
                6001, "There was a problem uploading your video. Please try again.",
                subcode=1363037, transient=False,
                user_msg=f"Expected start_offset {video['received']} and {expected} bytes; "
                         f"got {start} and {len(chunk)}.")
        app.state.put_chunk(f"fb{video['id']}", video["chunks"], chunk)
        video["chunks"] += 1
        video["received"] += len(chunk)
    return Reply(200, _window(app, video))


def _finish(app: Sandbox, request: Request, account: str, page: dict[str, Any]) -> Reply:
    video = _session(app, request, account)
    if video["received"] != video["file_size"]:
        raise graph_errors.error(6001, "There was a problem uploading your video. The upload "
                                       "is incomplete.", subcode=1363019)
    with app.state.change():
        if video["post_id"]:  # checked under the lock: a concurrent finish may have published
            return Reply(200, {"success": True})
        data = app.state.join_chunks(f"fb{video['id']}", video["chunks"])
        video["sha256"] = app.state.put_media(data)
        video["chunks"] = 0
        _publish(app, request, account, page, video, data)
    return Reply(200, {"success": True})


def _publish(app: Sandbox, request: Request, account: str, page: dict[str, Any],
             video: dict[str, Any], data: bytes) -> None:
    if not looks_like_video(data) or probe_video(data) is None:
        video["status"] = "error"
        raise graph_errors.error(352, "(#352) Sorry, the video file you selected is in a "
                                      "format that we don't support.")
    text = request.param("description") or request.param("message") or ""
    media = [{"kind": "video", "video_id": video["id"], "sha256": video["sha256"],
              "mime": "video/mp4", "title": request.param("title")}]
    post = new_post(app, account, page, text, media, post_id=video["id"], kind="video")
    post["permalink"] = f"https://www.facebook.com/{page['page_id']}/videos/{video['id']}/"
    video["post_id"] = post["id"]
    video["status"] = "ready"


def get_video(app: Sandbox, request: Request) -> Reply:
    authorize(app, request, request.args["node"]["account"])
    video = app.state["fb_videos"][request.args["id"]]
    values = {"id": video["id"], "created_time": graph_time(video["created_ts"]),
              "status": {"video_status": video["status"],
                         "processing_progress": 100 if video["status"] == "ready" else 0},
              "permalink_url": f"/{video['page_id']}/videos/{video['id']}/",
              "post_id": video["post_id"]}
    return Reply(200, pick_fields(values, requested_fields(request, "id,created_time"),
                                  video["id"]))
