"""Instagram content publishing: containers, publishing, media, comments, daily cap.

- ``POST /{ig-user-id}/media`` creates a container: a photo (``image_url``,
  ``caption``, ``alt_text``), a Reel (``media_type=REELS`` with ``video_url``
  or ``upload_type=resumable``), a carousel item (``is_carousel_item=true``,
  photos or ``media_type=VIDEO``) or a carousel (``media_type=CAROUSEL``,
  ``children`` 2-10 item containers).
- ``image_url`` is fetched over HTTP at once: unreachable gives code 9004 /
  subcode 2207052; not JPEG 9004/2207005; over 8 MB 9004/2207004; aspect ratio
  outside 4:5..1.91:1 36003/2207009. Widths outside 320..1440 are scaled (the
  container records the width Instagram would use), as Meta documents.
- ``video_url`` is fetched too; a failure shows up asynchronously, as
  ``status_code=ERROR``, as does a video PyAV cannot read, one not in H.264 or
  HEVC, or one outside ``ig_reel_min_secs``..``ig_reel_max_secs`` (third-party
  figures, so settings: 0 and 900 by default; 3 s is the figure quoted).
- Containers are ``IN_PROGRESS`` for ``ig_processing_secs`` of sandbox time,
  then ``FINISHED``; ``EXPIRED`` 24 h after creation unless published;
  ``PUBLISHED`` after ``media_publish``. Publishing a container that is not
  finished gives 9007/2207027; publishing one twice is refused.
- The daily cap (``ig_publish_limit`` per rolling 24 h; a carousel counts once)
  gives code 9 / subcode 2207042.

The subcodes come from platforms.md; the top-level codes paired with them
(9004, 36003, 9007, 9) and the caption (2207010) and carousel (2207011)
subcodes are the sandbox's choice: clients should key on the subcode.
"""

from __future__ import annotations

import json
import secrets
import string
from typing import TYPE_CHECKING, Any

from costanza.demo.sandbox import graph_errors
from costanza.demo.sandbox.fetch import FetchFailed
from costanza.demo.sandbox.graph_auth import (
    authorize,
    pick_fields,
    post_listing,
    requested_fields,
)
from costanza.demo.sandbox.images import looks_like_video, probe_image
from costanza.demo.sandbox.messages import Reply, Request
from costanza.demo.sandbox.timefmt import graph_time
from costanza.demo.sandbox.video import probe_video

if TYPE_CHECKING:
    from costanza.demo.sandbox.routes import Sandbox

IMAGE_MAX = 8 * 1024 * 1024
EXPIRES_SECS = 24 * 3600
DAY_SECS = 24 * 3600
CAPTION_MAX = 2200
STATUS_TEXT = {
    "IN_PROGRESS": "In Progress: Media is still being processed.",
    "FINISHED": "Finished: Media has been uploaded and it is ready to be published.",
    "PUBLISHED": "Published: Media has been successfully published.",
    "EXPIRED": "Expired: The media container was not published within 24 hours.",
}


def _user(app: Sandbox, request: Request) -> tuple[str, dict[str, Any]]:
    account = request.args["node"]["account"]
    authorize(app, request, account, network="instagram")
    return account, app.state["accounts"][account]["instagram"]


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("true", "1", "yes")


def _fetch_error(url: str, reason: str) -> graph_errors.ApiError:
    return graph_errors.error(
        9004, "Media download has failed.: The media could not be fetched from this uri: "
              f"{url}", subcode=2207052, transient=False, user_title="Media download failed",
        user_msg="The media could not be fetched from this uri. Please check the media url, "
                 f"it must be publicly reachable. ({reason})")


# -- containers ----------------------------------------------------------------


def create_container(app: Sandbox, request: Request) -> Reply:
    account, ig = _user(app, request)
    media_type = (request.param("media_type") or "").upper()
    is_item = _flag(request.param("is_carousel_item"))
    caption = request.param("caption") or ""
    if not is_item:
        _check_caption(caption)
    record: dict[str, Any] = {
        "account": account, "ig_user_id": ig["ig_user_id"], "caption": caption,
        "is_carousel_item": is_item, "alt_text": request.param("alt_text"),
        "share_to_feed": request.param("share_to_feed"), "children": [],
        "error": None, "media_id": None, "parent": None, "sha256": None, "mime": None,
        "uploaded": True, "status": "IN_PROGRESS",
    }
    resumable = request.param("upload_type") == "resumable"
    if media_type == "CAROUSEL":
        if is_item:
            raise graph_errors.bad_param("(#100) A carousel cannot be a carousel item")
        record["kind"] = "CAROUSEL"
        record["children"] = _check_children(app, account, request.param("children") or "")
    elif media_type in ("REELS", "VIDEO"):
        if media_type == "VIDEO" and not is_item:
            raise graph_errors.bad_param("(#100) media_type VIDEO is for carousel items; "
                                         "publish a single video as REELS", subcode=2207023)
        if media_type == "REELS" and is_item:
            raise graph_errors.bad_param("(#100) A carousel item video uses media_type=VIDEO",
                                         subcode=2207023)
        record["kind"] = media_type
        if resumable:
            record["uploaded"] = False
            record["upload"] = {"received": 0, "chunks": 0}
        else:
            url = request.param("video_url")
            if not url:
                raise graph_errors.bad_param("(#100) The parameter video_url is required")
            record["video_url"] = url
            try:
                data, _ = app.fetch(url)
            except FetchFailed as exc:
                record["error"] = ("Error: Media download has failed. The media could not be "
                                   f"fetched from this uri ({exc}). 2207052")
            else:
                store_video(app, record, data)
    elif media_type in ("", "IMAGE"):
        url = request.param("image_url")
        if not url:
            raise graph_errors.bad_param("(#100) The parameter image_url is required.")
        record["kind"] = "IMAGE"
        record["image_url"] = url
        try:
            data, _ = app.fetch(url)
        except FetchFailed as exc:
            raise _fetch_error(url, str(exc)) from exc
        _store_image(app, record, data)
    else:
        raise graph_errors.bad_param(f"(#100) Invalid media_type: {media_type}",
                                     subcode=2207023)
    state = app.state
    with state.change():
        container_id = state.new_id("ig")
        now = state.now()
        record.update({"id": container_id, "created_ts": now,
                       "ready_ts": now + state.settings["ig_processing_secs"]})
        for child in record["children"]:
            state["ig_containers"][child]["parent"] = container_id
        state["ig_containers"][container_id] = record
        state["nodes"][container_id] = {"kind": "container", "account": account}
    body: dict[str, Any] = {"id": container_id}
    if resumable:
        from costanza.demo.sandbox.graph_version import VERSION

        body["uri"] = f"{request.base_url}/ig-api-upload/{VERSION}/{container_id}"
    return Reply(200, body)


def _check_caption(caption: str) -> None:
    if len(caption) > CAPTION_MAX:
        raise graph_errors.bad_param(f"(#100) The caption is longer than {CAPTION_MAX} "
                                     "characters.", subcode=2207010)
    words = caption.split()
    if sum(1 for w in words if w.startswith("#")) > 30:
        raise graph_errors.bad_param("(#100) The caption has more than 30 hashtags.",
                                     subcode=2207010)
    if sum(1 for w in words if w.startswith("@")) > 20:
        raise graph_errors.bad_param("(#100) The caption has more than 20 @mentions.",
                                     subcode=2207010)


def _store_image(app: Sandbox, record: dict[str, Any], data: bytes) -> None:
    info = probe_image(data)
    if info is None or info.format not in ("JPEG", "MPO"):
        raise graph_errors.error(9004, "The image format is not supported. Supported formats "
                                       "are: JPEG", subcode=2207005,
                                 user_title="Unsupported image format")
    if len(data) > IMAGE_MAX:
        raise graph_errors.error(9004, "The image is too large to download. It should be less "
                                       "than 8 MiB.", subcode=2207004,
                                 user_title="Image too large")
    ratio = info.width / info.height
    if not 0.8 - 1e-3 <= ratio <= 1.91 + 1e-3:
        raise graph_errors.error(36003, f"The submitted image with aspect ratio "
                                        f"('{info.width}/{info.height}') cannot be published. "
                                        "Please submit an image with a valid aspect ratio.",
                                 subcode=2207009, user_title="Invalid aspect ratio")
    width = min(1440, max(320, info.width))
    record.update({"sha256": app.state.put_media(data), "mime": "image/jpeg",
                   "width": width, "height": round(width / ratio),
                   "source_width": info.width, "source_height": info.height})


def store_video(app: Sandbox, record: dict[str, Any], data: bytes) -> None:
    info = probe_video(data) if looks_like_video(data) else None
    if info is None or info.codec not in ("h264", "hevc"):
        record["error"] = ("Error: Media upload has failed with error code 2207026: the video "
                           "format is not supported. Use MP4 or MOV with H.264 or HEVC.")
        return
    low, high = app.state.settings["ig_reel_min_secs"], app.state.settings["ig_reel_max_secs"]
    if not low <= info.duration <= high:
        record["error"] = (f"Error: Media upload has failed with error code 2207026: the video "
                           f"lasts {info.duration:.1f} s; Reels take {low:g} to {high:g} s.")
        return
    record.update({"sha256": app.state.put_media(data), "mime": "video/mp4",
                   "size": len(data)})


def _check_children(app: Sandbox, account: str, raw: str) -> list[str]:
    if raw.strip().startswith("["):  # a JSON list is accepted as well as "ID1,ID2"
        try:
            raw = ",".join(str(c) for c in json.loads(raw))
        except (ValueError, TypeError):
            raw = ""
    children = [c.strip() for c in raw.split(",") if c.strip()]
    if not 2 <= len(children) <= 10:
        raise graph_errors.bad_param("(#100) A carousel needs between 2 and 10 children.",
                                     subcode=2207011)
    if len(set(children)) != len(children):
        raise graph_errors.bad_param("(#100) The same child appears twice in children.",
                                     subcode=2207011)
    for child in children:
        record = app.state["ig_containers"].get(child)
        if not record or record["account"] != account or not record["is_carousel_item"]:
            raise graph_errors.bad_param(f"(#100) Invalid child: {child} is not a carousel item "
                                         "container of this account.", subcode=2207011)
        if record["parent"]:
            raise graph_errors.bad_param(f"(#100) Child {child} already belongs to another "
                                         "carousel.", subcode=2207011)
    return children


def status_code(app: Sandbox, record: dict[str, Any]) -> str:
    if record["status"] == "PUBLISHED":
        return "PUBLISHED"
    if record["error"]:
        return "ERROR"
    now = app.state.now()
    if now > record["created_ts"] + EXPIRES_SECS:
        return "EXPIRED"
    if not record["uploaded"] or now < record["ready_ts"]:
        return "IN_PROGRESS"
    if record["kind"] == "CAROUSEL":
        states = [status_code(app, app.state["ig_containers"][c]) for c in record["children"]]
        if "ERROR" in states:
            return "ERROR"
        if "EXPIRED" in states:
            return "EXPIRED"
        if "IN_PROGRESS" in states:
            return "IN_PROGRESS"
    return "FINISHED"


def _status_text(app: Sandbox, record: dict[str, Any], code: str) -> str:
    if code == "ERROR":
        if record["error"]:
            return record["error"]
        return "Error: a carousel item failed to process."
    return STATUS_TEXT[code]


def get_container(app: Sandbox, request: Request) -> Reply:
    record = app.state["ig_containers"][request.args["id"]]
    authorize(app, request, record["account"], network="instagram")
    code = status_code(app, record)
    values = {"id": record["id"], "status_code": code, "status": _status_text(app, record, code),
              "video_status": {"uploading_phase": {"status": "complete" if record["uploaded"]
                                                   else "not_started"}}
              if record["kind"] in ("REELS", "VIDEO") else None}
    out = {"id": record["id"]}
    for field in (request.param("fields") or "id").split(","):
        field = field.strip()
        if values.get(field) is not None:
            out[field] = values[field]
    return Reply(200, out)


# -- publishing ------------------------------------------------------------------


def _usage(app: Sandbox, ig_user_id: str) -> int:
    horizon = app.state.now() - DAY_SECS
    return sum(1 for p in app.state.posts_of("instagram", ig_user_id)
               if p["created_ts"] >= horizon)


def publish(app: Sandbox, request: Request) -> Reply:
    account, ig = _user(app, request)
    creation_id = request.param("creation_id") or ""
    state = app.state
    with state.change():
        record = state["ig_containers"].get(creation_id)
        if not record or record["account"] != account:
            raise graph_errors.bad_param(f"(#100) Invalid creation_id: {creation_id}",
                                         subcode=2207027 if not creation_id else None)
        code = status_code(app, record)
        if code == "PUBLISHED":
            raise graph_errors.bad_param("(#100) This media container has already been "
                                         "published.")
        if code == "EXPIRED":
            raise graph_errors.error(9007, "Media ID is not available: the container expired "
                                           "(not published within 24 hours).", subcode=2207027,
                                     user_title="Media expired")
        if code == "ERROR":
            raise graph_errors.error(9007, "Media ID is not available: processing failed.",
                                     subcode=2207027)
        if code == "IN_PROGRESS":
            raise graph_errors.error(9007, "Media ID is not available", subcode=2207027,
                                     user_title="Media not ready for publishing",
                                     user_msg="The media is not ready for publishing, please "
                                              "wait for a moment")
        if record["is_carousel_item"]:
            raise graph_errors.bad_param("(#100) A carousel item is published through its "
                                         "carousel container.")
        limit = state.settings["ig_publish_limit"]
        if _usage(app, ig["ig_user_id"]) >= limit:
            raise graph_errors.error(9, "Application request limit reached", subcode=2207042,
                                     user_title="Daily limit reached",
                                     user_msg="You reached the maximum number of posts that "
                                              "can be published within 24 hours.")
        media_id = state.new_id("ig")
        shortcode = "".join(secrets.choice(string.ascii_letters + string.digits + "_-")
                            for _ in range(11))
        items = [record] if record["kind"] != "CAROUSEL" else \
            [state["ig_containers"][c] for c in record["children"]]
        media = [{"kind": "video" if item["kind"] in ("REELS", "VIDEO") else "photo",
                  "sha256": item["sha256"], "mime": item["mime"], "container_id": item["id"],
                  "alt_text": item.get("alt_text")} for item in items]
        now = state.now()
        path = "reel" if record["kind"] == "REELS" else "p"
        state.add_post(f"instagram:{media_id}", {
            "network": "instagram", "account": account, "account_id": ig["ig_user_id"],
            "id": media_id, "text": record["caption"], "media": media,
            "media_type": {"IMAGE": "IMAGE", "REELS": "VIDEO",
                           "CAROUSEL": "CAROUSEL_ALBUM"}[record["kind"]],
            "product_type": "REELS" if record["kind"] == "REELS" else "FEED",
            "shortcode": shortcode, "created_ts": now, "created_time": graph_time(now),
            "permalink": f"https://www.instagram.com/{path}/{shortcode}/",
            "reply_to": None, "parent_id": record["id"], "comments": [], "deleted": False,
        })
        state["nodes"][media_id] = {"kind": "ig_media", "account": account}
        record["status"] = "PUBLISHED"
        record["media_id"] = media_id
        for item in items:
            if item is not record:
                item["status"] = "PUBLISHED"
    return Reply(200, {"id": media_id})


def publishing_limit(app: Sandbox, request: Request) -> Reply:
    _, ig = _user(app, request)
    fields = (request.param("fields") or "quota_usage").split(",")
    entry: dict[str, Any] = {}
    if "config" in fields:
        entry["config"] = {"quota_total": app.state.settings["ig_publish_limit"],
                           "quota_duration": DAY_SECS}
    if "quota_usage" in fields:
        entry["quota_usage"] = _usage(app, ig["ig_user_id"])
    return Reply(200, {"data": [entry]})


# -- media and comments ------------------------------------------------------------


def _media_json(app: Sandbox, post: dict[str, Any], fields: list[str],
                base_url: str = "") -> dict[str, Any]:
    account = app.state["accounts"][post["account"]]["instagram"]
    values: dict[str, Any] = {
        "id": post["id"], "caption": post["text"] or None, "permalink": post["permalink"],
        "timestamp": post["created_time"], "media_type": post["media_type"],
        "media_product_type": post["product_type"], "shortcode": post["shortcode"],
        "username": account["username"], "comments_count": len(post["comments"]),
        "like_count": 0, "owner": {"id": post["account_id"]}, "is_comment_enabled": True,
    }
    if post["media"] and post["media"][0].get("sha256"):
        values["media_url"] = f"{base_url}/_sandbox/media/{post['media'][0]['sha256']}"
    if post["media_type"] == "CAROUSEL_ALBUM":
        values["children"] = {"data": [{"id": m["container_id"]} for m in post["media"]]}
    return pick_fields(values, fields, post["id"])


def get_media(app: Sandbox, request: Request) -> Reply:
    post = app.state["posts"][f"instagram:{request.args['id']}"]
    authorize(app, request, post["account"], network="instagram")
    return Reply(200, _media_json(app, post, requested_fields(request, "id"), request.base_url))


def list_media(app: Sandbox, request: Request) -> Reply:
    _, ig = _user(app, request)
    fields = requested_fields(request, "id")
    return Reply(200, post_listing(request, "instagram", ig["ig_user_id"], app.state,
                                   lambda p: _media_json(app, p, fields, request.base_url)))


def comment(app: Sandbox, request: Request) -> Reply:
    post = app.state["posts"][f"instagram:{request.args['id']}"]
    authorize(app, request, post["account"], network="instagram")
    message = request.param("message") or ""
    if not message.strip():
        raise graph_errors.bad_param("(#100) The parameter message is required")
    if len(message) > CAPTION_MAX:
        raise graph_errors.bad_param("(#100) The comment is too long")
    with app.state.change():
        comment_id = app.state.new_id("ig")
        post["comments"].append({"id": comment_id, "text": message,
                                 "created_time": graph_time(app.state.now())})
    return Reply(200, {"id": comment_id})


def list_comments(app: Sandbox, request: Request) -> Reply:
    post = app.state["posts"][f"instagram:{request.args['id']}"]
    authorize(app, request, post["account"], network="instagram")
    return Reply(200, {"data": [{"id": c["id"], "text": c["text"],
                                 "timestamp": c["created_time"]} for c in post["comments"]]})


def get_user(app: Sandbox, request: Request) -> Reply:
    account, ig = _user(app, request)
    values = {"id": ig["ig_user_id"], "username": ig["username"],
              "name": app.state["accounts"][account]["name"],
              "media_count": len(app.state.posts_of("instagram", ig["ig_user_id"]))}
    out = {"id": ig["ig_user_id"]}
    for field in requested_fields(request, "id"):
        if field in values:
            out[field] = values[field]
    return Reply(200, out)
