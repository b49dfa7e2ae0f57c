"""Checks made before any call to a network, so that a bad request never half-happens."""

from __future__ import annotations

from config.errors import PublishFailed
from config.i18n import _
from scheduler.http.transport import network_name
from scheduler.publishers.base import PublishRequest


def check_media_files(request: PublishRequest) -> None:
    """Every photo and video of the request is on disk and readable."""
    for number, item in enumerate(request.media, start=1):
        try:
            with open(item.path, "rb") as fh:
                fh.read(1)
        except OSError:
            message = (_("The video number {number} of this post is missing from Costanza's "
                         "media folder, so nothing was sent to {network}. Add it again with "
                         "`costanza post edit {post}`.") if item.kind == "video" else
                       _("The photo number {number} of this post is missing from Costanza's "
                         "media folder, so nothing was sent to {network}. Add it again with "
                         "`costanza post edit {post}`."))
            raise PublishFailed(
                message.format(number=number, network=network_name(request.network),
                               post=request.post_id),
                code="media_missing") from None
