"""The delivery states in the words of the publish log.

What each state is called (``STATUS_WORDS``), its colour, which states need the
artisan's attention, and the command that settles a delivery in a given state.
Shared by the log (``costanza.services.log``) and retry (``costanza.services.retry``).
"""

from __future__ import annotations

ATTENTION = ("failed", "needs_review", "held")
STATUS_WORDS = {
    "queued": "queued",
    "claimed": "sending",
    "publishing": "sending",
    "published": "published",
    "retry_wait": "will retry",
    "failed": "failed",
    "unknown": "checking",
    "needs_review": "needs review",
    "held": "on hold",
    "cancelled": "cancelled",
}
# Outcomes of tries (attempts table) -> the delivery state they lead to.
OUTCOME_STATES = {"retry": "retry_wait"}
STATUS_COLOURS = {
    "published": "green",
    "failed": "red",
    "needs_review": "yellow",
    "held": "yellow",
    "retry_wait": "cyan",
    "unknown": "cyan",
}


def fix_for(state: str, delivery_id: int, network: str, account_id: int | None) -> str | None:
    """The command that settles a delivery in this state, or None when nothing is to do."""
    if state in ("failed", "needs_review", "cancelled"):
        return f"costanza retry {delivery_id}"
    if state == "held":
        if account_id is None:
            return f"costanza account add {network} ..."
        return "costanza account check"
    return None
