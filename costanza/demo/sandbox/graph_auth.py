"""Graph API access tokens: where they are read from and what they may do."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from costanza.demo.sandbox import graph_errors
from costanza.demo.sandbox.messages import Request
from costanza.demo.sandbox.timefmt import graph_moment

if TYPE_CHECKING:
    from costanza.demo.sandbox.routes import Sandbox
    from costanza.demo.sandbox.state import SandboxState


def token_of(request: Request) -> str | None:
    header = request.headers.get("Authorization") or ""
    if header.lower().startswith(("bearer ", "oauth ")):
        return header.split(None, 1)[1].strip()
    return request.param("access_token")


# The tokens each host accepts: Facebook Login's on graph.facebook.com, Instagram Login's on
# graph.instagram.com (a route there carries ``ig_host`` in its args).
GRAPH_KINDS = ("fb_page", "fb_user", "ig")
IG_HOST_KINDS = ("ig_login",)


def authenticate(app: Sandbox, request: Request) -> dict[str, Any]:
    """The token's record, or a Graph 104/190 error."""
    token = token_of(request)
    if not token:
        raise graph_errors.missing_token()
    info = app.state["tokens"].get(token)
    kinds = IG_HOST_KINDS if request.args.get("ig_host") else GRAPH_KINDS
    if not info or info["kind"] not in kinds:
        raise graph_errors.invalid_token()
    if info["expired"] or ("expires_ts" in info and app.state.now() > info["expires_ts"]):
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
    if network == "facebook" and write and "pages_manage_posts" in (
            app.state["accounts"][account]["facebook"].get("declined") or ()):
        raise graph_errors.no_permission(
            "The user has not granted the app the pages_manage_posts permission")
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


def requested_fields(request: Request, default: str) -> list[str]:
    """The ``fields`` parameter as a list, or ``default`` (comma-separated) when it is absent."""
    return [f.strip() for f in (request.param("fields") or default).split(",") if f.strip()]


def pick_fields(values: dict[str, Any], fields: list[str], node_id: str) -> dict[str, Any]:
    """A node's JSON: its ``id`` and each requested field that has a (non-None) value."""
    out = {"id": node_id}
    for field in fields:
        if values.get(field) is not None:
            out[field] = values[field]
    return out


def post_listing(request: Request, network: str, account_id: str, state: SandboxState,
                 render: Callable[[dict[str, Any]], dict[str, Any]]) -> dict[str, Any]:
    """A Graph listing of one account's live posts, newest first, as ``{data, paging}``.

    Honours ``limit`` (1-100, default 25), ``since``/``until`` and the ``after`` cursor
    (a post id); ``render`` turns each post on the page into its JSON.
    """
    try:
        limit = min(100, max(1, int(request.param("limit") or 25)))
    except ValueError as exc:
        raise graph_errors.bad_param("(#100) limit must be an integer") from exc
    items = [p for p in state.posts_of(network, account_id) if not p["deleted"]]
    items.sort(key=lambda p: (p["created_ts"], p["id"]), reverse=True)
    since, until = graph_moment(request.param("since")), graph_moment(request.param("until"))
    if since is not None:
        items = [p for p in items if p["created_ts"] >= since]
    if until is not None:
        items = [p for p in items if p["created_ts"] <= until]
    after = request.param("after")
    if after:
        ids = [p["id"] for p in items]
        items = items[ids.index(after) + 1:] if after in ids else []
    page, rest = items[:limit], items[limit:]
    body: dict[str, Any] = {"data": [render(p) for p in page]}
    if page:
        body["paging"] = {"cursors": {"before": page[0]["id"], "after": page[-1]["id"]}}
        if rest:
            body["paging"]["next"] = next_page_url(request, page[-1]["id"], limit)
    return body
