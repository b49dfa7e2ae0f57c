"""`costanza log` (what went out, and what did not and why) and `costanza retry`."""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import sys
import time
from typing import Any

import click

from config.i18n import N_, _
from costanza.cli.main import Context
from costanza.cli.output import echo_json, json_option
from costanza.cli.params import DELIVERY_ID, POST_ID, WHEN, Bounded
from costanza.formatting import words_for

# posts.networks.NETWORKS, written out: `costanza --help` loads none of the engine
# (tests/architecture/test_layers.py checks that the two agree).
NETWORK_CHOICE = click.Choice(["facebook", "instagram", "x"], case_sensitive=False)


def _width() -> int:
    if not sys.stdout.isatty():
        return 80
    return min(120, max(60, shutil.get_terminal_size((80, 24)).columns))


def _style() -> Any:
    """click.style, unless NO_COLOR is set. click.echo drops the colours itself when
    the output is not a terminal (a file, a pipe)."""
    if os.environ.get("NO_COLOR"):
        return None
    return click.style


def _print_entry(entry: dict[str, Any], as_json: bool, width: int, style: Any) -> None:
    """One entry: a JSON line (--json with --follow), or the lines of the table."""
    from costanza.services import log as publog

    if as_json:
        click.echo(json.dumps(entry, ensure_ascii=False))
    else:
        click.echo("\n".join(publog.format_entry(entry, width, style)))


def _print_entries(entries: list[dict[str, Any]], as_json: bool, follow: bool, width: int,
                   style: Any) -> None:
    """The entries found: the table with its header (or JSON lines), or a word if none."""
    from costanza.services import log as publog

    if entries and not as_json:
        click.echo(publog.header(width))
    for entry in entries:
        _print_entry(entry, as_json, width, style)
    if not entries and not follow:
        click.echo(_("Nothing in the log for this choice. Try a longer time, "
                     "for example `costanza log --since 30d`."))


def _follow(app: Any, start: int, as_json: bool, width: int, style: Any,
            **choice: Any) -> None:
    """--follow: print each new try after attempt ``start`` as it happens, until Ctrl-C."""
    from costanza.services import log as publog

    click.echo(_("Watching for new entries (Ctrl-C stops)..."), err=True)
    stop = _CtrlC()
    try:
        with stop.installed(), words_for(as_json):
            for entry in publog.follow(app, after_id=start, sleep=stop.sleep,
                                       stopped=stop.pressed, **choice):
                _print_entry(entry, as_json, width, style)
                sys.stdout.flush()
    except KeyboardInterrupt:  # a second Ctrl-C, while a read was under way
        pass
    click.echo(_("Stopped watching."), err=True)


class _CtrlC:
    """Ctrl-C while following: the first one only sets a flag, so the loop ends between
    two polls (never half-way through a read, holding a lock it would wait on at exit);
    a second one interrupts at once."""

    def __init__(self) -> None:
        self.count = 0

    def pressed(self) -> bool:
        return self.count > 0

    def _on_signal(self, signum: int, frame: Any) -> None:
        self.count += 1
        if self.count > 1:
            raise KeyboardInterrupt

    def sleep(self, seconds: float) -> None:
        """Sleep in short naps, waking as soon as Ctrl-C was pressed."""
        end = time.monotonic() + seconds
        while not self.pressed() and (left := end - time.monotonic()) > 0:
            time.sleep(min(0.1, left))

    def installed(self) -> Any:
        import contextlib

        @contextlib.contextmanager
        def handler() -> Any:
            previous = signal.signal(signal.SIGINT, self._on_signal)
            try:
                yield
            finally:
                signal.signal(signal.SIGINT, previous)
        return handler()


@click.command(help=N_("""Show what went out, where, and what did not and why: one entry per post
    and network, with the time in your time zone, the link to the post, and for a
    problem its reason and the command that fixes it.

    The number in the first column is the delivery number that `costanza retry`
    takes; "post 12" beside it is the post's number, as `costanza post show` takes it.

    Example:

    \b
        costanza log --since 30d --failed
        costanza log --network x --csv > publish-log.csv
    """))
@click.option("--since", type=WHEN, metavar=N_("WHEN"),
              help=N_("Start from: 7d, 12h, 2w back, or a date like 2026-12-01 (default: "
                      "7d)."))
@click.option("--until", type=WHEN, metavar=N_("WHEN"),
              help=N_("Up to: a date (that whole day), a date and time, or 2d back."))
@click.option("--network", type=NETWORK_CHOICE, help=N_("Only this network."))
@click.option("--post", "post_id", type=POST_ID, metavar=N_("ID"),
              help=N_("Only this post (all of its history, whatever --since says)."))
@click.option("--failed", is_flag=True,
              help=N_("Only what needs you: failed, needs review, on hold (however old, "
                      "unless --since is given)."))
@json_option
@click.option("--csv", "as_csv", is_flag=True, help=N_("Print CSV for a spreadsheet."))
@click.option("--follow", "-f", is_flag=True,
              help=N_("Keep watching and print each new try as the daemon makes it (Ctrl-C "
                      "stops)."))
@click.option("--interval", type=Bounded(0, 3600, "1", whole=False), default=1.0, hidden=True)
@click.option("--max-polls", type=Bounded(1, 10**9, "10"), default=None, hidden=True)
@click.pass_obj
def log(obj: Context, since: str | None, until: str | None, network: str | None,
        post_id: int | None, failed: bool, as_json: bool, as_csv: bool, follow: bool,
        interval: float, max_polls: int | None) -> None:
    from costanza.services import log as publog

    if as_json and as_csv:
        raise click.UsageError(_("Choose one of --json and --csv."))
    if follow and as_csv:
        raise click.UsageError(_("--follow prints as it goes; it cannot be combined with "
                                 "--csv."))
    app = obj.app
    start = publog.last_attempt_id(app) if follow else 0
    width, style = _width(), _style()
    with words_for(as_json):
        entries = publog.log_entries(app, since=since, until=until, network=network,
                                     post_id=post_id, failed=failed)
        if as_csv:
            buffer = io.StringIO()
            publog.write_csv(entries, buffer)
            click.echo(buffer.getvalue(), nl=False)
            return
        if as_json and not follow:
            echo_json(entries)
            return
        _print_entries(entries, as_json, follow, width, style)
    if follow:
        _follow(app, start, as_json, width, style, network=network, post_id=post_id,
                failed=failed, interval=interval, max_polls=max_polls)


@click.command(help=N_("""Try a delivery again. ID is the number `costanza log` shows in its first
    column (one post on one network).

    A failed post is queued again. A post that needs review is checked once more
    with the network and published only if it is not there; with --force it is
    published anyway. A post on hold is queued again.

    Example:

    \b
        costanza retry 12
        costanza retry 12 --force
    """))
@click.argument("delivery_id", type=DELIVERY_ID, metavar=N_("ID"))
@click.option("--force", is_flag=True,
              help=N_("For a post that needs review: publish it again without checking "
                      "first."))
@json_option
@click.pass_obj
def retry(obj: Context, delivery_id: int, force: bool, as_json: bool) -> None:
    from costanza.services.log import retry_delivery

    with words_for(as_json):
        result = retry_delivery(obj.app, delivery_id, force=force)
        if as_json:
            echo_json(result)
            return
    click.echo(result["message"])
