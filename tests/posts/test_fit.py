from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image

from posts import rules
from posts.media import fit
from posts.media.fit import fit_for
from posts.media.probe import probe
from posts.media.store import MediaStore, StoredMedia
from tests.factories.media import (
    make_gif,
    make_heic,
    make_jpeg,
    make_mov_hevc,
    make_mp4,
    make_phone_photo,
    make_png,
    make_webp,
)


@pytest.fixture
def store(tmp_path: Path) -> MediaStore:
    return MediaStore(tmp_path / "media")


def add(store: MediaStore, path: Path) -> StoredMedia:
    return store.intake(path)


def assert_clean(path: Path) -> None:
    """No EXIF, GPS or XMP in a published photo."""
    with Image.open(path) as img:
        assert len(img.getexif()) == 0
        assert "xmp" not in img.info
        assert "exif" not in img.info
    assert probe(path).has_metadata is False


def is_red(pixel: tuple[int, ...]) -> bool:
    return pixel[0] > 150 and pixel[2] < 100


def test_phone_photo_for_instagram_upright_padded_and_clean(tmp_path: Path,
                                                           store: MediaStore) -> None:
    stored = add(store, make_phone_photo(tmp_path / "phone.jpg", size=(800, 600)))
    fitted = fit_for("instagram", stored, store)
    result = probe(fitted.path)
    assert result.format == "jpeg"
    assert fitted.mime == "image/jpeg"
    assert (result.width, result.height) == (fitted.width, fitted.height) == (640, 800)
    assert 0.8 <= result.width / result.height <= 1.91
    assert result.orientation is None
    assert result.has_location is False
    assert_clean(fitted.path)
    with Image.open(fitted.path) as img:
        # The stored picture has red top-left; turned upright (orientation 6) it is top-right.
        assert is_red(img.getpixel((640 - 20 - 20, 20)))
        assert not is_red(img.getpixel((20 + 20, 20)))
        assert img.getpixel((5, 400))[:3] == (255, 255, 255)  # the padding
    assert fitted.sha256 != stored.sha256
    assert fitted.size_bytes == fitted.path.stat().st_size


def test_phone_photo_for_x_is_upright_and_clean(tmp_path: Path, store: MediaStore) -> None:
    stored = add(store, make_phone_photo(tmp_path / "phone.jpg", size=(80, 60)))
    fitted = fit_for("x", stored, store)
    assert (fitted.width, fitted.height) == (60, 80)
    assert probe(fitted.path).format == "jpeg"
    assert_clean(fitted.path)


def test_jpeg_with_only_camera_details_is_still_stripped(tmp_path: Path,
                                                         store: MediaStore) -> None:
    stored = add(store, make_jpeg(tmp_path / "a.jpg", size=(400, 400), exif_orientation=1))
    assert stored.probe["has_metadata"] is True
    fitted = fit_for("facebook", stored, store)
    assert fitted.path != stored.path
    assert_clean(fitted.path)


def test_clean_jpeg_goes_out_unchanged(tmp_path: Path, store: MediaStore) -> None:
    stored = add(store, make_jpeg(tmp_path / "a.jpg", size=(400, 400)))
    fitted = fit_for("instagram", stored, store)
    assert fitted.path == stored.path
    assert fitted.sha256 == stored.sha256


@pytest.mark.parametrize(("factory", "name"), [
    (make_heic, "a.heic"), (make_png, "a.png"), (make_webp, "a.webp"), (make_gif, "a.gif")])
def test_instagram_gets_jpeg(tmp_path: Path, store: MediaStore, factory, name: str) -> None:
    stored = add(store, factory(tmp_path / name, size=(400, 400)))
    fitted = fit_for("instagram", stored, store)
    result = probe(fitted.path)
    assert result.format == "jpeg"
    assert (result.width, result.height) == (400, 400)
    assert_clean(fitted.path)


def test_heic_with_gps_for_x_becomes_clean_jpeg(tmp_path: Path, store: MediaStore) -> None:
    stored = add(store, make_heic(tmp_path / "g.heic", gps=True))
    fitted = fit_for("x", stored, store)
    assert probe(fitted.path).format == "jpeg"
    assert_clean(fitted.path)


def test_turned_heic_is_upright(tmp_path: Path, store: MediaStore) -> None:
    stored = add(store, make_heic(tmp_path / "o.heic", size=(80, 60), exif_orientation=6))
    assert (stored.width, stored.height) == (60, 80)
    fitted = fit_for("x", stored, store)
    assert (fitted.width, fitted.height) == (60, 80)
    with Image.open(fitted.path) as img:
        assert is_red(img.getpixel((50, 5)))
        assert not is_red(img.getpixel((5, 5)))


def test_transparent_png_becomes_white_jpeg(tmp_path: Path, store: MediaStore) -> None:
    path = tmp_path / "t.png"
    Image.new("RGBA", (400, 400), (0, 0, 0, 0)).save(path)
    fitted = fit_for("instagram", add(store, path), store)
    with Image.open(fitted.path) as img:
        assert img.getpixel((200, 200)) == (255, 255, 255)


@pytest.mark.parametrize(("size", "mode", "expected"), [
    ((500, 1000), "crop", (500, 625)),  # too tall: crop to 4:5
    ((500, 1000), "pad", (800, 1000)),  # too tall: pad to 4:5
    ((1000, 400), "crop", (764, 400)),  # too wide: crop to 1.91:1
    ((1000, 400), "pad", (1000, 524)),  # too wide: pad to 1.91:1
    ((3000, 2000), "pad", (1440, 960)),  # too wide in pixels: scaled
])
def test_instagram_aspect_and_width(tmp_path: Path, store: MediaStore, size, mode,
                                    expected) -> None:
    stored = add(store, make_jpeg(tmp_path / "p.jpg", size=size))
    fitted = fit_for("instagram", stored, store, mode=mode)
    result = probe(fitted.path)
    assert (result.width, result.height) == expected
    assert 0.8 - 0.005 <= result.width / result.height <= 1.91 + 0.005


def test_pad_and_crop_are_cached_apart(tmp_path: Path, store: MediaStore) -> None:
    stored = add(store, make_jpeg(tmp_path / "p.jpg", size=(500, 1000)))
    padded = fit_for("instagram", stored, store, mode="pad")
    cropped = fit_for("instagram", stored, store, mode="crop")
    assert padded.path != cropped.path
    assert padded.path.name == f"{stored.sha256}-pad.jpg"


def test_oversize_photo_is_compressed(tmp_path: Path, store: MediaStore, monkeypatch) -> None:
    path = tmp_path / "noise.png"
    Image.frombytes("RGB", (600, 600), os.urandom(600 * 600 * 3)).save(path)
    lim = rules.PHOTO_LIMITS["instagram"]
    monkeypatch.setitem(rules.PHOTO_LIMITS, "instagram", replace(lim, max_bytes=60_000))
    fitted = fit_for("instagram", add(store, path), store)
    assert fitted.size_bytes <= 60_000
    assert probe(fitted.path).format == "jpeg"


def test_photo_cache_hit_does_not_convert_again(tmp_path: Path, store: MediaStore,
                                                monkeypatch) -> None:
    stored = add(store, make_heic(tmp_path / "a.heic"))
    first = fit_for("instagram", stored, store)
    inode = first.path.stat().st_ino  # a new copy would be a new file, renamed into place

    def boom(*args, **kwargs):
        raise AssertionError("converted twice")

    monkeypatch.setattr(fit, "_fit_photo", boom)
    again = fit_for("instagram", stored, store)
    assert again == first
    assert again.path.stat().st_ino == inode


def test_interrupted_fit_leaves_no_file(tmp_path: Path, store: MediaStore,
                                        monkeypatch) -> None:
    stored = add(store, make_heic(tmp_path / "a.heic"))
    real = fit._fit_photo

    def interrupted(*args, **kwargs):
        real(*args, **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(fit, "_fit_photo", interrupted)
    with pytest.raises(KeyboardInterrupt):
        fit_for("instagram", stored, store)
    assert [p for p in store.fitted_dir("instagram").rglob("*") if p.is_file()] == []


def test_fit_from_a_database_like_record(tmp_path: Path, store: MediaStore) -> None:
    stored = add(store, make_heic(tmp_path / "a.heic"))

    class Row:  # what posts.models.Media carries
        sha256 = stored.sha256
        kind = "photo"
        store_path = stored.store_path
        probe = stored.probe

    assert probe(fit_for("instagram", Row(), store).path).format == "jpeg"


# --- videos ---------------------------------------------------------------------


def test_hevc_mov_becomes_h264_aac_mp4(tmp_path: Path, store: MediaStore) -> None:
    stored = add(store, make_mov_hevc(tmp_path / "tessitura.mov", seconds=1, size=(64, 48)))
    fitted = fit_for("x", stored, store)
    result = probe(fitted.path)
    assert fitted.path.suffix == ".mp4"
    assert fitted.mime == "video/mp4"
    assert (result.format, result.video_codec, result.audio_codec) == ("mp4", "h264", "aac")
    assert result.pix_fmt == "yuv420p"
    assert (result.width, result.height) == (64, 48)
    assert result.duration == pytest.approx(1.0, abs=0.1)
    assert fitted.duration == pytest.approx(1.0, abs=0.1)
    assert result.has_metadata is False


def test_instagram_takes_hevc_mov_as_it_is(tmp_path: Path, store: MediaStore) -> None:
    stored = add(store, make_mov_hevc(tmp_path / "tessitura.mov"))
    assert fit_for("instagram", stored, store).path == stored.path


def test_video_over_x_limits_is_scaled_and_slowed(tmp_path: Path, store: MediaStore,
                                                   monkeypatch) -> None:
    # X's real box is 1280x1024; a smaller box keeps the test quick, the code is the same.
    lim = rules.VIDEO_LIMITS["x"]
    monkeypatch.setitem(rules.VIDEO_LIMITS, "x", replace(lim, max_width=96, max_height=96))
    stored = add(store, make_mp4(tmp_path / "v.mp4", seconds=1, size=(160, 90), fps=90,
                                 audio=False))
    result = probe(fit_for("x", stored, store).path)
    assert (result.width, result.height) == (96, 54)
    assert result.fps == pytest.approx(60, abs=0.5)
    assert result.duration == pytest.approx(1.0, abs=0.1)
    assert result.audio_codec is None


def test_video_over_the_size_limit_is_compressed(tmp_path: Path, store: MediaStore,
                                                 monkeypatch) -> None:
    stored = add(store, make_mp4(tmp_path / "v.mp4", seconds=1, size=(160, 90), noise=True))
    limit = stored.size_bytes // 2
    lim = rules.VIDEO_LIMITS["x"]
    monkeypatch.setitem(rules.VIDEO_LIMITS, "x", replace(lim, max_bytes=limit))
    assert rules.check("x", "hi", [probe(stored.path)]).status == "fit"
    fitted = fit_for("x", stored, store)
    assert fitted.size_bytes <= limit
    assert probe(fitted.path).duration == pytest.approx(1.0, abs=0.1)


def test_video_location_is_removed_without_reencoding(tmp_path: Path,
                                                      store: MediaStore) -> None:
    stored = add(store, make_mp4(tmp_path / "v.mp4", metadata={"location": "+46.29+011.47/"}))
    assert stored.probe["has_location"] is True
    fitted = fit_for("facebook", stored, store)
    result = probe(fitted.path)
    assert result.has_location is False
    assert result.has_metadata is False
    assert (result.video_codec, result.audio_codec) == ("h264", "aac")
    assert result.duration == pytest.approx(stored.duration, abs=0.05)


def test_clean_h264_mp4_goes_out_unchanged(tmp_path: Path, store: MediaStore) -> None:
    stored = add(store, make_mp4(tmp_path / "v.mp4"))
    assert fit_for("x", stored, store).path == stored.path


def test_video_cache_hit_does_not_transcode_again(tmp_path: Path, store: MediaStore,
                                                  monkeypatch) -> None:
    stored = add(store, make_mov_hevc(tmp_path / "v.mov"))
    calls = []
    real = fit._transcode

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(fit, "_transcode", counting)
    first = fit_for("x", stored, store)
    second = fit_for("x", stored, store)
    assert calls == [1]
    assert second == first
