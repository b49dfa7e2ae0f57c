"""The Instagram user a request acts for, and its profile (``GET /{ig-user-id}``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from costanza.demo.sandbox.graph_auth import authorize, requested_fields
from costanza.demo.sandbox.messages import Reply, Request

if TYPE_CHECKING:
    from costanza.demo.sandbox.routes import Sandbox


def acting_user(app: Sandbox, request: Request) -> tuple[str, dict[str, Any]]:
    """The account named by the path and its Instagram record, once the token may act."""
    account = request.args["node"]["account"]
    authorize(app, request, account, network="instagram")
    return account, app.state["accounts"][account]["instagram"]


def get_user(app: Sandbox, request: Request) -> Reply:
    account, ig = acting_user(app, request)
    values = {"id": ig["ig_user_id"], "username": ig["username"],
              "name": app.state["accounts"][account]["name"],
              "media_count": len(app.state.posts_of("instagram", ig["ig_user_id"]))}
    out = {"id": ig["ig_user_id"]}
    for field in requested_fields(request, "id"):
        if field in values:
            out[field] = values[field]
    return Reply(200, out)
