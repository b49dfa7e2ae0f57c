"""The X API's rate limits in the sandbox: one counter a window in ``state["counters"]``
(``{"start", "count"}``), started again once its length has passed, and the headers X
sends with what is left (``x-rate-limit-*`` for 15 minutes, ``x-user-limit-24hour-*``
for a day)."""

from __future__ import annotations

from typing import Any

from costanza.demo.sandbox.state import SandboxState

WINDOW_SECS = 15 * 60
DAY_SECS = 24 * 3600
WINDOW_HEADERS = "x-rate-limit"
DAY_HEADERS = "x-user-limit-24hour"


def window(state: SandboxState, key: str, length: int,
           now: float) -> tuple[dict[str, Any], int]:
    """The counter of ``key``'s window at ``now`` (a new one when the last has run out)
    and when it resets (sandbox time, whole seconds)."""
    counter = state["counters"].get(key)
    if not counter or now >= counter["start"] + length:
        counter = state["counters"][key] = {"start": now, "count": 0}
    return counter, int(counter["start"] + length)


def limit_headers(prefix: str, limit: int, remaining: int, reset: int) -> dict[str, str]:
    """``{prefix}-limit``, ``{prefix}-remaining`` and ``{prefix}-reset``."""
    return {f"{prefix}-limit": str(limit), f"{prefix}-remaining": str(remaining),
            f"{prefix}-reset": str(reset)}
