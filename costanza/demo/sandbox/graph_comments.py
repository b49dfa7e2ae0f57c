"""Facebook Page comments on the Graph API (the records of ``comments.py``).

- ``GET /{post-id}/comments``: ``fields`` among ``id,message,created_time,from{id,name},
  parent{id},is_hidden,can_hide,comment_count`` (``from`` only with a Page token);
  ``filter=toplevel`` (default: the comments written under the post) or ``stream`` (every
  level, flat, chronological, each reply with its ``parent``);
  ``order=chronological|reverse_chronological``; ``limit`` 1-100 (25) and the ``after``
  cursor, answered as ``{data, paging: {cursors: {before, after}, next?}}``.
- ``GET /{comment-id}/comments``: its replies; ``GET /{comment-id}``: the comment.
- ``POST /{post-id}/comments`` ``message``: the Page's own comment (a first comment).
- ``POST /{comment-id}/comments`` ``message`` -> ``{"id"}``: the Page's reply. Replies are
  one level deep: a reply to a reply is attached to its top comment, as Facebook does.
- ``POST /{comment-id}`` ``is_hidden=true|false`` -> ``{"success": true}``.

Reading needs ``pages_read_engagement``, writing and hiding a Page token with
``pages_manage_engagement``: a login that declined one is answered Graph's error 10.
Deleted comments are not listed; asking for one is error 100/33. The helpers for fields
and pages are Instagram's too (``ig_comments``).
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from costanza.demo.sandbox import graph_errors
from costanza.demo.sandbox.accounts import declined_permissions
from costanza.demo.sandbox.comments import add_comment, comments_under, replies_to
from costanza.demo.sandbox.graph_auth import authorize, next_page_url
from costanza.demo.sandbox.messages import ApiError, Reply, Request
from costanza.demo.sandbox.timefmt import graph_time

if TYPE_CHECKING:
    from costanza.demo.sandbox.routes import Sandbox

Fields = list[tuple[str, "Fields | None"]]
FB_DEFAULT_FIELDS = "id,message,created_time,from"
MESSAGE_MAX = 8000


# -- what the Graph API endpoints of both networks share --------------------------


def parse_fields(text: str) -> Fields:
    """``id,from{id,name},replies{id,text}`` -> ``[("id", None), ("from", [...]), ...]``."""
    out: Fields = []
    name, depth, start = "", 0, 0
    for index, char in enumerate(text + ","):
        if char == "{":
            if depth == 0:
                name, start = text[start:index].strip(), index + 1
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                out.append((name, parse_fields(text[start:index])))
                name, start = "", index + 1
        elif char == "," and depth == 0:
            piece = text[start:index].strip()
            if piece:
                out.append((piece, None))
            start = index + 1
    return out


def fields_of(request: Request, default: str) -> Fields:
    return parse_fields(request.param("fields") or default)


def render(values: dict[str, Any], fields: Fields) -> dict[str, Any]:
    """A node's JSON: ``id`` and each requested field that has a value; a field with
    subfields (``from{id}``) keeps only those (a callable value renders them itself)."""
    out: dict[str, Any] = {"id": values["id"]}
    for name, sub in fields:
        value = values.get(name)
        if callable(value):
            value = value(sub)
        elif sub is not None and isinstance(value, dict):
            value = {k: v for k, v in value.items() if k in {n for n, _ in sub}}
        if value is not None:
            out[name] = value
    return out


def _cursor(comment_id: str) -> str:
    return base64.urlsafe_b64encode(comment_id.encode()).decode().rstrip("=")


def _uncursor(cursor: str) -> str:
    try:
        return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, UnicodeDecodeError) as exc:
        raise graph_errors.bad_param("(#100) The after cursor is not valid") from exc


def limit_of(request: Request) -> int:
    try:
        limit = int(request.param("limit") or 25)
    except ValueError as exc:
        raise graph_errors.bad_param("(#100) limit must be an integer") from exc
    return min(100, max(1, limit))


def comment_page(request: Request, items: list[dict[str, Any]],
                 show: Callable[[dict[str, Any]], dict[str, Any]]) -> dict[str, Any]:
    """One page of ``items`` as ``{data, paging}``: ``limit`` and the ``after`` cursor;
    ``paging.next`` only when there is a next page."""
    limit = limit_of(request)
    after = request.param("after")
    if after:
        ids = [c["id"] for c in items]
        gone = _uncursor(after)
        items = items[ids.index(gone) + 1:] if gone in ids else []
    page, rest = items[:limit], items[limit:]
    body: dict[str, Any] = {"data": [show(c) for c in page]}
    if page:
        body["paging"] = {"cursors": {"before": _cursor(page[0]["id"]),
                                      "after": _cursor(page[-1]["id"])}}
        if rest:
            body["paging"]["next"] = next_page_url(request, _cursor(page[-1]["id"]), limit)
    else:
        body["paging"] = {"cursors": {}}
    return body


def live_comment(app: Sandbox, request: Request) -> dict[str, Any]:
    """The comment the path names, or Graph's 100/33 when it is gone."""
    record = app.state["comments"].get(request.args["id"])
    if record is None or record["deleted"]:
        raise graph_errors.unknown_object(request.args["id"], request.method)
    post = app.state["posts"].get(record["post_key"])
    if post is None or post["deleted"]:
        raise graph_errors.unknown_object(request.args["id"], request.method)
    return record


def needs_permission(permission: str) -> ApiError:
    return graph_errors.error(10, f"(#10) This endpoint requires the '{permission}' "
                                  "permission to manage the object", status=403)


def top_of(app: Sandbox, record: dict[str, Any]) -> dict[str, Any]:
    """The comment a reply belongs under: replies are one level deep."""
    while record["parent"] is not None:
        record = app.state["comments"][record["parent"]]
    return record


def message_of(request: Request, longest: int) -> str:
    """The ``message`` of a comment written through the API: required, at most ``longest``
    characters."""
    message = request.param("message") or ""
    if not message.strip():
        raise graph_errors.bad_param("(#100) The parameter message is required")
    if len(message) > longest:
        raise graph_errors.bad_param("(#100) The comment is too long")
    return message


def own_author(user_id: str, name: str) -> dict[str, str]:
    """The author of what the account writes itself: its id, and its name as handle too."""
    return {"id": user_id, "name": name, "username": name}


def answer(app: Sandbox, request: Request, network: str, message: str,
           author: Callable[[], dict[str, str]]) -> Reply:
    """The account answers the comment the path names: its reply goes under the top
    comment (replies are one level deep) -> ``{"id"}``."""
    with app.state.change():
        top = top_of(app, live_comment(app, request))
        record = add_comment(app.state, network, top["post"], message, author=author(),
                             by_account=True, parent=top["id"])
    return Reply(200, {"id": record["id"]})


def truthy(value: str | None) -> bool | None:
    if value is None:
        return None
    text = value.strip().lower()
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    raise graph_errors.bad_param(f"(#100) Param must be a boolean, not {value!r}")


# -- Facebook ----------------------------------------------------------------------


def _may(app: Sandbox, request: Request, account: str, *, write: bool) -> dict[str, Any]:
    """The token may read (``pages_read_engagement``) or write (a Page token with
    ``pages_manage_engagement``) this Page's comments."""
    info = authorize(app, request, account)
    declined = declined_permissions(app.state, account)
    if "pages_read_engagement" in declined:
        raise needs_permission("pages_read_engagement")
    if write and info["kind"] != "fb_page":
        raise graph_errors.no_permission("A Page access token is required to request this "
                                         "resource.")
    if write and "pages_manage_engagement" in declined:
        raise needs_permission("pages_manage_engagement")
    return info


def _fb_values(app: Sandbox, record: dict[str, Any], page_token: bool) -> dict[str, Any]:
    post = app.state["posts"][record["post_key"]]
    page = app.state["accounts"][post["account"]]["facebook"]
    author = ({"id": page["page_id"], "name": page["page_name"]} if record["by_account"]
              else {"id": record["author"]["id"], "name": record["author"]["name"]})
    return {
        "id": record["id"], "message": record["text"],
        "created_time": graph_time(record["created_ts"]),
        "from": author if page_token else None,
        "parent": {"id": record["parent"]} if record["parent"] else None,
        "is_hidden": record["hidden"], "can_hide": not record["by_account"],
        "comment_count": len(replies_to(app.state, record["id"])),
    }


def _fb_listing(app: Sandbox, request: Request, items: list[dict[str, Any]],
                info: dict[str, Any], *, ordered: bool = True) -> Reply:
    fields = fields_of(request, FB_DEFAULT_FIELDS)
    order = (request.param("order") if ordered else None) or "chronological"
    if order not in ("chronological", "reverse_chronological"):
        raise graph_errors.bad_param("(#100) order must be one of chronological, "
                                     "reverse_chronological")
    if order == "reverse_chronological":
        items = list(reversed(items))
    page_token = info["kind"] == "fb_page"
    return Reply(200, comment_page(request, items, lambda c: render(
        _fb_values(app, c, page_token), fields)))


def list_post_comments(app: Sandbox, request: Request) -> Reply:
    info = _may(app, request, request.args["node"]["account"], write=False)
    post = app.state["posts"].get(f"facebook:{request.args['id']}")
    if not post or post["deleted"]:
        raise graph_errors.unknown_object(request.args["id"])
    filter_ = request.param("filter") or "toplevel"
    if filter_ not in ("toplevel", "stream"):
        raise graph_errors.bad_param("(#100) filter must be one of toplevel, stream")
    parent = None if filter_ == "toplevel" else False
    items = comments_under(app.state, "facebook", post["id"], parent=parent)
    # A stream is always chronological.
    return _fb_listing(app, request, items, info, ordered=filter_ == "toplevel")


def list_replies(app: Sandbox, request: Request) -> Reply:
    info = _may(app, request, request.args["node"]["account"], write=False)
    record = live_comment(app, request)
    return _fb_listing(app, request, replies_to(app.state, record["id"]), info)


def get_comment(app: Sandbox, request: Request) -> Reply:
    info = _may(app, request, request.args["node"]["account"], write=False)
    record = live_comment(app, request)
    fields = fields_of(request, FB_DEFAULT_FIELDS)
    return Reply(200, render(_fb_values(app, record, info["kind"] == "fb_page"), fields))


def page_author(app: Sandbox, account: str) -> dict[str, str]:
    fb = app.state["accounts"][account]["facebook"]
    return own_author(fb["page_id"], fb["page_name"])


def comment_on_post(app: Sandbox, request: Request) -> Reply:
    """``POST /{post-id}/comments``: the Page's own comment under its post."""
    account = request.args["node"]["account"]
    authorize(app, request, account, write=True)
    message = message_of(request, MESSAGE_MAX)
    with app.state.change():
        post = app.state["posts"].get(f"facebook:{request.args['id']}")
        if not post or post["deleted"]:
            raise graph_errors.unknown_object(request.args["id"], "POST")
        record = add_comment(app.state, "facebook", post["id"], message,
                             author=page_author(app, account), by_account=True)
    return Reply(200, {"id": record["id"]})


def reply(app: Sandbox, request: Request) -> Reply:
    """``POST /{comment-id}/comments``: the Page answers, under the top comment."""
    account = request.args["node"]["account"]
    _may(app, request, account, write=True)
    return answer(app, request, "facebook", message_of(request, MESSAGE_MAX),
                  lambda: page_author(app, account))


def hide(app: Sandbox, request: Request) -> Reply:
    """``POST /{comment-id}`` ``is_hidden``: hide it from everyone but its author."""
    _may(app, request, request.args["node"]["account"], write=True)
    hidden = truthy(request.param("is_hidden"))
    if hidden is None:
        raise graph_errors.bad_param("(#100) The parameter is_hidden is required")
    with app.state.change():
        record = live_comment(app, request)
        if record["by_account"]:
            raise graph_errors.error(100, "(#100) A Page cannot hide its own comment")
        record["hidden"] = hidden
    return Reply(200, {"success": True})
