from __future__ import annotations

import sys
from pathlib import Path

import pytest

from config.errors import MediaRejected
from posts.media.probe import ProbeResult, probe
from tests.factories.media import (
    make_gif,
    make_heic,
    make_jpeg,
    make_mov_hevc,
    make_mp4,
    make_phone_photo,
    make_png,
    make_text,
    make_webp,
    truncate,
)


def test_probe_jpeg(tmp_path: Path) -> None:
    r = probe(make_jpeg(tmp_path / "a.jpg", size=(64, 48)))
    assert (r.kind, r.format, r.mime, r.width, r.height) == ("photo", "jpeg", "image/jpeg", 64, 48)
    assert r.orientation is None
    assert r.has_location is False
    assert r.size_bytes == (tmp_path / "a.jpg").stat().st_size


@pytest.mark.parametrize(("factory", "suffix", "fmt", "mime"), [
    (make_png, "png", "png", "image/png"),
    (make_webp, "webp", "webp", "image/webp"),
    (make_heic, "heic", "heic", "image/heic"),
])
def test_probe_other_photo_formats(tmp_path: Path, factory, suffix, fmt, mime) -> None:
    r = probe(factory(tmp_path / f"p.{suffix}", size=(40, 30)))
    assert (r.kind, r.format, r.mime, r.width, r.height) == ("photo", fmt, mime, 40, 30)


def test_probe_gif_counts_frames(tmp_path: Path) -> None:
    r = probe(make_gif(tmp_path / "g.gif", frames=3))
    assert (r.kind, r.format, r.frames) == ("photo", "gif", 3)


def test_probe_phone_photo_orientation_and_gps(tmp_path: Path) -> None:
    r = probe(make_phone_photo(tmp_path / "phone.jpg", size=(80, 60)))
    assert r.orientation == 6
    assert (r.width, r.height) == (60, 80)  # shown upright: portrait
    assert r.has_location is True
    assert r.has_metadata is True


def test_probe_heic_with_gps(tmp_path: Path) -> None:
    assert probe(make_heic(tmp_path / "g.heic", gps=True)).has_location is True


def test_probe_mp4(tmp_path: Path) -> None:
    r = probe(make_mp4(tmp_path / "v.mp4", seconds=1, size=(64, 48), fps=24))
    assert (r.kind, r.format, r.mime) == ("video", "mp4", "video/mp4")
    assert (r.width, r.height, r.fps) == (64, 48, 24.0)
    assert r.video_codec == "h264"
    assert r.audio_codec == "aac"
    assert r.audio_sample_rate == 44100
    assert r.pix_fmt == "yuv420p"
    assert r.duration == pytest.approx(1.0, abs=0.1)


def test_probe_hevc_mov(tmp_path: Path) -> None:
    r = probe(make_mov_hevc(tmp_path / "v.mov"))
    assert (r.kind, r.format, r.mime, r.video_codec) == ("video", "mov", "video/quicktime", "hevc")


def test_probe_video_location_tag(tmp_path: Path) -> None:
    r = probe(make_mp4(tmp_path / "v.mp4", metadata={"location": "+46.29+011.47/"}))
    assert r.has_location is True


def test_probe_result_round_trips_through_json(tmp_path: Path) -> None:
    import json

    r = probe(make_mp4(tmp_path / "v.mp4"))
    assert ProbeResult.from_dict(json.loads(json.dumps(r.to_dict()))) == r


def test_mp4_named_jpg_is_reported(tmp_path: Path) -> None:
    make_mp4(tmp_path / "x.mp4")
    (tmp_path / "x.mp4").rename(tmp_path / "gomitolo.jpg")
    with pytest.raises(MediaRejected) as e:
        probe(tmp_path / "gomitolo.jpg")
    assert e.value.message == (
        "gomitolo.jpg is not a photo: it looks like a video (MP4). "
        "Rename it or pass it with --video.")


def test_mp4_named_jpg_is_accepted_as_a_video_when_asked(tmp_path: Path) -> None:
    make_mp4(tmp_path / "x.mp4")
    (tmp_path / "x.mp4").rename(tmp_path / "clip.jpg")
    assert probe(tmp_path / "clip.jpg", expect="video").kind == "video"


def test_photo_given_as_video_is_reported(tmp_path: Path) -> None:
    make_jpeg(tmp_path / "telaio.jpg")
    with pytest.raises(MediaRejected, match=r"telaio.jpg is not a video: it looks like a photo "
                                            r"\(JPEG\)\. Rename it or pass it with --photo\."):
        probe(tmp_path / "telaio.jpg", expect="video")


def test_png_named_jpg_is_probed_by_content(tmp_path: Path) -> None:
    make_png(tmp_path / "x.png")
    (tmp_path / "x.png").rename(tmp_path / "really_png.jpg")
    assert probe(tmp_path / "really_png.jpg").format == "png"


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(MediaRejected) as e:
        probe(tmp_path / "gomitoli.heic")
    assert e.value.message == (
        "gomitoli.heic was not found. Check the file name and the folder, then try again.")


def test_folder(tmp_path: Path) -> None:
    (tmp_path / "photos").mkdir()
    with pytest.raises(MediaRejected, match="photos is a folder, not a photo or a video"):
        probe(tmp_path / "photos")


def test_zero_bytes(tmp_path: Path) -> None:
    (tmp_path / "empty.jpg").write_bytes(b"")
    with pytest.raises(MediaRejected, match=r"empty.jpg is empty \(0 bytes\)\. Copy the file"):
        probe(tmp_path / "empty.jpg")


def test_text_file(tmp_path: Path) -> None:
    with pytest.raises(MediaRejected) as e:
        probe(make_text(tmp_path / "notes.txt"))
    assert e.value.message == (
        "notes.txt is a kind of file Costanza cannot use. Use a JPEG, PNG, WEBP, HEIC or GIF "
        "photo, or an MP4 or MOV video.")


def test_truncated_jpeg(tmp_path: Path) -> None:
    path = truncate(make_jpeg(tmp_path / "cut.jpg", size=(400, 300), quality=95), keep=0.5)
    with pytest.raises(MediaRejected) as e:
        probe(path)
    assert e.value.message.startswith(
        "cut.jpg could not be read as a photo: the file looks damaged or incomplete.")


def test_truncated_heic(tmp_path: Path) -> None:
    path = truncate(make_heic(tmp_path / "cut.heic", size=(128, 96)), keep=0.6)
    with pytest.raises(MediaRejected, match="could not be read as a photo"):
        probe(path)


def test_truncated_mp4(tmp_path: Path) -> None:
    path = truncate(make_mp4(tmp_path / "cut.mp4", seconds=1), keep=0.5)
    with pytest.raises(MediaRejected) as e:
        probe(path)
    assert e.value.message.startswith(
        "cut.mp4 could not be read as a video: the file looks damaged or incomplete.")


def test_truncated_mp4_with_index_first(tmp_path: Path) -> None:
    path = make_mp4(tmp_path / "cut.mp4", seconds=2, size=(160, 120), faststart=True)
    assert probe(path).duration == pytest.approx(2.0, abs=0.1)
    truncate(path, keep=0.6)
    with pytest.raises(MediaRejected, match="could not be read as a video"):
        probe(path)


def test_video_is_opened_once(tmp_path: Path, monkeypatch) -> None:
    import av

    path = make_mp4(tmp_path / "v.mp4", seconds=1, faststart=True)
    real_open, opened = av.open, []

    def counting_open(*args, **kwargs):
        opened.append(args)
        return real_open(*args, **kwargs)

    monkeypatch.setattr(av, "open", counting_open)
    assert probe(path).duration == pytest.approx(1.0, abs=0.1)
    assert len(opened) == 1


def test_two_gigabytes_is_refused_before_reading(tmp_path: Path, monkeypatch) -> None:
    big = tmp_path / "tessitura.mov"
    with open(big, "wb") as f:
        f.truncate(2 * 1024**3)  # sparse: no real disk used
    with pytest.raises(MediaRejected) as e:
        probe(big)
    assert e.value.message.startswith(
        "tessitura.mov is 2.0 GB; Costanza takes files up to 1 GB.")


def test_photo_probe_does_not_import_av(tmp_path: Path) -> None:
    import subprocess

    path = make_heic(tmp_path / "a.heic")
    code = ("import sys; import posts.media.fit, posts.media.store, posts.rules; "
            "from posts.media.probe import probe; probe(sys.argv[1]); "
            "sys.exit(1 if 'av' in sys.modules else 0)")
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", code, str(path)], check=True, cwd=root)


def test_importing_media_modules_loads_no_media_library() -> None:
    import subprocess

    code = ("import sys; import posts.media.fit, posts.media.store, posts.media.probe, "
            "posts.rules; "
            "loaded = {'av', 'PIL', 'pillow_heif', 'twitter_text'} & set(sys.modules); "
            "sys.exit(str(sorted(loaded)) if loaded else 0)")
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root)
