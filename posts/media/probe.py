"""Find out what a photo or video really is, from its bytes rather than its name.

``probe(path)`` returns a ``ProbeResult`` or raises ``MediaRejected`` with a
plain sentence. Photos are decoded with Pillow (pillow-heif for HEIC), videos
with PyAV; both libraries are imported only when needed, so commands that never
touch a video never import PyAV.
"""

from __future__ import annotations

import stat
from dataclasses import asdict, dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from config.errors import MediaRejected, os_reason
from config.i18n import N_, _
from posts.media.formats import (
    MIMES,
    PHOTO_SUFFIXES,
    VIDEO_SUFFIXES,
    display_name,
    format_label,
    human_size,
    kind_of,
    sniff,
)
from posts.media.shapes import beyond_every_network

MAX_BYTES = 1024**3  # 1 GB: the largest file Costanza takes in
_SUPPORTED = N_("Use a JPEG, PNG, WEBP, HEIC or GIF photo, or an MP4 or MOV video.")


@dataclass(frozen=True)
class ProbeResult:
    """What a media file is. ``width`` and ``height`` are as the file is shown
    (after a photo's EXIF orientation or a video's rotation)."""

    kind: str  # "photo" or "video"
    format: str  # jpeg, png, webp, heic, gif, mp4, mov, webm, mkv, avi
    mime: str
    size_bytes: int
    width: int
    height: int
    orientation: int | None = None  # EXIF orientation tag of a photo
    has_location: bool = False  # GPS or other location metadata present
    has_metadata: bool = False  # EXIF, XMP or container tags worth stripping
    frames: int = 1  # frames in an animated GIF/WEBP
    duration: float | None = None  # seconds
    fps: float | None = None
    video_codec: str | None = None
    audio_codec: str | None = None
    audio_sample_rate: int | None = None
    pix_fmt: str | None = None
    container: str | None = None
    rotation: int = 0  # degrees a player turns the video by
    name: str = ""  # the original file name, safe to print

    @property
    def aspect(self) -> float:
        return self.width / self.height if self.height else 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ProbeResult:
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})


def probe(path: Path | str, expect: str | None = None) -> ProbeResult:
    """Identify and check a photo or video.

    ``expect`` ("photo" or "video") is what the user said the file is; without
    it, the file's name suffix is taken as what the user expects.
    """
    path = Path(path)
    name = display_name(path)
    try:
        st = path.stat()
    except FileNotFoundError:
        raise MediaRejected(_(
            "{name} was not found. Check the file name and the folder, then try again."
        ).format(name=name)) from None
    except OSError as exc:
        raise MediaRejected(_(
            "{name} could not be opened ({reason}). "
            "Check that the file exists and that you may read it."
        ).format(name=name, reason=os_reason(exc, _("access denied")))) from exc
    if stat.S_ISDIR(st.st_mode):
        raise MediaRejected(_("{name} is a folder, not a photo or a video. Give the file "
                              "itself.").format(name=name))
    if not stat.S_ISREG(st.st_mode):
        raise MediaRejected(_("{name} is not a regular file. Give a photo or video file.")
                            .format(name=name))
    size = st.st_size
    if size == 0:
        raise MediaRejected(_("{name} is empty (0 bytes). Copy the file again from its "
                              "source.").format(name=name))
    if size > MAX_BYTES:
        raise MediaRejected(_(
            "{name} is {size}; Costanza takes files up to 1 GB. "
            "Shorten the video or export it at a lower quality, then add it again."
        ).format(name=name, size=human_size(size)))
    try:
        with open(path, "rb") as fh:
            head = fh.read(64)
    except OSError as exc:
        raise MediaRejected(_(
            "{name} could not be read ({reason}). "
            "Check that you may read it and that the disk is working."
        ).format(name=name, reason=os_reason(exc, _("read error")))) from exc

    fmt = sniff(head)
    if fmt is None or fmt == "avif":
        sentence = (_("{name} is an AVIF image Costanza cannot use. {supported}")
                    if fmt == "avif" else
                    _("{name} is a kind of file Costanza cannot use. {supported}"))
        raise MediaRejected(sentence.format(name=name, supported=_(_SUPPORTED)))
    kind = kind_of(fmt)
    if expect is None:
        suffix = path.suffix.lower()
        expect = ("photo" if suffix in PHOTO_SUFFIXES
                  else "video" if suffix in VIDEO_SUFFIXES else None)
    if expect is not None and expect != kind:
        raise _other_kind(name, kind, fmt)
    if kind == "photo":
        return _probe_photo(path, fmt, size, name)
    return _probe_video(path, fmt, size, name)


def _other_kind(name: str, kind: str, fmt: str) -> MediaRejected:
    """A file given as a photo that is a video, or the other way round."""
    option = "--video" if kind == "video" else "--photo"
    sentence = (_("{name} is not a photo: it looks like a video ({format}). "
                  "Rename it or pass it with {option}.") if kind == "video" else
                _("{name} is not a video: it looks like a photo ({format}). "
                  "Rename it or pass it with {option}."))
    return MediaRejected(sentence.format(name=name, format=format_label(fmt), option=option))


def damaged(name: str, kind: str) -> MediaRejected:
    sentence = (_("{name} could not be read as a photo: the file looks damaged or "
                  "incomplete. Copy it again from the camera or phone, or export it again, "
                  "then add it once more.") if kind == "photo" else
                _("{name} could not be read as a video: the file looks damaged or "
                  "incomplete. Copy it again from the camera or phone, or export it again, "
                  "then add it once more."))
    return MediaRejected(sentence.format(name=name))


def fps_value(rate: Fraction | None) -> float | None:
    if not rate:
        return None
    return round(float(rate), 3)


# --- photos -----------------------------------------------------------------

# A photo that cannot be decoded at a reduced size (PNG, WEBP, HEIC, GIF) is decoded
# whole, at 4 bytes a pixel (Pillow keeps RGB as RGBX): 100 megapixels take 400 MB, and
# resizing them about half as much again. That is the most one photo may take on a small
# home server where the daemon may fit a few at the same time. No camera makes more (the
# largest sensors make 100-megapixel photos) and no network shows more than 4096 pixels
# on a side, so a bigger photo is refused, with the fix, before any pixel is decoded.
MAX_PIXELS = 100_000_000
# A JPEG is decoded at 1/2, 1/4 or 1/8 of its size when the copy is that much smaller
# (``posts.media.fit``); above 100 megapixels it always is (no network keeps more than 4096
# pixels on a side), so a JPEG may be bigger, up to just under Pillow's own ceiling
# (twice its ``Image.MAX_IMAGE_PIXELS``), beyond which Pillow does not open a file at all.
MAX_JPEG_PIXELS = 178_000_000
REDUCIBLE = ("jpeg",)

_ORIENTATION = 0x0112
_GPS_IFD = 0x8825


def register_heif() -> None:
    """Teach Pillow to read HEIC (done lazily, the first time a photo is opened)."""
    import pillow_heif

    pillow_heif.register_heif_opener()


def photo_metadata(img: Any) -> tuple[int | None, bool, bool]:
    """(EXIF orientation, has location, has metadata) of an opened Pillow image."""
    exif = img.getexif()
    orientation = exif.get(_ORIENTATION)
    has_location = False
    if _GPS_IFD in exif:
        try:
            has_location = bool(exif.get_ifd(_GPS_IFD)) or bool(exif[_GPS_IFD])
        except Exception:  # a broken GPS block still counts as location
            has_location = True
    xmp = img.info.get("xmp") or img.info.get("XML:com.adobe.xmp") or b""
    if isinstance(xmp, str):
        xmp = xmp.encode("utf-8", "replace")
    if b"GPSLatitude" in xmp or b"GPSLongitude" in xmp or b"LocationShown" in xmp:
        has_location = True
    has_metadata = bool(len(exif)) or bool(xmp) or any(
        key in img.info for key in ("iptc", "photoshop", "comment"))
    return (int(orientation) if orientation else None), has_location, has_metadata


def too_many_pixels(name: str, size: tuple[int, int] | None = None) -> MediaRejected:
    """The refusal of a photo over the pixel budget, with the fix."""
    limit = MAX_PIXELS // 1_000_000
    if size is None:
        return MediaRejected(_(
            "{name} has far too many pixels, far more than a photo needs and more than "
            "Costanza can open safely. Export it smaller than {limit} megapixels (for example "
            "8000x6000 pixels, or 4000 pixels wide) and add it again.").format(
            name=name, limit=limit))
    return MediaRejected(_(
        "{name} is {width}x{height} pixels ({megapixels} megapixels), far more than a photo "
        "needs and more than Costanza can open safely. Export it smaller than {limit} "
        "megapixels (for example 8000x6000 pixels, or 4000 pixels wide) and add it again."
    ).format(name=name, width=size[0], height=size[1], limit=limit,
             megapixels=f"{size[0] * size[1] / 1e6:.0f}"))


def check_pixels(fmt: str, size: tuple[int, int], name: str) -> None:
    """Refuse, from the header alone, a photo too big to decode (see ``MAX_PIXELS``)."""
    limit = MAX_JPEG_PIXELS if fmt in REDUCIBLE else MAX_PIXELS
    if size[0] * size[1] > limit:
        raise too_many_pixels(name, size)


def open_image(path: Path, fmt: str) -> Any:
    """``Image.open``: reads the header only. Pillow's warning about a photo of more
    than 89 megapixels is silenced (Costanza checks the size itself, ``check_pixels``,
    and a warning would reach the person's terminal as a technical line)."""
    import warnings

    from PIL import Image

    if fmt == "heic":
        register_heif()
    warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)  # no duplicate
    return Image.open(path)


def _probe_photo(path: Path, fmt: str, size: int, name: str) -> ProbeResult:
    from PIL import Image

    try:
        with open_image(path, fmt) as img:
            width, height = img.size
            check_pixels(fmt, (width, height), name)
            if beyond_every_network(width, height):
                # Refused for every network by its shape: nothing more is read (a PNG's
                # EXIF, which may follow the pixels, would have them decoded).
                return ProbeResult(kind="photo", format=fmt, mime=MIMES[fmt],
                                   size_bytes=size, width=width, height=height, name=name)
            frames = int(getattr(img, "n_frames", 1) or 1)
            orientation, has_location, has_metadata = photo_metadata(img)
            if fmt == "jpeg":
                img.draft("RGB", (max(1, width // 8), max(1, height // 8)))
            img.load()
    except Image.DecompressionBombError:
        raise too_many_pixels(name) from None
    except MediaRejected:
        raise
    except Exception as exc:
        raise damaged(name, "photo") from exc
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    return ProbeResult(
        kind="photo", format=fmt, mime=MIMES[fmt], size_bytes=size, width=width,
        height=height, orientation=orientation, has_location=has_location,
        has_metadata=has_metadata, frames=frames, name=name,
    )


# --- videos -----------------------------------------------------------------

_LOCATION_KEYS = ("location", "com.apple.quicktime.location.iso6709", "location-eng")


def _rotation(stream: Any, frame: Any) -> int:
    angle = getattr(frame, "rotation", None)
    if angle is None:
        angle = stream.metadata.get("rotate", 0)
    try:
        return round(float(angle)) % 360
    except (TypeError, ValueError):
        return 0


def _first_frame(container: Any, vstream: Any, name: str) -> Any:
    """The video's first picture, read in the same pass that goes through every packet
    (without decoding the rest) so that a video cut short is caught now.

    Its index says how many frames the video has; a truncated copy delivers fewer.
    Without that number, reading stops at the first picture.
    """
    expected = vstream.frames or 0
    frame = None
    got = 0
    for packet in container.demux(vstream):
        if packet.size:
            got += 1
        if frame is None:
            frame = next(iter(packet.decode()), None)
            if frame is not None and not expected:
                break
    if frame is None or got < expected:
        raise damaged(name, "video")
    return frame


_PLAIN_TAGS = ("major_brand", "minor_version", "compatible_brands", "encoder",
               "handler_name", "vendor_id", "language")


def _video_info(container: Any, name: str) -> dict[str, Any]:
    if not container.streams.video and not container.streams.audio:
        raise damaged(name, "video")
    if not container.streams.video:
        raise MediaRejected(_("{name} has no picture, only sound. Give a video with images "
                              "in it.").format(name=name))
    vstream = container.streams.video[0]
    astream = container.streams.audio[0] if container.streams.audio else None
    duration = None
    if container.duration:
        duration = container.duration / 1_000_000
    elif vstream.duration and vstream.time_base:
        duration = float(vstream.duration * vstream.time_base)
    tags = {k.lower(): v for k, v in container.metadata.items()}
    tags.update({k.lower(): v for k, v in vstream.metadata.items()})
    has_location = any(key in tags for key in _LOCATION_KEYS)
    frame = _first_frame(container, vstream, name)
    width = vstream.codec_context.width or frame.width
    height = vstream.codec_context.height or frame.height
    rotation = _rotation(vstream, frame)
    if rotation in (90, 270):
        width, height = height, width
    return {
        "width": width, "height": height, "rotation": rotation,
        "duration": round(duration, 3) if duration else None,
        "fps": fps_value(vstream.average_rate or vstream.guessed_rate),
        "video_codec": vstream.codec_context.name, "pix_fmt": vstream.codec_context.pix_fmt,
        "audio_codec": astream.codec_context.name if astream else None,
        "audio_sample_rate": astream.codec_context.sample_rate if astream else None,
        "container": container.format.name, "has_location": has_location,
        "has_metadata": has_location or any(k not in _PLAIN_TAGS for k in tags),
    }


def _probe_video(path: Path, fmt: str, size: int, name: str) -> ProbeResult:
    import av

    try:
        with open(path, "rb") as fh:
            with av.open(fh, mode="r") as container:
                info = _video_info(container, name)
    except MediaRejected:
        raise
    except Exception as exc:
        raise damaged(name, "video") from exc
    return ProbeResult(kind="video", format=fmt, mime=MIMES[fmt], size_bytes=size, name=name,
                       **info)
