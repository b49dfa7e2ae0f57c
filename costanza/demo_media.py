"""Sample photos and a short video for `costanza demo`, drawn on the spot."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path


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
    import av
    from PIL import Image

    w, h = size
    with av.open(str(path), "w") as container:
        video = container.add_stream("libx264", rate=fps)
        video.width, video.height, video.pix_fmt = w, h, "yuv420p"
        audio = container.add_stream("aac", rate=44100)
        audio.layout = "mono"
        frames = int(seconds * fps)
        for i in range(frames):
            img = Image.new("RGB", (w, h), (205, 170, 125))
            x = int((w - 40) * i / max(1, frames - 1))
            img.paste((90, 60, 40), (x, h // 2 - 20, x + 40, h // 2 + 20))
            frame = av.VideoFrame.from_image(img)
            frame.pts = i
            for packet in video.encode(frame):
                container.mux(packet)
        for packet in video.encode():
            container.mux(packet)
        rate, chunk, pts = 44100, 1024, 0
        samples = int(seconds * rate)
        while pts < samples:
            n = min(chunk, samples - pts)
            frame = av.AudioFrame(format="fltp", layout="mono", samples=n)
            frame.planes[0].update(bytes(frame.planes[0].buffer_size))  # quiet
            frame.sample_rate = rate
            frame.pts = pts
            frame.time_base = Fraction(1, rate)
            pts += n
            for packet in audio.encode(frame):
                container.mux(packet)
        for packet in audio.encode():
            container.mux(packet)
    return path
