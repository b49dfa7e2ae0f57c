"""Make the copy of a photo or video that one network will receive.

``fit_for(network, stored, store)`` applies the rules of ``posts.rules``:
photos are turned upright, converted (HEIC, PNG, WEBP to JPEG for Instagram),
padded or cropped into Instagram's 4:5 to 1.91:1, scaled and compressed;
videos that are not H.264/AAC in MP4, or over a network's limits, are
transcoded with PyAV frame by frame. Every published copy is written without
EXIF, GPS, XMP or container tags: location never leaves the machine.

Results are cached in the media store (``fitted/<network>/<sha256>-<mode>.<ext>``
plus a small JSON sidecar) so that a retry never converts twice; the daemon removes
the copies no post needs any more (``posts.fitted_tidy``).
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import asdict, dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from costanza.errors import MediaRejected
from posts.media_store import MediaStore, sha256_of, write_atomically
from posts.probe import ProbeResult, check_pixels, human_size, open_image, probe
from posts.rules import (
    MIN_VIDEO_BITRATE,
    PHOTO_LIMITS,
    RAISED_FPS,
    VIDEO_LIMITS,
    check,
    network_name,
    video_changes,
)

JPEG_QUALITIES = (90, 82, 74, 66, 58)
PAD_COLOUR = (255, 255, 255)
DEFAULT_VIDEO_BITRATE = 5_000_000
AUDIO_BITRATE = 128_000
_ORIENTATION = 0x0112  # the EXIF tag


@dataclass(frozen=True)
class FittedMedia:
    """The publishable copy of a photo or video for one network."""

    path: Path
    mime: str
    width: int
    height: int
    size_bytes: int
    sha256: str
    duration: float | None = None
    kind: str = "photo"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["path"] = str(self.path)
        return data


def _source(stored: Any, store: MediaStore) -> tuple[Path, ProbeResult]:
    path = getattr(stored, "path", None)
    if path is None:
        path = store.path_of(getattr(stored, "store_path", None) or stored.sha256)
    data = getattr(stored, "probe", None)
    if isinstance(data, dict) and data.get("kind"):
        return Path(path), ProbeResult.from_dict(data)
    return Path(path), probe(Path(path), expect=getattr(stored, "kind", None))


def fit_for(network: str, stored: Any, store: MediaStore, mode: str = "pad") -> FittedMedia:
    """The copy of ``stored`` (anything with ``sha256`` and ``kind``, plus ``path`` or
    ``store_path``) that ``network`` accepts; made once, then taken from the cache."""
    network_name(network)
    if mode not in ("pad", "crop"):
        raise MediaRejected(f"The fit setting {mode!r} is not known. Use pad or crop.")
    src, info = _source(stored, store)
    if info.kind == "photo":
        if _publishable_as_is(network, info, mode):
            return FittedMedia(path=src, mime=info.mime, width=info.width, height=info.height,
                               size_bytes=info.size_bytes, sha256=stored.sha256)
        fmt = _photo_output_format(network, info)
        key = f"{stored.sha256}-{mode}" if network == "instagram" else stored.sha256
        ext = "jpg" if fmt == "jpeg" else fmt
    else:
        changes = video_changes(network, info)
        if not changes and not info.has_metadata:
            return FittedMedia(path=src, mime=info.mime, width=info.width, height=info.height,
                               size_bytes=info.size_bytes, sha256=stored.sha256,
                               duration=info.duration, kind="video")
        fmt = "mp4" if changes else info.format
        key, ext = stored.sha256, fmt
    target = store.fitted_dir(network) / f"{key}.{ext}"
    cached = _cached(target)
    if cached is not None:
        _mark_used(target, store)
        return cached
    if info.kind == "photo":
        def fill(tmp: Path) -> None:
            _fit_photo(network, src, info, fmt, mode, tmp)
    elif changes:
        def fill(tmp: Path) -> None:
            _transcode_within_limit(network, src, info, changes, tmp)
    else:
        def fill(tmp: Path) -> None:
            _remux(src, fmt, tmp)
    write_atomically(target, fill, tmp_dir=target.parent, name=info.name, size=info.size_bytes)
    fitted = _record(target, info.kind)
    _mark_used(target, store)
    return fitted


def _sidecar(target: Path) -> Path:
    return target.with_name(target.name + ".json")


def _mark_used(target: Path, store: MediaStore) -> None:
    """Copies not used for a while are removed (``posts.fitted_tidy``): this one was, at
    the store's clock's time (the time the tidy-up compares with), not the file system's."""
    when = store.clock.now().timestamp()
    for path in (target, _sidecar(target)):
        try:
            os.utime(path, (when, when))
        except OSError:
            pass


def _cached(target: Path) -> FittedMedia | None:
    meta = _sidecar(target)
    if not (target.is_file() and meta.is_file()):
        return None
    try:
        data = json.loads(meta.read_text(encoding="utf-8"))
        data["path"] = target
        fitted = FittedMedia(**data)
    except (ValueError, TypeError):
        return None
    return fitted if fitted.size_bytes == target.stat().st_size else None


def _record(target: Path, kind: str) -> FittedMedia:
    result = probe(target, expect=kind)
    fitted = FittedMedia(path=target, mime=result.mime, width=result.width,
                         height=result.height, size_bytes=result.size_bytes,
                         sha256=sha256_of(target), duration=result.duration, kind=kind)
    body = json.dumps({k: v for k, v in fitted.to_dict().items() if k != "path"}).encode()

    def fill(tmp: Path) -> None:
        tmp.write_bytes(body)

    write_atomically(_sidecar(target), fill, tmp_dir=target.parent, name=target.name,
                     size=len(body))
    return fitted


# --- photos ---------------------------------------------------------------------


def _publishable_as_is(network: str, info: ProbeResult, mode: str) -> bool:
    """True when the photo needs no change at all (and carries no metadata)."""
    verdict = check(network, "", [info], fit=mode)
    return verdict.status == "ok" and not info.has_metadata


def _photo_output_format(network: str, info: ProbeResult) -> str:
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


def _decode_reduced(opened: Any, factor: float) -> None:
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


def _fit_photo(network: str, src: Path, info: ProbeResult, fmt: str, mode: str,
               out: Path) -> None:
    lim = PHOTO_LIMITS[network]
    with open_image(src, info.format) as opened:
        check_pixels(info.format, opened.size, info.name)  # from the header, before decoding
        if fmt == "gif":
            _save_animated_gif(opened, out)
            return
        if opened.format == "JPEG":
            _decode_reduced(opened, _scale_of(info.width, info.height, lim, mode))
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
    raise MediaRejected(
        f"{info.name} could not be made small enough for {network_name(network)}. "
        "Export it at a smaller size and add it again."
    )


_PIL_FORMATS = {"png": "PNG", "webp": "WEBP", "gif": "GIF", "jpeg": "JPEG"}


def _save_animated_gif(opened: Any, out: Path) -> None:
    from PIL import ImageSequence

    frames = [frame.copy() for frame in ImageSequence.Iterator(opened)]
    durations = [frame.info.get("duration", 100) for frame in frames]
    for frame in frames:
        frame.info = {}
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=durations,
                   loop=opened.info.get("loop", 0), disposal=2)


# --- videos ---------------------------------------------------------------------


def _remux(src: Path, fmt: str, out: Path) -> None:
    """Copy the video and sound as they are into a new file, without any tags."""
    import av

    with open(src, "rb") as fh, open(out, "wb") as sink, av.open(fh) as inp, \
            av.open(sink, mode="w", format=fmt) as dst:
        mapping = {}
        for stream in (*inp.streams.video[:1], *inp.streams.audio[:1]):
            copied = dst.add_stream_from_template(stream)
            copied.metadata.clear()
            mapping[stream.index] = copied
        for packet in inp.demux(*[s for s in inp.streams if s.index in mapping]):
            if packet.dts is None:
                continue
            packet.stream = mapping[packet.stream.index]
            dst.mux(packet)


def _target_rate(network: str, info: ProbeResult, rate: Fraction | None) -> Fraction:
    lim = VIDEO_LIMITS[network]
    fps = float(rate) if rate else (info.fps or 30.0)
    if lim.max_fps and fps > lim.max_fps + 0.01:
        return Fraction(int(lim.max_fps))
    if lim.min_fps and fps < lim.min_fps - 0.01:
        return Fraction(RAISED_FPS)
    return Fraction(rate).limit_denominator(1001) if rate else Fraction(round(fps))


def _target_size(network: str, info: ProbeResult) -> tuple[int, int]:
    lim = VIDEO_LIMITS[network]
    w, h = info.width, info.height  # as shown, after rotation
    factor = 1.0
    if lim.max_width and w > lim.max_width:
        factor = min(factor, lim.max_width / w)
    if lim.max_height and h > lim.max_height:
        factor = min(factor, lim.max_height / h)
    w, h = round(w * factor), round(h * factor)
    return max(2, w - w % 2), max(2, h - h % 2)  # yuv420p wants even sizes


def _transcode_within_limit(network: str, src: Path, info: ProbeResult, changes: list[str],
                            out: Path) -> None:
    """Transcode; when the result is over the network's size limit, try a lower bitrate."""
    limit = VIDEO_LIMITS[network].max_bytes
    for squeeze in (1.0, 0.7, 0.5):
        _transcode(network, src, info, changes, out, squeeze)
        if out.stat().st_size <= limit:
            return
        if "size" not in changes:
            changes = [*changes, "size"]
    raise MediaRejected(
        f"{info.name} is still too big for {network_name(network)} after compressing "
        f"(it takes videos up to {human_size(limit)}). Shorten the video and add it again."
    )


def _rotation_filters(rotation: int) -> list[tuple[str, str | None]]:
    # ``rotation`` is counter-clockwise (FFmpeg's display matrix): undo it.
    return {270: [("transpose", "clock")], 90: [("transpose", "cclock")],
            180: [("hflip", None), ("vflip", None)]}.get(rotation, [])


def _video_bitrate(network: str, info: ProbeResult, changes: list[str]) -> int | None:
    if "size" not in changes or not info.duration:
        return None
    budget = VIDEO_LIMITS[network].max_bytes * 8 * 0.85 / info.duration
    return int(max(MIN_VIDEO_BITRATE // 4, min(DEFAULT_VIDEO_BITRATE, budget - AUDIO_BITRATE)))


def _transcode(network: str, src: Path, info: ProbeResult, changes: list[str],
               out: Path, squeeze: float = 1.0) -> None:
    """Re-encode to H.264 + AAC in MP4, one frame at a time (never the whole file in memory)."""
    import av

    rate_limit = VIDEO_LIMITS[network].max_audio_rate or 48000
    with open(src, "rb") as fh, open(out, "wb") as sink, av.open(fh) as inp, \
            av.open(sink, mode="w", format="mp4") as dst:
        vin = inp.streams.video[0]
        ain = inp.streams.audio[0] if inp.streams.audio else None
        rate = _target_rate(network, info, vin.average_rate or vin.guessed_rate)
        width, height = _target_size(network, info)
        vout = dst.add_stream("libx264", rate=rate)
        vout.width, vout.height, vout.pix_fmt = width, height, "yuv420p"
        bitrate = _video_bitrate(network, info, changes)
        if bitrate:
            bitrate = int(bitrate * squeeze)
            vout.bit_rate = bitrate
            vout.options = {"preset": "veryfast", "maxrate": str(bitrate),
                            "bufsize": str(bitrate)}
        else:
            vout.options = {"preset": "veryfast", "crf": "21"}
        graph = _video_graph(vin, info.rotation, width, height, rate)
        aout = resampler = None
        if ain is not None:
            arate = min(ain.codec_context.sample_rate or 44100, rate_limit)
            aout = dst.add_stream("aac", rate=arate)
            aout.bit_rate = AUDIO_BITRATE
            layout = "mono" if ain.codec_context.channels == 1 else "stereo"
            aout.layout = layout
            resampler = av.AudioResampler(format="fltp", layout=layout, rate=arate)
        counter = [0]
        streams = [vin] if ain is None else [vin, ain]
        for packet in inp.demux(*streams):
            for frame in packet.decode():
                if packet.stream is vin:
                    _push_video(graph, frame, vout, dst, rate, counter)
                else:
                    for part in resampler.resample(frame):
                        part.pts = None
                        for p in aout.encode(part):
                            dst.mux(p)
        _push_video(graph, None, vout, dst, rate, counter)
        for p in vout.encode():
            dst.mux(p)
        if aout is not None:
            for part in resampler.resample(None):
                part.pts = None
                for p in aout.encode(part):
                    dst.mux(p)
            for p in aout.encode():
                dst.mux(p)


def _video_graph(vin: Any, rotation: int, width: int, height: int, rate: Fraction) -> Any:
    import av

    graph = av.filter.Graph()
    node = graph.add_buffer(template=vin)
    chain = [*_rotation_filters(rotation), ("scale", f"{width}:{height}"),
             ("fps", f"{rate.numerator}/{rate.denominator}"), ("format", "yuv420p")]
    for name, args in chain:
        nxt = graph.add(name, args) if args else graph.add(name)
        node.link_to(nxt)
        node = nxt
    sink = graph.add("buffersink")
    node.link_to(sink)
    graph.configure()
    return graph


def _push_video(graph: Any, frame: Any, vout: Any, dst: Any, rate: Fraction,
                counter: list[int]) -> None:
    import av

    graph.push(frame)
    while True:
        try:
            filtered = graph.pull()
        except (av.error.BlockingIOError, av.error.EOFError):
            return
        filtered.pts = counter[0]
        filtered.time_base = 1 / rate
        counter[0] += 1
        for p in vout.encode(filtered):
            dst.mux(p)

