"""The audience: comments and replies under the sandbox's posts, on all three networks.

Every comment under a post, whoever wrote it, is one record of ``state["comments"]``,
keyed by its id on the network::

    {"id", "network", "post_key" ("facebook:PAGEID_POSTID"), "post" (the post's id),
     "parent" (the comment answered, or None), "author": {"id", "name", "username"},
     "by_account" (written by the account that owns the post), "text",
     "created_ts" (sandbox time), "hidden", "deleted"}

A Facebook or Instagram comment is a Graph node too (``state["nodes"]``, kind
``fb_comment`` or ``ig_comment``), so that ``/{comment-id}`` resolves. The network modules
read and write these for their endpoints (``graph_comments``, ``ig_comments``); the
account's own first comment under a post is a record with ``by_account`` True. The
control API adds
the audience's (``POST /_sandbox/comments``), lists them and deletes one:

- ``POST /_sandbox/comments`` ``{"network", "post": REMOTE_POST_ID, "text",
  "author"?: "Giulia Rossi", "parent"?: COMMENT_ID}`` -> the comment (201); on Facebook
  and Instagram a reply to a reply goes under the top comment, as there. The same author
  (the same handle, ``handle_of``) on the same network keeps one id
- ``GET /_sandbox/comments[?network=x][&post=ID]`` -> every comment, oldest first
- ``DELETE /_sandbox/comments/{id}`` -> the comment, marked deleted (its author took it
  back: the network no longer lists it)
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from costanza.demo.sandbox.messages import ApiError, Reply, Request
from costanza.demo.sandbox.routes import Route
from costanza.demo.sandbox.state import SandboxState
from costanza.demo.sandbox.timefmt import graph_time

if TYPE_CHECKING:
    from costanza.demo.sandbox.routes import Sandbox

NETWORKS = ("x", "facebook", "instagram")
DEFAULT_AUTHOR = "Giulia Rossi"
NODE_KINDS = {"facebook": "fb_comment", "instagram": "ig_comment"}


def handle_of(name: str) -> str:
    """A username made from a display name: "Giulia Rossi" -> "giulia_rossi"."""
    return re.sub(r"[^a-z0-9_]+", "_", name.strip().lower()).strip("_")[:30] or "cliente"


def new_comment_id(state: SandboxState, network: str, post_id: str) -> str:
    """An id in the network's own form: Facebook "POSTID_COMMENTID", Instagram and X digits."""
    if network == "facebook":
        return f"{post_id.split('_')[-1]}_{state.new_id('fb')}"
    return state.new_id("ig" if network == "instagram" else "x")


def audience_author(state: SandboxState, network: str, name: str) -> dict[str, str]:
    """Someone of the audience writing as ``name``: the same handle on the same network
    keeps the id it had (a person has one account), a new one gets a new id."""
    handle = handle_of(name)
    known = next((c["author"]["id"] for c in state["comments"].values()
                  if c["network"] == network and not c["by_account"]
                  and c["author"].get("username") == handle), None)
    author_id = known or state.new_id("x" if network == "x" else "fb")
    return {"id": author_id, "name": name, "username": handle}


def add_comment(state: SandboxState, network: str, post_id: str, text: str, *,
                author: dict[str, str], by_account: bool = False,
                parent: str | None = None, comment_id: str | None = None) -> dict[str, Any]:
    """Store a comment under a post (the caller holds ``state.change()``)."""
    record = {
        "id": comment_id or new_comment_id(state, network, post_id),
        "network": network, "post_key": f"{network}:{post_id}", "post": post_id,
        "parent": parent, "author": dict(author), "by_account": by_account, "text": text,
        "created_ts": state.now(), "hidden": False, "deleted": False,
    }
    state["comments"][record["id"]] = record
    if network in NODE_KINDS:
        post = state["posts"].get(record["post_key"]) or {}
        state["nodes"][record["id"]] = {"kind": NODE_KINDS[network],
                                        "account": post.get("account")}
    return record


def own_comments(state: SandboxState, network: str, post_id: str) -> list[dict[str, Any]]:
    """What the account itself wrote directly under its post (a first comment), oldest first,
    as ``{id, text, created_time}``."""
    return [{"id": c["id"], "text": c["text"], "created_time": graph_time(c["created_ts"])}
            for c in comments_under(state, network, post_id, parent=None) if c["by_account"]]


def comments_under(state: SandboxState, network: str, post_id: str, *,
                   parent: str | bool | None = False,
                   with_deleted: bool = False) -> list[dict[str, Any]]:
    """A post's comments, oldest first; ``parent``: only the replies to that comment
    (None: only those written directly under the post; False: all)."""
    key = f"{network}:{post_id}"
    found = [c for c in state["comments"].values() if c["post_key"] == key
             and (with_deleted or not c["deleted"])
             and (parent is False or c["parent"] == parent)]
    return sorted(found, key=lambda c: (c["created_ts"], c["id"]))


def replies_to(state: SandboxState, comment_id: str) -> list[dict[str, Any]]:
    """The live replies to one comment, oldest first."""
    found = [c for c in state["comments"].values()
             if c["parent"] == comment_id and not c["deleted"]]
    return sorted(found, key=lambda c: (c["created_ts"], c["id"]))


# -- the control API ---------------------------------------------------------------


def resolve(request: Request) -> Route | None:
    path, method = request.path.rstrip("/"), request.method
    if path == "/_sandbox/comments":
        handler = {"POST": create, "GET": listing}.get(method)
        return Route(None, "comments", handler) if handler else None
    match = re.match(r"^/_sandbox/comments/([0-9_]+)$", path)
    if match and method == "DELETE":
        return Route(None, "comments", delete, {"id": match.group(1)})
    return None


def _fail(message: str, status: int = 400) -> ApiError:
    return ApiError(Reply(status, {"error": message}))


def create(app: Sandbox, request: Request) -> Reply:
    body = request.json if isinstance(request.json, dict) else dict(request.form)
    network, post_id = body.get("network"), str(body.get("post") or "")
    text, parent = body.get("text"), body.get("parent")
    if network not in NETWORKS:
        raise _fail(f"network must be one of {', '.join(NETWORKS)}")
    if not isinstance(text, str) or not text.strip():
        raise _fail("text is required: what the comment says")
    name = str(body.get("author") or DEFAULT_AUTHOR)
    with app.state.change():
        post = app.state["posts"].get(f"{network}:{post_id}")
        if post is None or post.get("deleted"):
            raise _fail(f"no live {network} post with id {post_id!r}", 404)
        if parent is not None:
            above = app.state["comments"].get(str(parent))
            if above is None or above["post_key"] != f"{network}:{post_id}" or above["deleted"]:
                raise _fail(f"no live comment {parent!r} under that post", 404)
            parent = str(parent)
            while network in NODE_KINDS and app.state["comments"][parent]["parent"]:
                # Facebook and Instagram replies are one level deep: under the top comment.
                parent = app.state["comments"][parent]["parent"]
        record = add_comment(app.state, network, post_id, text,
                             author=audience_author(app.state, network, name), parent=parent)
    return Reply(201, view(record))


def listing(app: Sandbox, request: Request) -> Reply:
    network, post = request.query.get("network"), request.query.get("post")
    if network and network not in NETWORKS:
        raise _fail(f"network must be one of {', '.join(NETWORKS)}")
    with app.state.lock:
        found = sorted((c for c in app.state["comments"].values()
                        if (not network or c["network"] == network)
                        and (not post or c["post"] == post)),
                       key=lambda c: (c["created_ts"], c["id"]))
        return Reply(200, [view(c) for c in found])


def delete(app: Sandbox, request: Request) -> Reply:
    with app.state.change():
        record = app.state["comments"].get(request.args["id"])
        if record is None:
            raise _fail(f"no comment {request.args['id']!r}", 404)
        record["deleted"] = True
    return Reply(200, view(record))


def view(record: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in record.items() if key != "post_key"}
