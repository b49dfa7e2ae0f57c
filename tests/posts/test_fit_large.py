"""Huge photos: a JPEG is decoded at a reduced size when its copy is much smaller, and a
photo over the pixel budget is refused from its header, before any pixel is decoded."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, JpegImagePlugin

from posts.media.fit import fit_for
from posts.media.probe import MAX_PIXELS, probe
from posts.media.store import MediaStore
from tests.factories.media import make_jpeg, make_phone_photo, truncate


@pytest.fixture
def store(tmp_path: Path) -> MediaStore:
    return MediaStore(tmp_path / "media")


@pytest.fixture
def decoded_sizes(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """The size each JPEG is decoded at, after draft mode (the real draft runs)."""
    sizes: list[tuple[int, int]] = []
    real = JpegImagePlugin.JpegImageFile.draft

    def draft(self: Any, mode: str | None, size: tuple[int, int] | None) -> Any:
        result = real(self, mode, size)
        sizes.append(self.size)
        return result

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft", draft)
    return sizes


def is_red(pixel: tuple[int, ...]) -> bool:
    return pixel[0] > 150 and pixel[2] < 100


def test_a_large_phone_photo_is_read_at_half_size_and_comes_out_upright(
        tmp_path: Path, store: MediaStore, decoded_sizes: list[tuple[int, int]]) -> None:
    # Stored 6000x4500 with EXIF orientation 6: a 4500x6000 portrait, red at the top right.
    stored = store.intake(make_phone_photo(tmp_path / "telaio.jpg", size=(6000, 4500)))
    decoded_sizes.clear()  # the intake's probe reads at 1/8 too; the fit is what counts
    fitted = fit_for("instagram", stored, store)
    # Padded to 4:5 its 4500 pixels become 1350 of the 1440: read at 1/2, as 1/4 (1125)
    # would be smaller than that; the last size is the check of the copy made.
    assert decoded_sizes[0] == (3000, 2250)
    assert (fitted.width, fitted.height) == (1440, 1800)  # padded to 4:5
    result = probe(fitted.path)
    assert (result.width, result.height) == (1440, 1800) and result.orientation is None
    with Image.open(fitted.path) as img:
        assert is_red(img.getpixel((1440 - 200, 200)))
        assert not is_red(img.getpixel((200, 200))) and not is_red(img.getpixel((720, 1700)))
        assert img.getpixel((5, 900))[:3] == (255, 255, 255)  # the padding


def test_a_wide_photo_cropped_is_read_only_as_small_as_what_is_kept(
        tmp_path: Path, store: MediaStore, decoded_sizes: list[tuple[int, int]]) -> None:
    # Cropped to 1.91:1, 3820 of its 8000 pixels are kept and become 1440: it may be read at
    # 1/2 (4000 wide, 1910 kept), not at 1/4 (955 kept, smaller than the copy).
    stored = store.intake(make_jpeg(tmp_path / "panorama.jpg", size=(8000, 2000)))
    decoded_sizes.clear()
    fitted = fit_for("instagram", stored, store, mode="crop")
    assert decoded_sizes[0] == (4000, 1000)
    assert (fitted.width, fitted.height) == (1440, 754)


def test_a_jpeg_near_its_copy_size_is_read_whole(tmp_path: Path, store: MediaStore,
                                                 decoded_sizes: list[tuple[int, int]]) -> None:
    stored = store.intake(make_jpeg(tmp_path / "gomitoli.jpg", size=(2400, 1800),
                                    exif_orientation=1))
    decoded_sizes.clear()
    fitted = fit_for("x", stored, store)
    assert decoded_sizes[0] == (300, 225)  # only the check of the copy, at 1/8
    assert (fitted.width, fitted.height) == (2400, 1800)


@pytest.fixture(scope="module")
def huge_png(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real PNG just over the budget (10050x10000); one colour, so about 32 KB."""
    path = tmp_path_factory.mktemp("huge") / "scansione.png"
    Image.new("1", (10050, 10000), 1).save(path)
    return path


def _snapshot(home: Path) -> dict[str, str]:
    return {str(p.relative_to(home)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(home.rglob("*")) if p.is_file()
            and not p.name.endswith(("-wal", "-shm"))}


def test_a_png_over_the_budget_is_refused_with_the_fix_and_nothing_is_stored(
        run, home: Path, huge_png: Path) -> None:
    assert 10050 * 10000 > MAX_PIXELS
    assert run("init", "--timezone", "Europe/Rome").exit_code == 0
    before = _snapshot(home)
    result = run("post", "add", "La scansione del ricamo", "--photo", str(huge_png),
                 "--to", "x")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "scansione.png is 10050x10000 pixels (100 megapixels)" in result.output
    assert "Export it smaller than 100 megapixels" in result.output
    assert _snapshot(home) == before
    assert not (home / "media").exists() or not any((home / "media").rglob("*.*"))


def test_the_budget_is_checked_from_the_header_before_decoding(tmp_path: Path,
                                                               huge_png: Path) -> None:
    # Cut short after its header: decoding it would fail as damaged; it is refused for
    # its size instead, so nothing was decoded.
    cut = tmp_path / "scansione.png"
    cut.write_bytes(huge_png.read_bytes()[:200])
    with pytest.raises(Exception, match="smaller than 100 megapixels"):
        probe(cut)


def test_a_strip_no_network_takes_is_refused_for_its_shape_without_decoding(
        run, home: Path, tmp_path: Path) -> None:
    strip = tmp_path / "riga.png"
    Image.new("L", (1, 100000), 128).save(strip)
    truncate(strip, keep=0.5)  # its pixels cannot be decoded: only its header is read
    assert run("init", "--timezone", "Europe/Rome").exit_code == 0
    before = _snapshot(home)
    result = run("post", "add", "Una riga", "--photo", str(strip), "--to", "x")
    assert result.exit_code == 1, result.output
    assert "far too narrow" in result.output and "crop it" in result.output
    assert "damaged" not in result.output
    assert _snapshot(home) == before
