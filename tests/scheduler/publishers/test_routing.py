from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from typing import ClassVar

import pytest
import requests

from scheduler.http.routing import RoutingSession, redact, rewrite_url
from scheduler.http.transport import never_sent, transport_error


@pytest.mark.parametrize("url,expected", [
    ("https://graph.facebook.com/v26.0/123/feed", "http://127.0.0.1:9/v26.0/123/feed"),
    ("https://graph-video.facebook.com/v26.0/1/videos", "http://127.0.0.1:9/v26.0/1/videos"),
    ("https://rupload.facebook.com/ig-api-upload/v26.0/77", "http://127.0.0.1:9/ig-api-upload/v26.0/77"),
    ("https://api.x.com/2/tweets", "http://127.0.0.1:9/2/tweets"),
    ("https://api.twitter.com/2/tweets?x=1", "http://127.0.0.1:9/2/tweets?x=1"),
    ("https://upload.twitter.com/1.1/media/upload.json", "http://127.0.0.1:9/1.1/media/upload.json"),
    ("https://example.com/photo.jpg", "https://example.com/photo.jpg"),
])
def test_rewrite_url_keeps_path_and_leaves_other_hosts(url: str, expected: str) -> None:
    assert rewrite_url(url, "http://127.0.0.1:9") == expected


def test_rewrite_url_without_base_url_is_unchanged() -> None:
    assert rewrite_url("https://api.x.com/2/tweets", None) == "https://api.x.com/2/tweets"


def test_rewrite_url_keeps_a_base_path_prefix() -> None:
    assert rewrite_url("https://api.x.com/2/tweets", "http://proxy:8/net/") == \
        "http://proxy:8/net/2/tweets"


class _Echo(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = json.dumps({"path": self.path,
                           "auth": self.headers.get("Authorization")}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        _Echo.posts += 1
        self.do_GET()

    posts = 0

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def echo_url() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_session_routes_and_moves_token_out_of_the_query(echo_url: str) -> None:
    session = RoutingSession(echo_url, timeout=5)
    reply = session.get("https://graph.facebook.com/v26.0/me",
                        params={"fields": "id", "access_token": "SECRET-TOKEN-1"}).json()
    assert reply["path"] == "/v26.0/me?fields=id"
    assert reply["auth"] == "OAuth SECRET-TOKEN-1"
    reply = session.get("https://graph.facebook.com/v26.0/me?access_token=SECRET-2&a=b").json()
    assert "SECRET" not in reply["path"]
    assert reply["auth"] == "OAuth SECRET-2"
    assert session.last_response is not None and session.last_response.status_code == 200


def test_redact_hides_known_secrets_and_token_shapes() -> None:
    text = ("failed https://h/v26.0/me?access_token=EAAB123456 with Authorization: "
            "OAuth EAAB999999999 and key sk-abc-123")
    out = redact(text, ["sk-abc-123"])
    assert "EAAB123456" not in out and "EAAB999999999" not in out and "sk-abc-123" not in out
    assert 'oauth_token="abcdefgh"' not in redact('oauth_token="abcdefgh"')


def test_redact_hides_a_remembered_secret_whole_when_a_given_one_is_inside_it() -> None:
    from scheduler.http.hygiene import remember_secrets

    remember_secrets("OUTERPART-inner-77")
    out = redact("failed with OUTERPART-inner-77", ["inner-77"])
    assert out == "failed with [hidden]"


def test_connection_refused_is_never_sent_and_retry_later() -> None:
    session = RoutingSession("http://127.0.0.1:9", timeout=2)
    with pytest.raises(requests.ConnectionError) as info:
        session.get("https://api.x.com/2/tweets")
    assert never_sent(info.value)
    err = transport_error(info.value, network="x", creates=True)
    assert type(err).__name__ == "RetryLater"


def test_read_timeout_after_sending_a_creating_call_is_unknown() -> None:
    err = transport_error(requests.ReadTimeout("read timed out"), network="facebook",
                          creates=True)
    assert type(err).__name__ == "OutcomeUnknown"
    err = transport_error(requests.ReadTimeout("read timed out"), network="facebook",
                          creates=False)
    assert type(err).__name__ == "RetryLater"


def test_before_write_can_refuse_a_post_but_never_blocks_a_read(echo_url: str) -> None:
    class Refused(Exception):
        pass

    def refuse() -> None:
        raise Refused

    session = RoutingSession(echo_url, timeout=5, before_write=refuse)
    assert session.get("https://api.x.com/2/users/me").status_code == 200
    before = _Echo.posts
    with pytest.raises(Refused):
        session.post("https://api.x.com/2/tweets", json={"text": "hello"})
    assert _Echo.posts == before  # nothing reached the server
    session.before_write = None
    assert session.post("https://api.x.com/2/tweets", json={"text": "hello"}).status_code == 200
    assert _Echo.posts == before + 1


class _KeepAlive(http.server.BaseHTTPRequestHandler):
    """Answers with the client's port (one per TCP connection), its credentials and
    cookies, and sets a cookie of its own."""

    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        body = json.dumps({"port": self.client_address[1],
                           "auth": self.headers.get("Authorization"),
                           "cookie": self.headers.get("Cookie")}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Set-Cookie", "seen=" + (self.headers.get("Authorization") or "")
                         .replace(" ", "_"))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_sessions_share_open_connections_but_nothing_else() -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _KeepAlive)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        first = RoutingSession(base, timeout=5)
        with first:
            a = first.get("https://api.x.com/2/users/me",
                          headers={"Authorization": "Bearer account-a"}).json()
            again = first.get("https://api.x.com/2/users/me").json()
        # A new session (another post, another account), after the first was closed:
        second = RoutingSession(base, timeout=5)
        with second:
            b = second.get("https://api.x.com/2/users/me",
                           headers={"Authorization": "Bearer account-b"}).json()
    finally:
        server.shutdown()
        server.server_close()
    assert again["cookie"] == "seen=Bearer_account-a"  # a session keeps its own cookies
    assert b["port"] == a["port"]  # the same TCP connection, kept open across sessions
    assert b["auth"] == "Bearer account-b"
    assert b["cookie"] is None  # nothing of the first session's travels with the second


def test_redact_finds_each_of_thousands_of_remembered_secrets() -> None:
    """A daemon with many accounts remembers thousands of secrets: each one is still
    hidden wherever it appears, whole when it contains another, and URL-quoted too."""
    import secrets as random_tokens

    from scheduler.http.hygiene import remember_secrets

    tokens = [random_tokens.token_urlsafe(24) for _ in range(2000)]
    remember_secrets(*tokens)
    inner = tokens[7]
    outer = "pre" + inner + "post-" + random_tokens.token_hex(4)
    odd = "a/b+c=" + random_tokens.token_hex(6)  # quoted in a URL as a%2Fb%2Bc%3D...
    remember_secrets(outer, odd)
    text = (f"GET /x?k={tokens[1999]}&z=1 from{tokens[0]}, then {outer}; "
            f"url=/me?t=a%2Fb%2Bc%3D{odd[6:]} and {tokens[3][:10]} (a part only)")
    clean = redact(text)
    for token in (tokens[1999], tokens[0], inner, outer, odd[6:]):
        assert token not in clean
    assert clean.count("[hidden]") == 4
    assert "from[hidden], then [hidden];" in clean
    assert tokens[3][:10] in clean  # a piece too short to be a secret stays


class _Proxy(http.server.BaseHTTPRequestHandler):
    """Stands in for an HTTP proxy: records the absolute URL asked for, answers itself."""

    asked: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _Proxy.asked.append(self.path)
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def proxy_env(monkeypatch: pytest.MonkeyPatch, echo_url: str) -> Iterator[str]:
    from scheduler.http.routing import forget_environment

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Proxy)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    proxy = f"http://127.0.0.1:{server.server_address[1]}"
    for name in ("http_proxy", "HTTP_PROXY", "no_proxy", "NO_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", proxy)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    forget_environment()
    _Proxy.asked.clear()
    yield proxy
    forget_environment()
    server.shutdown()
    server.server_close()


def test_proxies_from_the_environment_are_read_once_and_still_used(
        proxy_env: str, echo_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """requests' proxies and NO_PROXY keep working; the daemon reads them once per host."""
    session = RoutingSession(None, timeout=5)
    plain = requests.Session()
    for url in ("http://shop.example/a", f"{echo_url}/b"):
        mine = session.merge_environment_settings(url, {}, None, None, None)
        assert mine == plain.merge_environment_settings(url, {}, None, None, None)
    assert session.get("http://shop.example/a").status_code == 204  # through the proxy
    assert _Proxy.asked == ["http://shop.example/a"]
    assert session.get(f"{echo_url}/b").json()["path"] == "/b"  # NO_PROXY: straight there
    assert _Proxy.asked == ["http://shop.example/a"]
    monkeypatch.delenv("HTTP_PROXY")  # a running daemon's environment stays as it started
    assert session.get("http://shop.example/c").status_code == 204
    assert _Proxy.asked[-1] == "http://shop.example/c"
