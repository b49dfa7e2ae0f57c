"""The page inside the daemon (``[web] enabled = true``): costanza.web.server in a thread
beside the Daemon, started and stopped by `costanza daemon`.

Two small files in the data folder, both readable by this user only (0600), let
`costanza web` hand out a fresh address for that page:

- ``web-page.json``: where the daemon's page listens and which process serves it, written
  when the page starts and removed when it stops;
- ``web-login``: one fresh login token, written by `costanza web`; the page accepts it
  once and removes it (only the newest one works).
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import socket
import threading
from pathlib import Path
from typing import Any

from config.i18n import _
from config.paths import Home
from config.scrub import redacting_filter, remember_secrets
from costanza.app import App
from costanza.web.server import base_address, make_server, prepare

PAGE_FILE = "web-page.json"
LOGIN_FILE = "web-login"
_UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi")
log = logging.getLogger("costanza.web")


def page_file(home: Home) -> Path:
    return home.data_dir / PAGE_FILE


def login_file(home: Home) -> Path:
    return home.data_dir / LOGIN_FILE


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` readable by this user only, all at once."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)
    os.replace(temporary, path)


class PageBeside:
    """The page served in a thread of the daemon's process."""

    def __init__(self, app: App, host: str, port: int) -> None:
        self.home = app.settings.home
        self.served = prepare(host, port, login_file=login_file(self.home))
        self.base = base_address(host, self.served.sock.getsockname()[1])
        remember_secrets(self.served.sessions.login_token)  # never in a log line
        for name in _UVICORN_LOGGERS:
            logging.getLogger(name).addFilter(redacting_filter())
        self.server = make_server(app, self.served)
        self.thread = threading.Thread(target=self._run, name="costanza-web", daemon=True)

    @property
    def address(self) -> str:
        """The first login address (print it once: it is the key to the page)."""
        return self.served.address

    def _run(self) -> None:
        try:
            self.server.run(sockets=[self.served.sock])
        except Exception:  # the page stops; the daemon goes on publishing
            log.exception(_("The page in the browser stopped because of an error."))

    def start(self, timeout: float = 30.0) -> None:
        self.thread.start()
        waited = threading.Event()
        while not self.server.started and self.thread.is_alive() and timeout > 0:
            waited.wait(0.05)
            timeout -= 0.05
        login_file(self.home).unlink(missing_ok=True)  # an address of an earlier run
        write_private(page_file(self.home), json.dumps(
            {"address": self.base, "pid": os.getpid()}))

    def stop(self) -> None:
        """Stop serving (the answers under way finish) and forget the files."""
        self.server.should_exit = True
        self.thread.join(timeout=30)
        self.served.sock.close()
        for path in (page_file(self.home), login_file(self.home)):
            path.unlink(missing_ok=True)


def _page_of_daemon(home: Home) -> dict[str, Any] | None:
    """The daemon's page as its file says, if that process is alive and the port answers."""
    try:
        info = json.loads(page_file(home).read_text(encoding="utf-8"))
        pid, address = int(info["pid"]), str(info["address"])
        os.kill(pid, 0)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    host, _sep, port = address.removeprefix("http://").rpartition(":")
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=2):
            pass
    except (OSError, ValueError):
        return None
    return {"address": address, "pid": pid}


def fresh_address(app: App) -> str | None:
    """A new one-time login address for the page the daemon serves; None: no daemon
    serves it here."""
    home = app.settings.home
    page = _page_of_daemon(home)
    if page is None:
        return None
    token = secrets.token_urlsafe(32)
    write_private(login_file(home), token + "\n")
    return f"{page['address']}/login?token={token}"
