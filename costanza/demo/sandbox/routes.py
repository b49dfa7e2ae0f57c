"""What a request resolved to: which network, which endpoint, which handler."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from costanza.demo.sandbox.faults import FaultBook
from costanza.demo.sandbox.messages import Reply, Request
from costanza.demo.sandbox.state import SandboxState


class Sandbox(Protocol):
    """What a route's handler may use of the sandbox (``app.Sandbox`` is the one): the
    route modules import this, never the app that imports them."""

    state: SandboxState
    faults: FaultBook

    def fetch(self, url: str) -> tuple[bytes, str]: ...

    def requests_log(self) -> list[dict[str, Any]]: ...


Handler = Callable[[Sandbox, Request], Reply]


@dataclass
class Route:
    network: str | None  # "x", "facebook", "instagram"; None for the control API and page
    endpoint: str  # a short name faults can match on ("tweets", "feed", ...)
    handler: Handler
    args: dict[str, Any] = field(default_factory=dict)  # path parameters
