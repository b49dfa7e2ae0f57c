"""Graph token endpoints: long-lived token exchange and ``debug_token``.

- ``GET /v26.0/oauth/access_token?grant_type=fb_exchange_token&client_id=…&
  client_secret=…&fb_exchange_token=TOKEN`` -> ``{access_token, token_type,
  expires_in}``: a long-lived user token for the same account. The sandbox has
  no app registry: any non-empty ``client_id``/``client_secret`` is accepted.
- ``GET /v26.0/debug_token?input_token=TOKEN`` -> ``{"data": {is_valid, type,
  scopes, expires_at, …}}``.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from costanza.demo.sandbox import graph_errors
from costanza.demo.sandbox.graph_auth import authenticate
from costanza.demo.sandbox.messages import Reply, Request

if TYPE_CHECKING:
    from costanza.demo.sandbox.routes import Sandbox

LONG_LIVED_SECS = 60 * 24 * 3600
SCOPES = {
    "fb_user": ["pages_show_list", "pages_read_engagement", "pages_manage_posts",
                "publish_video", "instagram_basic", "instagram_content_publish",
                "business_management"],
    "fb_page": ["pages_read_engagement", "pages_manage_posts", "publish_video"],
    "ig": ["instagram_basic", "instagram_content_publish"],
}


def exchange(app: Sandbox, request: Request) -> Reply:
    if request.param("grant_type") != "fb_exchange_token":
        raise graph_errors.bad_param("(#100) grant_type must be fb_exchange_token")
    if not request.param("client_id") or not request.param("client_secret"):
        raise graph_errors.error(101, "Error validating application. Invalid application ID.")
    info = app.state["tokens"].get(request.param("fb_exchange_token") or "")
    if not info or info["kind"] != "fb_user":
        raise graph_errors.invalid_token()
    if info["expired"]:
        raise graph_errors.expired_token()
    token = "EAASBXU" + secrets.token_hex(16)
    with app.state.change():
        app.state["tokens"][token] = {"kind": "fb_user", "account": info["account"],
                                      "expired": False, "secret": None}
    return Reply(200, {"access_token": token, "token_type": "bearer",
                       "expires_in": LONG_LIVED_SECS})


def debug(app: Sandbox, request: Request) -> Reply:
    authenticate(app, request)
    token = request.param("input_token") or ""
    info = app.state["tokens"].get(token)
    if not info or info["kind"] not in SCOPES:
        return Reply(200, {"data": {"is_valid": False, "error": {
            "code": 190, "message": "Invalid OAuth access token."}, "scopes": []}})
    account = app.state["accounts"][info["account"]]
    data: dict[str, Any] = {
        "app_id": "100000000000001", "application": "Costanza (sandbox)",
        "type": {"fb_user": "USER", "fb_page": "PAGE", "ig": "USER"}[info["kind"]],
        "is_valid": not info["expired"], "expires_at": 0, "data_access_expires_at": 0,
        "scopes": SCOPES[info["kind"]], "user_id": account["facebook"]["user_id"],
    }
    if info["kind"] == "fb_page":
        data["profile_id"] = account["facebook"]["page_id"]
    if info["expired"]:
        data["error"] = {"code": 190, "subcode": 463, "message": "Session has expired."}
    return Reply(200, {"data": data})
