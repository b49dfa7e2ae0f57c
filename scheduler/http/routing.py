"""Where platform traffic goes, and keeping secrets out of it.

``[networks] base_url`` (or ``COSTANZA_PLATFORM_URL``) sends every call meant
for a platform host to one base URL, keeping the path: the sandbox, a test
double or a proxy can then stand in for all three networks. ``RoutingSession``
does the rewriting for every library that accepts a ``requests.Session``
(tweepy's ``Client.session``, facebook-sdk's ``GraphAPI(session=...)``, our
own upload code).

Secret hygiene, enforced here for everything that goes through the session:
an ``access_token`` never travels in a URL query string (it is moved into the
``Authorization: OAuth ...`` header), and ``redact()`` scrubs tokens out of
any text we show or log (see ``hygiene``).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests

from scheduler.http.hygiene import QuietAdapter, install_log_filters, redact

PLATFORM_HOSTS: frozenset[str] = frozenset({
    "graph.facebook.com",
    "graph.instagram.com",
    "graph-video.facebook.com",
    "rupload.facebook.com",
    "api.x.com",
    "api.twitter.com",
    "upload.twitter.com",
    "upload.x.com",
})

ENV_BASE_URL = "COSTANZA_PLATFORM_URL"

# Hosts whose paths could be mistaken for another host's once routed to one base URL: they
# keep a path prefix there (``graph.instagram.com/v26.0/me`` -> ``BASE/ig-graph/v26.0/me``).
HOST_PREFIXES: dict[str, str] = {"graph.instagram.com": "/ig-graph"}

_TOKEN_PARAMS = {"access_token", "input_token"}
# Connections kept open per host for all sessions of the process: one per publishing thread
# of a busy daemon, so that a post does not open (and the network accept) a new one. Only
# connections in use are ever opened; the bound is the daemon's largest sensible
# --concurrency (beyond it, extra connections are closed after use).
SHARED_CONNECTIONS = 256


class _SharedAdapter(QuietAdapter):
    """The process's one pool of keep-alive connections, mounted in every session: a
    session is made per post and account, and closing it leaves the pool open. Only
    connections are shared, never cookies or credentials (those stay in each session
    and each request)."""

    def close(self) -> None:
        pass


_shared: _SharedAdapter | None = None
_shared_lock = threading.Lock()


def shared_adapter() -> QuietAdapter:
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = _SharedAdapter(pool_connections=8, pool_maxsize=SHARED_CONNECTIONS)
        return _shared


# What requests reads from the environment for a request (proxies, NO_PROXY, a CA
# bundle), by scheme, host and the request's own settings: requests walks os.environ for
# every request, a tenth of a millisecond of a daemon's time, and a daemon's environment
# does not change while it runs. Few hosts are ever called; the bound is a safety net.
_ENVIRONMENT: dict[tuple[Any, ...], dict[str, Any]] = {}
_ENVIRONMENT_HOSTS = 256


def forget_environment() -> None:
    """Read proxies and the CA bundle from the environment again (tests change them)."""
    _ENVIRONMENT.clear()


def base_url_from_env(configured: str | None = None) -> str | None:
    """The base URL to route to: the environment variable wins over the setting."""
    return os.environ.get(ENV_BASE_URL) or configured or None


def rewrite_url(url: str, base_url: str | None) -> str:
    """Send ``url`` to ``base_url`` when it points at a platform host, keeping path and query.

    >>> rewrite_url("https://graph.facebook.com/v26.0/me", "http://127.0.0.1:8787")
    'http://127.0.0.1:8787/v26.0/me'
    >>> rewrite_url("https://graph.instagram.com/v26.0/me", "http://127.0.0.1:8787")
    'http://127.0.0.1:8787/ig-graph/v26.0/me'
    """
    if not base_url:
        return url
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host not in PLATFORM_HOSTS:
        return url
    base = urlsplit(base_url)
    prefix = base.path.rstrip("/") + HOST_PREFIXES.get(host, "")
    return urlunsplit((base.scheme, base.netloc, prefix + parts.path, parts.query, parts.fragment))


def _strip_token_from_query(url: str) -> tuple[str, str | None]:
    """Remove an access token from a URL's query string; return (url, token)."""
    parts = urlsplit(url)
    if not parts.query:
        return url, None
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    token = None
    kept = []
    for key, value in pairs:
        if key in _TOKEN_PARAMS:
            token = token or value
        else:
            kept.append((key, value))
    if token is None:
        return url, None
    return urlunsplit(parts._replace(query=urlencode(kept))), token


class RoutingSession(requests.Session):
    """A ``requests.Session`` that routes platform hosts and never puts tokens in URLs.

    - every URL on a platform host is rewritten to ``base_url`` (when given);
    - ``timeout`` is applied to calls that do not set their own (tweepy sets none);
    - an ``access_token`` found in ``params`` or in the URL's query is moved into
      an ``Authorization: OAuth ...`` header;
    - the last response seen by the current thread is kept in ``last_response``,
      so callers whose library drops headers (facebook-sdk) can still read them;
    - ``before_write`` (when given) is called before every request that is not a
      read, and may refuse it by raising.
    """

    def __init__(self, base_url: str | None = None, timeout: float | None = 30.0,
                 before_write: Callable[[], None] | None = None) -> None:
        super().__init__()
        self.base_url = base_url
        self.timeout = timeout
        self.before_write = before_write
        self._local = threading.local()
        self.hooks["response"].append(self._remember)
        self.mount("https://", shared_adapter())
        self.mount("http://", shared_adapter())
        install_log_filters()

    @property
    def last_response(self) -> requests.Response | None:
        return getattr(self._local, "response", None)

    def forget_last_response(self) -> None:
        self._local.response = None

    def _remember(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        self._local.response = response

    def merge_environment_settings(self, url: str | bytes | None, proxies: Any, stream: Any,
                                   verify: Any, cert: Any) -> dict[str, Any]:
        """requests' own answer, read from the environment once per host (see
        ``_ENVIRONMENT``); a call with its own proxies is left to requests."""
        if proxies or self.proxies or not isinstance(url, str):
            return super().merge_environment_settings(url, proxies, stream, verify, cert)
        parts = urlsplit(url)
        key = (parts.scheme, parts.netloc, stream, verify, cert, self.trust_env, self.stream,
               self.verify, self.cert)
        try:
            found = _ENVIRONMENT.get(key)
        except TypeError:  # a setting that cannot be a key (a list): nothing kept
            return super().merge_environment_settings(url, proxies, stream, verify, cert)
        if found is None:
            found = super().merge_environment_settings(url, proxies, stream, verify, cert)
            if len(_ENVIRONMENT) < _ENVIRONMENT_HOSTS:
                _ENVIRONMENT[key] = found
        return {**found, "proxies": dict(found["proxies"])}

    def request(self, method: str | bytes, url: str | bytes, *args: Any,  # type: ignore[override]
                **kwargs: Any) -> requests.Response:
        verb = method.decode() if isinstance(method, bytes) else method
        if self.before_write is not None and verb.upper() not in ("GET", "HEAD", "OPTIONS"):
            self.before_write()
        url = url.decode() if isinstance(url, bytes) else url
        url, token = _strip_token_from_query(url)
        params = kwargs.get("params")
        if isinstance(params, dict) and any(k in params for k in _TOKEN_PARAMS):
            params = dict(params)
            for key in _TOKEN_PARAMS:
                value = params.pop(key, None)
                token = token or value
            kwargs["params"] = params
        if token:
            headers = dict(kwargs.get("headers") or {})
            headers.setdefault("Authorization", f"OAuth {token}")
            kwargs["headers"] = headers
        if kwargs.get("timeout") is None and not (len(args) >= 7 and args[6] is not None):
            kwargs["timeout"] = self.timeout
        self.forget_last_response()
        return super().request(method, rewrite_url(url, self.base_url), *args, **kwargs)


__all__ = ["HOST_PREFIXES", "PLATFORM_HOSTS", "RoutingSession", "base_url_from_env",
           "forget_environment", "redact", "rewrite_url"]
