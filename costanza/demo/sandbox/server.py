"""The sandbox's HTTP server: one port for Facebook, Instagram and X.

``SandboxServer`` runs it in a background thread (tests, the demo);
``serve`` runs it in the foreground until SIGINT or SIGTERM (``costanza
sandbox``). Each connection gets a thread, so many requests (and slow ones,
with latency) are served at once; ``handler`` reads and answers them.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path
from types import TracebackType

from costanza.demo.sandbox.app import Sandbox
from costanza.demo.sandbox.handler import MAX_BODY, handler_class, report_bug

__all__ = ["MAX_BODY", "SandboxServer", "serve"]


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
            report_bug(exc)


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
            self._server = _HTTPServer((self.host, self.port), handler_class(self.app))
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
        self._server = _HTTPServer((self.host, self.port), handler_class(self.app))
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
          host: str = "127.0.0.1", announce: Callable[[str], None] | None = None) -> None:
    """Run the sandbox in the foreground until SIGINT or SIGTERM; ``announce`` is told its
    address once it listens (the command line says it in the person's language)."""
    sandbox = SandboxServer(data_dir=data_dir, port=port, host=host, latency_ms=latency_ms)
    url = sandbox.start()
    stop = threading.Event()
    with _stop_on_signals(stop):
        if announce is not None:
            announce(url)
        else:
            print(f"Sandbox running at {url} — open it in a browser to see what was "
                  "published. Ctrl-C stops it.", flush=True)
        while not stop.wait(0.5):
            pass
    sandbox.stop()
