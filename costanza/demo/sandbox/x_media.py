"""X API v2 media upload: chunked (initialize/append/finalize/STATUS), one-shot, alt text.

A media id belongs to the user who uploaded it (and ``additional_owners``),
expires ``expires_after_secs`` (24 h of sandbox time) after upload, and can
be attached only once processed. Images are processed at finalize; videos
and GIFs go ``pending`` -> ``in_progress`` -> ``succeeded`` (or ``failed``
when the bytes are not a usable MP4/GIF): the first STATUS call after
finalize always reports ``in_progress``, and ``succeeded`` comes once
``x_processing_secs`` of sandbox time have passed since finalize. Videos are
probed with PyAV against X's published limits (H.264, 0.5-140 s, 32x32 to
1280x1024, aspect 1:3 to 3:1, up to 60 fps, yuv420p, AAC audio).
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

from costanza.demo.sandbox import x_errors
from costanza.demo.sandbox.images import ImageInfo, probe_image
from costanza.demo.sandbox.messages import Reply, Request
from costanza.demo.sandbox.routes import Route
from costanza.demo.sandbox.schema import SchemaError, validate
from costanza.demo.sandbox.video import probe_video, x_video_problem
from costanza.demo.sandbox.x_auth import Caller, authenticate

if TYPE_CHECKING:
    from costanza.demo.sandbox.routes import Sandbox

EXPIRES_SECS = 86400
IMAGE_MAX = 5 * 1024 * 1024
GIF_MAX = 15 * 1024 * 1024
VIDEO_MAX = 512 * 1024 * 1024
CATEGORY_TYPES = {
    "tweet_image": ("image/jpeg", "image/png", "image/webp", "image/gif", "image/bmp",
                    "image/pjpeg", "image/tiff"),
    "tweet_gif": ("image/gif",),
    "tweet_video": ("video/mp4", "video/quicktime", "video/webm", "video/mp2t"),
    "amplify_video": ("video/mp4", "video/quicktime", "video/webm", "video/mp2t"),
}


def resolve(rest: list[str], method: str) -> Route | None:
    if rest[:2] != ["media", "upload"] and rest != ["media", "metadata"]:
        return None
    if rest == ["media", "metadata"] and method == "POST":
        return Route("x", "media_metadata", metadata)
    if rest == ["media", "upload"]:
        if method == "GET":
            return Route("x", "media_status", status)
        if method == "POST":
            return Route("x", "media_upload", one_shot)
    if rest == ["media", "upload", "initialize"] and method == "POST":
        return Route("x", "media_upload", initialize)
    if len(rest) == 4 and rest[3] in ("append", "finalize") and method == "POST":
        handler = append if rest[3] == "append" else finalize
        return Route("x", "media_upload", handler, {"id": rest[2]})
    return None


def _media_key(record: dict[str, Any]) -> str:
    prefix = {"tweet_image": "3", "tweet_gif": "16"}.get(record["category"], "7")
    return f"{prefix}_{record['id']}"


def _owned(app: Sandbox, caller: Caller, media_id: str, *, parameter: str) -> dict[str, Any]:
    record = app.state["x_media"].get(media_id)
    if (not record or caller.user_id not in record["owners"]
            or app.state.now() > record["created_ts"] + EXPIRES_SECS):
        raise x_errors.invalid("Your media IDs are invalid.", parameter, media_id)
    return record


def _check_json(request: Request, schema: str) -> dict[str, Any]:
    body = request.json
    if request.json_error or not isinstance(body, dict):
        raise x_errors.invalid("Request body must be a JSON object.")
    try:
        validate(body, schema)
    except SchemaError as exc:
        raise x_errors.invalid(exc.message, exc.parameter) from exc
    return body


def initialize(app: Sandbox, request: Request) -> Reply:
    caller = authenticate(app.state, request, user_context=True)
    body = _check_json(request, "InitializeMediaUploadRequest")
    for needed in ("media_type", "total_bytes"):
        if needed not in body:
            raise x_errors.invalid(f"`{needed}` is required.", needed)
    category = body.get("media_category") or (
        "tweet_video" if body["media_type"].startswith("video/") else
        "tweet_gif" if body["media_type"] == "image/gif" else "tweet_image")
    if category not in CATEGORY_TYPES or body["media_type"] not in CATEGORY_TYPES[category]:
        raise x_errors.invalid(f"media_type {body['media_type']} does not fit media_category "
                               f"{category}.", "media_type", body["media_type"])
    limit = {"tweet_image": IMAGE_MAX, "tweet_gif": GIF_MAX}.get(category, VIDEO_MAX)
    if body["total_bytes"] > limit:
        raise x_errors.invalid(f"total_bytes must be at most {limit} for {category}.",
                               "total_bytes", body["total_bytes"])
    state = app.state
    with state.change():
        media_id = state.new_id("x")
        record = {"id": media_id, "owners": [caller.user_id, *body.get("additional_owners", [])],
                  "account": caller.account, "category": category,
                  "media_type": body["media_type"], "total_bytes": body["total_bytes"],
                  "created_ts": state.now(), "segments": {}, "state": "uploading",
                  "alt_text": None, "sha256": None, "used": False}
        state["x_media"][media_id] = record
    return Reply(200, {"data": {"id": media_id, "media_key": _media_key(record),
                                "expires_after_secs": EXPIRES_SECS}})


def _open_upload(app: Sandbox, request: Request) -> tuple[str, dict[str, Any]]:
    """The id and record of the caller's upload named in ``/2/media/upload/{id}/...``,
    still taking segments."""
    caller = authenticate(app.state, request, user_context=True)
    media_id = request.args["id"]
    record = _owned(app, caller, media_id, parameter="id")
    if record["state"] != "uploading":
        raise x_errors.invalid("This upload is already finalized.", "id", media_id)
    return media_id, record


def append(app: Sandbox, request: Request) -> Reply:
    media_id, record = _open_upload(app, request)
    chunk = request.part_bytes("media")
    if chunk is None and isinstance(request.json, dict) and "media" in request.json:
        try:
            chunk = base64.b64decode(request.json["media"], validate=True)
        except ValueError as exc:
            raise x_errors.invalid("`media` is not valid base64.", "media") from exc
    if chunk is None:
        raise x_errors.invalid("`media` is required.", "media")
    raw_index = request.form.get("segment_index")
    if raw_index is None and isinstance(request.json, dict):
        raw_index = request.json.get("segment_index")
    try:
        index = int(raw_index)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise x_errors.invalid("`segment_index` is required (0-999).", "segment_index") from exc
    if not 0 <= index <= 999:
        raise x_errors.invalid("`segment_index` must be between 0 and 999.", "segment_index",
                               index)
    if len(chunk) > 5 * 1024 * 1024:
        raise x_errors.invalid("A segment may be at most 5 MB.", "media")
    with app.state.change():
        app.state.put_chunk(f"x{media_id}", index, chunk)
        record["segments"][str(index)] = len(chunk)
    return Reply(200, {"data": {"expires_at": int(record["created_ts"] + EXPIRES_SECS)}})


def finalize(app: Sandbox, request: Request) -> Reply:
    media_id, record = _open_upload(app, request)
    indexes = sorted(int(i) for i in record["segments"])
    if indexes != list(range(len(indexes))) or not indexes:
        raise x_errors.invalid("Segments are missing: append segment_index 0, 1, 2, ... "
                               "before finalize.", "id", media_id)
    received = sum(record["segments"].values())
    if received != record["total_bytes"]:
        raise x_errors.invalid(f"File size mismatch: total_bytes was {record['total_bytes']}, "
                               f"received {received}.", "total_bytes", record["total_bytes"])
    with app.state.change():
        if record["state"] != "uploading":  # a concurrent finalize got the lock first
            raise x_errors.invalid("This upload is already finalized.", "id", media_id)
        _store(app, record, app.state.join_chunks(f"x{media_id}", len(indexes)))
    if record["state"] == "failed":
        raise x_errors.invalid("Unsupported media type: not an image X accepts.", "id", media_id)
    return Reply(200, {"data": _describe(app, record, polling=False)})


def one_shot(app: Sandbox, request: Request) -> Reply:
    caller = authenticate(app.state, request, user_context=True)
    raw = request.part_bytes("media")
    if raw is not None:
        data = raw
        category = request.form.get("media_category")
    elif isinstance(request.json, dict):
        body = _check_json(request, "MediaUploadRequest")
        try:
            data = base64.b64decode(body["media"], validate=True)
        except ValueError as exc:
            raise x_errors.invalid("`media` is not valid base64.", "media") from exc
        category = body["media_category"]
    else:
        raise x_errors.invalid("`media` is required.", "media")
    if category not in ("tweet_image", "tweet_gif", None):
        raise x_errors.invalid("The one-shot upload takes images; use initialize/append/"
                               "finalize for video.", "media_category", category)
    info = _sniff_image(data)
    if not info:
        raise x_errors.invalid("Unsupported media type: not an image X accepts.", "media")
    category = category or ("tweet_gif" if info.mime == "image/gif" else "tweet_image")
    limit = GIF_MAX if category == "tweet_gif" else IMAGE_MAX
    if len(data) > limit:
        raise x_errors.invalid(f"Image is larger than {limit} bytes.", "media")
    owners = [caller.user_id]
    extra = request.form.get("additional_owners", "")
    owners += [o for o in extra.split(",") if o]
    state = app.state
    with state.change():
        media_id = state.new_id("x")
        record = {"id": media_id, "owners": owners, "account": caller.account,
                  "category": category, "media_type": info.mime, "total_bytes": len(data),
                  "created_ts": state.now(), "segments": {}, "state": "uploading",
                  "alt_text": None, "sha256": None, "used": False}
        state["x_media"][media_id] = record
        _store(app, record, data)
    return Reply(200, {"data": _describe(app, record, polling=False)})


def _sniff_image(data: bytes) -> ImageInfo | None:
    """The image's format and size if it is one X accepts (JPEG, PNG, GIF, WEBP)."""
    info = probe_image(data)
    if info is None or info.format not in ("JPEG", "MPO", "PNG", "GIF", "WEBP"):
        return None
    return info


def _store(app: Sandbox, record: dict[str, Any], data: bytes) -> None:
    record["sha256"] = app.state.put_media(data)
    record["size"] = len(data)
    record["segments"] = {}
    record["finalized_ts"] = app.state.now()
    category = record["category"]
    if category == "tweet_image":
        info = _sniff_image(data)
        record["state"] = "succeeded" if info else "failed"
        if info:
            record["w"], record["h"], record["mime"] = info.width, info.height, info.mime
    elif category == "tweet_gif":
        record["state"] = "pending"
        info = _sniff_image(data)
        record["valid"] = info is not None and info.mime == "image/gif"
        record["mime"] = "image/gif"
    else:
        record["state"] = "pending"
        record["problem"] = x_video_problem(probe_video(data))
        record["valid"] = record["problem"] is None
        record["mime"] = record["media_type"]


def _advance(app: Sandbox, record: dict[str, Any]) -> None:
    """Move a video or GIF one step along its processing."""
    if record["state"] == "pending":
        record["state"] = "in_progress"
    elif record["state"] == "in_progress":
        elapsed = app.state.now() - record["finalized_ts"]
        if elapsed >= app.state.settings["x_processing_secs"]:
            record["state"] = "succeeded" if record.get("valid") else "failed"


def _describe(app: Sandbox, record: dict[str, Any], *, polling: bool) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": record["id"], "media_key": _media_key(record), "size": record.get("size"),
        "expires_after_secs": max(0, int(record["created_ts"] + EXPIRES_SECS
                                         - app.state.now()))}
    if record["category"] == "tweet_image" and record["state"] == "succeeded":
        kind = record["mime"].split("/")[1]
        data["image"] = {"image_type": f"image/{kind}", "w": record["w"], "h": record["h"]}
    if record["category"] != "tweet_image" or polling:
        info: dict[str, Any] = {"state": record["state"]}
        if record["state"] in ("pending", "in_progress"):
            info["check_after_secs"] = 1
            info["progress_percent"] = 0 if record["state"] == "pending" else 50
        elif record["state"] == "succeeded":
            info["progress_percent"] = 100
        else:
            reason = record.get("problem") or "UnsupportedMedia"
            info["error"] = {"code": 1, "name": "InvalidMedia",
                             "message": f"Invalid or Unsupported media, Reason: {reason}."}
        data["processing_info"] = info
        if record["category"] != "tweet_image" and record["state"] == "succeeded":
            data["video"] = {"video_type": record["mime"]}
    return data


def status(app: Sandbox, request: Request) -> Reply:
    caller = authenticate(app.state, request, user_context=True)
    if request.query.get("command") != "STATUS":
        raise x_errors.invalid("`command` must be STATUS.", "command",
                               request.query.get("command", ""))
    media_id = request.query.get("media_id", "")
    record = _owned(app, caller, media_id, parameter="media_id")
    if record["state"] == "uploading":
        raise x_errors.invalid("This upload is not finalized yet.", "media_id", media_id)
    with app.state.change():
        _advance(app, record)
    return Reply(200, {"data": _describe(app, record, polling=True)})


def metadata(app: Sandbox, request: Request) -> Reply:
    caller = authenticate(app.state, request, user_context=True)
    body = _check_json(request, "CreateMediaMetadataRequest")
    record = _owned(app, caller, body["id"], parameter="id")
    alt = ((body.get("metadata") or {}).get("alt_text") or {}).get("text")
    with app.state.change():
        if alt is not None:
            record["alt_text"] = alt
    return Reply(200, {"data": {"id": record["id"],
                                "associated_metadata": body.get("metadata") or {}}})


def claim_for_post(app: Sandbox, caller: Caller, media_ids: list[str]) -> list[dict[str, Any]]:
    """Check the media ids of a new post and describe them for the post record."""
    records = [_owned(app, caller, media_id, parameter="media.media_ids")
               for media_id in media_ids]
    for record in records:
        if record["state"] != "succeeded":
            raise x_errors.invalid(f"Media {record['id']} is not ready: its processing state "
                                   f"is {record['state']}.", "media.media_ids", record["id"])
    kinds = [r["category"] for r in records]
    if len(records) > 1 and any(kind != "tweet_image" for kind in kinds):
        raise x_errors.invalid("Your media IDs are invalid.", "media.media_ids",
                               ",".join(media_ids))
    return [{"media_id": r["id"], "media_key": _media_key(r), "sha256": r["sha256"],
             "mime": r["mime"], "kind": "photo" if r["category"] == "tweet_image" else
             ("gif" if r["category"] == "tweet_gif" else "video"), "alt_text": r["alt_text"]}
            for r in records]
