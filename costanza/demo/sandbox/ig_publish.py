"""Instagram publishing: ``POST /{ig-user-id}/media_publish`` and the daily cap.

Publishing a container that is not finished gives 9007/2207027; publishing
one twice is refused; a carousel item is published through its carousel.
The daily cap (``ig_publish_limit`` per rolling 24 h; a carousel counts once,
read at ``GET /{ig-user-id}/content_publishing_limit``) gives code 9 /
subcode 2207042. The codes 9007 and 9 are the sandbox's choice: clients
should key on the subcode.
"""

from __future__ import annotations

import secrets
import string
from typing import TYPE_CHECKING, Any

from costanza.demo.sandbox import graph_errors
from costanza.demo.sandbox.ig_containers import status_code
from costanza.demo.sandbox.ig_user import acting_user
from costanza.demo.sandbox.messages import Reply, Request
from costanza.demo.sandbox.timefmt import graph_time

if TYPE_CHECKING:
    from costanza.demo.sandbox.routes import Sandbox

DAY_SECS = 24 * 3600


def _usage(app: Sandbox, ig_user_id: str) -> int:
    horizon = app.state.now() - DAY_SECS
    return sum(1 for p in app.state.posts_of("instagram", ig_user_id)
               if p["created_ts"] >= horizon)


def publish(app: Sandbox, request: Request) -> Reply:
    account, ig = acting_user(app, request)
    creation_id = request.param("creation_id") or ""
    with app.state.change():
        record = app.state["ig_containers"].get(creation_id)
        if not record or record["account"] != account:
            raise graph_errors.bad_param(f"(#100) Invalid creation_id: {creation_id}",
                                         subcode=2207027 if not creation_id else None)
        _check_publishable(app, record, ig)
        media_id = _record_post(app, record, ig)
    return Reply(200, {"id": media_id})


def _check_publishable(app: Sandbox, record: dict[str, Any], ig: dict[str, Any]) -> None:
    """Refuse a container that is not ready, already out or an item, or a full day."""
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
    limit = app.state.settings["ig_publish_limit"]
    if _usage(app, ig["ig_user_id"]) >= limit:
        raise graph_errors.error(9, "Application request limit reached", subcode=2207042,
                                 user_title="Daily limit reached",
                                 user_msg="You reached the maximum number of posts that "
                                          "can be published within 24 hours.")


def _record_post(app: Sandbox, record: dict[str, Any], ig: dict[str, Any]) -> str:
    """Put the published post on the account and mark its containers; return its id."""
    state = app.state
    account = record["account"]
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
        "reply_to": None, "parent_id": record["id"], "deleted": False,
    })
    state["nodes"][media_id] = {"kind": "ig_media", "account": account}
    record["status"] = "PUBLISHED"
    record["media_id"] = media_id
    for item in items:
        if item is not record:
            item["status"] = "PUBLISHED"
    return media_id


def publishing_limit(app: Sandbox, request: Request) -> Reply:
    _, ig = acting_user(app, request)
    fields = (request.param("fields") or "quota_usage").split(",")
    entry: dict[str, Any] = {}
    if "config" in fields:
        entry["config"] = {"quota_total": app.state.settings["ig_publish_limit"],
                           "quota_duration": DAY_SECS}
    if "quota_usage" in fields:
        entry["quota_usage"] = _usage(app, ig["ig_user_id"])
    return Reply(200, {"data": [entry]})
