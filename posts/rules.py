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

from config import i18n
from config.errors import InputError
from config.i18n import _, ngettext
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
        raise InputError(_(
            "There is no network called {network}. Choose from facebook, instagram and x."
        ).format(network=repr(network))) from None


def x_length(text: str) -> int:
    """X's weighted length (URLs 23, CJK and emoji 2), of the text's NFC form."""
    from posts.x_weight import weight  # (twitter-text takes a while to import)

    return weight(text)


_HASHTAG = re.compile(r"(?<![\w&])#\w+")
_MENTION = re.compile(r"(?<![\w@])@[\w.]+")


def _what(m: ProbeResult, form: str | None = None) -> str:
    """'the photo gomitoli.heic', or 'the photo' when the name is unknown; ``form`` "gif"
    for 'the animated GIF ...', or a format label for 'the HEIC photo ...'."""
    if form == "gif":
        words = _("the animated GIF {name}")
    elif form:
        words = _("the {format} photo {name}")
    else:
        words = _("the video {name}") if m.kind == "video" else _("the photo {name}")
    return words.format(name=m.name, format=form).rstrip()


def _ratio_label(r: float) -> str:
    return {0.8: "4:5", 1.91: "1.91:1"}.get(round(r, 2), f"{r:.2f}:1")


def duration_label(seconds: float) -> str:
    if seconds < 60:
        n = f"{seconds:g}".replace(".", "," if i18n.language() == "it" else ".")
        count = int(seconds) if seconds == int(seconds) else 2
        return ngettext("{n} second", "{n} seconds", count).format(n=n)
    minutes, secs = divmod(round(seconds), 60)
    if secs:
        return ngettext("{minutes} minute {seconds} seconds",
                        "{minutes} minutes {seconds} seconds",
                        minutes).format(minutes=minutes, seconds=secs)
    return ngettext("{n} minute", "{n} minutes", minutes).format(n=minutes)


# --- text ---------------------------------------------------------------------


def _check_text(v: Verdict, text: str, media: Sequence[ProbeResult], first_comment: str | None,
                thread: bool) -> None:
    net = v.network
    name = NETWORK_NAMES[net]
    if not text.strip() and not media:
        v.refuse(_("there is nothing to post on {network}: add a text, a photo or a video")
                 .format(network=name))
        return
    if net == "x":
        n = x_length(text)
        if n > X_TEXT_LIMIT and thread:
            parts = math.ceil(n / (X_TEXT_LIMIT - 10))
            v.notes.append(_("the text ({n} characters) will go out on X as a thread of "
                             "about {parts} posts").format(n=n, parts=parts))
        elif n > X_TEXT_LIMIT:
            v.refuse(_("X counts {n} of {limit} characters ({note}): add --text-x with a "
                       "shorter text, or --thread").format(n=n, limit=X_TEXT_LIMIT,
                                                           note=_(X_WEIGHT_NOTE)))
    elif net == "instagram":
        _check_caption(v, text, _("the caption"), "--text-instagram")
        if first_comment:
            _check_caption(v, first_comment, _("the first comment"), "--first-comment")
    elif net == "facebook":
        n = len(text)
        if n > FACEBOOK_TEXT_LIMIT:
            v.refuse(_("the text is {n} of {limit} characters on Facebook: add "
                       "--text-facebook with a shorter text").format(
                n=i18n.number(n), limit=i18n.number(FACEBOOK_TEXT_LIMIT)))


def _check_caption(v: Verdict, text: str, what: str, option: str) -> None:
    n = len(unicodedata.normalize("NFC", text))
    if n > INSTAGRAM_CAPTION_LIMIT:
        v.refuse(_("{what} is {n} of {limit} characters on Instagram: add {option} with a "
                   "shorter text").format(what=what, n=i18n.number(n), option=option,
                                          limit=i18n.number(INSTAGRAM_CAPTION_LIMIT)))
    tags = len(_HASHTAG.findall(text))
    if tags > INSTAGRAM_HASHTAGS:
        v.refuse(_("{what} has {n} hashtags and Instagram takes up to {limit}: remove some "
                   "with {option}").format(what=what, n=tags, limit=INSTAGRAM_HASHTAGS,
                                           option=option))
    mentions = len(_MENTION.findall(text))
    if mentions > INSTAGRAM_MENTIONS:
        v.refuse(_("{what} mentions {n} accounts and Instagram takes up to {limit} "
                   "@mentions: remove some with {option}").format(
            what=what, n=mentions, limit=INSTAGRAM_MENTIONS, option=option))


# --- media counts and mixes ---------------------------------------------------------


def _is_animated_gif(m: ProbeResult) -> bool:
    return m.format == "gif" and m.frames > 1


def _check_mix(v: Verdict, media: Sequence[ProbeResult]) -> None:
    net = v.network
    name = NETWORK_NAMES[net]
    photos = [m for m in media if m.kind == "photo"]
    videos = [m for m in media if m.kind == "video"]
    if net == "instagram":
        if not media:
            v.refuse(_("Instagram needs at least one photo or video: add --photo or --video, "
                       "or leave Instagram out of --to"))
        elif len(media) > 10:
            v.refuse(_("Instagram takes up to 10 photos and videos in one post and this one "
                       "has {n}: remove some, or leave {network} out of --to")
                     .format(n=len(media), network=name))
        return
    if net == "x":
        gifs = [m for m in photos if _is_animated_gif(m)]
        if videos and photos:
            v.refuse(_("X takes photos or one video in a post, not both: remove the photos or "
                       "the video, or leave {network} out of --to").format(network=name))
        elif len(videos) > 1:
            v.refuse(_("X takes one video in a post and this one has {n}: keep one, or "
                       "leave {network} out of --to").format(n=len(videos), network=name))
        elif gifs and len(photos) > 1:
            v.refuse(_("X takes an animated GIF only on its own in a post: remove the other "
                       "photos, or leave {network} out of --to").format(network=name))
        elif len(photos) > 4:
            v.refuse(_("X takes up to 4 photos in a post and this one has {n}: remove some, "
                       "or leave {network} out of --to").format(n=len(photos), network=name))
        return
    if videos and photos:
        v.refuse(_("Facebook does not take a video and photos in one post: post them "
                   "separately, or leave {network} out of --to").format(network=name))
    elif len(videos) > 1:
        v.refuse(_("Facebook takes one video in a post and this one has {n}: keep one, or "
                   "leave {network} out of --to").format(n=len(videos), network=name))


# --- photos ---------------------------------------------------------------------


def _check_photo(v: Verdict, m: ProbeResult, mode: str) -> None:
    lim = PHOTO_LIMITS[v.network]
    what = _what(m)
    animated = _is_animated_gif(m)
    if animated and lim.gif_max_bytes is not None:
        if m.size_bytes > lim.gif_max_bytes:
            v.refuse(_("{what} is an animated GIF of {size} and {network} takes GIFs up to "
                       "{limit}: make it shorter or smaller").format(
                what=what, size=human_size(m.size_bytes), network=NETWORK_NAMES[v.network],
                limit=human_size(lim.gif_max_bytes)))
        return
    if animated:
        v.note(_("only the first frame of {what} will be used").format(what=_what(m, "gif")))
    if m.format not in lim.formats:
        v.note(_("{what} will be converted to JPEG").format(
            what=_what(m, format_label(m.format))))
    if m.orientation not in (None, 1):
        v.note(_("{what} will be turned upright").format(what=what))
    if m.has_location:
        v.note(_("the location saved in {what} will be removed").format(what=what))
    elif m.has_metadata:
        v.note(_("the camera details saved in {what} will be removed").format(what=what))
    ratio = m.aspect
    verb = "cropped" if mode == "crop" else "padded"
    reshaped = (_("{what} will be cropped to {shape}") if mode == "crop"
                else _("{what} will be padded to {shape}"))
    if not lim.narrowest <= ratio <= lim.widest:
        v.refuse(extreme_shape(NETWORK_NAMES[v.network], _what(m), (m.width, m.height),
                               lim, verb))
        return
    if lim.min_ratio is not None and ratio < lim.min_ratio - 0.005:
        v.note(reshaped.format(what=what, shape=_ratio_label(lim.min_ratio)))
    elif lim.max_ratio is not None and ratio > lim.max_ratio + 0.005:
        v.note(reshaped.format(what=what, shape=_ratio_label(lim.max_ratio)))
    if lim.max_width is not None and m.width > lim.max_width:
        v.note(_("{what} will be scaled down to {n} pixels wide").format(
            what=what, n=lim.max_width))
    elif lim.min_width is not None and m.width < lim.min_width:
        v.note(_("{what} will be enlarged to {n} pixels wide").format(
            what=what, n=lim.min_width))
    if lim.max_side is not None and max(m.width, m.height) > lim.max_side:
        v.note(_("{what} will be scaled down to {n} pixels on its longest side").format(
            what=what, n=lim.max_side))
    if m.size_bytes > lim.max_bytes:
        v.note(_compressed(what, m, NETWORK_NAMES[v.network], lim.max_bytes))


def _compressed(what: str, m: ProbeResult, name: str, limit: int) -> str:
    return _("{what} ({size}) will be compressed to fit {network}'s {limit} limit").format(
        what=what, size=human_size(m.size_bytes), network=name, limit=human_size(limit))


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
    span = dict(what=what, network=name, low=duration_label(lim.min_seconds),
                high=duration_label(lim.max_seconds))
    duration = m.duration or 0.0
    if duration < lim.min_seconds:
        v.refuse(_("{what} lasts {length} and {network} takes videos from {low} to {high}: "
                   "choose a longer video, or leave {network} out of --to").format(
            length=duration_label(round(duration, 1)), **span))
    elif duration > lim.max_seconds:
        v.refuse(_("{what} lasts {length} and {network} takes videos from {low} to {high}: "
                   "shorten it, or leave {network} out of --to").format(
            length=duration_label(round(duration)), **span))
    if min(m.width, m.height) < lim.min_side:
        v.refuse(_("{what} is {width}x{height} pixels and {network} takes videos from "
                   "{side}x{side}: choose a bigger video").format(
            what=what, width=m.width, height=m.height, network=name, side=lim.min_side))
    ratio = m.aspect
    if ((lim.min_ratio and ratio < lim.min_ratio - 0.005)
            or (lim.max_ratio and ratio > lim.max_ratio + 0.005)):
        v.refuse(_("{what} is too narrow or too wide for {network}, which takes videos from "
                   "1:3 to 3:1: crop it, or leave {network} out of --to").format(
            what=what, network=name))
    if m.size_bytes > lim.max_bytes and duration:
        bitrate = lim.max_bytes * 8 * 0.9 / duration
        if bitrate < MIN_VIDEO_BITRATE:
            v.refuse(_("{what} is {size} and {network} takes videos up to {limit}: "
                       "shorten it").format(what=what, size=human_size(m.size_bytes),
                                            network=name, limit=human_size(lim.max_bytes)))
    if v.status == "refused":
        return
    changes = video_changes(v.network, m)
    if "format" in changes:
        v.note(_("{what} will be converted to H.264 video with AAC sound in an MP4 file")
               .format(what=what))
    if "rotation" in changes:
        v.note(_("{what} will be turned upright").format(what=what))
    for change, fps in (("fps-down", f"{lim.max_fps:g}"), ("fps-up", RAISED_FPS)):
        if change in changes:
            v.note(_("{what} will be converted to {fps} frames per second").format(
                what=what, fps=fps))
    if "scale" in changes:
        v.note(_("{what} will be scaled down to fit {width}x{height} pixels").format(
            what=what, width=lim.max_width, height=lim.max_height))
    if "audio-rate" in changes:
        v.note(_("the sound of {what} will be converted to 48 kHz").format(what=what))
    if "size" in changes:
        v.note(_compressed(what, m, name, lim.max_bytes))
    if m.has_location:
        v.note(_("the location saved in {what} will be removed").format(what=what))


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
