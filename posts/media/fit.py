"""Make the copy of a photo or video that one network will receive.

``fit_for(network, stored, store)`` applies the rules of ``posts.rules``:
photos (``posts.media.fit_photo``) are turned upright, converted (HEIC, PNG, WEBP to
JPEG for Instagram),
padded or cropped into Instagram's 4:5 to 1.91:1, scaled and compressed;
videos that are not H.264/AAC in MP4, or over a network's limits, are
transcoded with PyAV frame by frame. Every published copy is written without
EXIF, GPS, XMP or container tags: location never leaves the machine.

Results are cached in the media store (``fitted/<network>/<sha256>-<mode>.<ext>``
plus a small JSON sidecar) so that a retry never converts twice; the daemon removes
the copies no post needs any more (``posts.media.tidy``).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from config.errors import MediaRejected
from config.i18n import _
from posts.media.fit_photo import fit_photo as _fit_photo
from posts.media.fit_photo import photo_output_format, publishable_as_is
from posts.media.probe import ProbeResult, human_size, probe
from posts.media.store import MediaStore, sha256_of, write_atomically
from posts.rules import (
    MIN_VIDEO_BITRATE,
    RAISED_FPS,
    VIDEO_LIMITS,
    network_name,
    video_changes,
)

DEFAULT_VIDEO_BITRATE = 5_000_000
AUDIO_BITRATE = 128_000


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
        raise MediaRejected(_("The fit setting {mode} is not known. Use pad or crop.")
                            .format(mode=repr(mode)))
    src, info = _source(stored, store)
    if info.kind == "photo":
        if publishable_as_is(network, info, mode):
            return FittedMedia(path=src, mime=info.mime, width=info.width, height=info.height,
                               size_bytes=info.size_bytes, sha256=stored.sha256)
        fmt = photo_output_format(network, info)
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
    """Copies not used for a while are removed (``posts.media.tidy``): this one was, at
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
    raise MediaRejected(_(
        "{name} is still too big for {network} after compressing "
        "(it takes videos up to {limit}). Shorten the video and add it again."
    ).format(name=info.name, network=network_name(network), limit=human_size(limit)))


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

