"""Make the copy of a photo that one network will receive (``posts.media.fit`` calls it).

The photo is turned upright, converted (HEIC, PNG, WEBP to JPEG for Instagram), padded
or cropped into Instagram's 4:5 to 1.91:1, scaled and compressed, and written without
EXIF, GPS or XMP. Memory stays bounded for huge photos: the pixel budget is checked from
the header before anything is decoded (``posts.media.probe.check_pixels``), a JPEG is decoded
at 1/2, 1/4 or 1/8 of its size when its copy is that much smaller, and no full-size copy
is made of a photo already upright and in RGB.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from config.errors import MediaRejected
from config.i18n import _
from posts.media.probe import ProbeResult, check_pixels, open_image
from posts.rules import PHOTO_LIMITS, check, network_name

JPEG_QUALITIES = (90, 82, 74, 66, 58)
PAD_COLOUR = (255, 255, 255)
_ORIENTATION = 0x0112  # the EXIF tag



def publishable_as_is(network: str, info: ProbeResult, mode: str) -> bool:
    """True when the photo needs no change at all (and carries no metadata)."""
    verdict = check(network, "", [info], fit=mode)
    return verdict.status == "ok" and not info.has_metadata


def photo_output_format(network: str, info: ProbeResult) -> str:
    lim = PHOTO_LIMITS[network]
    if info.format == "gif" and info.frames > 1 and lim.gif_max_bytes is not None:
        return "gif"
    return info.format if info.format in lim.formats else "jpeg"


def _fit_ratio(img: Any, lim: Any, mode: str) -> Any:
    from PIL import Image

    w, h = img.size
    ratio = w / h
    if lim.min_ratio is not None and ratio < lim.min_ratio - 0.005:
        goal = lim.min_ratio
    elif lim.max_ratio is not None and ratio > lim.max_ratio + 0.005:
        goal = lim.max_ratio
    else:
        return img
    if mode == "crop":
        if ratio < goal:  # too tall: keep the full width
            nh = max(1, math.floor(w / goal))
            top = (h - nh) // 2
            return img.crop((0, top, w, top + nh))
        nw = max(1, math.floor(h * goal))
        left = (w - nw) // 2
        return img.crop((left, 0, left + nw, h))
    size = (math.ceil(h * goal), h) if ratio < goal else (w, math.ceil(w / goal))
    # Shrink first when the padded frame would be scaled down anyway: the frame of a
    # tall photo padded to 4:5 is never built larger than what is published.
    shrink = lim.max_width / size[0] if lim.max_width and size[0] > lim.max_width else 1.0
    if shrink < 1.0:
        img = img.resize((max(1, round(w * shrink)), max(1, round(h * shrink))),
                         Image.Resampling.LANCZOS)
        w, h = img.size
        size = (min(lim.max_width, math.ceil(h * goal)), h) if ratio < goal else \
            (w, math.ceil(w / goal))
    canvas = Image.new(img.mode, size, _pad_colour(img.mode))
    canvas.paste(img, ((size[0] - w) // 2, (size[1] - h) // 2))
    return canvas


def _scale_of(w: int, h: int, lim: Any, mode: str) -> float:
    """By how much the photo's pixels are scaled on their way to ``network`` (``w`` x ``h``
    as shown): the framing of ``_fit_ratio``, then the sizing of ``_scale``."""
    ratio = w / h
    goal = (lim.min_ratio if lim.min_ratio is not None and ratio < lim.min_ratio - 0.005
            else lim.max_ratio if lim.max_ratio is not None and ratio > lim.max_ratio + 0.005
            else None)
    fw, fh = w, h
    if goal is not None and mode == "crop":
        fw, fh = (w, max(1, math.floor(w / goal))) if ratio < goal else \
            (max(1, math.floor(h * goal)), h)
    elif goal is not None:
        fw, fh = (math.ceil(h * goal), h) if ratio < goal else (w, math.ceil(w / goal))
    factor = 1.0
    if lim.max_width is not None and fw > lim.max_width:
        factor = lim.max_width / fw
    elif lim.min_width is not None and fw < lim.min_width:
        factor = lim.min_width / fw
    if lim.max_side is not None and max(fw, fh) * factor > lim.max_side:
        factor = lim.max_side / max(fw, fh)
    return factor


def decode_reduced(opened: Any, factor: float) -> None:
    """Have a JPEG decoded at 1/2, 1/4 or 1/8 of its size (Pillow's draft mode) when the
    copy is at least that much smaller: a 12000x12000 photo fitted to 1440 pixels is read
    as 1500x1500, never as 144 megapixels. The decoded size stays at least the copy's, so
    the final resize still only shrinks."""
    if factor >= 0.5:
        return
    w, h = opened.size
    opened.draft(opened.mode, (math.ceil(w * factor), math.ceil(h * factor)))


def _pad_colour(mode: str) -> Any:
    return (*PAD_COLOUR, 255) if mode == "RGBA" else PAD_COLOUR if mode == "RGB" else 255


def _scale(img: Any, lim: Any) -> Any:
    from PIL import Image

    w, h = img.size
    factor = 1.0
    if lim.max_width is not None and w > lim.max_width:
        factor = lim.max_width / w
    elif lim.min_width is not None and w < lim.min_width:
        factor = lim.min_width / w
    if lim.max_side is not None and max(w, h) * factor > lim.max_side:
        factor = lim.max_side / max(w, h)
    if factor == 1.0:
        return img
    size = (max(1, round(w * factor)), max(1, round(h * factor)))
    if lim.max_width is not None:
        size = (min(size[0], lim.max_width), size[1])
    return img.resize(size, Image.Resampling.LANCZOS)


def _flatten(img: Any) -> Any:
    """RGB for JPEG: transparency becomes white."""
    from PIL import Image

    if img.mode in ("RGBA", "LA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        canvas = Image.new("RGB", rgba.size, PAD_COLOUR)
        canvas.paste(rgba, mask=rgba.getchannel("A"))
        return canvas
    return img if img.mode == "RGB" else img.convert("RGB")


def fit_photo(network: str, src: Path, info: ProbeResult, fmt: str, mode: str,
               out: Path) -> None:
    lim = PHOTO_LIMITS[network]
    with open_image(src, info.format) as opened:
        check_pixels(info.format, opened.size, info.name)  # from the header, before decoding
        if fmt == "gif":
            _save_animated_gif(opened, out)
            return
        if opened.format == "JPEG":
            decode_reduced(opened, _scale_of(info.width, info.height, lim, mode))
        opened.load()
        img = _upright(opened)
        if img is not opened:
            opened.close()  # the photo as read is not needed any more: free it now
        img = _framed(network, img, fmt, mode)
        if img is not opened:
            opened.close()
        _save(network, img, info, fmt, out)


def _upright(opened: Any) -> Any:
    """The picture turned as its EXIF orientation says; the picture itself, not a copy,
    when it is upright already (a copy of a big photo is as big again)."""
    from PIL import ImageOps

    if opened.getexif().get(_ORIENTATION) in (None, 1):
        return opened
    return ImageOps.exif_transpose(opened)


def _framed(network: str, img: Any, fmt: str, mode: str) -> Any:
    """``img`` in the colours, shape and size ``network`` takes."""
    lim = PHOTO_LIMITS[network]
    if fmt == "jpeg":
        img = _flatten(img)
    elif img.mode not in ("RGB", "RGBA", "L", "LA", "P"):
        img = img.convert("RGBA" if "A" in img.getbands() else "RGB")
    return _scale(_fit_ratio(img, lim, mode), lim)


def _save(network: str, img: Any, info: ProbeResult, fmt: str, out: Path) -> None:
    """Write ``img`` as ``fmt`` (JPEG when that is too big), compressed until ``network``
    takes its size, without any metadata."""
    lim = PHOTO_LIMITS[network]
    icc = img.info.get("icc_profile")
    img.info = {}  # no EXIF, XMP, GPS or comments reach the copy
    extra = {"icc_profile": icc} if icc else {}
    if fmt != "jpeg":
        img.save(out, _PIL_FORMATS[fmt], **extra)
        if out.stat().st_size <= lim.max_bytes:
            return
        img = _flatten(img)  # too big as PNG/WEBP/GIF: JPEG it is, under the same name
    for attempt in range(12):
        quality = JPEG_QUALITIES[min(attempt, len(JPEG_QUALITIES) - 1)]
        img.save(out, "JPEG", quality=quality, optimize=True, **extra)
        if out.stat().st_size <= lim.max_bytes:
            return
        if attempt >= len(JPEG_QUALITIES) - 1:
            img = img.resize((max(1, int(img.width * 0.8)), max(1, int(img.height * 0.8))))
    raise MediaRejected(_(
        "{name} could not be made small enough for {network}. "
        "Export it at a smaller size and add it again."
    ).format(name=info.name, network=network_name(network)))


_PIL_FORMATS = {"png": "PNG", "webp": "WEBP", "gif": "GIF", "jpeg": "JPEG"}


def _save_animated_gif(opened: Any, out: Path) -> None:
    from PIL import ImageSequence

    frames = [frame.copy() for frame in ImageSequence.Iterator(opened)]
    durations = [frame.info.get("duration", 100) for frame in frames]
    for frame in frames:
        frame.info = {}
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=durations,
                   loop=opened.info.get("loop", 0), disposal=2)
