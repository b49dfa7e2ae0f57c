"""The sandbox's own JSON API under ``/_sandbox/``: accounts, posts, faults, settings, clock.

- ``POST /_sandbox/accounts`` ``{"name": "demo", "managed_by"?: "other"}`` -> credentials
  for all three networks (``managed_by``: that account's user manages this Page too)
- ``GET /_sandbox/accounts`` -> every account's credentials
- ``GET /_sandbox/posts[?network=x]`` -> every published post
- ``GET /_sandbox/containers`` -> Instagram containers; ``GET /_sandbox/x-media`` -> X media
- ``POST /_sandbox/faults`` (see ``faults.py``) -> the fault; ``GET`` lists; ``DELETE`` clears
- ``POST /_sandbox/permissions`` ``{"declined": ["instagram_content_publish"], "account"?}``
  -> each account's declined permissions (``/me/permissions`` says "declined",
  ``debug_token`` leaves them out of ``scopes``; ``[]`` grants all again)
- ``POST /_sandbox/expire-token`` ``{"network", "account"?, "token"?}``
- ``GET|POST /_sandbox/settings`` -> the settings (latency_ms, processing delays, limits)
- ``POST /_sandbox/clock`` ``{"advance_secs": N}`` -> sandbox time
- ``POST /_sandbox/reset`` -> forget everything
- ``GET /_sandbox/requests`` -> the last API calls (method, path, status; no secrets)
- ``GET /_sandbox/media/{sha256}[.jpg]`` -> stored media bytes
- ``POST /_sandbox/media`` (the raw bytes as body) -> ``{"sha256", "url"}``: the
  sandbox as a public media host (``[media_host] kind = "sandbox"``), for
  Instagram's ``image_url``; the address ends in the file's extension, as a web
  server's would
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from costanza.demo.sandbox import accounts
from costanza.demo.sandbox.comments import own_comments
from costanza.demo.sandbox.images import looks_like_video, probe_image
from costanza.demo.sandbox.messages import ApiError, Reply, Request
from costanza.demo.sandbox.routes import Route
from costanza.demo.sandbox.state import DEFAULT_SETTINGS, SandboxState

if TYPE_CHECKING:
    from costanza.demo.sandbox.routes import Sandbox

NETWORKS = ("x", "facebook", "instagram")
EXTENSIONS = {"JPEG": ".jpg", "MPO": ".jpg", "PNG": ".png", "GIF": ".gif", "WEBP": ".webp"}


def resolve(request: Request) -> Route | None:
    path, method = request.path.rstrip("/"), request.method
    simple = {
        ("/_sandbox/accounts", "POST"): create_accounts,
        ("/_sandbox/accounts", "GET"): list_accounts,
        ("/_sandbox/posts", "GET"): list_posts,
        ("/_sandbox/containers", "GET"): list_containers,
        ("/_sandbox/x-media", "GET"): list_x_media,
        ("/_sandbox/faults", "POST"): add_fault,
        ("/_sandbox/faults", "GET"): list_faults,
        ("/_sandbox/faults", "DELETE"): clear_faults,
        ("/_sandbox/expire-token", "POST"): expire_token,
        ("/_sandbox/permissions", "POST"): decline_permissions,
        ("/_sandbox/settings", "GET"): get_settings,
        ("/_sandbox/settings", "POST"): set_settings,
        ("/_sandbox/clock", "GET"): get_clock,
        ("/_sandbox/clock", "POST"): advance_clock,
        ("/_sandbox/reset", "POST"): reset,
        ("/_sandbox/requests", "GET"): requests_log,
        ("/_sandbox/media", "POST"): host_media,
    }
    handler = simple.get((path, method))
    if handler:
        return Route(None, path.rsplit("/", 1)[-1], handler)
    match = re.match(r"^/_sandbox/media/([0-9a-f]{64})(?:\.[a-z0-9]{1,5})?$", path)
    if match and method == "GET":
        return Route(None, "media", media, {"sha256": match.group(1)})
    return None


def _body(request: Request) -> dict[str, Any]:
    if request.json is None:
        return dict(request.form)
    if not isinstance(request.json, dict):
        raise ApiError(Reply(400, {"error": "expected a JSON object"}))
    return request.json


def create_accounts(app: Sandbox, request: Request) -> Reply:
    body = _body(request)
    name = str(body.get("name") or "demo")
    managed_by = body.get("managed_by")
    if managed_by is not None and managed_by not in app.state["accounts"]:
        raise ApiError(Reply(400, {"error": f"no account called {managed_by!r}"}))
    return Reply(200, accounts.create(app.state, name, managed_by))


def decline_permissions(app: Sandbox, request: Request) -> Reply:
    from costanza.demo.sandbox.graph_tokens import IG_LOGIN_SCOPES, SCOPES

    body = _body(request)
    declined, account = body.get("declined"), body.get("account")
    known = [*SCOPES["fb_user"], *IG_LOGIN_SCOPES]
    if not isinstance(declined, list) or not all(p in known for p in declined):
        raise ApiError(Reply(400, {"error": f"declined must be a list of {known}"}))
    if account is not None and account not in app.state["accounts"]:
        raise ApiError(Reply(400, {"error": f"no account called {account!r}"}))
    return Reply(200, accounts.decline_permissions(app.state, declined, account))


def list_accounts(app: Sandbox, request: Request) -> Reply:
    with app.state.lock:
        names = list(app.state["accounts"])
        return Reply(200, [accounts.credentials(app.state, name) for name in names])


def post_view(state: SandboxState, post: dict[str, Any]) -> dict[str, Any]:
    """A post as the control API shows it; ``comments``: what the account itself wrote
    under it (a first comment), from ``state["comments"]``."""
    view = {key: value for key, value in post.items() if key != "created_ts"}
    view["media_sha256"] = [m["sha256"] for m in post["media"]]
    view["comments"] = own_comments(state, post["network"], post["id"])
    return view


def list_posts(app: Sandbox, request: Request) -> Reply:
    network = request.query.get("network")
    if network and network not in NETWORKS:
        raise ApiError(Reply(400, {"error": f"network must be one of {NETWORKS}"}))
    with app.state.lock:
        posts = sorted((p for p in app.state["posts"].values()
                        if not network or p["network"] == network),
                       key=lambda p: (p["created_ts"], p["id"]))
        return Reply(200, [post_view(app.state, p) for p in posts])


def list_containers(app: Sandbox, request: Request) -> Reply:
    from costanza.demo.sandbox.instagram import status_code

    with app.state.lock:
        items = [{**c, "status_code": status_code(app, c)}
                 for c in app.state["ig_containers"].values()]
    return Reply(200, items)


def list_x_media(app: Sandbox, request: Request) -> Reply:
    with app.state.lock:
        return Reply(200, list(app.state["x_media"].values()))


def add_fault(app: Sandbox, request: Request) -> Reply:
    try:
        fault = app.faults.add(_body(request))
    except (TypeError, ValueError) as exc:
        raise ApiError(Reply(400, {"error": str(exc)})) from exc
    return Reply(200, fault.describe())


def list_faults(app: Sandbox, request: Request) -> Reply:
    return Reply(200, app.faults.list())


def clear_faults(app: Sandbox, request: Request) -> Reply:
    app.faults.clear()
    return Reply(200, {"cleared": True})


def expire_token(app: Sandbox, request: Request) -> Reply:
    body = _body(request)
    network = body.get("network")
    if network not in NETWORKS:
        raise ApiError(Reply(400, {"error": f"network must be one of {NETWORKS}"}))
    count = accounts.expire_tokens(app.state, network, body.get("account"), body.get("token"))
    return Reply(200, {"expired": count})


def get_settings(app: Sandbox, request: Request) -> Reply:
    return Reply(200, dict(app.state.settings))


def set_settings(app: Sandbox, request: Request) -> Reply:
    body = _body(request)
    unknown = set(body) - set(DEFAULT_SETTINGS)
    if unknown:
        raise ApiError(Reply(400, {"error": f"unknown settings: {sorted(unknown)}"}))
    with app.state.change():
        app.state.settings.update(body)
    return Reply(200, dict(app.state.settings))


def get_clock(app: Sandbox, request: Request) -> Reply:
    return Reply(200, {"now": app.state.now(), "offset": app.state.data["clock_offset"]})


def advance_clock(app: Sandbox, request: Request) -> Reply:
    seconds = float(_body(request).get("advance_secs", 0))
    now = app.state.advance(seconds)
    return Reply(200, {"now": now, "offset": app.state.data["clock_offset"]})


def reset(app: Sandbox, request: Request) -> Reply:
    app.faults.clear()
    latency = app.state.settings.get("latency_ms", 0)
    app.state.reset()
    with app.state.change():
        app.state.settings["latency_ms"] = latency
    return Reply(200, {"reset": True})


def requests_log(app: Sandbox, request: Request) -> Reply:
    return Reply(200, app.requests_log())


def media(app: Sandbox, request: Request) -> Reply:
    data = app.state.get_media(request.args["sha256"])
    if data is None:
        raise ApiError(Reply(404, {"error": "no such media"}))
    info = probe_image(data)
    kind = info.mime if info else ("video/mp4" if looks_like_video(data)
                                   else "application/octet-stream")
    return Reply(200, data, {"Cache-Control": "max-age=86400"}, content_type=kind)


def host_media(app: Sandbox, request: Request) -> Reply:
    if not request.body:
        raise ApiError(Reply(400, {"error": "send the file's bytes as the request body"}))
    digest = app.state.put_media(request.body)
    info = probe_image(request.body)
    ext = EXTENSIONS.get(info.format, "") if info else (
        ".mp4" if looks_like_video(request.body) else "")
    return Reply(200, {"sha256": digest,
                       "url": f"{request.base_url}/_sandbox/media/{digest}{ext}"})
