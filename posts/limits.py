"""Each network's limits on texts, photos and videos, as numbers.

They come from ../shared/platforms.md. ``posts.rules`` checks a post against them
and ``posts.media.fit`` uses the same numbers to make the publishable copies.
"""

from __future__ import annotations

from dataclasses import dataclass

from config.i18n import N_
from posts.media.formats import MB
from posts.media.shapes import NARROWEST, WIDEST

X_TEXT_LIMIT = 280
# twitter-text v3 weights: Latin, Greek, Cyrillic and most punctuation count one; emoji,
# Chinese, Japanese and Korean characters two; every link 23, however long.
X_WEIGHT_NOTE = N_("an emoji or a Chinese, Japanese or Korean character counts as two; "
                    "a link counts as 23")
INSTAGRAM_CAPTION_LIMIT = 2200
INSTAGRAM_HASHTAGS = 30
INSTAGRAM_MENTIONS = 20
FACEBOOK_TEXT_LIMIT = 63206
# An answer to a comment. On X it is a post (280 weighted characters, as above). Meta's
# Graph API reference gives no number for a comment's `message`; these are the limits
# the apps themselves enforce and that social-media tools document alike: a comment on
# Instagram takes as many characters as a caption (2,200), one on Facebook 8,000.
X_REPLY_LIMIT = X_TEXT_LIMIT
INSTAGRAM_COMMENT_LIMIT = 2200
FACEBOOK_COMMENT_LIMIT = 8000
MIN_VIDEO_BITRATE = 400_000  # below this a transcode to fit the size is not worth watching
RAISED_FPS = 30  # a video slower than a network's min_fps is converted to this rate


@dataclass(frozen=True)
class PhotoLimits:
    formats: tuple[str, ...]  # taken as they are; others are converted to JPEG
    max_bytes: int
    gif_max_bytes: int | None = None  # None: GIFs are converted to JPEG
    min_ratio: float | None = None  # width / height
    max_ratio: float | None = None
    min_width: int | None = None
    max_width: int | None = None
    max_side: int | None = None  # longest side, for networks without a width rule
    # The most extreme shapes taken at all (width / height). Beyond them a photo shows
    # as a thin line (1x100000), and for Instagram padding would leave a thin strip or
    # cropping would cut nearly all of it away: the person crops it better by hand.
    narrowest: float = NARROWEST
    widest: float = WIDEST


@dataclass(frozen=True)
class VideoLimits:
    min_seconds: float
    max_seconds: float
    max_bytes: int
    video_codecs: tuple[str, ...]
    audio_codecs: tuple[str, ...]
    containers: tuple[str, ...]
    min_fps: float | None = None
    max_fps: float | None = None
    max_width: int | None = None
    max_height: int | None = None
    min_side: int = 1
    min_ratio: float | None = None
    max_ratio: float | None = None
    max_audio_rate: int | None = None
    pix_fmts: tuple[str, ...] | None = None


PHOTO_LIMITS = {
    "x": PhotoLimits(formats=("jpeg", "png", "webp", "gif"), max_bytes=5 * MB,
                     gif_max_bytes=15 * MB, max_side=4096),
    "instagram": PhotoLimits(formats=("jpeg",), max_bytes=8 * MB, min_ratio=4 / 5,
                             max_ratio=1.91, min_width=320, max_width=1440,
                             narrowest=1 / 5, widest=8.0),
    "facebook": PhotoLimits(formats=("jpeg", "png", "webp", "gif"), max_bytes=10 * MB,
                            gif_max_bytes=10 * MB, max_side=4096),
}

VIDEO_LIMITS = {
    "x": VideoLimits(min_seconds=0.5, max_seconds=140, max_bytes=512 * MB,
                     video_codecs=("h264",), audio_codecs=("aac",), containers=("mp4",),
                     max_fps=60, max_width=1280, max_height=1024, min_side=32,
                     min_ratio=1 / 3, max_ratio=3, pix_fmts=("yuv420p",)),
    "instagram": VideoLimits(min_seconds=3, max_seconds=15 * 60, max_bytes=300 * MB,
                             video_codecs=("h264", "hevc"), audio_codecs=("aac",),
                             containers=("mp4", "mov"), min_fps=23, max_fps=60,
                             max_width=1920, max_height=1920, max_audio_rate=48000,
                             pix_fmts=("yuv420p",)),
    "facebook": VideoLimits(min_seconds=1, max_seconds=240 * 60, max_bytes=1024 * MB,
                            video_codecs=("h264", "hevc"), audio_codecs=("aac",),
                            containers=("mp4", "mov"), max_fps=60, pix_fmts=("yuv420p",)),
}
