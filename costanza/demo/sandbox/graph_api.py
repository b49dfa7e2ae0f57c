"""Graph API routing (``/v26.0/{id}/{edge}``) and access tokens, for Facebook and Instagram.

A Graph path names an object id (or ``me``) and maybe an edge. The object's
kind (page, post, photo, video, Instagram user, container, media) decides the
network and the handler. Parameters are read from the form body, the query
string or a JSON body; the access token from ``access_token`` or an
``Authorization: Bearer|OAuth`` header.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from costanza.demo.sandbox import (
    facebook,
    fb_cdn,
    fb_video,
    graph_comments,
    graph_errors,
    graph_tokens,
    ig_comments,
    instagram,
)
from costanza.demo.sandbox.graph_auth import authenticate, token_of
from costanza.demo.sandbox.graph_version import LATEST, is_known, is_live
from costanza.demo.sandbox.messages import Reply, Request
from costanza.demo.sandbox.routes import Handler, Route

if TYPE_CHECKING:
    from costanza.demo.sandbox.routes import Sandbox

_PATH = re.compile(r"^/(?:(v\d+\.\d+)/)?([^/]+)(?:/([^/]+))?/?$")

IG_KINDS = ("ig_user", "container", "ig_media", "ig_comment")
# (node kind, edge, method) -> (network, endpoint name, handler)
TABLE: dict[tuple[str, str, str], tuple[str, str, Handler]] = {
    ("page", "", "GET"): ("facebook", "page", facebook.get_page),
    ("page", "feed", "POST"): ("facebook", "feed", facebook.create_feed_post),
    ("page", "feed", "GET"): ("facebook", "posts", facebook.list_posts),
    ("page", "posts", "GET"): ("facebook", "posts", facebook.list_posts),
    ("page", "published_posts", "GET"): ("facebook", "posts", facebook.list_posts),
    ("page", "photos", "POST"): ("facebook", "photos", facebook.create_photo),
    ("page", "videos", "POST"): ("facebook", "videos", fb_video.create_video),
    ("fb_post", "", "GET"): ("facebook", "post", facebook.get_post),
    ("fb_post", "", "DELETE"): ("facebook", "post", facebook.delete_post),
    ("fb_post", "comments", "POST"): ("facebook", "comments", graph_comments.comment_on_post),
    ("fb_post", "comments", "GET"): ("facebook", "fb_comments", graph_comments.list_post_comments),
    ("fb_comment", "", "GET"): ("facebook", "fb_comment", graph_comments.get_comment),
    ("fb_comment", "", "POST"): ("facebook", "comment_hide", graph_comments.hide),
    ("fb_comment", "comments", "GET"): ("facebook", "fb_comments", graph_comments.list_replies),
    ("fb_comment", "comments", "POST"): ("facebook", "fb_reply", graph_comments.reply),
    ("photo", "", "GET"): ("facebook", "photo", facebook.get_photo),
    ("photo", "", "DELETE"): ("facebook", "photo", fb_cdn.delete_photo),
    ("video", "", "GET"): ("facebook", "video", fb_video.get_video),
    # A video published on the Page is a post too: its comments are on the video node.
    ("video", "comments", "POST"): ("facebook", "comments", graph_comments.comment_on_post),
    ("video", "comments", "GET"): ("facebook", "fb_comments", graph_comments.list_post_comments),
    ("fb_user", "", "GET"): ("facebook", "me", facebook.get_user),
    ("fb_user", "accounts", "GET"): ("facebook", "accounts", facebook.list_pages),
    ("fb_user", "permissions", "GET"): ("facebook", "permissions", graph_tokens.permissions),
    ("ig_user", "", "GET"): ("instagram", "ig_user", instagram.get_user),
    ("ig_user", "media", "POST"): ("instagram", "media", instagram.create_container),
    ("ig_user", "media", "GET"): ("instagram", "media_list", instagram.list_media),
    ("ig_user", "media_publish", "POST"): ("instagram", "media_publish", instagram.publish),
    ("ig_user", "content_publishing_limit", "GET"):
        ("instagram", "content_publishing_limit", instagram.publishing_limit),
    ("container", "", "GET"): ("instagram", "container", instagram.get_container),
    ("ig_media", "", "GET"): ("instagram", "ig_media", instagram.get_media),
    ("ig_media", "comments", "POST"): ("instagram", "comments", ig_comments.comment),
    ("ig_media", "comments", "GET"): ("instagram", "ig_comments", ig_comments.list_comments),
    ("ig_comment", "", "GET"): ("instagram", "ig_comment", ig_comments.get_comment),
    ("ig_comment", "", "POST"): ("instagram", "comment_hide", ig_comments.hide),
    ("ig_comment", "replies", "GET"): ("instagram", "ig_replies", ig_comments.list_replies),
    ("ig_comment", "replies", "POST"): ("instagram", "ig_reply", ig_comments.reply),
}


def resolve(app: Sandbox, request: Request) -> Route | None:
    match = _PATH.match(request.path)
    if not match:
        return None
    version, node_id, edge = match.group(1), match.group(2), match.group(3) or ""
    _merge_json(request)
    if version and not is_known(version):
        return Route("facebook", "version", _unknown_version(request.path))
    if version and not is_live(version, app.state.now()):
        return Route("facebook", "version", _deprecated_version(version))
    if node_id == "oauth" and edge == "access_token" and request.method in ("GET", "POST"):
        return Route("facebook", "oauth_access_token", graph_tokens.exchange)
    if node_id == "debug_token" and not edge and (
            request.method == "GET" or (request.param("method") or "").upper() == "GET"):
        return Route("facebook", "debug_token", graph_tokens.debug)
    if node_id == "me":
        info = app.state["tokens"].get(token_of(request) or "")
        if info and info["kind"] == "fb_page":
            node_id = app.state["accounts"][info["account"]]["facebook"]["page_id"]
        elif info and info["kind"] == "fb_user":
            node_id = app.state["accounts"][info["account"]]["facebook"]["user_id"]
        elif info and info["kind"] == "ig":
            node_id = app.state["accounts"][info["account"]]["instagram"]["ig_user_id"]
        else:
            return Route("facebook", "me", _check_token_only)
    node = app.state["nodes"].get(node_id)
    if node is None:
        return Route("facebook", "unknown", _unknown(node_id))
    entry = TABLE.get((node["kind"], edge, request.method))
    if entry is None:
        network = "instagram" if node["kind"] in IG_KINDS else "facebook"
        if edge:
            return Route(network, "unknown", _bad_edge(edge, node_id))
        return Route(network, "unknown", _unknown(node_id))
    network, endpoint, handler = entry
    return Route(network, endpoint, handler, {"id": _post_of(app, node, node_id, edge),
                                                  "node": node})


def _post_of(app: Sandbox, node: dict[str, Any], node_id: str, edge: str) -> str:
    """A published video's comments are those of its post (``{page-id}_{video-id}``)."""
    if node["kind"] != "video" or edge != "comments":
        return node_id
    return app.state["fb_videos"].get(node_id, {}).get("post_id") or node_id


def _merge_json(request: Request) -> None:
    if isinstance(request.json, dict):
        for key, value in request.json.items():
            if key not in request.form:
                request.form[key] = value if isinstance(value, str) else _json_text(value)


def _json_text(value: Any) -> str:
    import json

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value)


def node_id_of(request: Request) -> str:
    match = _PATH.match(request.path)
    return match.group(2) if match else ""


def _deprecated_version(version: str) -> Handler:
    def handler(app: Sandbox, request: Request) -> Reply:
        raise graph_errors.error(2635, f"(#2635) You are calling a deprecated version of the "
                                       f"Graph API ({version}). Please update to the latest "
                                       f"version: {LATEST}.")
    return handler


def _unknown_version(path: str) -> Handler:
    def handler(app: Sandbox, request: Request) -> Reply:
        raise graph_errors.error(2500, f"Unknown path components: {path}")
    return handler


def _unknown(node_id: str) -> Handler:
    def handler(app: Sandbox, request: Request) -> Reply:
        authenticate(app, request)
        raise graph_errors.unknown_object(node_id, request.method)
    return handler


def _bad_edge(edge: str, node_id: str) -> Handler:
    def handler(app: Sandbox, request: Request) -> Reply:
        authenticate(app, request)
        raise graph_errors.error(2500, f"Unknown path components: /{edge}")
    return handler


def _check_token_only(app: Sandbox, request: Request) -> Reply:
    authenticate(app, request)
    raise graph_errors.error(2500, "An active access token must be used to query information "
                                   "about the current user.")
