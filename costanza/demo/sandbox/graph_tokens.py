"""Graph token endpoints: long-lived token exchange, ``debug_token`` and ``/me/permissions``.

- ``GET|POST /v26.0/oauth/access_token`` with ``grant_type=fb_exchange_token``,
  ``client_id``, ``client_secret``, ``fb_exchange_token=TOKEN`` (query string or POST
  body) -> ``{access_token, token_type, expires_in}``: a long-lived user token (60 days)
  for the same account. The sandbox has no app registry: any non-empty
  ``client_id``/``client_secret`` is accepted.
- ``GET /v26.0/debug_token?input_token=TOKEN`` (or ``POST`` with ``method=GET`` and
  ``input_token`` in the body, so that the token stays out of the address) -> ``{"data":
  {app_id, type, application, is_valid, issued_at, expires_at, data_access_expires_at,
  scopes, user_id, profile_id?}}``: ``expires_at`` 0 for a token that never expires (a
  Page token from a long-lived login), else a Unix time (about an hour for a short-lived
  login token and the Page tokens it gives, 60 days for a long-lived one). ``scopes`` are
  the permissions the login granted (not those declined).
- ``GET /v26.0/me/permissions`` (a user token) -> ``{"data": [{permission, status}]}``,
  status ``granted`` or ``declined``.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from costanza.demo.sandbox import graph_errors
from costanza.demo.sandbox.accounts import LONG_LIVED_SECS, declined_permissions
from costanza.demo.sandbox.graph_auth import authenticate
from costanza.demo.sandbox.messages import Reply, Request

if TYPE_CHECKING:
    from costanza.demo.sandbox.routes import Sandbox

DATA_ACCESS_SECS = 90 * 24 * 3600
SCOPES = {
    "fb_user": ["pages_show_list", "pages_read_engagement", "pages_manage_posts",
                "pages_manage_engagement", "publish_video", "instagram_basic",
                "instagram_content_publish", "instagram_manage_comments",
                "business_management"],
    "fb_page": ["pages_show_list", "pages_read_engagement", "pages_manage_posts",
                "pages_manage_engagement", "publish_video", "instagram_basic",
                "instagram_content_publish", "instagram_manage_comments",
                "business_management"],
    "ig": ["instagram_basic", "instagram_content_publish", "instagram_manage_comments"],
}
# What an Instagram Login grants (graph.instagram.com); ``POST /_sandbox/permissions`` may
# decline these too (kept with the account's declined Facebook permissions).
IG_LOGIN_SCOPES = ["instagram_business_basic", "instagram_business_content_publish",
                   "instagram_business_manage_comments"]


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
                                      "expired": False, "secret": None, "long_lived": True,
                                      "expires_ts": app.state.now() + LONG_LIVED_SECS}
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
    now = app.state.now()
    expires = int(info.get("expires_ts") or 0)
    lapsed = bool(expires) and expires <= now
    declined = declined_permissions(app.state, info["account"])
    data: dict[str, Any] = {
        "app_id": "100000000000001", "application": "Costanza (sandbox)",
        "type": {"fb_user": "USER", "fb_page": "PAGE", "ig": "USER"}[info["kind"]],
        "is_valid": not info["expired"] and not lapsed, "issued_at": int(now),
        "expires_at": expires, "data_access_expires_at": int(now + DATA_ACCESS_SECS),
        "scopes": [s for s in SCOPES[info["kind"]] if s not in declined],
        "user_id": account["facebook"]["user_id"],
    }
    if info["kind"] == "fb_page":
        data["profile_id"] = account["facebook"]["page_id"]
    if info["expired"] or lapsed:
        data["error"] = {"code": 190, "subcode": 463, "message": "Session has expired."}
    return Reply(200, {"data": data})


def permissions(app: Sandbox, request: Request) -> Reply:
    account = request.args["node"]["account"]
    info = authenticate(app, request)
    if info["account"] != account or info["kind"] != "fb_user":
        raise graph_errors.no_permission("A user access token is required to request this "
                                         "resource.")
    declined = declined_permissions(app.state, account)
    data = [{"permission": p, "status": "declined" if p in declined else "granted"}
            for p in ["public_profile", *SCOPES["fb_user"]]]
    return Reply(200, {"data": data})
