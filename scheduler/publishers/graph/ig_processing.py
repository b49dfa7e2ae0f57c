"""Waiting for Instagram to process a container before it can be published.

A container is ``IN_PROGRESS`` while Instagram fetches and checks its media,
then ``FINISHED`` (ready), ``PUBLISHED`` (already out), ``ERROR`` (the media
was refused) or ``EXPIRED`` (not published within 24 hours). Photos get a
shorter wait than videos; past it, the delivery is tried again later.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from config.errors import PublishFailed, RetryLater
from config.i18n import N_, _
from scheduler.http.routing import redact
from scheduler.publishers.base import PublishRequest
from scheduler.publishers.graph.client import GraphClient
from scheduler.publishers.progress import Progress


class ContainerExpired(Exception):
    """The container was not published within 24 hours: make a new one."""


class Pacing(Protocol):
    """How often to look at a container and for how long (the publisher's settings)."""

    sleep: Callable[[float], None]
    poll_interval: float
    photo_timeout: float
    video_timeout: float


# Whole sentences for each kind of post (carousel, video, photo).
NOT_PROCESSED = {
    "carousel": N_("Instagram could not process the carousel: {said}. Check it with `costanza post "
              "show {post}`; a different photo or video, chosen with `costanza post edit "
              "{post}`, usually fixes it."),
    "video": N_("Instagram could not process the video: {said}. Check it with `costanza post "
              "show {post}`; a different photo or video, chosen with `costanza post edit "
              "{post}`, usually fixes it."),
    "photo": N_("Instagram could not process the photo: {said}. Check it with `costanza post "
              "show {post}`; a different photo or video, chosen with `costanza post edit "
              "{post}`, usually fixes it."),
}
STILL_PROCESSING = {
    "carousel": N_("Instagram is still processing the carousel after {seconds} seconds. Costanza "
              "will check again later; nothing is posted twice."),
    "video": N_("Instagram is still processing the video after {seconds} seconds. Costanza "
              "will check again later; nothing is posted twice."),
    "photo": N_("Instagram is still processing the photo after {seconds} seconds. Costanza "
              "will check again later; nothing is posted twice."),
}

def processing_limit(pacing: Pacing, request: PublishRequest) -> float:
    """How long Instagram may take to process the post's media (longer with a video)."""
    video = any(m.kind == "video" for m in request.media)
    return pacing.video_timeout if video else pacing.photo_timeout


def wait_until_processed(client: GraphClient, container: str, limit: float,
                         request: PublishRequest, progress: Progress, pacing: Pacing) -> str:
    """Poll the container until it can be published (or was); return its status code."""
    waited = 0.0
    while True:
        reply = client.get(container, fields="status_code,status")
        code = str(reply.get("status_code") or "").upper()
        if code in ("FINISHED", "PUBLISHED"):
            return code
        if code == "EXPIRED":
            raise ContainerExpired(container)
        if code == "ERROR":
            progress.drop("container_id", "upload_uri", "uploaded")
            said = redact(reply.get("status") or _("no reason given"), client.secrets)
            raise PublishFailed(
                _(NOT_PROCESSED[media_word(request)]).format(said=said, post=request.post_id),
                code="container_error")
        if waited >= limit:
            raise RetryLater(
                _(STILL_PROCESSING[media_word(request)]).format(seconds=int(waited)),
                code="processing")
        pacing.sleep(pacing.poll_interval)
        waited += pacing.poll_interval


def media_word(request: PublishRequest) -> str:
    """The post's media in one word: carousel, video or photo."""
    if len(request.media) > 1:
        return "carousel"
    return "video" if request.media and request.media[0].kind == "video" else "photo"
