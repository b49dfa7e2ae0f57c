"""`costanza daemon` and `costanza status`."""

from __future__ import annotations

import logging
import signal
import sys
from typing import Any

import click

from config.i18n import N_, _, ngettext
from config.settings import MAX_CONCURRENCY
from costanza.cli.main import Context
from costanza.cli.output import echo_json, json_option
from costanza.cli.params import Bounded
from costanza.formatting import words_for


@click.command(help=N_("""Run the publisher in the foreground (systemd runs it as a service).

    Ctrl-C or SIGTERM lets what is being published finish, then stops;
    a second Ctrl-C stops at once. With --once it stops by itself as soon as
    nothing more is due.

    Example:

    \b
        costanza daemon
        costanza daemon --once
    """))
@click.option("--concurrency", type=Bounded(1, MAX_CONCURRENCY, "4"), default=4, show_default=True,
              help=N_("How many posts may be sent at the same time."))
@click.option("--once", is_flag=True,
              help=N_("Publish what is due now (and what `costanza post now` asked for), "
                      "then stop, instead of running at every slot."))
@click.pass_obj
def daemon(obj: Context, concurrency: int, once: bool) -> None:
    from costanza.logsetup import setup_logging
    from costanza.services.posts import profile_zone
    from costanza.services.readiness import daily
    from scheduler.daemon import Daemon

    setup_logging(obj.app.settings.log_format, verbose=obj.verbose, tz=profile_zone(obj.app))
    logging.getLogger("costanza").info(_("Costanza daemon starting (Ctrl-C stops it)"))
    page = _start_page(obj.app) if obj.app.settings.web_enabled and not once else None
    runner = Daemon(obj.app, concurrency=concurrency, readiness=lambda: daily(obj.app))
    try:
        runner.run(once=once)
    finally:
        if page is not None:
            page.stop()
    if runner.stopped_by == signal.SIGINT:
        sys.stdout.flush()
        sys.exit(130)  # stopped by Ctrl-C, cleanly: the shell's convention (128 + SIGINT)
    if once:
        click.echo(_("Nothing more is due now, so the daemon stopped. `costanza log` shows "
                     "what went out."))
        waiting = runner.waiting_retries()
        if waiting:
            click.echo(ngettext(
                "{n} post waits to be tried again later: run `costanza daemon` (or `--once` "
                "again later).",
                "{n} posts wait to be tried again later: run `costanza daemon` (or `--once` "
                "again later).", waiting).format(n=waiting))
    sys.stdout.flush()


def _start_page(app: Any) -> Any:
    """The page in the browser beside the daemon (``[web] enabled``), its address printed
    once; None if it cannot be served (the daemon publishes all the same)."""
    from config.errors import CostanzaError
    from costanza.web.beside import PageBeside

    settings = app.settings
    try:
        page = PageBeside(app, settings.web_host, settings.web_port)
        page.start()
    except CostanzaError as exc:
        logging.getLogger("costanza").warning(_(
            "The page in the browser is not shown ({reason}); the daemon publishes all the "
            "same.").format(reason=exc))
        return None
    if not page.served.loopback:
        click.echo(_(
            "Warning: the page listens on {host}, so other computers can reach it, and "
            "nothing it sends is encrypted. Put it behind a web server with HTTPS (see the "
            "README, \"A page in the browser\"), or take `host` out of `[web]` in the "
            "settings.").format(host=settings.web_host), err=True)
    click.echo(_("The page in the browser: open this address (it works once; "
                 "`costanza web` gives a new one):"))
    click.echo(f"  {page.address}")
    sys.stdout.flush()
    return page


@click.command(help=N_("""Is the daemon running? What goes out next, how long the queue lasts,
    accounts.

    Example:

    \b
        costanza status
    """))
@json_option
@click.pass_obj
def status(obj: Context, as_json: bool) -> None:
    from costanza.services.schedule import status as get_status

    with words_for(as_json):
        data = get_status(obj.app)
        if as_json:
            echo_json(data)
            return
    _daemon_lines(data)
    nxt = data["next"]
    click.echo(_("Next post: {when} (post {number})").format(when=nxt["local"],
                                                            number=nxt["post_id"]) if nxt
               else _("Next post: none queued."))
    click.echo(data["runway"])
    last = data["last_published"]
    if last:
        click.echo(_("Last published: {when} on {network} {link}").format(
            when=last["local"], network=last["network"], link=last["permalink"] or ""))
    from costanza.services.checking import checking_line

    for item in data["checking"]:
        click.echo(checking_line(item))
    for a in data["accounts"]:
        if a["health"] == "ok":
            click.echo(_("Account {name} ({network}): ok").format(name=a["name"],
                                                                  network=a["network"]))
        else:
            click.echo(_("Account {name} ({network}): on hold: {reason}").format(
                name=a["name"], network=a["network"], reason=a["reason"]))
    if data["graph_api_version"]["problem"]:
        click.echo(data["graph_api_version"]["problem"]["message"])
    _x_budget_line(data["x_budget"])
    _comment_lines(data)
    _media_line(data["media_store"])


def _comment_lines(data: dict[str, Any]) -> None:
    from costanza.cli.comments import problem_lines

    waiting = data["comments_waiting"]["total"]
    if waiting:
        click.echo(ngettext("{n} comment waits for an answer (`costanza comments`).",
                            "{n} comments wait for an answer (`costanza comments`).",
                            waiting).format(n=waiting))
    for line in problem_lines(data["comment_problems"]):
        click.echo(line)


def _x_budget_line(budget: dict[str, Any] | None) -> None:
    if budget is None:
        return
    if budget["blocked"]:
        click.echo(budget["reason"])
        return
    from posts.x_prices import money

    click.echo(_("X this month: {spent} spent of the {budget} budget (`costanza costs`).").format(
        spent=money(budget["spent_micro"]), budget=money(budget["budget_micro"])))


def _daemon_lines(data: dict[str, Any]) -> None:
    if not data["daemons"]:
        click.echo(_("The daemon is NOT running: nothing will be published. Start it with "
                     "`costanza daemon` (or `systemctl start costanza`)."))
    for d in data["daemons"]:
        click.echo(_("Daemon running: process {pid} on {host}, last heartbeat {seconds} s "
                     "ago, holding {holds}.").format(
                         pid=d["pid"], host=d["host"], holds=d["holds"],
                         seconds=f"{d['seconds_since_heartbeat']:.0f}"))


def _media_line(media: dict[str, Any]) -> None:
    from posts.media.retention import size_label

    click.echo(_("Media store: {originals} of originals, {converted} of converted "
                 "copies.").format(originals=size_label(media["originals_bytes"]),
                                   converted=size_label(media["converted_bytes"])))
    if media["due_count"]:
        click.echo(ngettext(
            "{n} original no post needs any more ({size}) will be removed, the first on "
            "{when}.",
            "{n} originals no post needs any more ({size}) will be removed, the first on "
            "{when}.", media["due_count"]).format(
                n=media["due_count"], size=size_label(media["due_bytes"]),
                when=media["due_local"]))
