"""Making Instagram containers: a photo, a Reel, carousel items and their carousel.

Photos are fetched by Instagram from their public web address; a video's
bytes go up by resumable upload (``rupload``) unless it has a public address
too. Every id is saved to the progress before the next call that sends
anything, so after an interruption nothing is made twice: a Reel or an item
whose upload had not completed is uploaded again into the same container.

Progress keys: ``item_containers`` / ``item_uploaded`` / ``item_uri_N``
(carousel items), ``container_id``, ``upload_uri`` / ``uploaded`` (Reel bytes).
"""

from __future__ import annotations

import os
from typing import Any

from config.errors import PublishFailed, RetryLater
from config.i18n import _
from scheduler.publishers.base import MediaFile, PublishRequest
from scheduler.publishers.graph.client import GraphClient
from scheduler.publishers.graph.ig_processing import (
    ContainerExpired,
    Pacing,
    processing_limit,
    wait_until_processed,
)
from scheduler.publishers.progress import Progress


def create_container(client: GraphClient, user: str, request: PublishRequest,
                     progress: Progress, pacing: Pacing) -> str:
    """Make the post's container (the carousel's, for several media); return its id."""
    media = request.media
    if len(media) > 1:
        if len(media) > 10:
            raise PublishFailed(
                _("Instagram takes at most 10 photos or videos in one post; this one has "
                  "{n}. Remove some with `costanza post edit {post}`.").format(
                    n=len(media), post=request.post_id),
                code="too_many")
        children = _carousel_items(client, user, request, progress, pacing)
        try:
            reply = _carousel(client, user, children, request)
        except PublishFailed as exc:
            if "another carousel" not in exc.message:
                raise
            # A carousel container was made from these items before an interruption,
            # and its id was lost: the items are spent. Make new ones (the lost
            # container was never published, and expires unused).
            progress.save(item_containers=[], item_uploaded=[])
            children = _carousel_items(client, user, request, progress, pacing)
            reply = _carousel(client, user, children, request)
        progress.save_now(container_id=container_id(reply))
        return container_id(reply)
    item = media[0]
    if item.kind == "video":
        reply = client.post(f"{user}/media", {
            "media_type": "REELS", "upload_type": "resumable", "caption": request.text,
            "share_to_feed": True,
        }, creates=False, media=media, post_id=request.post_id)
        progress.save(container_id=container_id(reply), upload_uri=reply.get("uri"),
                      uploaded=False)
        upload_bytes(client, item, reply.get("uri"), container_id(reply))
        progress.save_now(uploaded=True)
        return container_id(reply)
    reply = client.post(f"{user}/media", {
        "image_url": _public_url(item), "caption": request.text,
        "alt_text": item.alt_text,
    }, creates=False, media=media, post_id=request.post_id)
    progress.save_now(container_id=container_id(reply))
    return container_id(reply)


def _carousel(client: GraphClient, user: str, children: list[str],
              request: PublishRequest) -> dict[str, Any]:
    return client.post(f"{user}/media", {
        "media_type": "CAROUSEL", "children": ",".join(children), "caption": request.text,
    }, creates=False, media=request.media, post_id=request.post_id)


def _carousel_items(client: GraphClient, user: str, request: PublishRequest,
                    progress: Progress, pacing: Pacing) -> list[str]:
    count = len(request.media)
    ids: list[str | None] = list(progress.get("item_containers") or [])
    ids += [None] * (count - len(ids))
    uploaded: list[bool] = list(progress.get("item_uploaded") or [])
    uploaded += [False] * (count - len(uploaded))
    for index, item in enumerate(request.media):
        if ids[index] and (item.kind != "video" or uploaded[index]):
            continue
        resuming = bool(ids[index])
        if not resuming:
            reply = client.post(f"{user}/media", _item_data(item), creates=False,
                                media=[item], post_id=request.post_id)
            ids[index] = container_id(reply)
            uploaded[index] = item.kind != "video" or bool(item.public_url)
            progress.save(item_containers=list(ids), item_uploaded=list(uploaded),
                          **({f"item_uri_{index}": reply["uri"]} if reply.get("uri")
                             else {}))
        if not uploaded[index]:
            uri = progress.get(f"item_uri_{index}")
            if not (resuming and upload_complete(client, str(ids[index]))):
                upload_bytes(client, item, uri, str(ids[index]))
            uploaded[index] = True
            progress.save(item_uploaded=list(uploaded))
    # Each item's id is committed before the next call that sends anything; commit
    # the last ones now, before waiting (reads only) for Instagram to process them.
    progress.save_now()
    limit = processing_limit(pacing, request)
    for child in ids:
        try:
            wait_until_processed(client, str(child), limit, request, progress, pacing)
        except ContainerExpired:
            progress.drop("item_containers", "item_uploaded")
            raise RetryLater(_("Instagram let the prepared photos expire before they were "
                               "posted. Costanza will prepare them again."),
                             code="expired") from None
    return [str(i) for i in ids]


def _item_data(item: MediaFile) -> dict[str, Any]:
    """What a carousel item's container is made from."""
    if item.kind == "video":
        data: dict[str, Any] = {"media_type": "VIDEO", "is_carousel_item": True}
        if item.public_url:
            data["video_url"] = item.public_url
        else:
            data["upload_type"] = "resumable"
        return data
    return {"image_url": _public_url(item), "is_carousel_item": True,
            "alt_text": item.alt_text}


def upload_bytes(client: GraphClient, item: MediaFile, uri: str | None,
                 container: str) -> None:
    """Send a video's bytes into its container (resumable upload)."""
    url = uri or f"https://rupload.facebook.com/ig-api-upload/{client.version}/{container}"
    size = os.path.getsize(item.path)
    with open(item.path, "rb") as fh:
        client.upload(url, fh, size)


def upload_complete(client: GraphClient, container: str) -> bool:
    """Did the bytes of a resumable upload arrive before an interruption?"""
    reply = client.get(container, fields="status_code,video_status")
    phase = ((reply.get("video_status") or {}).get("uploading_phase") or {})
    return phase.get("status") == "complete" or reply.get("status_code") in (
        "FINISHED", "PUBLISHED")


def container_id(reply: dict[str, Any]) -> str:
    """The new container's id from Instagram's answer (without it, try again)."""
    value = reply.get("id")
    if not value:
        raise RetryLater(_("Instagram did not give the new container's id. Costanza will "
                           "try again."), code="no_id")
    return str(value)


def _public_url(item: MediaFile) -> str:
    if not item.public_url:
        raise PublishFailed(
            _("Instagram needs each photo at a public web address, and this one has none. "
              "Set up a media host in the settings (`[media_host]`) and check it with "
              "`costanza account check`."), code="no_public_url")
    return item.public_url
