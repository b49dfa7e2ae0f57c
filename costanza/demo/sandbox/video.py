"""Probing uploaded videos with PyAV, and X's published video limits."""

from __future__ import annotations

import io
from dataclasses import dataclass

import av


@dataclass(frozen=True)
class VideoInfo:
    codec: str  # "h264", "hevc", ...
    width: int
    height: int
    duration: float  # seconds
    fps: float
    pix_fmt: str | None
    audio_codec: str | None


def probe_video(data: bytes) -> VideoInfo | None:
    """What the bytes hold, or None when they are not a readable video."""
    try:
        with av.open(io.BytesIO(data)) as container:
            if not container.streams.video:
                return None
            stream = container.streams.video[0]
            audio = container.streams.audio[0].codec_context.name \
                if container.streams.audio else None
            if container.duration is not None:
                duration = container.duration / 1_000_000
            elif stream.duration is not None and stream.time_base is not None:
                duration = float(stream.duration * stream.time_base)
            else:
                duration = 0.0
            rate = stream.average_rate or stream.base_rate
            return VideoInfo(codec=stream.codec_context.name, width=stream.codec_context.width,
                             height=stream.codec_context.height, duration=duration,
                             fps=float(rate) if rate else 0.0,
                             pix_fmt=stream.codec_context.pix_fmt, audio_codec=audio)
    except (av.error.FFmpegError, ValueError, IndexError, OSError):
        return None


def x_video_problem(info: VideoInfo | None) -> str | None:
    """Why X would refuse this video (platforms.md limits), or None."""
    if info is None:
        return "the file is not a video X can read"
    if info.codec != "h264":
        return f"the video codec is {info.codec}; X takes H.264"
    if not 0.5 <= info.duration <= 140:
        return f"the video lasts {info.duration:.1f} s; X takes 0.5 to 140 s"
    if not (32 <= info.width <= 1280 and 32 <= info.height <= 1024):
        return f"the video is {info.width}x{info.height}; X takes 32x32 to 1280x1024"
    if not 1 / 3 <= info.width / info.height <= 3:
        return "the video's aspect ratio is outside 1:3 to 3:1"
    if info.fps > 60:
        return f"the video has {info.fps:.0f} frames per second; X takes up to 60"
    if info.pix_fmt not in (None, "yuv420p", "yuvj420p"):
        return f"the pixel format is {info.pix_fmt}; X takes yuv420p"
    if info.audio_codec not in (None, "aac"):
        return f"the audio codec is {info.audio_codec}; X takes AAC"
    return None
