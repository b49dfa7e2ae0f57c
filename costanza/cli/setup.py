"""`costanza init`."""

from __future__ import annotations

import click

from costanza.cli.main import Context
from costanza.cli.params import SLOTS, ZONE


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

        costanza init --timezone Europe/Rome --slots "mon 09:30, wed 18:00, fri 12:00"
    """
    from costanza.setup import initialise

    result = initialise(obj.app, timezone=timezone, slots=slots, force=force)
    click.echo(f"Costanza is set up. Settings: {result.config_file}")
    click.echo(f"Your weekly slots ({result.timezone}): {result.slots}")
    click.echo("Next: connect an account with `costanza account add facebook ...`, "
               "then queue a story with `costanza post add \"...\" --photo FILE`.")
