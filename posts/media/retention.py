"""Removing the originals no post needs any more from the media store.

An original is kept while any post using it is queued, has a delivery not settled
for good, or was removed or settled less than ``[media] keep_originals`` ago
(30 days by default; "never" keeps every original). The time is the database's
own (the post's ``updated_at`` when it was removed, its deliveries' ``updated_at``
once settled), compared with the passed-in clock: file times are never read.

Each file is removed under its media lock, the one ``post add`` holds from the
copy to its commit, so an add of the same file either sees it gone and copies it
again, or is seen here as a new user and the file stays.
"""

from __future__ import annotations

import logging
import os
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from config import i18n
from config.i18n import ngettext
from posts.media.store import MediaStore
from posts.models import TERMINAL_DELIVERY_STATES, Delivery, Media, Post, PostMedia
from posts.queue import hold_media
from posts.store import Store

log = logging.getLogger("costanza.media")


def _last_use(db: Session, sha256: str) -> datetime | None:
    """When the last post using this file was done with it; None while one still needs it."""
    posts = db.execute(select(Post.id, Post.state, Post.updated_at)
                       .join(PostMedia, PostMedia.post_id == Post.id)
                       .where(PostMedia.media_sha256 == sha256)).all()
    last: datetime | None = None
    for post_id, state, updated_at in posts:
        if state == "queued":
            return None
        if state == "removed":
            done = updated_at
        else:
            open_, settled = db.execute(
                select(func.count().filter(Delivery.state.not_in(TERMINAL_DELIVERY_STATES)),
                       func.max(Delivery.updated_at)).where(Delivery.post_id == post_id)).one()
            if open_ or settled is None:
                return None
            done = settled
        last = done if last is None or done > last else last
    return last


def due_originals(db: Session, now: datetime, keep: timedelta) -> list[tuple[str, int, datetime]]:
    """(sha256, size, when it is due) of every original no post needs, due or not yet."""
    due = []
    for sha, size in db.execute(select(Media.sha256, Media.size_bytes)).all():
        last = _last_use(db, sha)
        if last is not None:
            due.append((sha, size, last + keep))
    return due


def tidy_originals(store: Store, media_store: MediaStore, now: datetime,
                   keep: timedelta | None) -> tuple[int, int]:
    """Remove the originals due, one write transaction each; (files, bytes) removed."""
    if keep is None:
        return 0, 0
    with store.read() as db:
        due = [(sha, size) for sha, size, when in due_originals(db, now, keep) if when <= now]
    files = size = 0
    for sha, sha_size in due:
        if _remove_one(store, media_store, sha, now, keep):
            files += 1
            size += sha_size
    if files:
        log.info("%s", ngettext(
            "removed {n} original photos and videos no post needs any more ({mb} MB)",
            "removed {n} original photos and videos no post needs any more ({mb} MB)",
            files).format(n=files, mb=i18n.number(size / 1e6, 1)))
    return files, size


def _remove_one(store: Store, media_store: MediaStore, sha: str, now: datetime,
                keep: timedelta) -> bool:
    """Under the file's lock, check again, then drop its rows and set its file aside in
    one transaction; the file is deleted once that committed, put back if it did not."""
    path = aside = None
    try:
        with store.write() as db:
            hold_media(db, sha)
            last = _last_use(db, sha)
            media = db.get(Media, sha)
            if media is None or last is None or last + keep > now:
                return False
            path = media_store.root / media.store_path
            db.execute(delete(PostMedia).where(PostMedia.media_sha256 == sha))
            db.delete(media)
            db.flush()
            if path.exists():
                aside = path.with_name(path.name + ".removing")
                os.replace(path, aside)
    except BaseException:
        if aside is not None and path is not None:
            os.replace(aside, path)
        raise
    if aside is not None:
        aside.unlink(missing_ok=True)
    for sidecar in path.parent.glob(f"{sha}*.json"):
        sidecar.unlink(missing_ok=True)
    return True


def store_usage(db: Session, media_store: MediaStore, now: datetime,
                keep: timedelta | None) -> dict[str, Any]:
    """The media store's size (originals, converted copies) and what is due to go, when."""
    originals = db.scalar(select(func.coalesce(func.sum(Media.size_bytes), 0))) or 0
    fitted = media_store.root / "fitted"
    converted = sum(p.stat().st_size for p in fitted.rglob("*") if p.is_file()) \
        if fitted.is_dir() else 0
    due = due_originals(db, now, keep) if keep is not None else []
    return {"originals_bytes": int(originals), "converted_bytes": converted,
            "due_count": len(due), "due_bytes": sum(size for _s, size, _w in due),
            "due_at": max(now, min(w for _s, _z, w in due)) if due else None}


def size_label(size: int) -> str:
    """Megabytes below a gigabyte, gigabytes above: what people read on their disks."""
    if size >= 1e9:
        return f"{i18n.number(size / 1e9, 1)} GB"
    return f"{i18n.number(size / 1e6, 1)} MB"
