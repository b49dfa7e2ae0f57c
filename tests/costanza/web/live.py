"""The page on the real sandbox: a Costanza home set up and connected to a running sandbox
through the real command line (on the real clock: the sandbox keeps its own), and the page
of that home through Starlette's TestClient."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from click.testing import CliRunner, Result
from starlette.testclient import TestClient

from costanza.app import App
from costanza.demo.sandbox.control import SandboxClient
from costanza.demo.sandbox.server import SandboxServer
from costanza.web.app import create_app
from costanza.web.auth import Sessions
from tests.costanza.web.conftest import BASE, Page


@dataclass
class Live(Page):
    """The page of a home connected to a running sandbox."""

    sandbox: SandboxClient

    def costanza(self, *args: str) -> Result:
        """`costanza ARGS...` in-process; exit 0 expected."""
        from costanza.cli.main import cli

        result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
        assert result.exit_code == 0, (args, result.output)
        return result


@contextmanager
def live_page(monkeypatch: pytest.MonkeyPatch) -> Iterator[Live]:
    """Needs the ``home`` fixture: `costanza init` and `costanza sandbox connect` run."""
    from costanza.cli.main import cli

    with SandboxServer(latency_ms=0) as server:
        monkeypatch.setenv("COSTANZA_PLATFORM_URL", server.base_url)
        for args in (["init", "--timezone", "Europe/Rome"], ["sandbox", "connect"]):
            result = CliRunner().invoke(cli, args, catch_exceptions=False)
            assert result.exit_code == 0, (args, result.output)
        app = App.load()
        sessions = Sessions()
        client = TestClient(create_app(app, sessions), base_url=BASE,
                            raise_server_exceptions=False)
        try:
            yield Live(app, sessions, client, SandboxClient(server.base_url))
        finally:
            client.close()
            app.close()
