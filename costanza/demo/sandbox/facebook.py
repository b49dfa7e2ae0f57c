"""Facebook Pages: feed posts, photos (published or not), reading posts and pages.

- ``POST /{page-id}/feed``: ``message``, ``link``, ``attached_media`` (a JSON
  list of ``{"media_fbid": ID}`` naming unpublished photos of this Page);
  the same message twice on a Page is refused with code 506.
- ``POST /{page-id}/photos``: ``url`` (fetched over HTTP) or multipart
  ``source``, ``message``, ``alt_text_custom``, ``published=false`` for a
  photo that a feed post attaches later (or that stays off the feed, as the
  ``facebook_page`` media host stages photos for Instagram);
- ``GET /{photo-id}?fields=images``: its CDN address (see ``fb_cdn``);
  ``DELETE /{photo-id}`` removes the photo and that address.
- ``GET /{page-id}/posts|feed|published_posts``, ``GET /{post-id}``,
  ``GET /{page-id}?fields=instagram_business_account``, ``/me/accounts``.

Only a Page access token of that Page may publish; the managing user's token
may read.
"""

from __future__ import annotations

import json
import re
import secrets
from typing import TYPE_CHECKING, Any

from costanza.demo.sandbox import fb_cdn, graph_errors
from costanza.demo.sandbox.fetch import FetchFailed
from costanza.demo.sandbox.graph_auth import (
    authorize,
    pick_fields,
    post_listing,
    requested_fields,
)
from costanza.demo.sandbox.images import probe_image
from costanza.demo.sandbox.messages import Reply, Request
from costanza.demo.sandbox.timefmt import graph_time

if TYPE_CHECKING:
    from costanza.demo.sandbox.routes import Sandbox

PHOTO_MAX = 10 * 1024 * 1024
DUPLICATE_WINDOW_SECS = 24 * 3600
STATUS_TYPES = {"photos": "added_photos", "photo": "added_photos", "video": "added_video",
                "link": "shared_story"}


def page_of(app: Sandbox, request: Request) -> tuple[str, dict[str, Any]]:
    node = request.args["node"]
    return node["account"], app.state["accounts"][node["account"]]["facebook"]


def _truthy(value: str | None, default: bool = True) -> bool:
    if value is None:
        return default
    return value.strip().lower() not in ("false", "0", "no", "")


def new_post(app: Sandbox, account: str, page: dict[str, Any], text: str,
              media: list[dict[str, Any]], *, post_id: str | None = None,
              link: str | None = None, kind: str = "status") -> dict[str, Any]:
    state = app.state
    object_id = post_id or state.new_id("fb")
    full_id = f"{page['page_id']}_{object_id}"
    now = state.now()
    post = {
        "network": "facebook", "account": account, "account_id": page["page_id"],
        "id": full_id, "text": text, "link": link, "media": media, "kind": kind,
        "created_ts": now, "created_time": graph_time(now),
        "permalink": f"https://www.facebook.com/{page['page_id']}/posts/{object_id}",
        "reply_to": None, "parent_id": None, "deleted": False,
    }
    state.add_post(f"facebook:{full_id}", post)
    state["nodes"][full_id] = {"kind": "fb_post", "account": account}
    return post


def create_feed_post(app: Sandbox, request: Request) -> Reply:
    account, page = page_of(app, request)
    authorize(app, request, account, write=True)
    message = request.param("message") or ""
    link = request.param("link")
    media_ids = _attached_media(request)
    if not message.strip() and not link and not media_ids:
        raise graph_errors.bad_param("(#100) The parameter message, link or attached_media is "
                                     "required")
    state = app.state
    with state.change():
        photos = []
        for media_id in media_ids:
            photo = state["fb_photos"].get(media_id)
            if not photo or photo["account"] != account:
                raise graph_errors.bad_param(f"(#100) Invalid media_fbid: {media_id}")
            if photo["published"] or photo["attached_to"]:
                raise graph_errors.bad_param(f"(#100) The photo {media_id} is already "
                                             "published; attach unpublished photos only")
            photos.append(photo)
        if message.strip() and not media_ids and _duplicate(
                app, page, message, link, request.received_at):
            raise graph_errors.error(506, "Duplicate status message", subcode=1455006,
                                     user_title="Duplicate Post",
                                     user_msg="This status update is identical to the last "
                                              "one you posted. Try posting something different,"
                                              " or delete your previous update.")
        media = [_media_entry(photo) for photo in photos]
        post = new_post(app, account, page, message, media, link=link,
                         kind="photos" if photos else ("link" if link else "status"))
        for photo in photos:
            photo["attached_to"] = post["id"]
    return Reply(200, {"id": post["id"]})


def _attached_media(request: Request) -> list[str]:
    """``attached_media`` as a JSON list, or as ``attached_media[0]``, ``[1]``... (Meta's docs)."""
    raw = request.param("attached_media")
    indexed = {**request.query, **request.form}
    numbered = sorted((int(m.group(1)), value) for key, value in indexed.items()
                      if (m := re.fullmatch(r"attached_media\[(\d+)\]", key)))
    if raw is None and not numbered:
        return []
    try:
        items = json.loads(raw) if raw is not None else [json.loads(v) for _, v in numbered]
    except ValueError:
        items = None
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list) or not all(isinstance(i, dict) and "media_fbid" in i
                                              for i in items):
        raise graph_errors.bad_param("(#100) param attached_media must be an array of "
                                     "objects with a media_fbid")
    if len(items) > 30:
        raise graph_errors.bad_param("(#100) At most 30 photos can be attached to one post")
    return [str(i["media_fbid"]) for i in items]


def _duplicate(app: Sandbox, page: dict[str, Any], message: str, link: str | None,
               received_at: float | None = None) -> bool:
    """Posted already, in the duplicate window (as of a held request's arrival, if given)?"""
    horizon = app.state.now() - DUPLICATE_WINDOW_SECS
    until = received_at if received_at is not None else float("inf")
    return any(not p["deleted"] and horizon <= p["created_ts"] <= until
               and p["text"].strip() == message.strip() and p.get("link") == link
               for p in app.state.posts_of("facebook", page["page_id"]))


def _media_entry(photo: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "photo", "photo_id": photo["id"], "sha256": photo["sha256"],
            "mime": photo["mime"], "alt_text": photo.get("alt_text"),
            "width": photo["width"], "height": photo["height"]}


def create_photo(app: Sandbox, request: Request) -> Reply:
    account, page = page_of(app, request)
    authorize(app, request, account, write=True)
    source = request.part_bytes("source")
    url = request.param("url")
    if source is not None:
        data = source
    elif url:
        try:
            data, _ = app.fetch(url)
        except FetchFailed as exc:
            raise graph_errors.bad_param(f"(#100) url should represent a valid URL ({exc})",
                                         subcode=2069019) from exc
    else:
        raise graph_errors.error(324, "(#324) Requires upload file")
    info = probe_image(data)
    if info is None or info.format not in ("JPEG", "PNG", "GIF", "BMP", "TIFF", "WEBP"):
        raise graph_errors.error(324, "(#324) Missing or invalid image file")
    if len(data) > PHOTO_MAX:
        raise graph_errors.error(324, "(#324) The image is larger than 10 MB")
    published = _truthy(request.param("published"))
    message = request.param("message") or request.param("caption") or ""
    state = app.state
    with state.change():
        photo_id = state.new_id("fb")
        photo = {"id": photo_id, "account": account, "page_id": page["page_id"],
                 "sha256": state.put_media(data), "mime": info.mime, "width": info.width,
                 "height": info.height, "alt_text": request.param("alt_text_custom"),
                 "message": message, "published": published, "attached_to": None,
                 "created_ts": state.now()}
        state["fb_photos"][photo_id] = photo
        state["nodes"][photo_id] = {"kind": "photo", "account": account}
        if not published:
            return Reply(200, {"id": photo_id})
        post = new_post(app, account, page, message, [_media_entry(photo)],
                         post_id=photo_id, kind="photo")
        photo["attached_to"] = post["id"]
    return Reply(200, {"id": photo_id, "post_id": post["id"]})


def _post_json(post: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    values = {"id": post["id"], "message": post["text"] or None,
              "created_time": post["created_time"], "permalink_url": post["permalink"],
              "is_published": True, "status_type": STATUS_TYPES.get(post.get("kind", ""),
                                                                     "mobile_status_update"),
              "from": {"id": post["account_id"]}}
    if post.get("link"):
        values["link"] = post["link"]
    out = {"id": post["id"]}
    for field in fields:
        if field in values and values[field] is not None:
            out[field] = values[field]
    return out


def get_post(app: Sandbox, request: Request) -> Reply:
    post = app.state["posts"].get(f"facebook:{request.args['id']}")
    authorize(app, request, request.args["node"]["account"])
    if not post or post["deleted"]:
        raise graph_errors.unknown_object(request.args["id"])
    return Reply(200, _post_json(post, requested_fields(request, "id,message,created_time")))


def delete_post(app: Sandbox, request: Request) -> Reply:
    authorize(app, request, request.args["node"]["account"], write=True)
    with app.state.change():
        post = app.state["posts"].get(f"facebook:{request.args['id']}")
        if not post or post["deleted"]:
            raise graph_errors.unknown_object(request.args["id"], "DELETE")
        post["deleted"] = True
    return Reply(200, {"success": True})


def list_posts(app: Sandbox, request: Request) -> Reply:
    account, page = page_of(app, request)
    authorize(app, request, account)
    fields = requested_fields(request, "id,message,created_time")
    return Reply(200, post_listing(request, "facebook", page["page_id"], app.state,
                                   lambda p: _post_json(p, fields)))


def get_page(app: Sandbox, request: Request) -> Reply:
    account, page = page_of(app, request)
    info = authorize(app, request, account)
    ig = app.state["accounts"][account]["instagram"]
    values: dict[str, Any] = {
        "id": page["page_id"], "name": page["page_name"], "category": "Artisan",
        "instagram_business_account": {"id": ig["ig_user_id"]},
        "connected_instagram_account": {"id": ig["ig_user_id"]},
        "link": f"https://www.facebook.com/{page['page_id']}",
    }
    if info["kind"] == "fb_user":
        values["access_token"] = page["page_token"]
    out = {}
    for field in requested_fields(request, "id,name"):
        if field in values:
            out[field] = values[field]
    out["id"] = page["page_id"]
    return Reply(200, out)


def get_photo(app: Sandbox, request: Request) -> Reply:
    authorize(app, request, request.args["node"]["account"])
    photo = app.state["fb_photos"][request.args["id"]]
    if photo.get("deleted"):
        raise graph_errors.unknown_object(photo["id"])
    values = {"id": photo["id"], "created_time": graph_time(photo["created_ts"]),
              "images": fb_cdn.images(request, photo, app.state.now()),
              "width": photo["width"], "height": photo["height"],
              "alt_text_custom": photo.get("alt_text"), "name": photo["message"] or None,
              "link": f"https://www.facebook.com/photo.php?fbid={photo['id']}",
              "page_story_id": photo["attached_to"]}
    return Reply(200, pick_fields(values, requested_fields(request, "id,created_time"),
                                  photo["id"]))


def get_user(app: Sandbox, request: Request) -> Reply:
    account = request.args["node"]["account"]
    authorize(app, request, account)
    fb = app.state["accounts"][account]["facebook"]
    return Reply(200, {"id": fb["user_id"], "name": f"{account} (sandbox user)"})


def list_pages(app: Sandbox, request: Request) -> Reply:
    """``/me/accounts``: the Pages the user manages, each with a Page token that never
    expires for a long-lived login, and one that lapses with the login for a short-lived
    login (as on Facebook)."""
    account = request.args["node"]["account"]
    info = authorize(app, request, account)
    if info["kind"] != "fb_user":
        raise graph_errors.bad_param("(#100) Tried accessing nonexisting field (accounts) on "
                                     "node type (Page)")
    fb = app.state["accounts"][account]["facebook"]
    managed = [account, *(n for n in fb.get("also_manages") or [] if n in app.state["accounts"])]
    with_ig = "instagram_business_account" in (request.param("fields") or "")
    pages = [_page_entry(app, name, info, with_ig) for name in managed]
    return Reply(200, {"data": pages, "paging": {"cursors": {"before": "QVFI",
                                                             "after": "QVFI"}}})


def _page_entry(app: Sandbox, name: str, login: dict[str, Any], with_ig: bool) -> dict[str, Any]:
    fb = app.state["accounts"][name]["facebook"]
    ig = app.state["accounts"][name]["instagram"]
    page = {"id": fb["page_id"], "name": fb["page_name"],
            "access_token": _page_token(app, name, login),
            "category": "Artisan", "tasks": ["ADVERTISE", "ANALYZE", "CREATE_CONTENT",
                                             "MESSAGING", "MODERATE", "MANAGE"]}
    if with_ig:
        page["instagram_business_account"] = {"id": ig["ig_user_id"]}
    return page


def _page_token(app: Sandbox, name: str, login: dict[str, Any]) -> str:
    """The Page token a login gets: the Page's lasting one for a long-lived login; for a
    short-lived one, a token that lapses with it (one per login and Page)."""
    if login.get("long_lived", True):
        return str(app.state["accounts"][name]["facebook"]["page_token"])
    given = login.setdefault("page_tokens", {})
    if name not in given:
        value = "EAASBXQ" + secrets.token_hex(16)
        with app.state.change():
            app.state["tokens"][value] = {"kind": "fb_page", "account": name, "expired": False,
                                          "secret": None, "long_lived": False,
                                          "expires_ts": login.get("expires_ts")}
            given[name] = value
    return str(given[name])
