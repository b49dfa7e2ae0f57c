"""Fixtures for media hosts: a folder served over real HTTP, a real local S3 server (moto)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from config.paths import Home
from config.settings import Settings
from costanza.demo.file_server import serve_folder


@pytest.fixture
def web_folder(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A folder and the address a local web server (stdlib http.server) serves it at."""
    folder = tmp_path / "www" / "costanza media"
    folder.mkdir(parents=True)
    with serve_folder(tmp_path / "www") as base_url:
        yield folder, base_url + "costanza media/"


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Settings]:
    def factory(**media_host: Any) -> Settings:
        home = Home(config_file=tmp_path / "home" / "config.toml", data_dir=tmp_path / "home")
        return Settings(home=home, database_url="sqlite://", media_host=dict(media_host))

    return factory


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """A real S3-compatible server on 127.0.0.1 (moto in server mode)."""
    server_mod = pytest.importorskip("moto.server")
    server = server_mod.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3_bucket(s3_endpoint: str, request: pytest.FixtureRequest) -> str:
    boto3 = pytest.importorskip("boto3")
    name = "costanza-" + re.sub(r"[^a-z0-9]+", "-", request.node.name.lower())[:40].strip("-")
    client = boto3.client("s3", region_name="us-east-1", endpoint_url=s3_endpoint,
                          aws_access_key_id="testing-key-id",
                          aws_secret_access_key="testing-secret-key")
    client.create_bucket(Bucket=name)
    return name
