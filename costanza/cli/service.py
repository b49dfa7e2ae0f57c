"""`costanza service install`: run the daemon as a systemd service."""

from __future__ import annotations

import sys

import click

from costanza.cli.main import Context


@click.group()
def service() -> None:
    """Run Costanza's daemon as a service that starts with the computer.

    Example:

    \b
        costanza service install --print
    """


@service.command("install")
@click.option("--user", "user_unit", is_flag=True,
              help="Install for your own user (systemctl --user), no sudo needed.")
@click.option("--print", "print_only", is_flag=True,
              help="Only print the unit; write nothing.")
@click.pass_obj
def install(obj: Context, user_unit: bool, print_only: bool) -> None:
    """Write a systemd unit for this installation: the real path of this
    `costanza`, your settings and data folders, your user, and your secrets
    handed over as a credential.

    Example:

    \b
        costanza service install --user
        costanza service install --print
    """
    from costanza.services import service as service_unit

    unit = service_unit.build_unit(obj.app, user_unit=user_unit,
                                   command=service_unit.executable(sys.argv[0]),
                                   config_given=obj.config)
    if print_only:
        click.echo(unit.text, nl=False)
        return
    service_unit.install(unit)
    click.echo(f"Wrote {unit.path}. To start it now and at every boot:")
    for line in service_unit.next_steps(unit):
        click.echo(f"  {line}")
