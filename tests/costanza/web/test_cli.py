"""`costanza web` as a person runs it: a real server, one address, Ctrl-C, plain refusals."""

from __future__ import annotations

import http.cookiejar
import os
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from costanza.app import App


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Running:
    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "costanza", "web", *args],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, env=dict(os.environ))
        assert self.proc.stdout is not None
        self.lines = [self.proc.stdout.readline() for _ in range(2)]
        self.address = self.lines[1].strip()

    def stop(self) -> tuple[int, str, str]:
        self.proc.send_signal(signal.SIGINT)
        out, err = self.proc.communicate(timeout=20)
        return self.proc.returncode, "".join(self.lines) + out, err


@pytest.fixture
def running(app: App) -> Iterator[Callable[..., Running]]:
    started: list[Running] = []

    def start(*args: str) -> Running:
        server = Running(*args)
        started.append(server)
        return server

    yield start
    for server in started:
        if server.proc.poll() is None:
            server.proc.kill()
            server.proc.wait()


def test_it_prints_one_address_that_opens_the_week_once_and_stops_on_ctrl_c(
        running: Callable[..., Running]) -> None:
    port = _free_port()
    server = running("--port", str(port))
    assert server.address.startswith(f"http://127.0.0.1:{port}/login?token=")
    token = server.address.split("token=", 1)[1]
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with browser.open(server.address, timeout=10) as answer:  # follows the redirect to /
        assert answer.url == f"http://127.0.0.1:{port}/"
        assert "This week and the next three" in answer.read().decode()
    assert [c.name for c in jar] == ["costanza_session"]
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(server.address, timeout=10)
    assert refused.value.code == 403
    code, out, err = server.stop()
    assert code == 0, err
    assert "The page is stopped." in out
    # The token is printed once, in the address; no access log repeats it.
    assert (out + err).count(token) == 1
    assert "GET /" not in out + err and "Traceback" not in err


def test_another_host_than_this_computer_is_warned_about(running: Callable[..., Running]) -> None:
    server = running("--host", "0.0.0.0", "--port", str(_free_port()))
    assert server.address.startswith("http://127.0.0.1:")
    code, _out, err = server.stop()
    assert code == 0
    assert "Warning: the page listens on 0.0.0.0" in err and "HTTPS" in err


def test_a_port_in_use_is_a_plain_refusal(app: App, run: Callable[..., Result]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = run("web", "--port", str(port))
    assert result.exit_code == 1
    assert f"Port {port} is already in use" in result.stderr
    assert "Traceback" not in result.output


def test_before_init_it_says_to_set_up_first(home: Path, run: Callable[..., Result]) -> None:
    result = run("web", "--port", str(_free_port()))
    assert result.exit_code == 1
    assert "costanza init" in result.stderr


def test_open_hands_the_address_to_the_browser(app: App, run: Callable[..., Result],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import webbrowser

    import costanza.web.server as server

    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url: opened.append(url) or True)

    def serve_once(app: App, served: Any, ready: Callable[[], None] | None = None) -> None:
        assert ready is not None
        ready()
        served.sock.close()

    monkeypatch.setattr(server, "serve", serve_once)
    result = run("web", "--port", str(_free_port()), "--open")
    assert result.exit_code == 0, result.output
    assert len(opened) == 1 and opened[0] in result.stdout
    assert opened[0].startswith("http://127.0.0.1:")


def test_the_help_has_an_example(run: Callable[..., Result]) -> None:
    result = run("web", "--help")
    assert result.exit_code == 0
    assert "costanza web --open" in result.stdout
