"""`costanza daemon` and `costanza status`."""

from __future__ import annotations

import logging
import signal
import sys
from typing import Any

import click

from config.settings import MAX_CONCURRENCY
from costanza.cli.main import Context
from costanza.cli.output import echo_json, json_option
from costanza.cli.params import Bounded


@click.command()
@click.option("--concurrency", type=Bounded(1, MAX_CONCURRENCY, "4"), default=4, show_default=True,
              help="How many posts may be sent at the same time.")
@click.option("--once", is_flag=True,
              help="Publish what is due now (and what `costanza post now` asked for), "
                   "then stop, instead of running at every slot.")
@click.pass_obj
def daemon(obj: Context, concurrency: int, once: bool) -> None:
    """Run the publisher in the foreground (systemd runs it as a service).

    Ctrl-C or SIGTERM lets what is being published finish, then stops;
    a second Ctrl-C stops at once. With --once it stops by itself as soon as
    nothing more is due.

    Example:

    \b
        costanza daemon
        costanza daemon --once
    """
    from costanza.logsetup import setup_logging
    from costanza.services.posts import profile_zone
    from scheduler.daemon import Daemon

    setup_logging(obj.app.settings.log_format, verbose=obj.verbose, tz=profile_zone(obj.app))
    logging.getLogger("costanza").info("Costanza daemon starting (Ctrl-C stops it)")
    runner = Daemon(obj.app, concurrency=concurrency)
    runner.run(once=once)
    if runner.stopped_by == signal.SIGINT:
        sys.stdout.flush()
        sys.exit(130)  # stopped by Ctrl-C, cleanly: the shell's convention (128 + SIGINT)
    if once:
        click.echo("Nothing more is due now, so the daemon stopped. `costanza log` shows what "
                   "went out.")
        waiting = runner.waiting_retries()
        if waiting:
            click.echo(f"{waiting} {'post waits' if waiting == 1 else 'posts wait'} to be "
                       "tried again later: run `costanza daemon` (or `--once` again later).")
    sys.stdout.flush()


@click.command()
@json_option
@click.pass_obj
def status(obj: Context, as_json: bool) -> None:
    """Is the daemon running? What goes out next, how long the queue lasts, accounts.

    Example:

    \b
        costanza status
    """
    from costanza.services.schedule import status as get_status

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
    from costanza.services.checking import checking_line

    for item in data["checking"]:
        click.echo(checking_line(item))
    for a in data["accounts"]:
        health = "ok" if a["health"] == "ok" else f"on hold: {a['reason']}"
        click.echo(f"Account {a['name']} ({a['network']}): {health}")
    _media_line(data["media_store"])


def _media_line(media: dict[str, Any]) -> None:
    from posts.media.retention import size_label

    click.echo(f"Media store: {size_label(media['originals_bytes'])} of originals, "
               f"{size_label(media['converted_bytes'])} of converted copies.")
    if media["due_count"]:
        click.echo(f"{media['due_count']} originals no post needs any more "
                   f"({size_label(media['due_bytes'])}) will be removed, the first on "
                   f"{media['due_local']}.")
