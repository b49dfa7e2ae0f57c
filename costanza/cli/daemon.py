"""`costanza daemon` and `costanza status`."""

from __future__ import annotations

import logging
import sys

import click

from config.settings import MAX_CONCURRENCY
from costanza.cli.main import Context
from costanza.cli.output import echo_json, json_option
from costanza.cli.params import Bounded


@click.command()
@click.option("--concurrency", type=Bounded(1, MAX_CONCURRENCY, "4"), default=4, show_default=True,
              help="How many posts may be sent at the same time.")
@click.pass_obj
def daemon(obj: Context, concurrency: int) -> None:
    """Run the publisher in the foreground (systemd runs it as a service).

    Ctrl-C or SIGTERM lets what is being published finish, then stops;
    a second Ctrl-C stops at once.

    Example:

        costanza daemon
    """
    from costanza.logsetup import setup_logging
    from scheduler.daemon import Daemon

    setup_logging(obj.app.settings.log_format, verbose=obj.verbose)
    logging.getLogger("costanza").info("Costanza daemon starting (Ctrl-C stops it)")
    Daemon(obj.app, concurrency=concurrency).run()
    sys.stdout.flush()


@click.command()
@json_option
@click.pass_obj
def status(obj: Context, as_json: bool) -> None:
    """Is the daemon running? What goes out next, how long the queue lasts, accounts.

    Example:

        costanza status
    """
    from costanza.schedule_service import status as get_status

    data = get_status(obj.app)
    if as_json:
        echo_json(data)
        return
    if data["daemons"]:
        for d in data["daemons"]:
            click.echo(f"Daemon running: process {d['pid']} on {d['host']}, last heartbeat "
                       f"{d['seconds_since_heartbeat']:.0f} s ago, holding {d['holds']}.")
    else:
        click.echo("The daemon is NOT running: nothing will be published. Start it with "
                   "`costanza daemon` (or `systemctl start costanza`).")
    nxt = data["next"]
    click.echo(f"Next post: {nxt['local']} (post {nxt['post_id']})" if nxt
               else "Next post: none queued.")
    click.echo(data["runway"])
    last = data["last_published"]
    if last:
        click.echo(f"Last published: {last['local']} on {last['network']} "
                   f"{last['permalink'] or ''}")
    for a in data["accounts"]:
        health = "ok" if a["health"] == "ok" else f"on hold: {a['reason']}"
        click.echo(f"Account {a['name']} ({a['network']}): {health}")
