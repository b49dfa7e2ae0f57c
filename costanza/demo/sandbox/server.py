"""The sandbox's HTTP server: one port for Facebook, Instagram and X.

``SandboxServer`` runs it in a background thread (tests, the demo);
``serve`` runs it in the foreground until SIGINT or SIGTERM (``costanza
sandbox``). Each connection gets a thread, so many requests (and slow ones,
with latency) are served at once.
"""

from __future__ import annotations

import contextlib
import signal
import socket
import sys
import threading
import traceback
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType

from costanza.demo.sandbox.app import Outcome, Sandbox
from costanza.demo.sandbox.messages import Reply, parse_request

MAX_BODY = 1024 * 1024 * 1024


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256
    allow_reuse_address = True

    def handle_error(self, request: object, client_address: object) -> None:
        # A client that hung up mid-answer (a daemon stopped or killed) is normal: say
        # nothing. Anything else is reported without its message, which may quote a token
        # (the default prints the whole traceback and message).
        exc = sys.exc_info()[1]
        if isinstance(exc, Exception) and not isinstance(exc, ConnectionError):
            _report_bug(exc)


def _handler_class(app: Sandbox) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
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
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                raise ValueError("body too large")
            return self.rfile.read(length) if length else b""

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
                outcome = app.handle(request)
            except Exception as exc:  # a sandbox bug must not look like a network answer
                outcome = Outcome(Reply(599, {"error": "sandbox internal error"}))
                _report_bug(exc)
            if outcome.drop:
                if outcome.hold_secs:
                    app.wait(outcome.hold_secs)
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

    return Handler


def _report_bug(exc: Exception) -> None:
    """Say where the sandbox failed, without the message (it may quote a token)."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = " <- ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in frames[::-1][:5])
    print(f"sandbox internal error: {type(exc).__name__} at {where}", file=sys.stderr, flush=True)


class SandboxServer:
    """A sandbox serving in a background thread.

    >>> with SandboxServer() as sandbox:
    ...     url = sandbox.base_url
    """

    def __init__(self, data_dir: Path | None = None, port: int = 0, host: str = "127.0.0.1",
                 latency_ms: int = 0) -> None:
        self.app = Sandbox(Path(data_dir) if data_dir else None, latency_ms)
        self.host = host
        self.port = port
        self._server: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the sandbox is not running")
        return f"http://{self.host}:{self._server.server_address[1]}"

    def start(self) -> str:
        """Start serving; return the base URL (``http://127.0.0.1:PORT``)."""
        if self._server is None:
            self._server = _HTTPServer((self.host, self.port), _handler_class(self.app))
            server = self._server
            self._thread = threading.Thread(target=lambda: server.serve_forever(0.05),
                                            name="costanza-sandbox", daemon=True)
            self._thread.start()
        return self.base_url

    def stop(self) -> None:
        if self._server is None:
            return
        self.app.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        if self._thread:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None
        self.app.stopping.clear()

    def serve_forever(self) -> None:
        """Serve in the calling thread until ``stop`` is called from another."""
        self._server = _HTTPServer((self.host, self.port), _handler_class(self.app))
        self._server.serve_forever()

    def __enter__(self) -> SandboxServer:
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()


@contextlib.contextmanager
def _stop_on_signals(stop: threading.Event) -> Iterator[None]:
    def handler(signum: int, frame: object) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def serve(port: int = 8787, data_dir: Path | None = None, latency_ms: int = 0,
          host: str = "127.0.0.1") -> None:
    """Run the sandbox in the foreground until SIGINT or SIGTERM."""
    sandbox = SandboxServer(data_dir=data_dir, port=port, host=host, latency_ms=latency_ms)
    url = sandbox.start()
    stop = threading.Event()
    with _stop_on_signals(stop):
        print(f"Sandbox running at {url} — open it in a browser to see what was published. "
              "Ctrl-C stops it.", flush=True)
        while not stop.wait(0.5):
            pass
    sandbox.stop()
