"""The folder media host: copies by content hash, atomic, served by a real web server."""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
import requests

from config.errors import SettingsError
from config.settings import Settings
from scheduler.media_hosts import MediaHostUnreachable, make_media_host
from scheduler.media_hosts.folder import FolderHost, encode_base_url
from tests.factories.media import make_jpeg


def _photo(tmp_path: Path) -> tuple[Path, str]:
    path = make_jpeg(tmp_path / "gomitoli.jpg", (64, 48))
    return path, hashlib.sha256(path.read_bytes()).hexdigest()


def test_folder_host_publishes_a_photo_by_its_hash(
        web_folder: tuple[Path, str], make_settings: Callable[..., Settings],
        tmp_path: Path) -> None:
    folder, base_url = web_folder
    host = make_media_host(make_settings(kind="folder", path=str(folder), base_url=base_url))
    photo, digest = _photo(tmp_path)

    url = host.public_url(photo, digest, "image/jpeg")

    assert url == base_url.replace(" ", "%20") + f"{digest}.jpg"
    copied = folder / f"{digest}.jpg"
    assert copied.read_bytes() == photo.read_bytes()
    assert stat.S_IMODE(copied.stat().st_mode) == 0o644
    assert [p.name for p in folder.iterdir()] == [f"{digest}.jpg"]  # no temporary left
    assert requests.get(url, timeout=10).content == photo.read_bytes()


def test_folder_host_copies_once(web_folder: tuple[Path, str],
                                 make_settings: Callable[..., Settings], tmp_path: Path) -> None:
    folder, base_url = web_folder
    host = make_media_host(make_settings(kind="folder", path=str(folder), base_url=base_url))
    photo, digest = _photo(tmp_path)
    first = host.public_url(photo, digest, "image/jpeg")
    stamp = (folder / f"{digest}.jpg").stat().st_mtime_ns
    os.utime(folder / f"{digest}.jpg", ns=(stamp - 10**9, stamp - 10**9))
    assert host.public_url(photo, digest, "image/jpeg") == first
    assert (folder / f"{digest}.jpg").stat().st_mtime_ns == stamp - 10**9


def test_folder_host_check_fetches_the_test_photo_back(
        web_folder: tuple[Path, str], make_settings: Callable[..., Settings]) -> None:
    folder, base_url = web_folder
    host = make_media_host(make_settings(kind="folder", path=str(folder), base_url=base_url))

    result = host.check()

    assert result.url.startswith(base_url.replace(" ", "%20"))
    assert list(folder.iterdir()) == []  # the test photo is cleaned up
    assert any("only be reached from this computer" in w for w in result.warnings)


def test_folder_host_check_names_the_address_that_answered_404(
        web_folder: tuple[Path, str], make_settings: Callable[..., Settings],
        tmp_path: Path) -> None:
    _, base_url = web_folder
    elsewhere = tmp_path / "not served"
    host = make_media_host(make_settings(kind="folder", path=str(elsewhere), base_url=base_url))

    with pytest.raises(MediaHostUnreachable) as caught:
        host.check()

    message = caught.value.message
    assert message.startswith("Instagram will not be able to fetch your photos: http://127.0.0.1")
    assert "answered 404" in message
    assert "Check that base_url" in message and str(elsewhere) in message


def test_folder_host_check_when_nothing_answers(make_settings: Callable[..., Settings],
                                               tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    host = make_media_host(make_settings(kind="folder", path=str(tmp_path / "m"),
                                         base_url=f"http://127.0.0.1:{port}/m/"))
    with pytest.raises(MediaHostUnreachable, match="no web server is answering"):
        host.check()


def test_base_url_is_encoded_and_ends_with_a_slash() -> None:
    assert encode_base_url("https://www.example.it/mèdia costanza") == \
        "https://www.example.it/m%C3%A8dia%20costanza/"
    assert encode_base_url("https://bottega.example/a%20b/") == "https://bottega.example/a%20b/"
    assert encode_base_url("https://caffè.example/x/") == "https://xn--caff-8oa.example/x/"


@pytest.mark.parametrize(("table", "words"), [
    ({}, "has no [media_host] section"),
    ({"path": "/srv"}, "[media_host] needs `kind`"),
    ({"kind": "ftp"},
     "`media_host.kind` = 'ftp' is not allowed: use \"facebook_page\" or \"folder\" or \"s3\""),
    ({"kind": "folder", "base_url": "https://x.example/"}, "[media_host] needs `path`"),
    ({"kind": "folder", "path": "/srv"}, "[media_host] needs `base_url`: a web address"),
    ({"kind": "folder", "path": "/srv", "base_url": "www.example.it"},
     "`media_host.base_url` = 'www.example.it' is not allowed"),
    ({"kind": "folder", "path": "/srv", "base_url": "https://x.example/", "bucket": "b"},
     "`media_host.bucket` is unknown"),
])
def test_bad_folder_settings_name_the_key(make_settings: Callable[..., Settings],
                                          table: dict[str, str], words: str) -> None:
    with pytest.raises(SettingsError) as caught:
        make_media_host(make_settings(**table))
    assert words in caught.value.message


def test_kind_is_a_class_found_by_module(make_settings: Callable[..., Settings],
                                         tmp_path: Path) -> None:
    host = make_media_host(make_settings(kind="folder", path=str(tmp_path),
                                         base_url="https://x.example/m"))
    assert isinstance(host, FolderHost)
    assert host.base_url == "https://x.example/m/"


def test_a_registered_kind_is_found(make_settings: Callable[..., Settings]) -> None:
    from scheduler.media_hosts.base import MediaHost, register

    @register
    class Memory(MediaHost):
        kind = "memory_for_tests"

        @classmethod
        def from_settings(cls, table, settings):  # type: ignore[no-untyped-def]
            return cls()

        def public_url(self, path: Path, sha256: str, mime: str) -> str:
            return f"https://example.test/{sha256}"

        def remove(self, sha256: str, mime: str) -> None:
            return None

    host = make_media_host(make_settings(kind="memory_for_tests"))
    assert host.public_url(Path("x.jpg"), "abc", "image/jpeg") == "https://example.test/abc"
