"""Instagram on the Graph API: published media and their comments; where the rest lives.

- ``GET /{ig-media-id}`` and ``GET /{ig-user-id}/media``: published posts.
- ``POST`` / ``GET /{ig-media-id}/comments``: a post's comments (in ``ig_comments``).
- Containers (``POST /{ig-user-id}/media``, ``GET /{container-id}``) are in
  ``ig_containers``, the checks of their media in ``ig_checks``, publishing
  and the daily cap in ``ig_publish``, the user in ``ig_user``; their
  handlers are importable from here too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from costanza.demo.sandbox import ig_comments
from costanza.demo.sandbox.graph_auth import (
    authorize,
    pick_fields,
    post_listing,
    requested_fields,
)
from costanza.demo.sandbox.ig_checks import CAPTION_MAX, IMAGE_MAX, store_video
from costanza.demo.sandbox.ig_comments import comment, list_comments
from costanza.demo.sandbox.ig_containers import (
    EXPIRES_SECS,
    STATUS_TEXT,
    create_container,
    get_container,
    status_code,
)
from costanza.demo.sandbox.ig_publish import DAY_SECS, publish, publishing_limit
from costanza.demo.sandbox.ig_user import acting_user, get_user
from costanza.demo.sandbox.messages import Reply, Request

if TYPE_CHECKING:
    from costanza.demo.sandbox.routes import Sandbox

__all__ = [
    "CAPTION_MAX", "DAY_SECS", "EXPIRES_SECS", "IMAGE_MAX", "STATUS_TEXT", "comment",
    "create_container", "get_container", "get_media", "get_user", "list_comments",
    "list_media", "publish", "publishing_limit", "status_code", "store_video",
]


def _media_json(app: Sandbox, post: dict[str, Any], fields: list[str],
                base_url: str = "") -> dict[str, Any]:
    account = app.state["accounts"][post["account"]]["instagram"]
    values: dict[str, Any] = {
        "id": post["id"], "caption": post["text"] or None, "permalink": post["permalink"],
        "timestamp": post["created_time"], "media_type": post["media_type"],
        "media_product_type": post["product_type"], "shortcode": post["shortcode"],
        "username": account["username"], "comments_count": ig_comments.count(app, post["id"]),
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
    _, ig = acting_user(app, request)
    fields = requested_fields(request, "id")
    return Reply(200, post_listing(request, "instagram", ig["ig_user_id"], app.state,
                                   lambda p: _media_json(app, p, fields, request.base_url)))
