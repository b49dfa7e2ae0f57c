"""What the secret hygiene test needs: the sandbox, a public folder for Instagram photos,
and a trap that records everything a secret could leak into."""

from __future__ import annotations

import http.client
import http.server
import logging
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from costanza.demo.file_server import serve_folder
from scheduler.publishers.base import (
    Checkpoint,
    Publisher,
    PublishRequest,
    PublishResult,
    Reconciled,
)
from tests.scheduler.notify.conftest import smtp, webhook  # noqa: F401 (fixtures)

# Every logger that could print a request, at DEBUG.
LOGGERS = ("", "tweepy", "urllib3", "requests", "requests_oauthlib", "oauthlib", "facebook",
           "costanza", "apscheduler", "sqlalchemy", "alembic")


@dataclass
class SandboxRun:
    base_url: str
    control: Any
    creds: dict[str, dict[str, str]]

    def sleep(self, seconds: float) -> None:
        """Publishers wait between status polls: move the sandbox's clock instead."""
        self.control.advance_clock(seconds)


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[SandboxRun]:
    server_mod = pytest.importorskip("costanza.demo.sandbox.server")
    control_mod = pytest.importorskip("costanza.demo.sandbox.control")
    server = server_mod.SandboxServer(data_dir=tmp_path / "sandbox-data", latency_ms=0)
    base_url = server.start()
    try:
        control = control_mod.SandboxClient(base_url)
        yield SandboxRun(base_url, control, control.create_accounts("canary"))
    finally:
        server.stop()


@dataclass
class FolderHost:
    """A media host: photos copied into a folder served over HTTP (Instagram fetches them)."""

    folder: Path
    base_url: str

    def public_url(self, path: Path, sha256: str, mime: str) -> str:
        name = sha256 + path.suffix
        shutil.copy(path, self.folder / name)
        return self.base_url + name


@pytest.fixture
def media_host(tmp_path: Path) -> Iterator[FolderHost]:
    folder = tmp_path / "public"
    folder.mkdir()
    with serve_folder(folder) as base_url:
        yield FolderHost(folder, base_url)


class _Everything(logging.Handler):
    """Keeps every record fully formatted, tracebacks (and their causes) included."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
        self.lines: list[str] = []
        self._guard = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        text = self.format(record)
        with self._guard:
            self.lines.append(text)


@dataclass
class Trap:
    """Where a secret could end up: logs, requested URLs, raised exceptions."""

    logs: _Everything = field(default_factory=_Everything)
    urls: list[str] = field(default_factory=list)
    exceptions: list[BaseException] = field(default_factory=list)

    def exception_texts(self) -> list[str]:
        """str() and repr() of every exception caught, with its causes and contexts."""
        texts, seen = [], set()
        stack = list(self.exceptions)
        while stack:
            exc = stack.pop()
            if id(exc) in seen:
                continue
            seen.add(id(exc))
            texts += [str(exc), repr(exc), repr(getattr(exc, "args", ()))]
            stack += [e for e in (exc.__cause__, exc.__context__) if e is not None]
            stack += [a for a in getattr(exc, "args", ()) if isinstance(a, BaseException)]
        return texts


@pytest.fixture
def trap(monkeypatch: pytest.MonkeyPatch) -> Iterator[Trap]:
    """Every logger at DEBUG into one handler, http.client's debug printing on, and every
    URL sent by ``requests`` recorded."""
    found = Trap()
    names = set(LOGGERS) | set(logging.root.manager.loggerDict)
    before = {}
    for name in names:
        logger = logging.getLogger(name)
        before[name] = (logger.level, logger.disabled)
        logger.disabled = False
        logger.setLevel(logging.DEBUG)  # setLevel, not the attribute: it clears level caches
        if not logger.propagate or not name:
            logger.addHandler(found.logs)
    monkeypatch.setattr(http.client.HTTPConnection, "debuglevel", 1)
    send = requests.Session.send

    def recording_send(self: requests.Session, request: Any, **kwargs: Any) -> Any:
        found.urls.append(str(request.url))
        return send(self, request, **kwargs)

    monkeypatch.setattr(requests.Session, "send", recording_send)
    try:
        yield found
    finally:
        for name in names:
            logger = logging.getLogger(name)
            logger.removeHandler(found.logs)
            logger.disabled = before[name][1]
            logger.setLevel(before[name][0])


class Watched:
    """A real publisher whose raised exceptions are kept for inspection."""

    def __init__(self, inner: Publisher, trap: Trap) -> None:
        self.inner = inner
        self.network = inner.network
        self.trap = trap

    def publish(self, request: PublishRequest, checkpoint: Checkpoint) -> PublishResult:
        try:
            return self.inner.publish(request, checkpoint)
        except BaseException as exc:
            self.trap.exceptions.append(exc)
            raise

    def reconcile(self, request: PublishRequest) -> Reconciled:
        try:
            return self.inner.reconcile(request)
        except BaseException as exc:
            self.trap.exceptions.append(exc)
            raise
