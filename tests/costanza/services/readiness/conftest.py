"""Fixtures for the readiness check: the sandbox over HTTP (the accounts' fixtures), a
Costanza home with a week of posts, a Facebook Page connected and a daemon alive."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from costanza.app import App
from costanza.demo.file_server import serve_folder
from tests.costanza.services.accounts.conftest import oauth_front, platform  # noqa: F401

Run = Callable[..., Result]


def add_posts(app: App, count: int, targets: str = "facebook",
              photo: Path | None = None, top: bool = False) -> list[int]:
    from costanza.services import posts as services

    return [services.add_post(
        app, text=f"Story {n}", photos=[str(photo)] if photo else [], video=None, alts=[],
        targets=targets, texts={}, first_comment=None, category=None, at=None, top=top,
        thread=False, fit=None)["id"] for n in range(count)]


def daemon_alive(app: App, at: datetime | None = None) -> None:
    from scheduler.liveness import register

    with app.store.write() as db:
        register(db, "daemon-under-test", at or app.clock.now())


def connect(run: Run, creds: dict[str, Any], *networks: str) -> None:
    commands = {"facebook": ("facebook", "--page-token", creds["facebook"]["page_token"]),
                "instagram": ("instagram",)}
    for network in networks:
        result = run("account", "add", *commands[network])
        assert result.exit_code == 0, result.output


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    from PIL import Image

    path = tmp_path / "sciarpa.jpg"
    Image.new("RGB", (1080, 1350), (120, 40, 60)).save(path, quality=90)
    return path


@pytest.fixture
def web_folder(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    folder = tmp_path / "www" / "media"
    folder.mkdir(parents=True)
    with serve_folder(tmp_path / "www") as base_url:
        yield folder, base_url + "media/"


def media_host(home: Path, path: Path, base_url: str) -> None:
    import json

    with (home / "config.toml").open("a", encoding="utf-8") as fh:
        fh.write(f'\n[media_host]\nkind = "folder"\npath = {json.dumps(str(path))}\n'
                 f"base_url = {json.dumps(base_url)}\n")


@pytest.fixture
def ready(run: Run, app: App, platform: Any) -> App:  # noqa: F811
    """All good: a Page connected, a post for each slot of the next 8 days, a daemon."""
    connect(run, platform.creds, "facebook")
    add_posts(app, 4)
    daemon_alive(app)
    return app
