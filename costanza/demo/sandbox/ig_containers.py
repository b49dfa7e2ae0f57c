"""Instagram containers: ``POST /{ig-user-id}/media`` makes one, ``GET /{container-id}`` reads it.

- A container is a photo (``image_url``, ``caption``, ``alt_text``), a Reel
  (``media_type=REELS`` with ``video_url`` or ``upload_type=resumable``), a
  carousel item (``is_carousel_item=true``, photos or ``media_type=VIDEO``) or
  a carousel (``media_type=CAROUSEL``, ``children`` 2-10 item containers).
- ``image_url`` and ``video_url`` are fetched at once and checked
  (``ig_checks``).
- Containers are ``IN_PROGRESS`` for ``ig_processing_secs`` of sandbox time,
  then ``FINISHED``; ``EXPIRED`` 24 h after creation unless published;
  ``PUBLISHED`` after ``media_publish``; ``ERROR`` when their media was
  refused (a carousel, when one of its items was).

The top-level codes paired with the subcodes, and the caption (2207010) and
carousel (2207011) subcodes, are the sandbox's choice: clients should key on
the subcode.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from costanza.demo.sandbox import graph_errors
from costanza.demo.sandbox.fetch import FetchFailed
from costanza.demo.sandbox.graph_auth import authorize
from costanza.demo.sandbox.graph_version import version_of
from costanza.demo.sandbox.ig_checks import check_caption, fetch_error, store_image, store_video
from costanza.demo.sandbox.ig_user import acting_user
from costanza.demo.sandbox.messages import Reply, Request

if TYPE_CHECKING:
    from costanza.demo.sandbox.routes import Sandbox

EXPIRES_SECS = 24 * 3600
STATUS_TEXT = {
    "IN_PROGRESS": "In Progress: Media is still being processed.",
    "FINISHED": "Finished: Media has been uploaded and it is ready to be published.",
    "PUBLISHED": "Published: Media has been successfully published.",
    "EXPIRED": "Expired: The media container was not published within 24 hours.",
}


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("true", "1", "yes")


def create_container(app: Sandbox, request: Request) -> Reply:
    account, ig = acting_user(app, request)
    media_type = (request.param("media_type") or "").upper()
    is_item = _flag(request.param("is_carousel_item"))
    caption = request.param("caption") or ""
    if not is_item:
        check_caption(caption)
    record: dict[str, Any] = {
        "account": account, "ig_user_id": ig["ig_user_id"], "caption": caption,
        "is_carousel_item": is_item, "alt_text": request.param("alt_text"),
        "share_to_feed": request.param("share_to_feed"), "children": [],
        "error": None, "media_id": None, "parent": None, "sha256": None, "mime": None,
        "uploaded": True, "status": "IN_PROGRESS",
    }
    resumable = request.param("upload_type") == "resumable"
    if media_type == "CAROUSEL":
        _carousel(app, request, record)
    elif media_type in ("REELS", "VIDEO"):
        _video(app, request, record, media_type, resumable)
    elif media_type in ("", "IMAGE"):
        _image(app, request, record)
    else:
        raise graph_errors.bad_param(f"(#100) Invalid media_type: {media_type}",
                                     subcode=2207023)
    container_id = _save(app, record)
    body: dict[str, Any] = {"id": container_id}
    if resumable:
        body["uri"] = (f"{request.base_url}/ig-api-upload/{version_of(request.path)}/"
                       f"{container_id}")
    return Reply(200, body)


def _carousel(app: Sandbox, request: Request, record: dict[str, Any]) -> None:
    if record["is_carousel_item"]:
        raise graph_errors.bad_param("(#100) A carousel cannot be a carousel item")
    record["kind"] = "CAROUSEL"
    record["children"] = _check_children(app, record["account"],
                                         request.param("children") or "")


def _video(app: Sandbox, request: Request, record: dict[str, Any], media_type: str,
           resumable: bool) -> None:
    is_item = record["is_carousel_item"]
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
        return
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


def _image(app: Sandbox, request: Request, record: dict[str, Any]) -> None:
    url = request.param("image_url")
    if not url:
        raise graph_errors.bad_param("(#100) The parameter image_url is required.")
    record["kind"] = "IMAGE"
    record["image_url"] = url
    try:
        data, _ = app.fetch(url)
    except FetchFailed as exc:
        raise fetch_error(url, str(exc)) from exc
    store_image(app, record, data)


def _save(app: Sandbox, record: dict[str, Any]) -> str:
    """Give the container its id and clock, adopt its children; return the id."""
    state = app.state
    with state.change():
        container_id = state.new_id("ig")
        now = state.now()
        record.update({"id": container_id, "created_ts": now,
                       "ready_ts": now + state.settings["ig_processing_secs"]})
        for child in record["children"]:
            state["ig_containers"][child]["parent"] = container_id
        state["ig_containers"][container_id] = record
        state["nodes"][container_id] = {"kind": "container", "account": record["account"]}
    return container_id


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
