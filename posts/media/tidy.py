"""Removing the fitted copies no post needs any more.

``posts.media.fit`` keeps each network's copy of a photo or video (``fitted/<network>/``)
so that a retry never converts twice. Once every post showing it on that network
has gone out, or was cancelled, the copy only takes room: a converted video can
weigh as much as its original, and originals stay in the media store.

A copy is kept while a post that shows it on that network is still queued, or has
a delivery there that is not settled for good (waiting, being published, unknown,
failed, held or to be reviewed: `costanza retry` or a reconnection may send those
again), and for a day after it was last made or used, so that no post being
published at this moment loses its file. A copy removed too early is only made
again, at the cost of the conversion.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from config import i18n
from config.i18n import ngettext
from posts.media.store import MediaStore
from posts.models import TERMINAL_DELIVERY_STATES, Delivery, Post, PostMedia
from posts.networks import NETWORKS

log = logging.getLogger("costanza.media")

KEEP_AFTER_USE = timedelta(days=1)
_COPY_NAME = re.compile(r"^([0-9a-f]{64})(?:-[a-z]+)?\.[0-9a-z]+(?:\.json)?$")


def needed_copies(db: Session) -> set[tuple[str, str]]:
    """(media sha256, network) of every copy a post may still send."""
    needed: set[tuple[str, str]] = set()
    for sha, targets in db.execute(
            select(PostMedia.media_sha256, Post.targets).join(Post, Post.id == PostMedia.post_id)
            .where(Post.state == "queued")):
        needed.update((sha, network) for network in targets or [])
    needed.update((sha, network) for sha, network in db.execute(
        select(PostMedia.media_sha256, Delivery.network)
        .join(Delivery, Delivery.post_id == PostMedia.post_id)
        .where(Delivery.state.not_in(TERMINAL_DELIVERY_STATES))))
    return needed


def tidy_fitted(db: Session, media_store: MediaStore, now: datetime) -> tuple[int, int]:
    """Remove the copies no post needs and not used for a day; (files, bytes) removed."""
    needed = needed_copies(db)
    oldest = (now - KEEP_AFTER_USE).timestamp()
    files = size = 0
    for network in NETWORKS:
        folder = media_store.fitted_dir(network)
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            match = _COPY_NAME.match(path.name)
            if match is None or (match.group(1), network) in needed:
                continue  # not a copy (a file being written), or still needed
            removed = _remove_if_older(path, oldest)
            if removed is not None:
                files += 1
                size += removed
    if files:
        log.info("%s", ngettext(
            "removed {n} converted copies of photos and videos no post needs any more "
            "({mb} MB)",
            "removed {n} converted copies of photos and videos no post needs any more "
            "({mb} MB)", files).format(n=files, mb=i18n.number(size / 1e6, 1)))
    return files, size


def _remove_if_older(path: Path, oldest: float) -> int | None:
    try:
        stat = path.stat()
        if stat.st_mtime > oldest:
            return None
        path.unlink()
    except FileNotFoundError:
        return None
    return stat.st_size
