"""graph.instagram.com: the Instagram API with Instagram Login (no Facebook Page).

Costanza routes that host to the sandbox under the prefix ``/ig-graph`` (see
``scheduler.http.routing.HOST_PREFIXES``). It answers, for Instagram-Login tokens
(kind ``ig_login``, ``IGAASBX...``) and only for them, as the Instagram Platform docs say:

- ``GET /ig-graph/access_token?grant_type=ig_exchange_token&client_secret=…&
  access_token=SHORT`` -> ``{access_token, token_type, expires_in}``: a long-lived token
  (60 days). The sandbox has no app registry: any non-empty ``client_secret`` is accepted.
- ``GET /ig-graph/refresh_access_token?grant_type=ig_refresh_token&access_token=LONG``:
  a long-lived token at least 24 hours old and not expired -> a new one for 60 days.
- ``GET /ig-graph/{version}/me?fields=user_id,username,account_type``: ``id`` is the
  app-scoped id, ``user_id`` the professional account's id (the one publishing uses).
- Publishing, as on graph.facebook.com (the same handlers): ``POST /{ig-user-id}/media``,
  ``GET /{container-id}``, ``POST /{ig-user-id}/media_publish``,
  ``GET /{ig-user-id}/content_publishing_limit``, media, comments.

The token endpoints also take their parameters in a POST body (Costanza sends its secrets
so, never in a URL); the docs show GET. Errors are Graph-shaped
(``{"error": {message, type, code, fbtrace_id}}``). Facebook Login tokens are refused here,
and Instagram-Login tokens on graph.facebook.com, as on the real hosts.
"""

from __future__ import annotations

import re
import secrets
from typing import TYPE_CHECKING, Any

from costanza.demo.sandbox import graph_api, graph_errors
from costanza.demo.sandbox.graph_auth import authenticate, requested_fields, token_of
from costanza.demo.sandbox.messages import Reply, Request
from costanza.demo.sandbox.routes import Route

if TYPE_CHECKING:
    from costanza.demo.sandbox.routes import Sandbox
    from costanza.demo.sandbox.state import SandboxState

PREFIX = "/ig-graph"
KIND = "ig_login"
SHORT_LIVED_SECS = 3600
LONG_LIVED_SECS = 60 * 24 * 3600
REFRESH_AFTER_SECS = 24 * 3600
_PATH = re.compile(r"^/(?:(v\d+\.\d+)/)?([^/]+)(?:/([^/]+))?/?$")


def issue(state: SandboxState, account: str, *, long_lived: bool = False) -> str:
    """A new Instagram-Login token for ``account`` (short-lived: one hour)."""
    value = "IGAASBX" + secrets.token_hex(16)
    now = state.now()
    with state.change():
        state["tokens"][value] = {
            "kind": KIND, "account": account, "expired": False, "secret": None,
            "issued_ts": now, "long_lived": long_lived,
            "expires_ts": now + (LONG_LIVED_SECS if long_lived else SHORT_LIVED_SECS)}
    return value


def resolve(app: Sandbox, request: Request) -> Route | None:
    """The route of a graph.instagram.com request (its path without the prefix)."""
    full = request.path
    request.path = full[len(PREFIX):] or "/"
    try:
        return _resolve(app, request)
    finally:
        request.path = full


def _resolve(app: Sandbox, request: Request) -> Route | None:
    match = _PATH.match(request.path)
    if not match:
        return None
    version, node_id, edge = match.group(1), match.group(2), match.group(3) or ""
    on_host = {"ig_host": True}
    if request.method in ("GET", "POST") and not version and not edge:
        if node_id == "access_token":
            return Route("instagram", "ig_access_token", exchange, on_host)
        if node_id == "refresh_access_token":
            return Route("instagram", "ig_refresh_access_token", refresh, on_host)
    if node_id == "me":
        if not edge and request.method == "GET":
            return Route("instagram", "ig_login_me", get_me, on_host)
        user = _user_of(app, request)
        if user is None:
            return Route("instagram", "unknown", _refused, on_host)
        request.path = request.path.replace("/me", f"/{user}", 1)
    route = graph_api.resolve(app, request)
    if route is None:
        return None
    if route.network != "instagram" and route.endpoint != "version":
        return Route("instagram", "unknown", _refused, on_host)
    route.args = {**route.args, **on_host}
    return route


def _user_of(app: Sandbox, request: Request) -> str | None:
    info = app.state["tokens"].get(token_of(request) or "")
    if not info or info["kind"] != KIND:
        return None
    return str(app.state["accounts"][info["account"]]["instagram"]["ig_user_id"])


def _refused(app: Sandbox, request: Request) -> Reply:
    authenticate(app, request)
    raise graph_errors.unknown_path(request)


def _long_lived(app: Sandbox, account: str) -> Reply:
    token = issue(app.state, account, long_lived=True)
    return Reply(200, {"access_token": token, "token_type": "bearer",
                       "expires_in": LONG_LIVED_SECS})


def exchange(app: Sandbox, request: Request) -> Reply:
    if request.param("grant_type") != "ig_exchange_token":
        raise graph_errors.bad_param("(#100) grant_type must be ig_exchange_token")
    if not request.param("client_secret"):
        raise graph_errors.error(101, "Error validating application. Invalid application "
                                      "secret.")
    info = authenticate(app, request)
    if info["long_lived"]:
        raise graph_errors.bad_param("(#100) Only a short-lived access token can be "
                                     "exchanged for a long-lived one")
    return _long_lived(app, info["account"])


def refresh(app: Sandbox, request: Request) -> Reply:
    if request.param("grant_type") != "ig_refresh_token":
        raise graph_errors.bad_param("(#100) grant_type must be ig_refresh_token")
    info = authenticate(app, request)
    if not info["long_lived"]:
        raise graph_errors.bad_param("(#100) Only a long-lived access token can be refreshed")
    if app.state.now() - info["issued_ts"] < REFRESH_AFTER_SECS:
        raise graph_errors.bad_param("(#100) The access token must be at least 24 hours old "
                                     "to be refreshed")
    return _long_lived(app, info["account"])


def get_me(app: Sandbox, request: Request) -> Reply:
    info = authenticate(app, request)
    account = app.state["accounts"][info["account"]]
    ig = account["instagram"]
    values = {"user_id": ig["ig_user_id"], "username": ig["username"],
              "name": account["name"], "account_type": "BUSINESS",
              "media_count": len(app.state.posts_of("instagram", ig["ig_user_id"]))}
    out: dict[str, Any] = {"id": _app_scoped_id(ig["ig_user_id"])}
    for field in requested_fields(request, "id"):
        if field in values:
            out[field] = values[field]
    return Reply(200, out)


def _app_scoped_id(ig_user_id: str) -> str:
    """The app-scoped id of ``/me`` (not the professional account's id, as on Instagram)."""
    return str(int(ig_user_id) + 10**15)

