"""`[web] enabled = true`: `costanza daemon` serves the page too, as a real process; the
address is printed once, `costanza web` hands out fresh ones, stopping the daemon stops
the page."""

from __future__ import annotations

import http.cookiejar
import os
import signal
import socket
import stat
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from costanza.app import App
from costanza.demo.sandbox.server import SandboxServer
from costanza.services.setup import initialise

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def env(home: Path, tmp_path: Path) -> Iterator[dict[str, str]]:
    with SandboxServer(data_dir=tmp_path / "sandbox") as server:
        values = dict(os.environ)
        values.update({"COSTANZA_HOME": str(home), "COSTANZA_PLATFORM_URL": server.base_url})
        app = App.load(env=values)
        initialise(app, timezone="Europe/Rome", slots="mon 09:30", force=False)
        app.close()
        yield values


def _enable(home: Path, port: int) -> None:
    from config.edit import set_values

    set_values(home / "config.toml", "daemon", {"poll_seconds": 0.3})
    set_values(home / "config.toml", "web", {"enabled": True, "port": port})


def _browser() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            return True
    except OSError:
        return False


def _web(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "costanza", "web", *args], env=env,
                          capture_output=True, text=True, timeout=60)


def test_the_daemon_serves_the_page_hands_out_fresh_addresses_and_stops_it(
        env: dict[str, str], home: Path) -> None:
    port = _free_port()
    _enable(home, port)
    proc = subprocess.Popen([sys.executable, "-m", "costanza", "daemon"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline() for _ in range(2)]
        assert "The page in the browser" in lines[0], lines
        address = lines[1].strip()
        assert address.startswith(f"http://127.0.0.1:{port}/login?token=")
        with _browser().open(address, timeout=10) as answer:
            assert answer.url == f"http://127.0.0.1:{port}/"
            assert "This week and the next three" in answer.read().decode()
        with pytest.raises(urllib.error.HTTPError) as spent:
            _browser().open(address, timeout=10)
        assert spent.value.code == 403

        page_file = home / "web-page.json"
        assert stat.S_IMODE(page_file.stat().st_mode) == 0o600
        given = _web(env)
        assert given.returncode == 0, given.stderr
        assert "The daemon shows the page" in given.stdout
        fresh = given.stdout.splitlines()[1].strip()
        assert fresh.startswith(f"http://127.0.0.1:{port}/login?token=") and fresh != address
        assert stat.S_IMODE((home / "web-login").stat().st_mode) == 0o600
        newer = _web(env).stdout.splitlines()[1].strip()
        with pytest.raises(urllib.error.HTTPError) as replaced:  # only the newest works
            _browser().open(fresh, timeout=10)
        assert replaced.value.code == 403
        with _browser().open(newer, timeout=10) as answer:
            assert "This week and the next three" in answer.read().decode()
        assert not (home / "web-login").exists()  # spent
        with pytest.raises(urllib.error.HTTPError):
            _browser().open(newer, timeout=10)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert not _answers(port)
    assert not page_file.exists()
    token = address.split("token=", 1)[1]
    assert ("".join(lines) + out + err).count(token) == 1  # printed once, logged nowhere
    assert "GET /" not in out + err and "Traceback" not in err


def test_a_port_in_use_leaves_the_daemon_publishing_with_a_plain_warning(
        env: dict[str, str], home: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        _enable(home, port)
        done = subprocess.run([sys.executable, "-m", "costanza", "daemon", "--once"],
                              env=env, capture_output=True, text=True, timeout=60)
        # --once publishes what is due and stops: it never serves the page.
        assert done.returncode == 0 and "page in the browser" not in done.stdout
        proc = subprocess.Popen([sys.executable, "-m", "costanza", "daemon"], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            assert proc.stderr is not None
            lines = []
            while not lines or " started" not in lines[-1]:  # the daemon's own start
                lines.append(proc.stderr.readline())
                assert lines[-1], lines
            assert any("page in the browser is not shown" in line
                       and f"Port {port} is already in use" in line for line in lines), lines
            assert proc.poll() is None  # publishing all the same
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.communicate(timeout=60)
        assert proc.returncode == 0
    assert not (home / "web-page.json").exists()


def test_web_settings_are_checked(home: Path) -> None:
    from config.errors import SettingsError
    from config.settings import load_settings

    home.mkdir()
    (home / "config.toml").write_text('[web]\nenabled = "yes"\n')
    with pytest.raises(SettingsError, match=r"web\.enabled.*true or false"):
        load_settings(env={"COSTANZA_HOME": str(home)})
    (home / "config.toml").write_text('[web]\nport = 70000\n')
    with pytest.raises(SettingsError, match="1 to 65535"):
        load_settings(env={"COSTANZA_HOME": str(home)})
    (home / "config.toml").write_text('[web]\nenabled = true\nhost = "::1"\nport = 8800\n')
    settings = load_settings(env={"COSTANZA_HOME": str(home)})
    assert (settings.web_enabled, settings.web_host, settings.web_port) == (True, "::1", 8800)
