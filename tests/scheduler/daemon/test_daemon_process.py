"""The daemon as a real process: against the sandbox, with the CLI editing the queue,
a second daemon refused, graceful stop and takeover after a crash."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from costanza.app import App
from costanza.demo.accounts import connect_sandbox_accounts
from costanza.demo.sandbox.control import SandboxClient
from costanza.demo.sandbox.server import SandboxServer
from costanza.services.setup import initialise

pytestmark = pytest.mark.slow


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[str]:
    with SandboxServer(data_dir=tmp_path / "sandbox") as server:
        yield server.base_url


@pytest.fixture
def env(home: Path, sandbox: str) -> dict[str, str]:
    values = dict(os.environ)
    values.update({"COSTANZA_HOME": str(home), "COSTANZA_PLATFORM_URL": sandbox})
    app = App.load(env=values)
    initialise(app, timezone="Europe/Rome", slots="mon 09:30", force=False)
    from config.edit import set_values

    set_values(app.settings.home.config_file, "daemon", {"poll_seconds": 0.3})
    app.close()
    app = App.load(env=values)
    connect_sandbox_accounts(app, sandbox, "bottega", values)
    app.close()
    return values


def costanza(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "costanza", *args], env=env,
                          capture_output=True, text=True, timeout=60)


def start_daemon(env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "costanza", "daemon"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for(predicate, timeout: float = 30.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def daemon_pids(env: dict[str, str]) -> list[int]:
    import json

    data = json.loads(costanza(env, "status", "--json").stdout)
    return [d["pid"] for d in data["daemons"]]


def wait_running(env: dict[str, str], proc: subprocess.Popen[str]) -> None:
    assert wait_for(lambda: proc.pid in daemon_pids(env)), "the daemon did not start"


def stop(proc: subprocess.Popen[str]) -> tuple[int, str]:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        _, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
    return proc.returncode, err


def test_cli_edits_while_the_daemon_runs_are_published(env: dict[str, str],
                                                        sandbox: str) -> None:
    daemon = start_daemon(env)
    try:
        wait_running(env, daemon)
        # Added after the daemon started, pinned a few seconds ahead: it must be seen.
        from datetime import datetime, timedelta
        from zoneinfo import ZoneInfo

        at = (datetime.now(ZoneInfo("Europe/Rome")) + timedelta(minutes=1)).strftime(
            "%Y-%m-%d %H:%M")
        added = costanza(env, "post", "add", "Il telaio del nonno", "--to", "x,facebook",
                         "--at", at)
        assert added.returncode == 0, added.stderr
        assert costanza(env, "post", "now", "1").returncode == 0
        client = SandboxClient(sandbox)
        assert wait_for(lambda: len(client.posts()) == 2)
        texts = sorted((p["network"], p["text"]) for p in client.posts())
        assert texts == [("facebook", "Il telaio del nonno"), ("x", "Il telaio del nonno")]
        shown = costanza(env, "post", "show", "1").stdout
        assert "x: published" in shown and "facebook: published" in shown
    finally:
        code, err = stop(daemon)
    assert code == 0, err


def test_a_second_daemon_on_the_same_sqlite_database_refuses(env: dict[str, str]) -> None:
    daemon = start_daemon(env)
    try:
        wait_running(env, daemon)
        second = costanza(env, "daemon")
        assert second.returncode == 1
        assert "Another Costanza daemon is already running" in second.stderr
        assert "Traceback" not in second.stderr
    finally:
        code, _ = stop(daemon)
    assert code == 0


def test_takes_over_cleanly_from_a_daemon_that_died(env: dict[str, str]) -> None:
    first = start_daemon(env)
    wait_running(env, first)
    first.kill()  # SIGKILL: no chance to release the lock
    first.communicate()
    # Its lock is still fresh, but its process is gone from this machine: a new daemon
    # takes over at once instead of waiting for the lock to run out.
    daemon = start_daemon(env)
    try:
        wait_running(env, daemon)
        assert daemon.poll() is None
    finally:
        code, err = stop(daemon)
    assert code == 0, err


def test_sigterm_stops_gracefully_and_releases_the_lock(env: dict[str, str]) -> None:
    daemon = start_daemon(env)
    wait_running(env, daemon)
    code, err = stop(daemon)
    assert code == 0, err
    assert "NOT running" in costanza(env, "status").stdout
    # The lock was released: a new daemon starts at once.
    again = start_daemon(env)
    try:
        wait_running(env, again)
    finally:
        stop(again)


def test_ctrl_c_stops_gracefully_with_the_shells_exit_code(env: dict[str, str]) -> None:
    daemon = start_daemon(env)
    wait_running(env, daemon)
    daemon.send_signal(signal.SIGINT)
    try:
        _, err = daemon.communicate(timeout=60)
    finally:
        if daemon.poll() is None:
            daemon.kill()
    assert daemon.returncode == 130, err  # 128 + SIGINT, after a clean stop
    assert "NOT running" in costanza(env, "status").stdout  # the lock was released


def test_systemd_notify_ready_watchdog_stopping(env: dict[str, str], tmp_path: Path) -> None:
    """The daemon speaks systemd's notify protocol on $NOTIFY_SOCKET."""
    import socket

    path = str(tmp_path / "notify.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(30)
    daemon = subprocess.Popen([sys.executable, "-m", "costanza", "daemon"],
                              env=dict(env, NOTIFY_SOCKET=path, WATCHDOG_USEC="2000000"),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    messages: list[str] = []
    try:
        while not any("WATCHDOG=1" in m for m in messages):
            messages.append(sock.recv(4096).decode())
        assert any("READY=1" in m for m in messages)
        daemon.send_signal(signal.SIGTERM)
        while not any("STOPPING=1" in m for m in messages):
            messages.append(sock.recv(4096).decode())
        _, err = daemon.communicate(timeout=30)
        assert daemon.returncode == 0, err
    finally:
        if daemon.poll() is None:
            daemon.kill()
            daemon.communicate()
        sock.close()


def test_a_second_signal_stops_at_once(env: dict[str, str], sandbox: str) -> None:
    """First SIGTERM: finish what is in flight. Second: stop now (reconciled next time)."""
    client = SandboxClient(sandbox)
    client.fault("x", "tweets", latency_ms=20_000)  # a publish that takes very long
    daemon = start_daemon(env)
    try:
        wait_running(env, daemon)
        # Pinned a week ahead: on the real clock the weekly slot may be due right now
        # (a Monday morning), and `post now` must be what sends it.
        from zoneinfo import ZoneInfo

        later = (datetime.now(ZoneInfo("Europe/Rome")) + timedelta(days=7)).strftime(
            "%Y-%m-%d %H:%M")
        assert costanza(env, "post", "add", "Lento", "--to", "x", "--at", later
                        ).returncode == 0
        assert costanza(env, "post", "now", "1").returncode == 0
        assert wait_for(lambda: "publishing" in costanza(env, "post", "show", "1").stdout
                        or "x: claimed" in costanza(env, "post", "show", "1").stdout, 30)
        daemon.send_signal(signal.SIGTERM)
        time.sleep(1.0)
        assert daemon.poll() is None  # still finishing the slow publish
        started = time.monotonic()
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(10)
        assert time.monotonic() - started < 10
        assert daemon.returncode != 0
    finally:
        if daemon.poll() is None:
            daemon.kill()
        daemon.communicate()
