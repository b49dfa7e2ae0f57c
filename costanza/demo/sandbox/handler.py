"""The sandbox's HTTP request handler: read a request, hand it to the app, answer or hang up.

``handler_class(app)`` gives ``http.server`` a handler bound to one
``Sandbox``. Request bodies come with a ``Content-Length`` or chunked; nothing
about a request is logged (paths can carry access tokens), and a bug in the
sandbox answers 599 and is reported without its message.
"""

from __future__ import annotations

import contextlib
import socket
import sys
import traceback
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from costanza.demo.sandbox.app import Outcome, Sandbox
from costanza.demo.sandbox.messages import Reply, parse_request

MAX_BODY = 1024 * 1024 * 1024


class SandboxHandler(BaseHTTPRequestHandler):
    """One connection to the sandbox (``app`` is set by ``handler_class``)."""

    app: Sandbox
    protocol_version = "HTTP/1.1"
    timeout = 120  # idle keep-alive connections are closed after two minutes
    server_version = "CostanzaSandbox/1.0"
    sys_version = ""

    def setup(self) -> None:
        super().setup()
        # Headers and body leave in separate writes: without this, Nagle's algorithm
        # and delayed ACKs add some 40 ms to every answer.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: object) -> None:
        # Paths can carry access tokens in query strings: log nothing here.
        return

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return self._read_chunks()
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise ValueError("body too large")
        return self.rfile.read(length) if length else b""

    def _read_chunks(self) -> bytes:
        parts = []
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                break
            parts.append(self.rfile.read(size))
            self.rfile.readline()
        return b"".join(parts)

    def _handle(self) -> None:
        try:
            body = self._read_body()
        except (ValueError, OSError):
            self._send(Reply(413, {"error": "request body too large or malformed"}))
            return
        host = self.headers.get("Host") or "{}:{}".format(*self.server.server_address[:2])
        request = parse_request(self.command, self.path, self.headers, body,
                                f"http://{host}")
        try:
            outcome = self.app.handle(request)
        except Exception as exc:  # a sandbox bug must not look like a network answer
            outcome = Outcome(Reply(599, {"error": "sandbox internal error"}))
            report_bug(exc)
        if outcome.drop:
            if outcome.hold_secs:
                self.app.wait(outcome.hold_secs)
            self._drop()
            return
        assert outcome.reply is not None
        self._send(outcome.reply)

    def _drop(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _send(self, reply: Reply) -> None:
        data = reply.encoded()
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_POST = do_DELETE = do_PUT = do_HEAD = _handle


def handler_class(app: Sandbox) -> type[SandboxHandler]:
    """A handler class serving ``app`` (``http.server`` makes one handler per connection)."""
    return type("Handler", (SandboxHandler,), {"app": app})


def report_bug(exc: Exception) -> None:
    """Say where the sandbox failed, without the message (it may quote a token)."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = " <- ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in frames[::-1][:5])
    print(f"sandbox internal error: {type(exc).__name__} at {where}", file=sys.stderr, flush=True)
