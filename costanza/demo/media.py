"""Sample photos and a short video for `costanza demo`, drawn on the spot.

`write_video` is also what the test factories use to make their videos."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import av.container
    from PIL import Image


def make_photo(path: Path, size: tuple[int, int], colour: tuple[int, int, int],
               label: str) -> Path:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(image)
    w, h = size
    for i in range(0, w, max(8, w // 24)):  # a woven texture
        draw.line([(i, 0), (i, h)], fill=tuple(max(0, c - 40) for c in colour), width=3)
    for j in range(0, h, max(8, h // 24)):
        draw.line([(0, j), (w, j)], fill=tuple(min(255, c + 30) for c in colour), width=2)
    draw.rectangle([w // 10, h // 2 - 30, w - w // 10, h // 2 + 30], fill=(250, 246, 238))
    draw.text((w // 10 + 12, h // 2 - 8), label, fill=(60, 40, 30))
    image.save(path, "JPEG", quality=88)
    return path


def make_video(path: Path, seconds: float = 2.0, size: tuple[int, int] = (320, 568),
               fps: int = 24) -> Path:
    """A short H.264/AAC MP4: a loom shuttle moving across the frame."""
    from PIL import Image

    w, h = size

    def shuttle(i: int, frames: int) -> Image.Image:
        img = Image.new("RGB", (w, h), (205, 170, 125))
        x = int((w - 40) * i / max(1, frames - 1))
        img.paste((90, 60, 40), (x, h // 2 - 20, x + 40, h // 2 + 20))
        return img

    return write_video(path, shuttle, seconds=seconds, size=size, fps=fps)


def write_video(path: Path, draw: Callable[[int, int], Image.Image], *, seconds: float,
                size: tuple[int, int], fps: int, vcodec: str = "libx264",
                fmt: str | None = None, audio: bool = True,
                metadata: dict[str, str] | None = None, faststart: bool = False) -> Path:
    """Write a video whose frame ``i`` of ``frames`` is ``draw(i, frames)``, with a quiet
    mono AAC track unless ``audio`` is false; ``faststart`` puts the MP4 index first."""
    import av

    w, h = size
    options = {"movflags": "faststart"} if faststart else {}
    with av.open(str(path), mode="w", format=fmt, options=options) as container:
        if metadata:
            container.metadata.update(metadata)
        video = container.add_stream(vcodec, rate=fps)
        video.width, video.height, video.pix_fmt = w, h, "yuv420p"
        if vcodec == "libx265":
            video.options = {"x265-params": "log-level=error"}
        sound = None
        if audio:  # every stream is added before the first packet is written
            sound = container.add_stream("aac", rate=44100)
            sound.layout = "mono"
        frames = max(1, round(seconds * fps))
        for i in range(frames):
            frame = av.VideoFrame.from_image(draw(i, frames))
            frame.pts = i
            for packet in video.encode(frame):
                container.mux(packet)
        for packet in video.encode():
            container.mux(packet)
        if sound is not None:
            _write_silence(container, sound, seconds)
    return Path(path)


def _write_silence(container: av.container.OutputContainer, stream: av.AudioStream,
                   seconds: float) -> None:
    import av

    rate, chunk, pts = 44100, 1024, 0
    samples = round(seconds * rate)
    while pts < samples:
        n = min(chunk, samples - pts)
        frame = av.AudioFrame(format="fltp", layout="mono", samples=n)
        frame.planes[0].update(bytes(frame.planes[0].buffer_size))  # quiet
        frame.sample_rate = rate
        frame.pts = pts
        frame.time_base = Fraction(1, rate)
        pts += n
        for packet in stream.encode(frame):
            container.mux(packet)
    for packet in stream.encode():
        container.mux(packet)
