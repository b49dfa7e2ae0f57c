"""Small printing helpers shared by the commands."""

from __future__ import annotations

import functools
import json
from typing import Any

import click

from config import i18n
from config.i18n import N_


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def json_option(func: Any) -> Any:
    """``--json``; with it, the whole command runs `i18n.machine_readable`, so that the
    words inside its data (states, summaries, time labels) are English in every language.
    Messages to the person (errors, warnings on stderr) are still translated."""

    @functools.wraps(func)
    def run(*args: Any, **kwargs: Any) -> Any:
        if kwargs.get("as_json"):
            with i18n.machine_readable():
                return func(*args, **kwargs)
        return func(*args, **kwargs)

    return click.option("--json", "as_json", is_flag=True,
                        help=N_("Print JSON (a stable shape, documented in the README)."))(run)


# The states of posts and deliveries, in words for people (the codes stay in JSON).
_STATES = {
    "queued": N_("queued"), "dispatched": N_("sent to the networks"), "removed": N_("removed"),
    "claimed": N_("being sent"), "publishing": N_("being published"),
    "published": N_("published"), "retry_wait": N_("waiting to retry"), "failed": N_("failed"),
    "unknown": N_("not yet known"), "needs_review": N_("needs review"), "held": N_("on hold"),
    "cancelled": N_("cancelled"),
}


def state_words(code: str) -> str:
    """A post's or a delivery's state as the person reads it: the code itself in English
    (as Costanza always printed it), words in another language."""
    if i18n.language() == i18n.SOURCE_LANGUAGE or code not in _STATES:
        return code
    return i18n.gettext(_STATES[code])
