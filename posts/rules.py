"""Per-network rules: will a post go out as it is, be fitted, or be refused?

``check(network, text, media)`` answers for one network with a ``Verdict``:
``status`` is "ok" (goes out as it is), "fit" (Costanza adjusts the media
automatically; ``notes`` say how) or "refused" (``problems`` say why and what
to do). The limits, from ../shared/platforms.md, are in ``posts.limits``;
``posts.media.fit`` uses the same numbers to make the publishable copies.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from config.errors import InputError
from posts.limits import (
    FACEBOOK_TEXT_LIMIT,
    INSTAGRAM_CAPTION_LIMIT,
    INSTAGRAM_HASHTAGS,
    INSTAGRAM_MENTIONS,
    MIN_VIDEO_BITRATE,
    PHOTO_LIMITS,
    RAISED_FPS,
    VIDEO_LIMITS,
    X_TEXT_LIMIT,
    X_WEIGHT_NOTE,
)
from posts.media.formats import format_label, human_size
from posts.media.probe import ProbeResult
from posts.media.shapes import extreme_shape
from posts.networks import NETWORK_NAMES


@dataclass
class Verdict:
    """What will happen to a post on one network."""

    network: str
    status: str = "ok"  # "ok", "fit" or "refused"
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def note(self, sentence: str) -> None:
        if sentence not in self.notes:
            self.notes.append(sentence)
        if self.status == "ok":
            self.status = "fit"

    def refuse(self, sentence: str) -> None:
        self.problems.append(sentence)
        self.status = "refused"

    def to_dict(self) -> dict[str, Any]:
        return {"network": self.network, "status": self.status, "notes": list(self.notes),
                "problems": list(self.problems)}


def network_name(network: str) -> str:
    try:
        return NETWORK_NAMES[network]
    except KeyError:
        raise InputError(
            f"There is no network called {network!r}. Choose from facebook, instagram and x."
        ) from None


def x_length(text: str) -> int:
    """X's weighted length (URLs 23, CJK and emoji 2), of the text's NFC form."""
    from posts.x_weight import weight  # (twitter-text takes a while to import)

    return weight(text)


_HASHTAG = re.compile(r"(?<![\w&])#\w+")
_MENTION = re.compile(r"(?<![\w@])@[\w.]+")


def _the(words: str, name: str) -> str:
    """'the HEIC photo gomitoli.heic', or 'the HEIC photo' when the name is unknown."""
    return f"the {words} {name}".rstrip()


def _what(m: ProbeResult) -> str:
    return _the(m.kind, m.name)


def _ratio_label(r: float) -> str:
    return {0.8: "4:5", 1.91: "1.91:1"}.get(round(r, 2), f"{r:.2f}:1")


def duration_label(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:g} seconds" if seconds != 1 else "1 second"
    minutes, secs = divmod(round(seconds), 60)
    text = f"{minutes} minute{'s' if minutes != 1 else ''}"
    return f"{text} {secs} seconds" if secs else text


# --- text ---------------------------------------------------------------------


def _check_text(v: Verdict, text: str, media: Sequence[ProbeResult], first_comment: str | None,
                thread: bool) -> None:
    net = v.network
    name = NETWORK_NAMES[net]
    if not text.strip() and not media:
        v.refuse(f"there is nothing to post on {name}: add a text, a photo or a video")
        return
    if net == "x":
        n = x_length(text)
        if n > X_TEXT_LIMIT and thread:
            parts = math.ceil(n / (X_TEXT_LIMIT - 10))
            v.notes.append(f"the text ({n} characters) will go out on X as a thread of "
                           f"about {parts} posts")
        elif n > X_TEXT_LIMIT:
            v.refuse(f"X counts {n} of {X_TEXT_LIMIT} characters ({X_WEIGHT_NOTE}): add "
                     "--text-x with a shorter text, or --thread")
    elif net == "instagram":
        _check_caption(v, text, "the caption", "--text-instagram")
        if first_comment:
            _check_caption(v, first_comment, "the first comment", "--first-comment")
    elif net == "facebook":
        n = len(text)
        if n > FACEBOOK_TEXT_LIMIT:
            v.refuse(f"the text is {n:,} of {FACEBOOK_TEXT_LIMIT:,} characters on Facebook: "
                     "add --text-facebook with a shorter text")


def _check_caption(v: Verdict, text: str, what: str, option: str) -> None:
    n = len(unicodedata.normalize("NFC", text))
    if n > INSTAGRAM_CAPTION_LIMIT:
        v.refuse(f"{what} is {n:,} of {INSTAGRAM_CAPTION_LIMIT:,} characters on Instagram: "
                 f"add {option} with a shorter text")
    tags = len(_HASHTAG.findall(text))
    if tags > INSTAGRAM_HASHTAGS:
        v.refuse(f"{what} has {tags} hashtags and Instagram takes up to {INSTAGRAM_HASHTAGS}: "
                 f"remove some with {option}")
    mentions = len(_MENTION.findall(text))
    if mentions > INSTAGRAM_MENTIONS:
        v.refuse(f"{what} mentions {mentions} accounts and Instagram takes up to "
                 f"{INSTAGRAM_MENTIONS} @mentions: remove some with {option}")


# --- media counts and mixes ---------------------------------------------------------


def _is_animated_gif(m: ProbeResult) -> bool:
    return m.format == "gif" and m.frames > 1


def _check_mix(v: Verdict, media: Sequence[ProbeResult]) -> None:
    net = v.network
    name = NETWORK_NAMES[net]
    photos = [m for m in media if m.kind == "photo"]
    videos = [m for m in media if m.kind == "video"]
    leave_out = f"or leave {name} out of --to"
    if net == "instagram":
        if not media:
            v.refuse("Instagram needs at least one photo or video: add --photo or --video, "
                     "or leave Instagram out of --to")
        elif len(media) > 10:
            v.refuse(f"Instagram takes up to 10 photos and videos in one post and this one has "
                     f"{len(media)}: remove some, {leave_out}")
        return
    if net == "x":
        gifs = [m for m in photos if _is_animated_gif(m)]
        if videos and photos:
            v.refuse(f"X takes photos or one video in a post, not both: remove the photos or "
                     f"the video, {leave_out}")
        elif len(videos) > 1:
            v.refuse(f"X takes one video in a post and this one has {len(videos)}: keep one, "
                     f"{leave_out}")
        elif gifs and len(photos) > 1:
            v.refuse(f"X takes an animated GIF only on its own in a post: remove the other "
                     f"photos, {leave_out}")
        elif len(photos) > 4:
            v.refuse(f"X takes up to 4 photos in a post and this one has {len(photos)}: "
                     f"remove some, {leave_out}")
        return
    if videos and photos:
        v.refuse(f"Facebook does not take a video and photos in one post: post them "
                 f"separately, {leave_out}")
    elif len(videos) > 1:
        v.refuse(f"Facebook takes one video in a post and this one has {len(videos)}: "
                 f"keep one, {leave_out}")


# --- photos ---------------------------------------------------------------------


def _check_photo(v: Verdict, m: ProbeResult, mode: str) -> None:
    lim = PHOTO_LIMITS[v.network]
    what = _what(m)
    animated = _is_animated_gif(m)
    if animated and lim.gif_max_bytes is not None:
        if m.size_bytes > lim.gif_max_bytes:
            v.refuse(f"{what} is an animated GIF of {human_size(m.size_bytes)} and "
                     f"{NETWORK_NAMES[v.network]} takes GIFs up to "
                     f"{human_size(lim.gif_max_bytes)}: make it shorter or smaller")
        return
    if animated:
        v.note(f"only the first frame of {_the('animated GIF', m.name)} will be used")
    if m.format not in lim.formats:
        v.note(f"{_the(format_label(m.format) + ' photo', m.name)} will be converted to JPEG")
    if m.orientation not in (None, 1):
        v.note(f"{what} will be turned upright")
    if m.has_location:
        v.note(f"the location saved in {what} will be removed")
    elif m.has_metadata:
        v.note(f"the camera details saved in {what} will be removed")
    ratio = m.aspect
    verb = "cropped" if mode == "crop" else "padded"
    if not lim.narrowest <= ratio <= lim.widest:
        v.refuse(extreme_shape(NETWORK_NAMES[v.network], _what(m), (m.width, m.height),
                               lim, verb))
        return
    if lim.min_ratio is not None and ratio < lim.min_ratio - 0.005:
        v.note(f"{what} will be {verb} to {_ratio_label(lim.min_ratio)}")
    elif lim.max_ratio is not None and ratio > lim.max_ratio + 0.005:
        v.note(f"{what} will be {verb} to {_ratio_label(lim.max_ratio)}")
    if lim.max_width is not None and m.width > lim.max_width:
        v.note(f"{what} will be scaled down to {lim.max_width} pixels wide")
    elif lim.min_width is not None and m.width < lim.min_width:
        v.note(f"{what} will be enlarged to {lim.min_width} pixels wide")
    if lim.max_side is not None and max(m.width, m.height) > lim.max_side:
        v.note(f"{what} will be scaled down to {lim.max_side} pixels on its longest side")
    if m.size_bytes > lim.max_bytes:
        v.note(f"{what} ({human_size(m.size_bytes)}) will be compressed to fit "
               f"{NETWORK_NAMES[v.network]}'s {human_size(lim.max_bytes)} limit")


# --- videos ---------------------------------------------------------------------


def video_changes(network: str, m: ProbeResult) -> list[str]:
    """What re-encoding must fix: codec, container, frame rate, size, rotation..."""
    lim = VIDEO_LIMITS[network]
    out = []
    if (m.video_codec not in lim.video_codecs or m.format not in lim.containers
            or (m.audio_codec is not None and m.audio_codec not in lim.audio_codecs)
            or (lim.pix_fmts and m.pix_fmt not in lim.pix_fmts)):
        out.append("format")
    if m.rotation:
        out.append("rotation")
    if lim.max_fps and m.fps and m.fps > lim.max_fps + 0.01:
        out.append("fps-down")
    if lim.min_fps and m.fps and m.fps < lim.min_fps - 0.01:
        out.append("fps-up")
    if ((lim.max_width and m.width > lim.max_width)
            or (lim.max_height and m.height > lim.max_height)):
        out.append("scale")
    if (m.audio_sample_rate and lim.max_audio_rate
            and m.audio_sample_rate > lim.max_audio_rate):
        out.append("audio-rate")
    if m.size_bytes > lim.max_bytes:
        out.append("size")
    return out


def _check_video(v: Verdict, m: ProbeResult) -> None:
    lim = VIDEO_LIMITS[v.network]
    name = NETWORK_NAMES[v.network]
    what = _what(m)
    span = f"from {duration_label(lim.min_seconds)} to {duration_label(lim.max_seconds)}"
    duration = m.duration or 0.0
    if duration < lim.min_seconds:
        v.refuse(f"{what} lasts {duration_label(round(duration, 1))} and {name} takes videos "
                 f"{span}: choose a longer video, or leave {name} out of --to")
    elif duration > lim.max_seconds:
        v.refuse(f"{what} lasts {duration_label(round(duration))} and {name} takes videos "
                 f"{span}: shorten it, or leave {name} out of --to")
    if min(m.width, m.height) < lim.min_side:
        v.refuse(f"{what} is {m.width}x{m.height} pixels and {name} takes videos from "
                 f"{lim.min_side}x{lim.min_side}: choose a bigger video")
    ratio = m.aspect
    if ((lim.min_ratio and ratio < lim.min_ratio - 0.005)
            or (lim.max_ratio and ratio > lim.max_ratio + 0.005)):
        v.refuse(f"{what} is too narrow or too wide for {name}, which takes videos from "
                 f"1:3 to 3:1: crop it, or leave {name} out of --to")
    if m.size_bytes > lim.max_bytes and duration:
        bitrate = lim.max_bytes * 8 * 0.9 / duration
        if bitrate < MIN_VIDEO_BITRATE:
            v.refuse(f"{what} is {human_size(m.size_bytes)} and {name} takes videos up to "
                     f"{human_size(lim.max_bytes)}: shorten it")
    if v.status == "refused":
        return
    changes = video_changes(v.network, m)
    if "format" in changes:
        v.note(f"{what} will be converted to H.264 video with AAC sound in an MP4 file")
    if "rotation" in changes:
        v.note(f"{what} will be turned upright")
    if "fps-down" in changes:
        v.note(f"{what} will be converted to {lim.max_fps:g} frames per second")
    if "fps-up" in changes:
        v.note(f"{what} will be converted to {RAISED_FPS} frames per second")
    if "scale" in changes:
        v.note(f"{what} will be scaled down to fit {lim.max_width}x{lim.max_height} pixels")
    if "audio-rate" in changes:
        v.note(f"the sound of {what} will be converted to 48 kHz")
    if "size" in changes:
        v.note(f"{what} ({human_size(m.size_bytes)}) will be compressed to fit {name}'s "
               f"{human_size(lim.max_bytes)} limit")
    if m.has_location:
        v.note(f"the location saved in {what} will be removed")


# --- the entry points -----------------------------------------------------------


def check(network: str, text: str, media: Sequence[ProbeResult], *,
          first_comment: str | None = None, thread: bool = False,
          fit: str = "pad") -> Verdict:
    """The verdict for one network. ``fit`` is "pad" or "crop" (Instagram's aspect ratio)."""
    network_name(network)
    v = Verdict(network=network)
    _check_text(v, text or "", media, first_comment, thread)
    _check_mix(v, media)
    for m in media:
        if m.kind == "photo":
            _check_photo(v, m, fit)
        else:
            _check_video(v, m)
    if v.status == "refused":
        v.notes.clear()
    return v


def check_post(targets: Sequence[str], texts: dict[str, str], media: Sequence[ProbeResult], *,
               default_text: str = "", first_comment: str | None = None, thread: bool = False,
               fit: str = "pad") -> dict[str, Verdict]:
    """Verdicts for every target. ``texts`` maps a network to its text; a network
    without one uses ``texts["default"]`` or ``default_text``."""
    fallback = texts.get("default", default_text)
    return {
        net: check(net, texts.get(net, fallback), media, first_comment=first_comment,
                   thread=thread, fit=fit)
        for net in targets
    }
