"""`costanza sandbox connect`: three sandbox accounts and the sandbox as media host, in one
step, against a real sandbox (an HTTP server) and a real database; and `daemon --once`."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
from click.testing import Result
from PIL import Image

from costanza.demo.sandbox.control import SandboxClient
from costanza.demo.sandbox.server import SandboxServer

Run = Callable[..., Result]
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[SandboxServer]:
    with SandboxServer(data_dir=tmp_path / "sandbox") as server:
        SandboxClient(server.base_url).settings(ig_processing_secs=0, x_processing_secs=0)
        yield server


@pytest.fixture
def pointed(sandbox: SandboxServer, home: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """COSTANZA_PLATFORM_URL points at the running sandbox."""
    monkeypatch.setenv("COSTANZA_PLATFORM_URL", sandbox.base_url)
    return sandbox.base_url


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def snapshot(home: Path) -> dict[str, bytes]:
    """Every file under the Costanza home, by relative path (to show nothing changed)."""
    if not home.exists():
        return {}
    return {str(p.relative_to(home)): p.read_bytes() for p in sorted(home.rglob("*"))
            if p.is_file() and p.suffix not in (".db-wal", ".db-shm")}


def accounts(run: Run) -> list[str]:
    import json

    result = run("account", "list", "--json")
    assert result.exit_code == 0, result.output
    return sorted(row["name"] for row in json.loads(result.output))


def photo(path: Path) -> Path:
    Image.new("RGB", (1080, 1350), (196, 160, 120)).save(path, "JPEG", quality=85)
    return path


def test_connect_then_an_instagram_photo_goes_out_through_the_sandbox_host(
        backend: str, run: Run, pointed: str, home: Path, tmp_path: Path) -> None:
    assert run("init", "--timezone", "Europe/Rome").exit_code == 0
    result = run("sandbox", "connect")
    assert result.exit_code == 0, result.output
    for name in ("sandbox-x", "sandbox-page", "sandbox-ig"):
        assert f"{name}: " in result.output and "connected" in result.output
    assert 'kind = "sandbox"' in result.output
    assert accounts(run) == ["sandbox-ig", "sandbox-page", "sandbox-x"]
    settings = tomllib.loads((home / "config.toml").read_text(encoding="utf-8"))
    assert settings["media_host"] == {"kind": "sandbox", "url": pointed}

    check = run("account", "check")
    assert check.exit_code == 0, check.output
    assert check.output.count(": works") == 3
    assert f"media host: serves photos ({pointed}/_sandbox/media/" in check.output
    assert "note:" not in check.output  # no "only this computer can reach it" warning

    added = run("post", "add", "Gomitoli tinti con la robbia", "--photo",
                str(photo(tmp_path / "robbia.jpg")), "--alt", "Gomitoli rossi",
                "--to", "instagram")
    assert added.exit_code == 0, added.output
    # Paused with no end: this one is never due, whatever day the test runs.
    assert run("pause").exit_code == 0
    later = run("post", "add", "Quando riapriamo", "--to", "facebook")
    assert later.exit_code == 0, later.output
    assert run("post", "now", "1").exit_code == 0
    started = time.monotonic()
    once = run("daemon", "--once")
    assert once.exit_code == 0, once.output
    assert time.monotonic() - started < 60
    assert "Nothing more is due now" in once.output

    posts = SandboxClient(pointed).posts("instagram")
    assert [p["text"] for p in posts] == ["Gomitoli tinti con la robbia"]
    container = next(c for c in SandboxClient(pointed).containers() if c.get("image_url"))
    assert container["image_url"].startswith(f"{pointed}/_sandbox/media/")
    assert container["image_url"].endswith(".jpg")
    log = run("log")
    assert posts[0]["permalink"] in log.output
    assert SandboxClient(pointed).posts("facebook") == []  # not due: still queued
    assert "queued" in run("post", "show", "2").output


def test_a_second_run_connects_nothing_twice(run: Run, pointed: str, home: Path) -> None:
    assert run("init", "--timezone", "Europe/Rome").exit_code == 0
    assert run("sandbox", "connect").exit_code == 0
    before = snapshot(home)
    again = run("sandbox", "connect")
    assert again.exit_code == 0, again.output
    assert again.output.count(", already connected\n") == 3
    assert "nothing was changed" in again.output
    assert accounts(run) == ["sandbox-ig", "sandbox-page", "sandbox-x"]
    assert {k: v for k, v in snapshot(home).items() if not k.endswith(".db")} == \
        {k: v for k, v in before.items() if not k.endswith(".db")}


def test_a_sandbox_that_forgot_its_accounts_gets_them_reconnected(
        run: Run, pointed: str) -> None:
    assert run("init", "--timezone", "Europe/Rome").exit_code == 0
    assert run("sandbox", "connect").exit_code == 0
    SandboxClient(pointed).reset()  # as a sandbox restarted without --data
    assert run("account", "check").exit_code == 1  # the old keys mean nothing to it now
    again = run("sandbox", "connect")
    assert again.exit_code == 0, again.output
    assert again.output.count(", reconnected\n") == 3
    assert accounts(run) == ["sandbox-ig", "sandbox-page", "sandbox-x"]
    assert run("account", "check").exit_code == 0


def test_each_profile_gets_sandbox_accounts_of_its_own(run: Run, pointed: str) -> None:
    assert run("init", "--timezone", "Europe/Rome").exit_code == 0
    assert run("--profile", "anna", "init", "--timezone", "Europe/Rome").exit_code == 0
    assert run("sandbox", "connect").exit_code == 0
    anna = run("--profile", "anna", "sandbox", "connect")
    assert anna.exit_code == 0, anna.output
    assert "sandbox-anna-page: Facebook Page sandbox-anna (Page), connected" in anna.output
    assert accounts(run) == ["sandbox-ig", "sandbox-page", "sandbox-x"]
    pages = {a["facebook"]["page_id"] for a in SandboxClient(pointed).accounts()}
    assert len(pages) == 2  # two artisans, two Pages
    assert run("--profile", "anna", "account", "check").exit_code == 0


def test_another_media_host_is_kept(run: Run, pointed: str, home: Path) -> None:
    from config.edit import set_values

    assert run("init", "--timezone", "Europe/Rome").exit_code == 0
    set_values(home / "config.toml", "media_host",
               {"kind": "folder", "path": str(home / "www"),
                "base_url": "https://www.example.it/media/"})
    result = run("sandbox", "connect")
    assert result.exit_code == 0, result.output
    assert 'Your media host (kind = "folder"' in result.output
    settings = tomllib.loads((home / "config.toml").read_text(encoding="utf-8"))
    assert settings["media_host"]["kind"] == "folder"


def test_refuses_without_the_platform_address(run: Run, sandbox: SandboxServer,
                                              home: Path) -> None:
    assert run("init", "--timezone", "Europe/Rome").exit_code == 0
    before = snapshot(home)
    result = run("sandbox", "connect")
    assert result.exit_code == 1
    assert "COSTANZA_PLATFORM_URL is not set" in result.output
    assert "export COSTANZA_PLATFORM_URL=http://127.0.0.1:8787" in result.output
    assert snapshot(home) == before
    assert SandboxClient(sandbox.base_url).accounts() == []


def test_refuses_before_costanza_init(run: Run, pointed: str, home: Path) -> None:
    result = run("sandbox", "connect")
    assert result.exit_code == 1
    assert "costanza init" in result.output
    assert snapshot(home) == {}
    assert SandboxClient(pointed).accounts() == []


def test_refuses_an_unknown_profile(run: Run, pointed: str) -> None:
    assert run("init", "--timezone", "Europe/Rome").exit_code == 0
    result = run("--profile", "anna", "sandbox", "connect")
    assert result.exit_code == 1
    assert "no profile called 'anna'" in result.output
    assert accounts(run) == []


def test_refuses_when_no_sandbox_answers(run: Run, home: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("costanza.demo.accounts.WAIT_SECONDS", 0.5)
    port = free_port()
    monkeypatch.setenv("COSTANZA_PLATFORM_URL", f"http://127.0.0.1:{port}")
    assert run("init", "--timezone", "Europe/Rome").exit_code == 0
    before = snapshot(home)
    result = run("sandbox", "connect")
    assert result.exit_code == 1
    assert f"No sandbox answers at http://127.0.0.1:{port}" in result.output
    assert f"costanza sandbox --port {port} &" in result.output
    assert snapshot(home) == before
    assert accounts(run) == []


def test_refuses_what_is_not_the_sandbox(run: Run, home: Path, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from costanza.demo.file_server import serve_folder

    assert run("init", "--timezone", "Europe/Rome").exit_code == 0
    with serve_folder(tmp_path / "www") as url:
        monkeypatch.setenv("COSTANZA_PLATFORM_URL", url)
        before = snapshot(home)
        result = run("sandbox", "connect")
    assert result.exit_code == 1
    assert "it is not Costanza's sandbox" in result.output
    assert snapshot(home) == before


def test_server_options_do_not_go_with_connect(run: Run) -> None:
    result = run("sandbox", "--port", "9000", "connect")
    assert result.exit_code == 2
    assert "--port is for running the sandbox" in result.output


def test_bare_sandbox_still_runs_the_server(tmp_path: Path) -> None:
    """`costanza sandbox --port P --data DIR` serves until SIGTERM, as before the group."""
    port = free_port()
    env = dict(os.environ, COSTANZA_HOME=str(tmp_path / "home"), PYTHONPATH=str(ROOT))
    process = subprocess.Popen(
        [sys.executable, "-m", "costanza", "sandbox", "--port", str(port), "--data",
         str(tmp_path / "data")], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                answer = requests.get(f"http://127.0.0.1:{port}/_sandbox/settings", timeout=5)
                break
            except requests.ConnectionError:
                assert process.poll() is None, process.communicate()
                assert time.monotonic() < deadline, "the sandbox did not start"
                time.sleep(0.1)
        assert answer.json()["latency_ms"] == 0
        SandboxClient(f"http://127.0.0.1:{port}").create_accounts("anna")
    finally:
        process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=30)
    assert process.returncode == 0
    assert f"Sandbox running at http://127.0.0.1:{port}" in out.decode()
    assert (tmp_path / "data" / "sandbox.json").exists()
