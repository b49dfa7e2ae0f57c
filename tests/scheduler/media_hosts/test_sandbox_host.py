"""The sandbox media host: photos sent to a real sandbox, served back by it over HTTP."""

from __future__ import annotations

import hashlib
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from config.errors import RetryLater, SettingsError
from config.paths import Home
from config.settings import Settings
from costanza.demo.sandbox.server import SandboxServer
from scheduler.media_hosts import make_media_host
from scheduler.media_hosts.sandbox import SandboxHost
from tests.factories.media import make_jpeg


@pytest.fixture
def sandbox_url() -> Iterator[str]:
    with SandboxServer() as server:
        yield server.base_url


def settings(tmp_path: Path, platform: str | None, **media_host: str) -> Settings:
    home = Home(config_file=tmp_path / "home" / "config.toml", data_dir=tmp_path / "home")
    return Settings(home=home, database_url="sqlite://", networks_base_url=platform,
                    media_host={"kind": "sandbox", **media_host})


def test_a_photo_is_served_back_by_the_sandbox(sandbox_url: str, tmp_path: Path) -> None:
    host = make_media_host(settings(tmp_path, sandbox_url))  # the address: the platform's
    photo = make_jpeg(tmp_path / "gomitoli.jpg", (64, 48))
    digest = hashlib.sha256(photo.read_bytes()).hexdigest()

    url = host.public_url(photo, digest, "image/jpeg")

    assert url == f"{sandbox_url}/_sandbox/media/{digest}.jpg"
    answer = requests.get(url, timeout=10)
    assert answer.content == photo.read_bytes()
    assert answer.headers["Content-Type"] == "image/jpeg"


def test_check_passes_without_warnings_while_costanza_talks_to_the_sandbox(
        sandbox_url: str, tmp_path: Path) -> None:
    checked = make_media_host(settings(tmp_path, sandbox_url, url=sandbox_url)).check()
    assert checked.url.startswith(f"{sandbox_url}/_sandbox/media/")
    assert checked.warnings == []


def test_check_warns_when_costanza_talks_to_the_real_networks(
        sandbox_url: str, tmp_path: Path) -> None:
    checked = make_media_host(settings(tmp_path, None, url=sandbox_url)).check()
    assert len(checked.warnings) == 1
    assert "real Instagram cannot fetch photos from it" in checked.warnings[0]


def test_a_sandbox_that_is_not_running_is_said_plainly(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    host = SandboxHost(f"http://127.0.0.1:{port}")
    photo = make_jpeg(tmp_path / "gomitoli.jpg", (64, 48))
    with pytest.raises(RetryLater) as raised:
        host.public_url(photo, "", "image/jpeg")
    assert f"The sandbox at http://127.0.0.1:{port} did not answer" in raised.value.message
    assert "costanza sandbox" in raised.value.message


def test_settings_name_the_missing_address_and_unknown_keys(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match='needs the sandbox\'s address: add url ='):
        make_media_host(settings(tmp_path, None))
    with pytest.raises(SettingsError, match=r"media_host\.path` is unknown"):
        make_media_host(settings(tmp_path, "http://127.0.0.1:8787", path="/srv"))
    with pytest.raises(SettingsError, match=r"media_host\.url"):
        make_media_host(settings(tmp_path, None, url="127.0.0.1:8787"))
