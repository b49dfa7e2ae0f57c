"""Fixtures for the sandbox's tests: a running sandbox, credentials, real clients, real media.

tweepy and facebook-sdk build URLs from fixed hosts (``https://api.twitter.com``,
``https://graph.facebook.com/``); their ``requests.Session`` gets a
``PlatformRedirect`` adapter (``costanza.demo.sandbox.routing``) that sends those
calls to the sandbox, path and query unchanged.
"""

from __future__ import annotations

import functools
import http.server
import io
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import av
import facebook
import pytest
import requests
import tweepy
from PIL import Image

from costanza.demo.sandbox.control import SandboxClient
from costanza.demo.sandbox.routing import redirect_session
from costanza.demo.sandbox.server import SandboxServer


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer() as server:
        SandboxClient(server.base_url).settings(ig_processing_secs=0, x_processing_secs=0)
        yield server


@pytest.fixture
def base_url(sandbox: SandboxServer) -> str:
    return sandbox.base_url


@pytest.fixture
def control(base_url: str) -> SandboxClient:
    return SandboxClient(base_url)


@pytest.fixture
def creds(control: SandboxClient) -> dict[str, Any]:
    return control.create_accounts("tester")


@pytest.fixture
def x_client(base_url: str, creds: dict[str, Any]) -> tweepy.Client:
    return make_x_client(base_url, creds)


@pytest.fixture
def x_client_for(base_url: str) -> Callable[[dict[str, Any]], tweepy.Client]:
    """Build a tweepy Client for other credentials (another account, a wrong secret)."""
    return functools.partial(make_x_client, base_url)


def make_x_client(base_url: str, creds: dict[str, Any]) -> tweepy.Client:
    x = creds["x"]
    client = tweepy.Client(consumer_key=x["consumer_key"], consumer_secret=x["consumer_secret"],
                           access_token=x["access_token"],
                           access_token_secret=x["access_token_secret"])
    client.session = redirect_session(base_url, client.session)
    return client


@pytest.fixture
def x_auth(creds: dict[str, Any]) -> Any:
    """An OAuth 1.0a signer for plain requests (as tweepy builds it)."""
    x = creds["x"]
    return tweepy.OAuth1UserHandler(x["consumer_key"], x["consumer_secret"],
                                    x["access_token"], x["access_token_secret"]).apply_auth()


@pytest.fixture
def graph(base_url: str, creds: dict[str, Any]) -> facebook.GraphAPI:
    """facebook-sdk with the Page token; paths are given in full ("v26.0/...")."""
    return facebook.GraphAPI(creds["facebook"]["page_token"],
                             session=redirect_session(base_url))


@pytest.fixture
def session(base_url: str) -> requests.Session:
    return redirect_session(base_url)


def image_bytes(width: int = 800, height: int = 600, fmt: str = "JPEG",
                color: tuple[int, int, int] = (200, 120, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, fmt)
    return buffer.getvalue()


@pytest.fixture
def jpeg() -> Callable[..., bytes]:
    return functools.partial(image_bytes, fmt="JPEG")


@pytest.fixture
def png() -> Callable[..., bytes]:
    return functools.partial(image_bytes, fmt="PNG")


@functools.cache
def _mp4(width: int = 320, height: int = 240, frames: int = 10, codec: str = "libx264") -> bytes:
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp4") as container:
        stream = container.add_stream(codec, rate=10)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for index in range(frames):
            image = Image.new("RGB", (width, height), (index * 20, 90, 160))
            for packet in stream.encode(av.VideoFrame.from_image(image)):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buffer.getvalue()


@pytest.fixture
def mp4() -> bytes:
    """A small real H.264 MP4 (1 s, 320x240)."""
    return _mp4()


@pytest.fixture
def make_mp4() -> Callable[..., bytes]:
    """Other real MP4s: ``make_mp4(width, height, frames at 10 fps, codec)``."""
    return _mp4


class MediaHost:
    """A tiny public web server for Instagram's ``image_url`` / ``video_url``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        handler = functools.partial(_QuietHandler, directory=str(root))
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,),
                                       daemon=True)
        self.thread.start()

    def put(self, name: str, data: bytes) -> str:
        (self.root / name).write_bytes(data)
        return f"http://127.0.0.1:{self.server.server_address[1]}/{name}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def media_host(tmp_path: Path) -> Iterator[MediaHost]:
    root = tmp_path / "public"
    root.mkdir()
    host = MediaHost(root)
    yield host
    host.close()
