"""What Instagram checks in what a container is made of: the caption, the photo, the video.

A photo is refused at once (not JPEG 9004/2207005; over 8 MB 9004/2207004;
aspect ratio outside 4:5..1.91:1 36003/2207009), and one that cannot be
fetched gives 9004/2207052; widths outside 320..1440 are scaled (the container
records the width Instagram would use), as Meta documents. A video's problems
(not H.264 or HEVC, unreadable, outside ``ig_reel_min_secs``..
``ig_reel_max_secs``) are kept on the container and show up later, as
``status_code=ERROR``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from costanza.demo.sandbox import graph_errors
from costanza.demo.sandbox.images import looks_like_video, probe_image
from costanza.demo.sandbox.video import probe_video

if TYPE_CHECKING:
    from costanza.demo.sandbox.routes import Sandbox

IMAGE_MAX = 8 * 1024 * 1024
CAPTION_MAX = 2200


def check_caption(caption: str) -> None:
    if len(caption) > CAPTION_MAX:
        raise graph_errors.bad_param(f"(#100) The caption is longer than {CAPTION_MAX} "
                                     "characters.", subcode=2207010)
    words = caption.split()
    if sum(1 for w in words if w.startswith("#")) > 30:
        raise graph_errors.bad_param("(#100) The caption has more than 30 hashtags.",
                                     subcode=2207010)
    if sum(1 for w in words if w.startswith("@")) > 20:
        raise graph_errors.bad_param("(#100) The caption has more than 20 @mentions.",
                                     subcode=2207010)


def fetch_error(url: str, reason: str) -> graph_errors.ApiError:
    return graph_errors.error(
        9004, "Media download has failed.: The media could not be fetched from this uri: "
              f"{url}", subcode=2207052, transient=False, user_title="Media download failed",
        user_msg="The media could not be fetched from this uri. Please check the media url, "
                 f"it must be publicly reachable. ({reason})")


def store_image(app: Sandbox, record: dict[str, Any], data: bytes) -> None:
    info = probe_image(data)
    if info is None or info.format not in ("JPEG", "MPO"):
        raise graph_errors.error(9004, "The image format is not supported. Supported formats "
                                       "are: JPEG", subcode=2207005,
                                 user_title="Unsupported image format")
    if len(data) > IMAGE_MAX:
        raise graph_errors.error(9004, "The image is too large to download. It should be less "
                                       "than 8 MiB.", subcode=2207004,
                                 user_title="Image too large")
    ratio = info.width / info.height
    if not 0.8 - 1e-3 <= ratio <= 1.91 + 1e-3:
        raise graph_errors.error(36003, f"The submitted image with aspect ratio "
                                        f"('{info.width}/{info.height}') cannot be published. "
                                        "Please submit an image with a valid aspect ratio.",
                                 subcode=2207009, user_title="Invalid aspect ratio")
    width = min(1440, max(320, info.width))
    record.update({"sha256": app.state.put_media(data), "mime": "image/jpeg",
                   "width": width, "height": round(width / ratio),
                   "source_width": info.width, "source_height": info.height})


def store_video(app: Sandbox, record: dict[str, Any], data: bytes) -> None:
    info = probe_video(data) if looks_like_video(data) else None
    if info is None or info.codec not in ("h264", "hevc"):
        record["error"] = ("Error: Media upload has failed with error code 2207026: the video "
                           "format is not supported. Use MP4 or MOV with H.264 or HEVC.")
        return
    low, high = app.state.settings["ig_reel_min_secs"], app.state.settings["ig_reel_max_secs"]
    if not low <= info.duration <= high:
        record["error"] = (f"Error: Media upload has failed with error code 2207026: the video "
                           f"lasts {info.duration:.1f} s; Reels take {low:g} to {high:g} s.")
        return
    record.update({"sha256": app.state.put_media(data), "mime": "video/mp4",
                   "size": len(data)})
