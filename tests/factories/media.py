"""Photos and videos made on the spot for tests (Pillow, pillow-heif, PyAV).

Every factory writes to ``path`` and returns it; sizes are kept tiny so the
suite stays fast.
"""

from __future__ import annotations

import os
from pathlib import Path

from PIL import Image

from costanza.demo.media import write_video

ORIENTATION = 0x0112
GPS_IFD = 0x8825


def _picture(size: tuple[int, int], mode: str = "RGB") -> Image.Image:
    """A picture whose top-left quarter is red and the rest blue, so rotation shows."""
    w, h = size
    img = Image.new(mode, size, (30, 60, 200) if mode == "RGB" else (30, 60, 200, 255))
    red = (220, 20, 20) if mode == "RGB" else (220, 20, 20, 255)
    img.paste(red, (0, 0, max(1, w // 2), max(1, h // 2)))
    return img


def _exif(orientation: int | None, gps: bool) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Phone 12"  # Model
    if orientation is not None:
        exif[ORIENTATION] = orientation
    if gps:
        exif[GPS_IFD] = {
            1: "N", 2: (46.0, 17.0, 30.0),  # latitude: Val di Fiemme
            3: "E", 4: (11.0, 28.0, 0.0),
        }
    return exif


def make_jpeg(path: Path, size: tuple[int, int] = (64, 48), exif_orientation: int | None = None,
              gps: bool = False, quality: int = 85) -> Path:
    img = _picture(size)
    kwargs = {}
    if exif_orientation is not None or gps:
        kwargs["exif"] = _exif(exif_orientation, gps).tobytes()
    img.save(path, "JPEG", quality=quality, **kwargs)
    return Path(path)


def make_phone_photo(path: Path, size: tuple[int, int] = (80, 60)) -> Path:
    """A portrait phone photo: stored landscape, EXIF orientation 6, with GPS tags."""
    return make_jpeg(path, size=size, exif_orientation=6, gps=True)


def make_png(path: Path, size: tuple[int, int] = (64, 48), alpha: bool = False) -> Path:
    _picture(size, "RGBA" if alpha else "RGB").save(path, "PNG")
    return Path(path)


def make_webp(path: Path, size: tuple[int, int] = (64, 48)) -> Path:
    _picture(size).save(path, "WEBP", quality=80)
    return Path(path)


def make_gif(path: Path, size: tuple[int, int] = (32, 32), frames: int = 3) -> Path:
    pics = [_picture(size).rotate(90 * i) for i in range(frames)]
    pics[0].save(path, "GIF", save_all=True, append_images=pics[1:], duration=100, loop=0)
    return Path(path)


def make_heic(path: Path, size: tuple[int, int] = (64, 48), gps: bool = False,
              exif_orientation: int | None = None) -> Path:
    """A HEIC photo; with ``exif_orientation`` pillow-heif stores the turn in the file itself."""
    import pillow_heif

    pillow_heif.register_heif_opener()
    kwargs = {}
    if gps or exif_orientation is not None:
        kwargs["exif"] = _exif(exif_orientation, gps).tobytes()
    _picture(size).save(path, "HEIF", quality=60, **kwargs)
    return Path(path)


def make_text(path: Path, text: str = "not a photo\n") -> Path:
    Path(path).write_text(text, encoding="utf-8")
    return Path(path)


def _write_video(path: Path, fmt: str, seconds: float, size: tuple[int, int], fps: int,
                 vcodec: str, audio: bool, metadata: dict[str, str] | None,
                 faststart: bool = False, noise: bool = False) -> Path:
    w, h = size

    def draw(i: int, total: int) -> Image.Image:
        if noise:  # hard to compress: makes big files from few frames
            return Image.frombytes("RGB", (w, h), os.urandom(w * h * 3))
        img = Image.new("RGB", (w, h), (20, 20, 20))
        img.paste((200, 40, 40), (0, 0, max(1, (i * w) // total + 1), h))
        return img

    return write_video(path, draw, seconds=seconds, size=size, fps=fps, vcodec=vcodec,
                       fmt=fmt, audio=audio, metadata=metadata, faststart=faststart)


def make_mp4(path: Path, seconds: float = 1.0, size: tuple[int, int] = (64, 48), fps: int = 24,
             codec: str = "h264", audio: bool = True,
             metadata: dict[str, str] | None = None, faststart: bool = False,
             noise: bool = False) -> Path:
    """An MP4 in H.264 (or ``codec="hevc"``) with AAC sound; ``faststart`` puts the index
    first; ``noise`` makes frames that hardly compress."""
    vcodec = {"h264": "libx264", "hevc": "libx265"}.get(codec, codec)
    return _write_video(path, "mp4", seconds, size, fps, vcodec, audio, metadata, faststart,
                        noise)


def make_mov_hevc(path: Path, seconds: float = 1.0, size: tuple[int, int] = (64, 48),
                  fps: int = 30, audio: bool = True,
                  metadata: dict[str, str] | None = None) -> Path:
    """A phone-style MOV in HEVC with AAC sound."""
    return _write_video(path, "mov", seconds, size, fps, "libx265", audio, metadata)


def truncate(path: Path, keep: float = 0.5) -> Path:
    """Cut a file short, as an interrupted copy would."""
    data = Path(path).read_bytes()
    Path(path).write_bytes(data[: max(1, int(len(data) * keep))])
    return Path(path)
