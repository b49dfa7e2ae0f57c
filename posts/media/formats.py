"""The kinds of photo and video file Costanza knows, and how to tell them apart.

A file's format is read from its first bytes (``sniff``), never from its name;
the name's suffix only says what the person expects it to be. Also how formats,
sizes and file names are shown to people.
"""

from __future__ import annotations

import os
from pathlib import Path

from config import i18n

GB = 1024**3
MB = 1024**2

PHOTO_FORMATS = ("jpeg", "png", "webp", "heic", "gif")
VIDEO_FORMATS = ("mp4", "mov", "webm", "mkv", "avi")

MIMES = {
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "heic": "image/heic",
    "gif": "image/gif",
    "mp4": "video/mp4",
    "mov": "video/quicktime",
    "webm": "video/webm",
    "mkv": "video/x-matroska",
    "avi": "video/x-msvideo",
}

PHOTO_SUFFIXES = {".jpg", ".jpeg", ".jpe", ".png", ".webp", ".heic", ".heif", ".gif"}
VIDEO_SUFFIXES = {".mp4", ".m4v", ".mov", ".qt", ".webm", ".mkv", ".avi"}

_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}
_QT_ATOMS = {b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"}


def display_name(path: Path | str | bytes) -> str:
    """The file's name as a printable string, even when it is not valid UTF-8."""
    name = os.path.basename(os.fsdecode(path))
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def human_size(n: int) -> str:
    if n >= GB:
        return f"{i18n.number(n / GB, 1)} GB"
    if n >= MB:
        return f"{i18n.number(n / MB, 1)} MB"
    return f"{max(1, round(n / 1024))} KB"


def sniff(head: bytes) -> str | None:
    """The format named by a file's first bytes, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "avi"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "webm" if b"webm" in head[:64] else "mkv"
    if head[4:8] == b"ftyp":
        major = head[8:12]
        if major in _HEIF_BRANDS:
            return "heic"
        if major == b"qt  ":
            return "mov"
        if major in (b"avif", b"avis"):
            return "avif"
        return "mp4"
    if head[4:8] in _QT_ATOMS:
        return "mov"
    return None


def kind_of(fmt: str) -> str:
    """"photo" or "video": what a format holds."""
    return "video" if fmt in VIDEO_FORMATS else "photo"


def format_label(fmt: str) -> str:
    """How a format is named to people: JPEG, HEIC, WEBP, PNG, MP4..."""
    return {"jpeg": "JPEG", "heic": "HEIC", "webp": "WEBP"}.get(fmt, fmt.upper())
