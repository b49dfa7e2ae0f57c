"""`costanza init`."""

from __future__ import annotations

import sys

import click

from costanza.cli.main import Context
from costanza.cli.params import SLOTS, ZONE

ZONE_SOURCES = {"computer": "from this computer", "asked": "as you typed it"}


def at_terminal() -> bool:
    """Whether a person can answer a question (not a script, a CI job or a pipe)."""
    return sys.stdin.isatty()


def ask_zone(found: str | None) -> str:
    """Ask for the time zone until it is one Costanza knows."""
    from config.errors import InputError
    from scheduler.planning.cadence import parse_timezone

    def check(text: str) -> str:
        try:
            return parse_timezone(text).key
        except InputError as exc:
            raise click.UsageError(exc.message) from None

    what = ("This computer's clock is set to UTC, which is rarely where you live"
            if found else "Costanza could not tell this computer's time zone")
    click.echo(f"{what}. Your slots are planned in your own time zone.")
    return str(click.prompt("Your time zone (for example Europe/Rome)", value_proc=check))


@click.command()
@click.option("--timezone", "timezone", type=ZONE, metavar="ZONE",
              help="Your time zone, e.g. Europe/Rome (default: this computer's).")
@click.option("--slots", type=SLOTS, metavar="SLOTS",
              help='Weekly slots, e.g. "mon 09:30, wed 18:00, fri 12:00" (this is the default).')
@click.option("--force", is_flag=True,
              help="Write a fresh settings file over an existing one (your queue is kept).")
@click.pass_obj
def init(obj: Context, timezone: str | None, slots: str | None, force: bool) -> None:
    """Set Costanza up: a commented settings file, the database and your profile.

    Example:

    \b
        costanza init --timezone Europe/Rome --slots "mon 09:30, wed 18:00, fri 12:00"
    """
    from costanza.services.setup import initialise

    result = initialise(obj.app, timezone=timezone, slots=slots, force=force,
                        ask_zone=ask_zone if at_terminal() else None)
    click.echo(f"Costanza is set up. Settings: {result.config_file}")
    if result.zone_source in ZONE_SOURCES:
        click.echo(f"Time zone: {result.timezone} ({ZONE_SOURCES[result.zone_source]}); "
                   f"change it with `costanza cadence set \"{result.slots}\" "
                   "--timezone ZONE`.")
    click.echo(f"Your weekly slots ({result.timezone}): {result.slots}")
    click.echo("Next: connect an account with `costanza account add facebook ...`, "
               "then queue a story with `costanza post add \"...\" --photo FILE`.")
