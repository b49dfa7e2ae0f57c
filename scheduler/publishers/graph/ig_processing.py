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
            said = redact(reply.get("status") or "no reason given", client.secrets)
            raise PublishFailed(
                f"Instagram could not process the {media_word(request)}: {said}. Check it "
                f"with `costanza post show {request.post_id}`; a different photo or "
                f"video, chosen with `costanza post edit {request.post_id}`, usually "
                "fixes it.", code="container_error")
        if waited >= limit:
            raise RetryLater(
                f"Instagram is still processing the {media_word(request)} after "
                f"{int(waited)} seconds. Costanza will check again later; nothing is "
                "posted twice.", code="processing")
        pacing.sleep(pacing.poll_interval)
        waited += pacing.poll_interval


def media_word(request: PublishRequest) -> str:
    """The post's media in one word: carousel, video or photo."""
    if len(request.media) > 1:
        return "carousel"
    return "video" if request.media and request.media[0].kind == "video" else "photo"
