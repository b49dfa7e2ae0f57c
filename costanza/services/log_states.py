"""The delivery states in the words of the publish log.

What each state is called (``STATUS_WORDS``), its colour, which states need the
artisan's attention, and the command that settles a delivery in a given state.
Shared by the log (``costanza.services.log``) and retry (``costanza.services.retry``).
"""

from __future__ import annotations

from config.i18n import L_, N_
from scheduler.x_costs import BUDGET_CODE

ATTENTION = ("failed", "needs_review", "held")
STATUS_WORDS = {
    "queued": N_("queued"),
    "claimed": N_("sending"),
    "publishing": N_("sending"),
    "published": N_("published"),
    "retry_wait": N_("will retry"),
    "failed": N_("failed"),
    "unknown": N_("checking"),
    "needs_review": N_("needs review"),
    "held": N_("on hold"),
    "cancelled": N_("cancelled"),
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


def status_word(state: str) -> str:
    """A state in plain words, as the text log shows it (English in JSON)."""
    word = STATUS_WORDS.get(state)
    return L_(word) if word is not None else state




def fix_for(state: str, delivery_id: int, network: str, account_id: int | None,
            error_code: str | None = None) -> str | None:
    """The command that settles a delivery in this state, or None when nothing is to do
    (``error_code``: its last try's; a delivery held by the X budget is settled by the
    budget, which `costanza costs` shows)."""
    if state in ("failed", "needs_review", "cancelled"):
        return f"costanza retry {delivery_id}"
    if state == "held" and error_code == BUDGET_CODE:
        return "costanza costs"
    if state == "held":
        if account_id is None:
            return f"costanza account add {network} ..."
        return "costanza account check"
    return None
