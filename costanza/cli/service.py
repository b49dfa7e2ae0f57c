"""`costanza service install`: run the daemon as a systemd service."""

from __future__ import annotations

import sys

import click

from config.i18n import N_, _
from costanza.cli.main import Context


@click.group(help=N_(
    """Run Costanza's daemon as a service that starts with the computer.

    Example:

    \b
        costanza service install --print
    """))
def service() -> None:
    """`service`: its help is on the decorator."""


@service.command("install", help=N_(
    """Write a systemd unit for this installation: the real path of this
    `costanza`, your settings and data folders, your user, and your secrets
    handed over as a credential.

    Example:

    \b
        costanza service install --user
        costanza service install --print
    """))
@click.option("--user", "user_unit", is_flag=True,
              help=N_("Install for your own user (systemctl --user), no sudo needed."))
@click.option("--print", "print_only", is_flag=True,
              help=N_("Only print the unit; write nothing."))
@click.pass_obj
def install(obj: Context, user_unit: bool, print_only: bool) -> None:
    # Its help is on the decorator.
    from costanza.services import service as service_unit

    unit = service_unit.build_unit(obj.app, user_unit=user_unit,
                                   command=service_unit.executable(sys.argv[0]),
                                   config_given=obj.config)
    if print_only:
        click.echo(unit.text, nl=False)
        return
    service_unit.install(unit)
    click.echo(_("Wrote {path}. To start it now and at every boot:").format(path=unit.path))
    for line in service_unit.next_steps(unit):
        click.echo(f"  {line}")
