"""What a request resolved to: which network, which endpoint, which handler."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from costanza.demo.sandbox.messages import Reply, Request

if TYPE_CHECKING:
    from costanza.demo.sandbox.app import Sandbox

Handler = Callable[["Sandbox", Request], Reply]


@dataclass
class Route:
    network: str | None  # "x", "facebook", "instagram"; None for the control API and page
    endpoint: str  # a short name faults can match on ("tweets", "feed", ...)
    handler: Handler
    args: dict[str, Any] = field(default_factory=dict)  # path parameters
