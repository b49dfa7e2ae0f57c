"""`costanza check`: is everything ready for the week ahead?"""

from __future__ import annotations

import sys
from typing import Any

import click

from config.i18n import N_, _
from costanza.cli.main import Context
from costanza.cli.output import echo_json, json_option


@click.command(help=N_("""Is everything ready for the week ahead? Checks every account's
    token (and when it expires), its permissions, Instagram's daily publishing limit, the
    media host, the queue and the daemon.

    Each problem comes with what to do. The command ends with exit code 1 when
    something will stop a post in the next 7 days, 0 otherwise.

    Example:

    \b
        costanza check
        costanza check --json
    """))
@json_option
@click.pass_obj
def check(obj: Context, as_json: bool) -> None:
    from costanza.services.readiness import check as readiness

    data = readiness(obj.app)
    if as_json:
        echo_json(data)
    else:
        _print(data)
    sys.stdout.flush()
    if not data["ready"]:
        sys.exit(1)


def _print(data: dict[str, Any]) -> None:
    items = data["items"]
    blocking = [i for i in items if i["blocks_week"]]
    other = [i for i in items if i["severity"] != "ok" and not i["blocks_week"]]
    fine = [i for i in items if i["severity"] == "ok"]
    if blocking:
        click.echo(_("These will stop posts in the next 7 days:"))
        _lines(blocking)
    if other:
        click.echo(_("To look at:"))
        _lines(other)
    if fine:
        click.echo(_("Fine:"))
        for item in fine:
            click.echo(f"  - {item['sentence']}")
    if not blocking and not other:
        click.echo(_("All set for the week ahead."))
    elif not blocking:
        click.echo(_("Nothing stops a post in the next 7 days."))


def _lines(items: list[dict[str, Any]]) -> None:
    for item in items:
        click.echo(f"  - {item['sentence']}")
        if item["fix"]:
            click.echo("    " + _("What to do: {fix}").format(fix=item["fix"]))
