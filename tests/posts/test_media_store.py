from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from config.errors import MediaRejected
from posts.media import store as media_store
from posts.media.store import MediaStore
from tests.factories.media import make_heic, make_jpeg, make_mp4, make_phone_photo


def files_in(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture
def store(tmp_path: Path) -> MediaStore:
    return MediaStore(tmp_path / "home" / "media")


def test_intake_copies_into_content_addressed_layout(tmp_path: Path, store: MediaStore) -> None:
    src = make_phone_photo(tmp_path / "phone.jpg")
    stored = store.intake(src)
    assert stored.created is True
    assert stored.kind == "photo"
    assert stored.format == "jpeg"
    assert (stored.width, stored.height) == (60, 80)
    assert stored.store_path == f"{stored.sha256[:2]}/{stored.sha256[2:4]}/{stored.sha256}.jpg"
    assert stored.path == store.root / stored.store_path
    assert stored.path.read_bytes() == src.read_bytes()
    assert stored.original_name == "phone.jpg"
    assert stored.probe["orientation"] == 6
    assert stored.probe["has_location"] is True
    assert files_in(store.root) == [stored.path]


def test_same_content_twice_is_stored_once(tmp_path: Path, store: MediaStore) -> None:
    src = make_mp4(tmp_path / "tessitura.mp4")
    first = store.intake(src, expect="video")
    copy = tmp_path / "copia di tessitura.mp4"
    copy.write_bytes(src.read_bytes())
    second = store.intake(copy, expect="video")
    assert first.created is True
    assert second.created is False
    assert second.sha256 == first.sha256
    assert second.original_name == "copia di tessitura.mp4"
    assert files_in(store.root) == [first.path]


def test_path_of_by_hash_and_by_store_path(tmp_path: Path, store: MediaStore) -> None:
    stored = store.intake(make_heic(tmp_path / "gomitoli.heic"))
    assert store.path_of(stored.sha256) == stored.path
    assert store.path_of(stored.store_path) == stored.path.resolve()
    with pytest.raises(MediaRejected, match="missing from the media folder"):
        store.path_of("0" * 64)
    with pytest.raises(MediaRejected):
        store.path_of("../../etc/passwd")


def test_discard_removes_only_what_intake_created(tmp_path: Path, store: MediaStore) -> None:
    src = make_jpeg(tmp_path / "a.jpg")
    first = store.intake(src)
    again = store.intake(src)
    store.discard(again)  # it existed before: kept
    assert first.path.exists()
    store.discard(first)
    assert files_in(store.root) == []


def test_expectation_is_checked(tmp_path: Path, store: MediaStore) -> None:
    src = make_jpeg(tmp_path / "telaio.jpg")
    with pytest.raises(MediaRejected, match=r"telaio\.jpg is not a video"):
        store.intake(src, expect="video")
    assert files_in(store.root) == []


def test_accented_name_with_spaces(tmp_path: Path, store: MediaStore) -> None:
    folder = tmp_path / "Foto di Nonna Lucìa"
    folder.mkdir()
    src = make_jpeg(folder / "Caffè e lana è così.jpg")
    stored = store.intake(src)
    assert stored.original_name == "Caffè e lana è così.jpg"
    assert stored.path.read_bytes() == src.read_bytes()


@pytest.mark.skipif(os.name != "posix", reason="byte file names are a POSIX thing")
def test_non_utf8_file_name(tmp_path: Path, store: MediaStore) -> None:
    raw = os.path.join(os.fsencode(tmp_path), b"sciarpa \xe9t\xe9.jpg")  # Latin-1 bytes
    make_jpeg(Path(os.fsdecode(raw)))
    stored = store.intake(Path(os.fsdecode(raw)))
    assert stored.original_name == "sciarpa \ufffdt\ufffd.jpg"
    stored.original_name.encode("utf-8")  # safe for the database and the terminal
    assert stored.created


@pytest.mark.skipif(os.name != "posix", reason="byte file names are a POSIX thing")
def test_non_utf8_video_name(tmp_path: Path, store: MediaStore) -> None:
    raw = os.path.join(os.fsencode(tmp_path), b"tessitura \xe0.mp4")
    make_mp4(tmp_path / "v.mp4").rename(os.fsdecode(raw))
    assert store.intake(Path(os.fsdecode(raw))).kind == "video"


def _interrupt_after_first_chunk(monkeypatch, exc: BaseException) -> None:
    real = media_store._write_chunk
    calls = {"n": 0}

    def flaky(dst, data):
        calls["n"] += 1
        if calls["n"] > 1:
            raise exc
        real(dst, data)

    monkeypatch.setattr(media_store, "CHUNK_SIZE", 1024)
    monkeypatch.setattr(media_store, "_write_chunk", flaky)


def test_ctrl_c_mid_copy_leaves_no_file(tmp_path: Path, store: MediaStore, monkeypatch) -> None:
    src = make_mp4(tmp_path / "tessitura.mp4", seconds=1, size=(160, 120))
    assert src.stat().st_size > 2048
    _interrupt_after_first_chunk(monkeypatch, KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        store.intake(src)
    assert files_in(store.root) == []


def test_full_disk_leaves_no_file(tmp_path: Path, store: MediaStore, monkeypatch) -> None:
    src = make_mp4(tmp_path / "tessitura.mp4", seconds=1, size=(160, 120))
    _interrupt_after_first_chunk(monkeypatch, OSError(errno.ENOSPC, "No space left on device"))
    with pytest.raises(MediaRejected) as e:
        store.intake(src)
    assert e.value.message.startswith(
        "There is not enough free disk space to store tessitura.mp4")
    assert e.value.message.endswith("Free some space on this computer and add it again.")
    assert files_in(store.root) == []


def test_two_gigabytes_refused_before_copying(tmp_path: Path, store: MediaStore,
                                              monkeypatch) -> None:
    big = tmp_path / "lungo.mp4"
    with open(big, "wb") as f:
        f.truncate(2 * 1024**3)
    copied = []
    monkeypatch.setattr(media_store, "_write_chunk", lambda dst, data: copied.append(len(data)))
    with pytest.raises(MediaRejected, match=r"lungo\.mp4 is 2\.0 GB; Costanza takes files up to"):
        store.intake(big)
    assert copied == []
    assert files_in(store.root) == []


@pytest.mark.parametrize("name", ["missing.jpg", "empty.jpg", "folder"])
def test_bad_input_leaves_nothing(tmp_path: Path, store: MediaStore, name: str) -> None:
    (tmp_path / "empty.jpg").write_bytes(b"")
    (tmp_path / "folder").mkdir()
    with pytest.raises(MediaRejected):
        store.intake(tmp_path / name)
    assert files_in(store.root) == []


def test_intake_uses_the_probe_already_made(tmp_path: Path, store: MediaStore,
                                            monkeypatch) -> None:
    from posts.media.probe import probe

    src = make_mp4(tmp_path / "tessitura.mp4")
    probed = probe(src)

    def again(*args, **kwargs):
        raise AssertionError("the file was probed a second time")

    monkeypatch.setattr(media_store, "probe", again)
    stored = store.intake(src, expect="video", probed=probed)
    assert stored.probe == probed.to_dict()
    assert stored.path.read_bytes() == src.read_bytes()


def test_file_changed_after_probe_is_refused(tmp_path: Path, store: MediaStore) -> None:
    from posts.media.probe import probe

    src = make_jpeg(tmp_path / "telaio.jpg")
    probed = probe(src)
    with open(src, "ab") as fh:
        fh.write(b"more bytes")
    with pytest.raises(MediaRejected, match=r"telaio\.jpg changed while it was being added"):
        store.intake(src, probed=probed)
    assert files_in(store.root) == []


def test_unwritable_media_folder_is_explained(tmp_path: Path, store: MediaStore,
                                              monkeypatch) -> None:
    src = make_jpeg(tmp_path / "telaio.jpg")

    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(media_store.tempfile, "mkstemp", refuse)
    with pytest.raises(MediaRejected) as e:
        store.intake(src)
    assert e.value.message == (
        "telaio.jpg could not be copied into the media folder (Permission denied). "
        "Check the disk and the folder's permissions, then try again.")
    assert files_in(store.root) == []
