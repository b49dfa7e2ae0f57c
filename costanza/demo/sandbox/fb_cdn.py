"""A Page photo's CDN address, as ``GET /{photo-id}?fields=images`` gives it, and its bytes.

Facebook answers ``images`` with the photo in several sizes, each a ``source``
address on its CDN (``scontent-*.fbcdn.net``) whose query carries a signature
and ``oe``, the moment the address stops working, as hexadecimal Unix seconds.
The sandbox serves its own stand-in, ``/_sandbox/cdn/{photo-id}/{sha256}.jpg
?oe=...&_nc_sid=...``: the bytes while the photo exists and ``oe`` has not
passed on the sandbox's clock, 403 "URL signature expired" after that, 404
once the photo is deleted (``DELETE /{photo-id}``).
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING, Any

from costanza.demo.sandbox import graph_errors
from costanza.demo.sandbox.graph_auth import authorize
from costanza.demo.sandbox.images import probe_image
from costanza.demo.sandbox.messages import Reply, Request
from costanza.demo.sandbox.routes import Route

if TYPE_CHECKING:
    from costanza.demo.sandbox.routes import Sandbox

# How long a CDN address lives in the sandbox (real ones are signed for a few days).
CDN_LIFETIME_SECS = 3 * 24 * 3600
_PATH = re.compile(r"^/_sandbox/cdn/([0-9]+)/([0-9a-f]{64})\.jpg$")


def resolve(request: Request) -> Route | None:
    match = _PATH.match(request.path)
    if match and request.method == "GET":
        return Route(None, "cdn", serve, {"photo_id": match.group(1), "sha256": match.group(2)})
    return None


def _signature(photo_id: str, oe: str) -> str:
    return hashlib.sha256(f"sandbox-cdn:{photo_id}:{oe}".encode()).hexdigest()[:16]


def images(request: Request, photo: dict[str, Any], now: float) -> list[dict[str, Any]]:
    """The ``images`` field: one size (the sandbox keeps the photo as it was sent)."""
    oe = format(int(now + CDN_LIFETIME_SECS), "X")
    source = (f"{request.base_url}/_sandbox/cdn/{photo['id']}/{photo['sha256']}.jpg"
              f"?_nc_sid={_signature(photo['id'], oe)}&oe={oe}")
    return [{"height": photo["height"], "width": photo["width"], "source": source}]


def serve(app: Sandbox, request: Request) -> Reply:
    photo = app.state["fb_photos"].get(request.args["photo_id"])
    if not photo or photo.get("deleted") or photo["sha256"] != request.args["sha256"]:
        return Reply(404, "Not Found", content_type="text/plain")
    oe = request.query.get("oe") or ""
    if request.query.get("_nc_sid") != _signature(photo["id"], oe):
        return Reply(403, "Bad URL hash", content_type="text/plain")
    if not re.fullmatch(r"[0-9A-Fa-f]{1,12}", oe) or int(oe, 16) < app.state.now():
        return Reply(403, "URL signature expired", content_type="text/plain")
    data = app.state.get_media(photo["sha256"])
    if data is None:
        return Reply(404, "Not Found", content_type="text/plain")
    info = probe_image(data)
    return Reply(200, data, {"Cache-Control": "max-age=1209600"},
                 content_type=info.mime if info else "image/jpeg")


def delete_photo(app: Sandbox, request: Request) -> Reply:
    """``DELETE /{photo-id}``: the photo is gone, and so is its CDN address."""
    authorize(app, request, request.args["node"]["account"], write=True)
    with app.state.change():
        photo = app.state["fb_photos"].get(request.args["id"])
        if not photo or photo.get("deleted"):
            raise graph_errors.unknown_object(request.args["id"], "DELETE")
        photo["deleted"] = True
        if photo.get("attached_to"):
            post = app.state["posts"].get(f"facebook:{photo['attached_to']}")
            if post and len(post["media"]) == 1:
                post["deleted"] = True
    return Reply(200, {"success": True})
