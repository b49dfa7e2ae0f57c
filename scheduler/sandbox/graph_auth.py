"""Graph API access tokens: where they are read from and what they may do."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from scheduler.sandbox import graph_errors
from scheduler.sandbox.messages import Request

if TYPE_CHECKING:
    from scheduler.sandbox.app import Sandbox


def token_of(request: Request) -> str | None:
    header = request.headers.get("Authorization") or ""
    if header.lower().startswith(("bearer ", "oauth ")):
        return header.split(None, 1)[1].strip()
    return request.param("access_token")


def authenticate(app: Sandbox, request: Request) -> dict[str, Any]:
    """The token's record, or a Graph 104/190 error."""
    token = token_of(request)
    if not token:
        raise graph_errors.missing_token()
    info = app.state["tokens"].get(token)
    if not info or info["kind"] not in ("fb_page", "fb_user", "ig"):
        raise graph_errors.invalid_token()
    if info["expired"]:
        raise graph_errors.expired_token()
    return info


def authorize(app: Sandbox, request: Request, account: str, *, write: bool = False,
              network: str = "facebook") -> dict[str, Any]:
    """Check that the token may act for ``account`` on ``network``."""
    info = authenticate(app, request)
    if info["account"] != account:
        raise graph_errors.no_permission("The user hasn't authorized the application to "
                                         "perform this action")
    if network == "facebook" and write and info["kind"] != "fb_page":
        raise graph_errors.no_permission(
            "If posting to a page, requires both pages_read_engagement and pages_manage_posts "
            "as an admin with sufficient administrative permission")
    if network == "facebook" and info["kind"] == "ig":
        raise graph_errors.no_permission("This token cannot act on a Facebook Page.")
    return info


def next_page_url(request: Request, after: str, limit: int) -> str:
    """A listing's ``paging.next``: the same query (with the token, as Graph does) one page on."""
    params = {**request.query, **{k: v for k, v in request.form.items()
                                  if isinstance(v, str) and k != "access_token"}}
    token = token_of(request)
    if token:
        params["access_token"] = token
    params.update({"limit": str(limit), "after": after})
    return f"{request.base_url}{request.path}?{urlencode(params)}"
