"""Looking at uploaded media: image format and size, and whether bytes look like a video."""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

MIME = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp",
        "BMP": "image/bmp", "TIFF": "image/tiff", "MPO": "image/jpeg"}


@dataclass(frozen=True)
class ImageInfo:
    format: str  # "JPEG", "PNG", ...
    mime: str
    width: int
    height: int


def probe_image(data: bytes) -> ImageInfo | None:
    try:
        with Image.open(io.BytesIO(data)) as image:
            fmt, (width, height) = image.format or "", image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None
    return ImageInfo(fmt, MIME.get(fmt, "application/octet-stream"), width, height)


def looks_like_video(data: bytes) -> bool:
    """An ISO base media file (MP4/MOV): a box type among the first bytes."""
    return len(data) > 12 and data[4:8] in (b"ftyp", b"moov", b"mdat", b"free", b"wide",
                                            b"skip")
