"""With no [media_host] and a Facebook Page connected, Instagram's photos go through the Page:
staged as unpublished photos, fetched by Instagram from their CDN address, deleted afterwards,
and swept by the daemon when a crash left one behind."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import Result

from config.clock import FakeClock
from costanza.app import App
from costanza.demo.sandbox.control import SandboxClient
from costanza.demo.sandbox.server import SandboxServer
from tests.factories.media import make_jpeg

Run = Callable[..., Result]


@pytest.fixture
def control(home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxClient]:
    with SandboxServer() as server:
        monkeypatch.setenv("COSTANZA_PLATFORM_URL", server.base_url)
        yield SandboxClient(server.base_url)


def _connect(run: Run, control: SandboxClient, *, facebook: bool = True) -> dict[str, Any]:
    creds = control.create_accounts("demo")
    assert run("init", "--timezone", "Europe/Rome").exit_code == 0
    if facebook:
        assert run("account", "add", "facebook", "--page-token",
                   creds["facebook"]["page_token"]).exit_code == 0
        assert run("account", "add", "instagram").exit_code == 0
    else:
        ig = creds["instagram"]
        assert run("account", "add", "instagram", "--ig-user-id", ig["ig_user_id"],
                   "--token", ig["token"]).exit_code == 0
    return creds


def _staged(home: Path) -> dict[str, Any]:
    path = home / "staged-photos.json"
    return json.loads(path.read_text(encoding="utf-8"))["photos"] if path.exists() else {}


def _photo_post(run: Run, tmp_path: Path) -> None:
    photo = make_jpeg(tmp_path / "telaio.jpg", size=(1080, 1080))
    assert run("post", "add", "Il telaio di nonna", "--photo", str(photo),
               "--to", "instagram").exit_code == 0
    assert run("post", "now", "1").exit_code == 0


def test_an_instagram_photo_goes_out_with_no_media_host_through_the_page(
        run: Run, control: SandboxClient, home: Path, tmp_path: Path) -> None:
    creds = _connect(run, control)
    assert "[media_host]" not in (home / "config.toml").read_text(encoding="utf-8").replace(
        "# [media_host]", "")
    _photo_post(run, tmp_path)

    result = run("daemon", "--once")

    assert result.exit_code == 0, result.output
    [post] = control.posts("instagram")
    assert post["text"] == "Il telaio di nonna"
    [container] = control.containers()
    address = container["image_url"]
    assert address.startswith(f"{control.base_url}/_sandbox/cdn/")
    assert "oe=" in address
    assert requests.get(address, timeout=10).status_code == 404  # deleted once fetched
    assert _staged(home) == {}
    assert control.posts("facebook") == []  # the staged photo never reached the feed
    assert creds["facebook"]["page_token"] not in address


def test_without_a_page_or_a_media_host_the_post_says_what_to_do(
        run: Run, control: SandboxClient, tmp_path: Path) -> None:
    _connect(run, control, facebook=False)
    _photo_post(run, tmp_path)
    assert run("daemon", "--once").exit_code == 0
    assert control.posts("instagram") == []
    shown = run("post", "show", "1")
    assert "connect your Facebook Page with `costanza account add facebook`" in \
        " ".join(shown.output.split())


def test_an_explicit_media_host_wins_over_the_page(
        run: Run, control: SandboxClient, home: Path, tmp_path: Path) -> None:
    _connect(run, control)
    with (home / "config.toml").open("a", encoding="utf-8") as fh:
        fh.write(f'\n[media_host]\nkind = "sandbox"\nurl = "{control.base_url}"\n')
    _photo_post(run, tmp_path)
    assert run("daemon", "--once").exit_code == 0
    [container] = control.containers()
    assert container["image_url"].startswith(f"{control.base_url}/_sandbox/media/")
    assert not (home / "staged-photos.json").exists()


def test_the_daemon_sweeps_a_photo_a_crash_left_staged(
        app: App, control: SandboxClient, run: Run, clock: FakeClock, tmp_path: Path) -> None:
    from scheduler.daemon import Daemon
    from scheduler.media_hosts import default_media_host
    from scheduler.publishers.recording import RecordingPublisher

    creds = control.create_accounts("demo")
    assert run("account", "add", "facebook", "--page-token",
               creds["facebook"]["page_token"]).exit_code == 0
    host = default_media_host(App.load(str(app.settings.home.config_file)).settings, clock)
    address = host.for_page("facebook", creds["facebook"]["page_id"]).public_url(
        make_jpeg(tmp_path / "left.jpg"), "x", "image/jpeg")  # ...and the process dies
    assert len(_staged(app.settings.home.data_dir)) == 1
    clock.advance(hours=2)

    daemon = Daemon(App.load(str(app.settings.home.config_file), clock=clock),
                    publishers=lambda n: RecordingPublisher(n))
    try:
        daemon.housekeeping()
    finally:
        daemon.worker.shutdown()

    assert _staged(app.settings.home.data_dir) == {}
    assert requests.get(address, timeout=10).status_code == 404
