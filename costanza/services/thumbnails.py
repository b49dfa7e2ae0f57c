"""Small pictures of a post's photo or video, for the web page's week.

Made once from the stored file (a photo with Pillow, a video's first frame with PyAV),
kept beside the media store (``<media>/thumbs/<sha256>.jpg``) and read from there the
next time. Only a file the database knows is ever read.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import text

from config.errors import NotFound
from config.i18n import _
from costanza.app import App

SIZE = 360  # the longer side, in pixels: sharp at twice the 180 px the page shows
_SHA = re.compile(r"^[0-9a-f]{64}$")


def _not_found() -> NotFound:
    return NotFound(_("There is no such picture. Go back to the week to see the posts."))


def thumbnail(app: App, sha256: str) -> Path:
    """The thumbnail of the stored photo or video ``sha256``, made now if it is new."""
    if not _SHA.match(sha256):
        raise _not_found()
    with app.store.engine.connect() as conn:
        kind = conn.execute(text("SELECT kind FROM media WHERE sha256 = :s"),
                            {"s": sha256}).scalar()
    if kind is None:
        raise _not_found()
    media = app.media
    target = media.root / "thumbs" / f"{sha256}.jpg"
    if target.is_file():
        return target
    source = media.path_of(sha256)
    picture = _video_frame(source) if kind == "video" else _photo(source)
    picture.thumbnail((SIZE, SIZE))
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".thumb-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            picture.convert("RGB").save(out, "JPEG", quality=82)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def _photo(path: Path) -> Any:
    from PIL import Image, ImageOps

    from posts.media.probe import register_heif

    register_heif()
    with Image.open(path) as img:
        img.seek(0)  # the first frame of a GIF
        return ImageOps.exif_transpose(img).copy()


def _video_frame(path: Path) -> Any:
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        for frame in container.decode(stream):
            return frame.to_image()
    raise _not_found()
