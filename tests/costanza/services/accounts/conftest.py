"""Fixtures for account tests: the real sandbox over HTTP, and a Costanza home using it.

``platform`` starts the sandbox (``SandboxServer``) and points
``COSTANZA_PLATFORM_URL`` at it. ``oauth_front`` puts a small HTTP front in
between that answers the sign-in endpoints the sandbox does not have yet (X's
``/oauth/request_token`` and ``/oauth/access_token``, Graph's
``/oauth/access_token`` token exchange, ``/me/permissions``) and passes
everything else to the sandbox unchanged (Host header included, so OAuth 1.0a
signatures still verify).
"""

from __future__ import annotations

import http.server
import json
import secrets
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests

from costanza.app import App

PIN = "2718281"
SHORT_LIVED = "EAASHORT" + "0" * 24


@dataclass
class Platform:
    base_url: str
    control: Any
    creds: dict[str, Any]


@pytest.fixture
def platform(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Platform]:
    from costanza.demo.sandbox.control import SandboxClient
    from costanza.demo.sandbox.server import SandboxServer

    server = SandboxServer(data_dir=tmp_path / "sandbox")
    base = server.start()
    try:
        control = SandboxClient(base)
        monkeypatch.setenv("COSTANZA_PLATFORM_URL", base)
        yield Platform(base, control, control.create_accounts("bottega"))
    finally:
        server.stop()


@dataclass
class Front:
    """What the front saw: the sign-in calls it answered itself."""

    calls: list[dict[str, Any]] = field(default_factory=list)
    permissions: list[dict[str, str]] = field(default_factory=lambda: [
        {"permission": "pages_show_list", "status": "granted"},
        {"permission": "pages_manage_posts", "status": "granted"},
        {"permission": "pages_read_engagement", "status": "granted"}])
    # Pages listed by /me/accounts before the sandbox's own one (a login managing several).
    extra_pages: list[dict[str, str]] = field(default_factory=list)


def _front_handler(sandbox_url: str, creds: dict[str, Any], front: Front) -> type:
    x, fb = creds["x"], creds["facebook"]
    request_tokens: dict[str, str] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            return

        def _body(self) -> bytes:
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def _reply(self, status: int, body: bytes, kind: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _handle(self) -> None:
            body = self._body()
            parts = urlsplit(self.path)
            auth = self.headers.get("Authorization") or ""
            form = dict(parse_qsl(body.decode("utf-8", "replace")))
            front.calls.append({"method": self.command, "path": parts.path,
                                "query": parts.query, "form": sorted(form)})
            if parts.path == "/oauth/request_token" and self.command == "POST":
                if f'oauth_consumer_key="{x["consumer_key"]}"' not in auth or \
                        'oauth_callback="oob"' not in auth:
                    return self._reply(401, b"Invalid consumer key", "text/plain")
                token = "req-" + secrets.token_hex(8)
                request_tokens[token] = secrets.token_hex(8)
                return self._reply(200, (f"oauth_token={token}&oauth_token_secret="
                                         f"{request_tokens[token]}&oauth_callback_confirmed=true"
                                         ).encode(), "application/x-www-form-urlencoded")
            if parts.path == "/oauth/access_token" and self.command == "POST":
                known = any(f'oauth_token="{t}"' in auth for t in request_tokens)
                if not known or f'oauth_verifier="{PIN}"' not in auth:
                    return self._reply(401, b"Invalid oauth_verifier parameter", "text/plain")
                return self._reply(200, (f"oauth_token={x['access_token']}&oauth_token_secret="
                                         f"{x['access_token_secret']}&user_id={x['user_id']}"
                                         f"&screen_name={x['username']}").encode(),
                                   "application/x-www-form-urlencoded")
            if parts.path.endswith("/oauth/access_token") and self.command == "POST":
                if form.get("grant_type") != "fb_exchange_token" or \
                        form.get("client_secret") != "app-secret-1" or \
                        form.get("fb_exchange_token") != SHORT_LIVED:
                    error = {"error": {"message": "Error validating client secret.",
                                       "type": "OAuthException", "code": 1}}
                    return self._reply(400, json.dumps(error).encode(), "application/json")
                reply = {"access_token": fb["user_token"], "token_type": "bearer",
                         "expires_in": 5184000}
                return self._reply(200, json.dumps(reply).encode(), "application/json")
            if parts.path.endswith("/me/permissions") and self.command == "GET":
                if auth != f"OAuth {fb['user_token']}":
                    error = {"error": {"message": "Invalid OAuth access token.",
                                       "type": "OAuthException", "code": 190}}
                    return self._reply(401, json.dumps(error).encode(), "application/json")
                return self._reply(200, json.dumps({"data": front.permissions}).encode(),
                                   "application/json")
            headers = {k: v for k, v in self.headers.items()
                       if k.lower() not in ("content-length", "connection")}
            reply = requests.request(self.command, sandbox_url + self.path, headers=headers,
                                     data=body, timeout=30)
            content = reply.content
            if parts.path.endswith("/me/accounts") and reply.ok and front.extra_pages:
                listed = reply.json()
                listed["data"] = [*front.extra_pages, *listed["data"]]
                content = json.dumps(listed).encode()
            self._reply(reply.status_code, content,
                        reply.headers.get("Content-Type", "application/json"))
            return None

        do_GET = do_POST = do_DELETE = _handle

    return Handler


@pytest.fixture
def oauth_front(platform: Platform, monkeypatch: pytest.MonkeyPatch) -> Iterator[Front]:
    front = Front()
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), _front_handler(platform.base_url, platform.creds, front))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    monkeypatch.setenv("COSTANZA_PLATFORM_URL", f"http://127.0.0.1:{server.server_address[1]}")
    try:
        yield front
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def queued_for(app: App) -> Callable[..., list[int]]:
    """Posts whose slot came: deliveries for ``network`` (held when no account is connected)."""
    from costanza.services import posts as services
    from posts.deliveries import dispatch_post
    from posts.models import Post

    def make(network: str, count: int = 1) -> list[int]:
        ids = []
        for n in range(count):
            row = services.add_post(
                app, text=f"Story {n} for {network}", photos=[], video=None, alts=[],
                targets=network, texts={}, first_comment=None, category=None, at=None,
                top=False, thread=False, fit=None)
            with app.store.write() as db:
                post = db.get(Post, row["id"])
                assert post is not None
                now = app.clock.now()
                ids.extend(d.id for d in dispatch_post(db, post, now, now))
        return ids

    return make


def secret_values(creds: dict[str, Any]) -> list[str]:
    """Every secret the sandbox handed out (to look for leaks)."""
    keys = ("consumer_key", "consumer_secret", "access_token", "access_token_secret",
            "page_token", "user_token", "token")
    return [v for network in ("x", "facebook", "instagram")
            for k, v in creds[network].items() if k in keys]


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command runs as if at a terminal. CliRunner's input is a pipe, and a terminal
    cannot exist in-process, so only the check for one is answered: yes
    (test_account_x_pin checks the check itself on a real pseudo-terminal)."""
    monkeypatch.setattr("costanza.cli.account._has_terminal", lambda: True)
    monkeypatch.setattr("costanza.cli.account_shared.has_terminal", lambda: True)
