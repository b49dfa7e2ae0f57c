"""Fixtures of the real-browser tests: a home with the sandbox connected, `costanza`
as a real process, `costanza web` and headless Chromium."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from costanza.demo.sandbox.control import SandboxClient
from costanza.demo.sandbox.server import SandboxServer
from tests.costanza.web.browser.helpers import Browser, PageProcess, missing_browser

WHY_NOT = missing_browser()
Costanza = Callable[..., subprocess.CompletedProcess[str]]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Skipped, saying why, where there is no browser; never in CI (which has one)."""
    if os.environ.get("COSTANZA_REQUIRE_BROWSER"):
        return
    here = Path(__file__).parent
    for item in items:
        if WHY_NOT and here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.skip(reason=f"no browser here: {WHY_NOT}"))


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[SandboxClient]:
    with SandboxServer(data_dir=tmp_path / "sandbox", latency_ms=0) as server:
        yield SandboxClient(server.base_url)


@pytest.fixture
def env(home: Path, sandbox: SandboxClient) -> dict[str, str]:
    values = dict(os.environ)
    values.update({"COSTANZA_HOME": str(home), "COSTANZA_PLATFORM_URL": sandbox.base_url,
                   "COSTANZA_LANG": "en"})
    return values


@pytest.fixture
def costanza(env: dict[str, str]) -> Costanza:
    """`costanza ARGS...` as a real process; exit 0 expected."""
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([sys.executable, "-m", "costanza", *args], env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, (args, done.stdout, done.stderr)
        return done

    return run


@pytest.fixture
def page(env: dict[str, str], prepared: Costanza) -> Iterator[PageProcess]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    served = PageProcess(env, port)
    yield served
    err = served.stop()
    assert "Traceback" not in err, err


@pytest.fixture
def browser(page: PageProcess) -> Iterator[Browser]:
    driver = Browser(page.base)
    yield driver
    driver.quit()


@pytest.fixture
def prepared(costanza: Costanza) -> Costanza:
    """A home set up in Rome's time, with the sandbox's three accounts connected."""
    costanza("init", "--timezone", "Europe/Rome")
    costanza("sandbox", "connect")
    return costanza
