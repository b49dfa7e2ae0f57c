"""OAuth 1.0a (HMAC-SHA1) signature checking, as X does it (RFC 5849).

The signature base string covers the method, the base URL and every query
and ``application/x-www-form-urlencoded`` body parameter plus the ``oauth_*``
header parameters. A client that signs before its URL is rewritten to the
sandbox (tweepy behind a redirecting transport adapter) has signed the
public host, so the base URL is accepted as the sandbox's own URL or as
``https://api.x.com`` / ``https://api.twitter.com`` with the same path.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import threading
import time
from collections.abc import Callable
from urllib.parse import quote, unquote

from costanza.demo.sandbox.messages import Request

PUBLIC_HOSTS = ("https://api.x.com", "https://api.twitter.com", "https://upload.twitter.com")
TIMESTAMP_WINDOW_SECS = 15 * 60

_nonces: dict[tuple[str, str], float] = {}
_nonce_lock = threading.Lock()


class OAuthError(Exception):
    """The request is not properly signed."""


def _enc(value: str) -> str:
    return quote(value, safe="~-._")


def parse_header(header: str) -> dict[str, str]:
    if not header.lower().startswith("oauth "):
        raise OAuthError("not an OAuth header")
    params = {}
    for key, value in re.findall(r'([A-Za-z0-9_\-.]+)="([^"]*)"', header[6:]):
        params[unquote(key)] = unquote(value)
    return params


def signature(method: str, base_url: str, params: list[tuple[str, str]],
              consumer_secret: str, token_secret: str) -> str:
    pairs = sorted((_enc(k), _enc(v)) for k, v in params)
    normalized = "&".join(f"{k}={v}" for k, v in pairs)
    base = "&".join((method.upper(), _enc(base_url), _enc(normalized)))
    key = f"{_enc(consumer_secret)}&{_enc(token_secret)}".encode()
    digest = hmac.new(key, base.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def verify(request: Request, consumer_secret_for: Callable[[str], str | None],
           token_secret_for: Callable[[str, str], str | None], *,
           require_token: bool = True) -> dict[str, str]:
    """Check the request's OAuth 1.0a header; return its oauth_* parameters.

    ``consumer_secret_for(key)`` and ``token_secret_for(consumer_key, token)``
    return the secrets, or None when unknown. Without ``require_token`` (the
    request-token step) a request signed with the consumer alone is accepted.
    """
    oauth = parse_header(request.headers.get("Authorization") or "")
    needed = ["oauth_consumer_key", "oauth_signature", "oauth_signature_method",
              "oauth_timestamp", "oauth_nonce"]
    if require_token:
        needed.append("oauth_token")
    for name in needed:
        if name not in oauth:
            raise OAuthError(f"missing {name}")
    if oauth["oauth_signature_method"] != "HMAC-SHA1":
        raise OAuthError("unsupported signature method")
    if oauth.get("oauth_version", "1.0") != "1.0":
        raise OAuthError("unsupported OAuth version")
    try:
        stamp = int(oauth["oauth_timestamp"])
    except ValueError as exc:
        raise OAuthError("bad timestamp") from exc
    if abs(time.time() - stamp) > TIMESTAMP_WINDOW_SECS:
        raise OAuthError("timestamp out of bounds")
    consumer_secret = consumer_secret_for(oauth["oauth_consumer_key"])
    token_secret: str | None = ""
    if "oauth_token" in oauth:
        token_secret = token_secret_for(oauth["oauth_consumer_key"], oauth["oauth_token"])
    if consumer_secret is None or token_secret is None:
        raise OAuthError("unknown consumer key or token")
    params = [(k, v) for k, v in oauth.items() if k not in ("oauth_signature", "realm")]
    params += request.query_pairs + request.form_pairs
    candidates = [request.base_url.rstrip("/") + request.path]
    candidates += [host + request.path for host in PUBLIC_HOSTS]
    given = oauth["oauth_signature"]
    if not any(hmac.compare_digest(given, signature(request.method, url, params,
                                                   consumer_secret, token_secret))
               for url in candidates):
        raise OAuthError("signature mismatch")
    _check_nonce(oauth["oauth_consumer_key"], oauth["oauth_nonce"])
    return oauth


def _check_nonce(consumer_key: str, nonce: str) -> None:
    now = time.time()
    with _nonce_lock:
        if len(_nonces) > 50_000:
            for key, seen in list(_nonces.items()):
                if now - seen > TIMESTAMP_WINDOW_SECS:
                    del _nonces[key]
        if (consumer_key, nonce) in _nonces:
            raise OAuthError("nonce already used")
        _nonces[(consumer_key, nonce)] = now
