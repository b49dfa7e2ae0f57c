from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from config.errors import InputError
from posts.media.probe import ProbeResult, probe
from posts.rules import check, check_post, x_length
from tests.factories.media import make_heic, make_mov_hevc, make_mp4, make_phone_photo

MB = 1024**2

JPEG = ProbeResult(kind="photo", format="jpeg", mime="image/jpeg", size_bytes=200_000,
                   width=1080, height=1080, name="telaio.jpg")
HEIC = replace(JPEG, format="heic", mime="image/heic", name="gomitoli.heic")
PNG = replace(JPEG, format="png", mime="image/png", name="etichetta.png")
GIF = replace(JPEG, format="gif", mime="image/gif", frames=12, name="filo.gif")
MP4 = ProbeResult(kind="video", format="mp4", mime="video/mp4", size_bytes=5 * MB, width=720,
                  height=1280, duration=40.0, fps=30.0, video_codec="h264", audio_codec="aac",
                  audio_sample_rate=44100, pix_fmt="yuv420p", name="tessitura.mp4")
HEVC_MOV = replace(MP4, format="mov", mime="video/quicktime", video_codec="hevc",
                   name="tessitura.mov")


# --- X -------------------------------------------------------------------------


def test_x_text_only_ok() -> None:
    v = check("x", "La lana arriva dalla Val di Fiemme", [])
    assert (v.status, v.notes, v.problems) == ("ok", [], [])


def test_x_weighted_length_counts_urls_and_emoji() -> None:
    assert x_length("https://example.com/lana " + "a" * 100) == 124
    assert x_length("🧶") == 2


def test_x_long_text_refused_with_fix() -> None:
    text = "a" * 312
    v = check("x", text, [JPEG])
    assert v.status == "refused"
    assert v.problems == [
        "X counts 312 of 280 characters (an emoji or a Chinese, Japanese or Korean character "
        "counts as two; a link counts as 23): add --text-x with a shorter text, or --thread"]
    assert v.notes == []


def test_x_long_text_as_thread_is_allowed() -> None:
    v = check("x", "parola " * 100, [], thread=True)
    assert v.status == "ok"
    assert v.notes == ["the text (700 characters) will go out on X as a thread of about 3 posts"]


def test_x_nothing_to_post() -> None:
    v = check("x", "   ", [])
    assert v.problems == ["there is nothing to post on X: add a text, a photo or a video"]


def test_x_four_photos_ok_five_refused() -> None:
    assert check("x", "", [JPEG] * 4).status == "ok"
    v = check("x", "", [JPEG] * 5)
    assert v.problems == ["X takes up to 4 photos in a post and this one has 5: remove some, "
                          "or leave X out of --to"]


def test_x_photos_and_video_refused() -> None:
    v = check("x", "hi", [JPEG, MP4])
    assert v.status == "refused"
    assert v.problems[0].startswith("X takes photos or one video in a post, not both")


def test_x_gif_alone_ok_with_others_refused() -> None:
    assert check("x", "", [GIF]).status == "ok"
    assert check("x", "", [GIF, JPEG]).problems[0].startswith(
        "X takes an animated GIF only on its own")


def test_x_heic_is_fitted() -> None:
    v = check("x", "hi", [HEIC])
    assert v.status == "fit"
    assert v.notes == ["the HEIC photo gomitoli.heic will be converted to JPEG"]


def test_x_video_ok() -> None:
    assert check("x", "hi", [replace(MP4, width=720, height=1024)]).status == "ok"


def test_x_hevc_video_is_fitted_not_refused() -> None:
    v = check("x", "hi", [replace(HEVC_MOV, width=720, height=1024)])
    assert v.status == "fit"
    assert v.notes == ["the video tessitura.mov will be converted to H.264 video with AAC "
                       "sound in an MP4 file"]


def test_x_big_video_scaled_and_fast_video_slowed() -> None:
    v = check("x", "hi", [replace(MP4, width=1920, height=1080, fps=120.0)])
    assert v.status == "fit"
    assert "the video tessitura.mp4 will be converted to 60 frames per second" in v.notes
    assert "the video tessitura.mp4 will be scaled down to fit 1280x1024 pixels" in v.notes


@pytest.mark.parametrize(("duration", "expected"), [
    (0.3, "the video tessitura.mp4 lasts 0.3 seconds and X takes videos from 0.5 seconds to "
          "2 minutes 20 seconds: choose a longer video, or leave X out of --to"),
    (200.0, "the video tessitura.mp4 lasts 3 minutes 20 seconds and X takes videos from 0.5 "
            "seconds to 2 minutes 20 seconds: shorten it, or leave X out of --to"),
])
def test_x_video_duration_refused(duration: float, expected: str) -> None:
    v = check("x", "hi", [replace(MP4, duration=duration, width=720, height=1024)])
    assert v.status == "refused"
    assert v.problems == [expected]


def test_x_video_too_narrow_refused() -> None:
    v = check("x", "hi", [replace(MP4, width=100, height=400)])
    assert v.status == "refused"
    assert "too narrow or too wide for X" in v.problems[0]


# --- Instagram -------------------------------------------------------------------


def test_instagram_needs_media() -> None:
    v = check("instagram", "solo testo", [])
    assert v.status == "refused"
    assert v.problems == ["Instagram needs at least one photo or video: add --photo or "
                          "--video, or leave Instagram out of --to"]


def test_instagram_square_jpeg_ok() -> None:
    assert check("instagram", "ciao", [JPEG]).status == "ok"


def test_instagram_caption_limits() -> None:
    v = check("instagram", "x" * 2300, [JPEG])
    assert v.problems == ["the caption is 2,300 of 2,200 characters on Instagram: add "
                          "--text-instagram with a shorter text"]
    tags = " ".join(f"#tag{i}" for i in range(31))
    assert check("instagram", tags, [JPEG]).problems == [
        "the caption has 31 hashtags and Instagram takes up to 30: remove some with "
        "--text-instagram"]
    mentions = " ".join(f"@amico{i}" for i in range(21))
    assert check("instagram", mentions, [JPEG]).problems == [
        "the caption mentions 21 accounts and Instagram takes up to 20 @mentions: remove some "
        "with --text-instagram"]
    assert check("instagram", " ".join(f"#t{i}" for i in range(30)), [JPEG]).status == "ok"


def test_instagram_first_comment_hashtags_checked() -> None:
    v = check("instagram", "ciao", [JPEG],
              first_comment=" ".join(f"#t{i}" for i in range(35)))
    assert v.problems == ["the first comment has 35 hashtags and Instagram takes up to 30: "
                          "remove some with --first-comment"]


def test_instagram_carousel_limits() -> None:
    assert check("instagram", "", [JPEG] * 10).status == "ok"
    assert check("instagram", "", [JPEG, MP4]).status == "ok"  # mixed carousels are fine
    assert check("instagram", "", [JPEG] * 11).problems == [
        "Instagram takes up to 10 photos and videos in one post and this one has 11: remove "
        "some, or leave Instagram out of --to"]


def test_instagram_converts_png_and_heic() -> None:
    v = check("instagram", "", [PNG, HEIC])
    assert v.status == "fit"
    assert v.notes == ["the PNG photo etichetta.png will be converted to JPEG",
                       "the HEIC photo gomitoli.heic will be converted to JPEG"]


@pytest.mark.parametrize(("size", "mode", "note"), [
    ((1000, 2000), "pad", "the photo telaio.jpg will be padded to 4:5"),
    ((1000, 2000), "crop", "the photo telaio.jpg will be cropped to 4:5"),
    ((1400, 500), "pad", "the photo telaio.jpg will be padded to 1.91:1"),
])
def test_instagram_aspect_ratio_is_fitted(size: tuple[int, int], mode: str, note: str) -> None:
    v = check("instagram", "", [replace(JPEG, width=size[0], height=size[1])], fit=mode)
    assert v.status == "fit"
    assert v.notes == [note]


def test_instagram_width_and_size_are_fitted() -> None:
    v = check("instagram", "", [replace(JPEG, width=4000, height=4000, size_bytes=12 * MB)])
    assert v.notes == [
        "the photo telaio.jpg will be scaled down to 1440 pixels wide",
        "the photo telaio.jpg (12.0 MB) will be compressed to fit Instagram's 8.0 MB limit"]
    small = check("instagram", "", [replace(JPEG, width=200, height=200)])
    assert small.notes == ["the photo telaio.jpg will be enlarged to 320 pixels wide"]


def test_instagram_reel_limits() -> None:
    assert check("instagram", "", [MP4]).status == "ok"
    assert check("instagram", "", [HEVC_MOV]).status == "ok"  # HEVC in MOV is taken
    short = check("instagram", "", [replace(MP4, duration=2.0)])
    assert short.problems == ["the video tessitura.mp4 lasts 2 seconds and Instagram takes "
                              "videos from 3 seconds to 15 minutes: choose a longer video, or "
                              "leave Instagram out of --to"]
    slow = check("instagram", "", [replace(MP4, fps=15.0)])
    assert slow.notes == ["the video tessitura.mp4 will be converted to 30 frames per second"]
    big = check("instagram", "", [replace(MP4, size_bytes=400 * MB)])
    assert big.status == "fit"
    too_big = check("instagram", "", [replace(MP4, size_bytes=1000 * MB, duration=899.0)])
    assert too_big.status == "fit"  # ~8 Mbit/s: still worth a transcode
    webm = check("instagram", "", [replace(MP4, format="webm", video_codec="vp9",
                                            audio_codec="opus")])
    assert webm.notes == ["the video tessitura.mp4 will be converted to H.264 video with AAC "
                          "sound in an MP4 file"]


# --- Facebook ----------------------------------------------------------------------


def test_facebook_text_limit() -> None:
    assert check("facebook", "x" * 63206, []).status == "ok"
    assert check("facebook", "x" * 63207, []).problems == [
        "the text is 63,207 of 63,206 characters on Facebook: add --text-facebook with a "
        "shorter text"]


def test_facebook_video_plus_photos_refused() -> None:
    v = check("facebook", "", [JPEG, MP4])
    assert v.problems == ["Facebook does not take a video and photos in one post: post them "
                          "separately, or leave Facebook out of --to"]
    assert check("facebook", "", [JPEG] * 6).status == "ok"
    assert check("facebook", "", [MP4]).status == "ok"
    assert check("facebook", "", [MP4, MP4]).status == "refused"


# --- together and from real files ----------------------------------------------------


def test_unknown_network() -> None:
    with pytest.raises(InputError) as e:
        check("mastodon", "hi", [])
    assert e.value.message == (
        "There is no network called 'mastodon'. Choose from facebook, instagram and x.")


def test_check_post_uses_per_network_texts() -> None:
    verdicts = check_post(["facebook", "instagram", "x"],
                          {"default": "a" * 300, "x": "Dal filo alla sciarpa"}, [JPEG])
    assert {n: v.status for n, v in verdicts.items()} == {
        "facebook": "ok", "instagram": "ok", "x": "ok"}
    verdicts = check_post(["x"], {}, [JPEG], default_text="a" * 300)
    assert verdicts["x"].status == "refused"
    assert verdicts["x"].to_dict()["problems"] == [
        "X counts 300 of 280 characters (an emoji or a Chinese, Japanese or Korean character "
        "counts as two; a link counts as 23): add --text-x with a shorter text, or --thread"]


def test_real_phone_photo_and_heic(tmp_path: Path) -> None:
    media = [probe(make_phone_photo(tmp_path / "phone.jpg", size=(750, 600))),
             probe(make_heic(tmp_path / "gomitoli.heic", size=(400, 400)))]
    v = check("instagram", "La lana", media)
    assert v.status == "fit"
    assert v.notes == [
        "the photo phone.jpg will be turned upright",
        "the location saved in the photo phone.jpg will be removed",
        "the HEIC photo gomitoli.heic will be converted to JPEG",
    ]
    assert check("x", "La lana", media).status == "fit"


def test_real_videos(tmp_path: Path) -> None:
    mp4 = probe(make_mp4(tmp_path / "v.mp4", seconds=1, size=(64, 48)))
    assert check("x", "hi", [mp4]).status == "ok"
    assert check("instagram", "hi", [mp4]).status == "refused"  # under 3 seconds
    mov = probe(make_mov_hevc(tmp_path / "v.mov", seconds=1, size=(64, 48)))
    assert check("x", "hi", [mov]).status == "fit"


def test_x_refusal_counts_an_emoji_as_two() -> None:
    """278 letters and two emoji are 280 characters to the eye but 282 to X: the message
    says X's count and why it differs."""
    v = check("x", "a" * 278 + "\U0001F9F6\U0001F9F5", [JPEG])
    assert v.status == "refused"
    assert v.problems[0].startswith("X counts 282 of 280 characters (an emoji")
