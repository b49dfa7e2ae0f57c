"""Real local servers for notification tests: an SMTP server (aiosmtpd) and a webhook
(``http.server`` in a thread)."""

from __future__ import annotations

import dataclasses
import http.server
import json
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import pytest

from config.secrets import SecretStore
from config.settings import Settings
from costanza.app import App

aiosmtpd_controller = pytest.importorskip("aiosmtpd.controller")
aiosmtpd_smtp = pytest.importorskip("aiosmtpd.smtp")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Mailbox:
    """What the SMTP server received."""

    port: int
    messages: list[Message] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)
    password: str = "s3cret-mail"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"

    def authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str,
                     auth_data: Any) -> Any:
        login = (auth_data.login.decode(), auth_data.password.decode())
        self.logins.append(login)
        ok = login == ("maria", self.password)
        return aiosmtpd_smtp.AuthResult(success=ok, handled=False)


class SmtpServer:
    """An SMTP server on a chosen port, started and stopped at will."""

    def __init__(self, port: int) -> None:
        self.mailbox = Mailbox(port)
        self._controller: Any = None

    @property
    def port(self) -> int:
        return self.mailbox.port

    def start(self) -> None:
        self._controller = aiosmtpd_controller.Controller(
            self.mailbox, hostname="127.0.0.1", port=self.port,
            authenticator=self.mailbox.authenticate, auth_require_tls=False)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """A real SMTP server on a free port, not yet started (``smtp.start()``)."""
    server = SmtpServer(free_port())
    try:
        yield server
    finally:
        server.stop()


@dataclass
class Webhook:
    url: str
    received: list[dict[str, Any]] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    # Status codes to answer, in order; 204 once they are used up.
    answers: list[int] = field(default_factory=list)


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    hook = Webhook(url="")
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"null")
            with lock:
                hook.received.append(body)
                hook.paths.append(self.path)
                status = hook.answers.pop(0) if hook.answers else 204
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=lambda: server.serve_forever(0.05), daemon=True)
    thread.start()
    hook.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/t0ken-in-path"
    try:
        yield hook
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def secrets(tmp_path: Path) -> SecretStore:
    store = SecretStore(tmp_path / "notify-secrets.toml", env={})
    store.put("notify", {"smtp_password": "s3cret-mail"})
    return store


@pytest.fixture
def with_notify(app: App) -> Callable[..., Settings]:
    """The app's settings with a [notify] section."""

    def make(**notify: Any) -> Settings:
        return dataclasses.replace(app.settings, notify=notify)

    return make
