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
