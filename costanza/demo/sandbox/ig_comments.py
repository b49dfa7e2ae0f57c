"""Instagram comments on the Graph API (the records of ``comments.py``), on both hosts.

- ``GET /{ig-media-id}/comments``: the comments written under the media (not the replies),
  oldest first, ``fields`` among ``id,text,timestamp,username,from{id,username},hidden,
  like_count,parent_id,media{id},replies{...}`` (``replies``: ``{data: [...]}`` with the
  same fields); ``limit`` 1-100 (25), the ``after`` cursor.
- ``POST /{ig-media-id}/comments`` ``message``: the account's own comment (a first comment).
- ``GET /{ig-comment-id}``, ``GET /{ig-comment-id}/replies``.
- ``POST /{ig-comment-id}/replies`` ``message`` -> ``{"id"}``: the account answers. Replies
  are one level deep: a reply to a reply goes under its top comment.
- ``POST /{ig-comment-id}`` ``hide=true|false`` -> ``{"success": true}``.

With Facebook Login, reading and writing need ``instagram_manage_comments`` and
``pages_read_engagement`` (as Meta's IG Comment reference says); with
Instagram Login (graph.instagram.com) ``instagram_business_manage_comments``. A login
that declined it (``POST /_sandbox/permissions``) is answered Graph's error 10.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from costanza.demo.sandbox import graph_errors
from costanza.demo.sandbox.accounts import declined_permissions
from costanza.demo.sandbox.comments import add_comment, comments_under, replies_to
from costanza.demo.sandbox.graph_auth import authorize
from costanza.demo.sandbox.graph_comments import (
    Fields,
    answer,
    comment_page,
    fields_of,
    live_comment,
    message_of,
    needs_permission,
    own_author,
    render,
    truthy,
)
from costanza.demo.sandbox.ig_checks import CAPTION_MAX
from costanza.demo.sandbox.messages import Reply, Request
from costanza.demo.sandbox.timefmt import graph_time

if TYPE_CHECKING:
    from costanza.demo.sandbox.routes import Sandbox

IG_DEFAULT_FIELDS = "id,text,timestamp"


def _may(app: Sandbox, request: Request, account: str) -> dict[str, Any]:
    info = authorize(app, request, account, network="instagram")
    declined = declined_permissions(app.state, account)
    if request.args.get("ig_host"):
        needed = ["instagram_business_manage_comments"]
    else:  # Facebook Login reads the account through its Page
        needed = ["instagram_manage_comments", "pages_read_engagement"]
    for permission in needed:
        if permission in declined:
            raise needs_permission(permission)
    return info


def _values(app: Sandbox, record: dict[str, Any]) -> dict[str, Any]:
    post = app.state["posts"][record["post_key"]]
    ig = app.state["accounts"][post["account"]]["instagram"]
    author = ({"id": ig["ig_user_id"], "username": ig["username"]} if record["by_account"]
              else {"id": record["author"]["id"], "username": record["author"]["username"]})

    def replies(sub: Fields | None) -> dict[str, Any]:
        fields = sub or [("id", None), ("text", None), ("timestamp", None)]
        return {"data": [render(_values(app, r), fields)
                         for r in replies_to(app.state, record["id"])]}

    return {
        "id": record["id"], "text": record["text"],
        "timestamp": graph_time(record["created_ts"]), "username": author["username"],
        "from": author, "hidden": record["hidden"], "like_count": 0,
        "parent_id": record["parent"], "media": {"id": post["id"]},
        "replies": None if record["parent"] else replies,
    }


def _media(app: Sandbox, request: Request) -> dict[str, Any]:
    post = app.state["posts"].get(f"instagram:{request.args['id']}")
    if post is None or post["deleted"]:
        raise graph_errors.unknown_object(request.args["id"], request.method)
    return post


def _author(app: Sandbox, account: str) -> dict[str, str]:
    ig = app.state["accounts"][account]["instagram"]
    return own_author(ig["ig_user_id"], ig["username"])


def list_comments(app: Sandbox, request: Request) -> Reply:
    post = _media(app, request)
    _may(app, request, post["account"])
    fields = fields_of(request, IG_DEFAULT_FIELDS)
    items = comments_under(app.state, "instagram", post["id"], parent=None)
    return Reply(200, comment_page(request, items, lambda c: render(_values(app, c), fields)))


def comment(app: Sandbox, request: Request) -> Reply:
    """``POST /{ig-media-id}/comments``: the account's own comment under its media."""
    post = _media(app, request)
    authorize(app, request, post["account"], network="instagram")
    message = message_of(request, CAPTION_MAX)
    with app.state.change():
        record = add_comment(app.state, "instagram", post["id"], message,
                             author=_author(app, post["account"]), by_account=True)
    return Reply(200, {"id": record["id"]})


def get_comment(app: Sandbox, request: Request) -> Reply:
    _may(app, request, request.args["node"]["account"])
    record = live_comment(app, request)
    return Reply(200, render(_values(app, record), fields_of(request, IG_DEFAULT_FIELDS)))


def list_replies(app: Sandbox, request: Request) -> Reply:
    _may(app, request, request.args["node"]["account"])
    record = live_comment(app, request)
    fields = fields_of(request, IG_DEFAULT_FIELDS)
    return Reply(200, comment_page(request, replies_to(app.state, record["id"]),
                                   lambda c: render(_values(app, c), fields)))


def reply(app: Sandbox, request: Request) -> Reply:
    account = request.args["node"]["account"]
    _may(app, request, account)
    return answer(app, request, "instagram", message_of(request, CAPTION_MAX),
                  lambda: _author(app, account))


def hide(app: Sandbox, request: Request) -> Reply:
    _may(app, request, request.args["node"]["account"])
    hidden = truthy(request.param("hide"))
    if hidden is None:
        raise graph_errors.bad_param("(#100) The parameter hide is required")
    with app.state.change():
        record = live_comment(app, request)
        record["hidden"] = hidden
    return Reply(200, {"success": True})


def count(app: Sandbox, post_id: str) -> int:
    """``comments_count``: the live comments and replies under the media."""
    return len(comments_under(app.state, "instagram", post_id))
