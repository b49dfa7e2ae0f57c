"""Fixtures for publisher tests against the sandbox (a real HTTP server).

``sandbox`` starts one sandbox per test; ``creds`` are its demo accounts;
``public`` serves a folder over HTTP so that the sandbox can fetch Instagram
photos from a public URL, as Meta's servers do; ``media`` makes real JPEGs and
MP4s; ``make_request`` builds a ``PublishRequest`` for a network.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from PIL import Image

from costanza.demo.file_server import serve_folder
from scheduler.publishers.base import AccountAuth, MediaFile, PublishRequest
from tests.factories.media import make_jpeg, make_mp4


@dataclass
class Sandbox:
    base_url: str
    control: Any
    creds: dict[str, dict[str, str]]
    slept: list[float] = field(default_factory=list)

    def sleep(self, seconds: float) -> None:
        """Injected into publishers: moves the sandbox's clock instead of waiting."""
        self.slept.append(seconds)
        requests.post(f"{self.base_url}/_sandbox/clock", json={"advance_secs": seconds},
                      timeout=10).raise_for_status()

    def settings(self, **values: Any) -> None:
        requests.post(f"{self.base_url}/_sandbox/settings", json=values,
                      timeout=10).raise_for_status()

    def get(self, what: str) -> Any:
        reply = requests.get(f"{self.base_url}/_sandbox/{what}", timeout=10)
        reply.raise_for_status()
        return reply.json()

    def posts(self, network: str) -> list[dict[str, Any]]:
        return list(self.control.posts(network))


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    server_mod = pytest.importorskip("costanza.demo.sandbox.server")
    control_mod = pytest.importorskip("costanza.demo.sandbox.control")
    srv = server_mod.SandboxServer(data_dir=tmp_path / "sandbox-data", latency_ms=0)
    base_url = srv.start()
    try:
        control = control_mod.SandboxClient(base_url)
        yield Sandbox(base_url, control, control.create_accounts("demo"))
    finally:
        srv.stop()


@pytest.fixture
def public(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A folder served over HTTP: (folder, base URL ending in /)."""
    folder = tmp_path / "public"
    folder.mkdir()
    with serve_folder(folder) as base_url:
        yield folder, base_url


@dataclass
class MediaMaker:
    folder: Path
    public: tuple[Path, str] | None = None
    count: int = 0

    def _file(self, path: Path, kind: str, mime: str, alt: str | None,
              size: tuple[int, int], duration: float | None = None) -> MediaFile:
        data = path.read_bytes()
        width, height = size
        url = None
        if self.public is not None:
            shutil.copy(path, self.public[0] / path.name)
            url = self.public[1] + path.name
        return MediaFile(path=path, kind=kind, mime=mime,
                         sha256=hashlib.sha256(data).hexdigest(), size_bytes=len(data),
                         width=width, height=height, duration=duration, alt_text=alt,
                         public_url=url)

    def photo(self, size: tuple[int, int] = (120, 100), alt: str | None = None) -> MediaFile:
        self.count += 1
        path = make_jpeg(self.folder / f"photo{self.count}.jpg", size=size)
        with Image.open(path) as img:
            return self._file(path, "photo", "image/jpeg", alt, img.size)

    def video(self, seconds: float = 1.0, size: tuple[int, int] = (64, 48)) -> MediaFile:
        self.count += 1
        path = make_mp4(self.folder / f"video{self.count}.mp4", seconds=seconds, size=size)
        return self._file(path, "video", "video/mp4", None, size, duration=seconds)


@pytest.fixture
def media(tmp_path: Path, public: tuple[Path, str]) -> MediaMaker:
    folder = tmp_path / "media"
    folder.mkdir()
    return MediaMaker(folder, public)


def account_for(network: str, creds: dict[str, dict[str, str]]) -> AccountAuth:
    if network == "x":
        c = creds["x"]
        return AccountAuth("x", "demo", c["user_id"], {
            k: c[k] for k in ("consumer_key", "consumer_secret", "access_token",
                              "access_token_secret", "username")})
    if network == "facebook":
        c = creds["facebook"]
        return AccountAuth("facebook", "demo", c["page_id"], {"page_token": c["page_token"]})
    c = creds["instagram"]
    return AccountAuth("instagram", "demo", c["ig_user_id"], {"token": c["token"]})


@dataclass
class Checkpoints:
    """Collects checkpoints the way the daemon does: merged into one progress dict."""

    progress: dict[str, Any] = field(default_factory=dict)
    calls: list[dict[str, Any]] = field(default_factory=list)

    def __call__(self, values: dict[str, Any]) -> None:
        self.calls.append(dict(values))
        self.progress.update(values)


@pytest.fixture
def checkpoints() -> Checkpoints:
    return Checkpoints()


@pytest.fixture
def make_request(sandbox: Sandbox) -> Callable[..., PublishRequest]:
    def factory(network: str, text: str, media: list[MediaFile] | None = None,
                **kwargs: Any) -> PublishRequest:
        kwargs.setdefault("intent_at", datetime.now(UTC))
        return PublishRequest(delivery_id=kwargs.pop("delivery_id", 1),
                              post_id=kwargs.pop("post_id", 12), network=network, text=text,
                              media=media or [], account=account_for(network, sandbox.creds),
                              **kwargs)

    return factory
