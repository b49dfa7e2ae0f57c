"""The sandbox as an application: route a request, apply faults, call the handler.

Independent of the HTTP plumbing (``server.py``): ``Sandbox.handle`` takes a
parsed ``Request`` and returns an ``Outcome`` (a reply, or an instruction to
drop or hold the connection).
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from costanza.demo.sandbox import (
    comments,
    control_api,
    fb_cdn,
    graph_api,
    graph_errors,
    ig_login,
    page,
    uploads,
    x_api,
    x_errors,
)
from costanza.demo.sandbox.accounts import expire_tokens, token_info
from costanza.demo.sandbox.faults import Fault, FaultBook
from costanza.demo.sandbox.fetch import fetch
from costanza.demo.sandbox.messages import ApiError, Reply, Request
from costanza.demo.sandbox.oauth1 import OAuthError, parse_header
from costanza.demo.sandbox.routes import Route
from costanza.demo.sandbox.state import SandboxState

X_PREFIXES = ("/2/", "/1.1/", "/oauth/", "/oauth2/")
# Per-user 15-minute limits X documents for the endpoints Costanza reads (informational).
X_READ_LIMITS = {"users_me": 75, "user_tweets": 900, "tweet": 900, "media_upload": 500,
                 "media_status": 500, "media_metadata": 500}


@dataclass
class Outcome:
    reply: Reply | None = None
    drop: bool = False
    hold_secs: float = 0.0


class Sandbox:
    def __init__(self, data_dir: Path | None = None, latency_ms: int = 0) -> None:
        self.state = SandboxState(data_dir)
        self.state.settings["latency_ms"] = int(latency_ms)
        self.faults = FaultBook()
        self.stopping = threading.Event()
        self.log: deque[dict[str, Any]] = deque(maxlen=1000)
        self._log_lock = threading.Lock()
        self._usage = [0, 0]  # [hour, Graph calls in that hour]
        self._x_windows: dict[tuple[str, str], tuple[float, int]] = {}

    # -- routing ----------------------------------------------------------

    def resolve(self, request: Request) -> Route | None:
        path = request.path
        if path == "/" or path.startswith("/_sandbox"):
            return (control_api.resolve(request) or comments.resolve(request)
                    or fb_cdn.resolve(request)
                    or page.resolve(request))
        if path.startswith(X_PREFIXES):
            return x_api.resolve(request)
        if path.startswith("/ig-api-upload/"):
            return uploads.resolve(request)
        if path == ig_login.PREFIX or path.startswith(ig_login.PREFIX + "/"):
            return ig_login.resolve(self, request)
        return graph_api.resolve(self, request)

    def not_found(self, request: Request) -> Reply:
        if request.path.startswith(X_PREFIXES):
            return Reply(404, {"errors": [{"message": "Sorry, that page does not exist",
                                           "code": 34}]})
        if request.path.startswith("/_sandbox"):
            return Reply(404, {"error": "no such sandbox endpoint"})
        return graph_errors.unknown_path(request).reply

    # -- handling ---------------------------------------------------------

    def handle(self, request: Request) -> Outcome:
        started = time.monotonic()
        route = self.resolve(request)
        network = route.network if route else None
        if network is not None or route is None:
            self.wait(self.state.settings.get("latency_ms", 0) / 1000)
        fault = None
        if route is not None and network is not None:
            fault = self.faults.take(network, route.endpoint, request.method, request.path)
        outcome = self._run(request, route, fault)
        self._record(request, route, outcome, fault, time.monotonic() - started)
        return outcome

    def _run(self, request: Request, route: Route | None, fault: Fault | None) -> Outcome:
        if route is None:
            return Outcome(self.not_found(request))
        network = route.network or ""
        if fault:
            if fault.expire_token:
                self._expire_credential(network, request)
            if fault.latency_ms:
                self.wait(fault.latency_ms / 1000)
            if fault.commit_delay_secs:
                request.received_at = self.state.now()
                self.wait(fault.commit_delay_secs)
                return self._held(request, route, fault)
            if fault.timeout and not fault.after_effect:
                return Outcome(drop=True, hold_secs=fault.hold_secs)
            if not fault.after_effect:
                if fault.drop:
                    return Outcome(drop=True)
                if fault.rate_limit_reset is not None:
                    return Outcome(self._rate_limited(network, fault, request))
                if fault.status is not None:
                    return Outcome(self._fault_reply(network, fault))
        request.args = route.args
        try:
            with self.state.lock:  # handlers read and change shared state
                reply = route.handler(self, request)
        except ApiError as exc:
            reply = exc.reply
        if fault and fault.after_effect:
            if fault.timeout:
                return Outcome(drop=True, hold_secs=fault.hold_secs)
            if fault.drop:
                return Outcome(drop=True)
            if fault.rate_limit_reset is not None:
                return Outcome(self._rate_limited(network, fault, request))
            return Outcome(self._fault_reply(network, fault, default_status=500))
        if network in ("facebook", "instagram"):
            self._add_usage(reply, route)
        elif network == "x":
            self._add_x_limits(request, route, reply)
        return Outcome(reply)

    def _held(self, request: Request, route: Route, fault: Fault) -> Outcome:
        """A request held before it takes effect (``commit_delay_secs``), taking it now."""
        request.args = route.args
        try:
            with self.state.lock:
                reply = route.handler(self, request)
        except ApiError as exc:
            reply = exc.reply
        return Outcome(drop=True) if fault.drop else Outcome(reply)

    def _add_x_limits(self, request: Request, route: Route, reply: Reply) -> None:
        """``x-rate-limit-*`` on every X reply (POST /2/tweets counts and enforces its own)."""
        limit = X_READ_LIMITS.get(route.endpoint)
        if limit is None or "x-rate-limit-limit" in reply.headers or reply.status == 401:
            return
        key = (route.endpoint, credential_of(request) or "")
        now = time.time()
        with self._log_lock:
            start, count = self._x_windows.get(key, (now, 0))
            if now >= start + 900:
                start, count = now, 0
            count += 1
            self._x_windows[key] = (start, count)
        reply.headers.update({"x-rate-limit-limit": str(limit),
                              "x-rate-limit-remaining": str(max(0, limit - count)),
                              "x-rate-limit-reset": str(int(start + 900))})

    def _add_usage(self, reply: Reply, route: Route) -> None:
        """``X-App-Usage`` (and, for a Page, ``X-Business-Use-Case-Usage``): percentages
        of the hourly call budget, as Graph sends them."""
        hour = int(time.time() // 3600)
        with self._log_lock:
            if self._usage[0] != hour:
                self._usage = [hour, 0]
            self._usage[1] += 1
            calls = self._usage[1]
        budget = max(1, int(self.state.settings.get("graph_calls_per_hour", 4800)))
        percent = min(100, calls * 100 // budget)
        usage = {"call_count": percent, "total_cputime": percent // 2, "total_time": percent}
        reply.headers.setdefault("X-App-Usage", json.dumps(usage))
        node = route.args.get("node") or {}
        if node.get("kind") == "page":
            page = {route.args["id"]: [{"type": "pages", **usage,
                                        "estimated_time_to_regain_access": 0}]}
            reply.headers.setdefault("X-Business-Use-Case-Usage", json.dumps(page))

    def _fault_reply(self, network: str, fault: Fault, default_status: int = 500) -> Reply:
        status = fault.status or default_status
        body = fault.body
        if body is None:
            if network == "x":
                body = x_errors.default_body(status)
            else:
                body = graph_errors.default_body(status)
        content_type = "application/json; charset=utf-8"
        if isinstance(body, str):
            content_type = "text/plain; charset=utf-8"
        elif network == "x" and isinstance(body, dict) and "title" in body:
            content_type = x_errors.PROBLEM
        return Reply(status, body, dict(fault.headers), content_type)

    def _rate_limited(self, network: str, fault: Fault, request: Request) -> Reply:
        reset = float(fault.rate_limit_reset or 0)
        if reset < 10**9:  # seconds from now
            reset = time.time() + reset
        if network == "x":
            reply = x_errors.too_many_requests(reset).reply
            reply.headers.update(fault.headers)
            return reply
        minutes = max(1, int((reset - time.time() + 59) // 60))
        reply = graph_errors.rate_limited(fault.rate_limit_code, minutes,
                                          request.path).reply
        reply.headers.update(fault.headers)
        return reply

    def _expire_credential(self, network: str, request: Request) -> None:
        token = credential_of(request)
        if token and token_info(self.state, token):
            expire_tokens(self.state, network, token=token)

    # -- helpers ----------------------------------------------------------

    def fetch(self, url: str) -> tuple[bytes, str]:
        """Download media as Meta's servers do, without blocking other requests."""
        with self.unlocked():
            return fetch(url, float(self.state.settings["fetch_timeout_secs"]))

    @contextmanager
    def unlocked(self) -> Iterator[None]:
        """Let other requests run while a handler waits (fetching a URL, maybe this server)."""
        self.state.lock.release()
        try:
            yield
        finally:
            self.state.lock.acquire()

    def wait(self, seconds: float) -> None:
        if seconds > 0:
            self.stopping.wait(seconds)

    def _record(self, request: Request, route: Route | None, outcome: Outcome,
                fault: Fault | None, elapsed: float) -> None:
        if request.path.startswith("/_sandbox") or request.path == "/":
            return
        entry = {
            "time": time.time(),
            "method": request.method,
            "path": request.path,
            "network": route.network if route else None,
            "endpoint": route.endpoint if route else None,
            "status": outcome.reply.status if outcome.reply else None,
            "dropped": outcome.drop,
            "fault": fault.id if fault else None,
            "ms": round(elapsed * 1000, 1),
        }
        with self._log_lock:
            self.log.append(entry)

    def requests_log(self) -> list[dict[str, Any]]:
        with self._log_lock:
            return list(self.log)


def credential_of(request: Request) -> str | None:
    """The token a request authenticates with (for expiring it), never logged."""
    header = request.headers.get("Authorization") or ""
    if header.lower().startswith("oauth ") and "oauth_token=" in header:
        try:
            return parse_header(header).get("oauth_token")
        except OAuthError:
            return None
    if header.lower().startswith(("bearer ", "oauth ")):
        return header.split(None, 1)[1].strip()
    return request.param("access_token")
