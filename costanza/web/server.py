"""Serving the page: the socket, uvicorn (with no access log), the address to open.

The socket is opened here, before uvicorn starts, so that a port already in use is a
plain sentence (and exit code 1), not a server's traceback. Uvicorn's access log is
off: its lines would carry the login address, token and all.
"""

from __future__ import annotations

import errno
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from config.errors import CostanzaError, InputError
from config.i18n import _
from costanza.app import App
from costanza.web.auth import Sessions, is_loopback

if TYPE_CHECKING:
    import uvicorn


@dataclass
class Served:
    """What `costanza web` is about to serve: the socket and the address to open."""

    sock: socket.socket
    address: str
    sessions: Sessions
    loopback: bool


def listen(host: str, port: int) -> socket.socket:
    """A listening socket on ``host``:``port``, or a plain error saying why not."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise InputError(_("'{host}' is not an address of this computer. Leave out "
                           "--host to use 127.0.0.1.").format(host=host)) from None
    family, _type, _proto, _name, where = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(where)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise CostanzaError(_(
                "Port {port} is already in use, perhaps by another `costanza web`. Stop "
                "that one, or choose another port: `costanza web --port {other}`.").format(
                    port=port, other=port + 1 if port < 65535 else 8765)) from None
        raise CostanzaError(_("The page could not be served on {host}, port {port} "
                              "({reason}).").format(host=host, port=port,
                                                    reason=exc.strerror or exc)) from None
    sock.set_inheritable(True)
    return sock


def prepare(host: str, port: int, login_file: Path | None = None) -> Served:
    """The socket and the first address; ``login_file``: where `costanza web` may leave a
    fresh login token for this page (the page inside the daemon, costanza.web.beside)."""
    sock = listen(host, port)
    bound_port = sock.getsockname()[1]
    sessions = Sessions(login_file=login_file)
    address = f"{base_address(host, bound_port)}/login?token={sessions.login_token}"
    return Served(sock, address, sessions, is_loopback(host))


def base_address(host: str, port: int) -> str:
    """The address a browser on this computer opens for a page bound to ``host``."""
    shown = f"[{host}]" if ":" in host else host
    if host in ("0.0.0.0", "::"):
        shown = "127.0.0.1"
    return f"http://{shown}:{port}"


def make_server(app: App, served: Served,
                log_config: dict[str, object] | None = None) -> uvicorn.Server:
    """Uvicorn on the page's application, with no access log (it would print the login
    address). ``log_config`` None: uvicorn's few lines go through the logging set up."""
    import uvicorn

    from costanza.web.app import create_app

    asgi = create_app(app, served.sessions, loopback=served.loopback)
    config = uvicorn.Config(asgi, access_log=False, log_level="warning", lifespan="off",
                            server_header=False, proxy_headers=False, log_config=log_config)
    return uvicorn.Server(config)


def serve(app: App, served: Served, ready: Callable[[], None] | None = None) -> None:
    """Serve until Ctrl-C (uvicorn stops cleanly, finishing the answers under way)."""
    from uvicorn.config import LOGGING_CONFIG

    server = make_server(app, served, log_config=LOGGING_CONFIG)
    if ready is not None:
        ready()
    try:
        server.run(sockets=[served.sock])
    finally:
        served.sock.close()
