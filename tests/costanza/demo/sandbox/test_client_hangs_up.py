"""A client that hangs up before its answer (a daemon stopped or killed) is not an error."""

from __future__ import annotations

import socket
import struct
import time

import pytest

from costanza.demo.sandbox.server import SandboxServer


def test_a_client_hanging_up_mid_answer_prints_nothing(capfd: pytest.CaptureFixture[str]
                                                       ) -> None:
    with SandboxServer(latency_ms=300) as sandbox:
        port = int(sandbox.base_url.rsplit(":", 1)[1])
        for _ in range(3):
            conn = socket.create_connection(("127.0.0.1", port))
            # Closed with a reset, as a killed process's socket is.
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            conn.sendall(b"GET /2/users/me HTTP/1.1\r\nHost: sandbox\r\n\r\n")
            conn.close()  # gone before the answer (the sandbox waits 300 ms)
        time.sleep(1.0)
    err = capfd.readouterr().err
    assert "Traceback" not in err
    assert "Broken pipe" not in err and "Connection reset" not in err
