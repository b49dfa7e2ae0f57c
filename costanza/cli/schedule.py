"""`costanza queue`, `cadence`, `pause` and `resume`."""

from __future__ import annotations

from typing import Any

import click

from costanza.cli.main import Context
from costanza.cli.output import echo_json, json_option
from costanza.cli.params import DAY, ZONE, Bounded


@click.command()
@click.option("--limit", type=Bounded(1, 1000, "10"), default=20, show_default=True,
              help="How many slots to show.")
@json_option
@click.pass_obj
def queue(obj: Context, limit: int, as_json: bool) -> None:
    """Show the coming slots and the post each one carries.

    Example:

    \b
        costanza queue --limit 10
    """
    from costanza.services.views import queue_view

    view = queue_view(obj.app, limit=limit)
    if as_json:
        echo_json(view)
        return
    click.echo(f"Weekly slots ({view['timezone']}): {view['cadence'] or 'none yet'}")
    for pause in view["pauses"]:
        until = pause["until_local"] or "until you run `costanza resume`"
        click.echo(f"Paused from {pause['from_local']} to {until}.")
    for entry in view["entries"]:
        flag = " pinned" if entry["pinned"] else (" late" if entry["late"] else "")
        click.echo(f"  {entry['local']:<16}{flag:<7} post {entry['post_id']:<5} "
                   f"{','.join(entry['targets']):<22} {entry['excerpt']}")
    if view["queued"] > len(view["entries"]):
        click.echo(f"  ... and {view['queued'] - len(view['entries'])} more.")
    click.echo(view["runway"])
    if view["runway_warning"]:
        click.echo("Add a few stories soon so that your rhythm does not stop.")


@click.group()
def cadence() -> None:
    """Show or change your weekly slots.

    Example:

    \b
        costanza cadence set "mon 09:30, wed 18:00, fri 12:00"
    """


@cadence.command("show")
@json_option
@click.pass_obj
def cadence_show(obj: Context, as_json: bool) -> None:
    """Show your weekly slots and time zone.

    Example:

    \b
        costanza cadence show
    """
    from costanza.services.schedule import cadence_show as show

    data = show(obj.app)
    if as_json:
        echo_json(data)
        return
    click.echo(f"{data['slots'] or 'No slots yet.'} ({data['timezone']})")


@cadence.command("set")
@click.argument("slots")
@click.option("--timezone", type=ZONE, metavar="ZONE",
              help="Also change the time zone, e.g. Europe/Rome.")
@click.pass_obj
def cadence_set(obj: Context, slots: str, timezone: str | None) -> None:
    """Set your weekly slots (your local wall-clock times; the queue re-plans at once).

    Example:

    \b
        costanza cadence set "mon 09:30, wed 18:00, fri 12:00"
    """
    from costanza.services.schedule import cadence_set as set_

    data = set_(obj.app, slots, timezone)
    click.echo(f"Weekly slots set: {data['slots']} ({data['timezone']}).")


@click.command()
@click.option("--from", "start", type=DAY, metavar="DATE",
              help="First day of the pause (default: now).")
@click.option("--until", type=DAY, metavar="DATE",
              help="Last day of the pause (default: until resume).")
@click.pass_obj
def pause(obj: Context, start: str | None, until: str | None) -> None:
    """Pause publishing (holidays): posts wait in the queue, nothing fails.

    Example:

    \b
        costanza pause --from 2026-08-08 --until 2026-08-24
    """
    from costanza.services.schedule import pause as do_pause

    data = do_pause(obj.app, start, until)
    until_text = data["until_local"] or "you run `costanza resume`"
    click.echo(f"Paused from {data['from_local']} until {until_text}. Posts wait; nothing fails.")


@click.command()
@click.option("--all", "everything", is_flag=True,
              help="Also cancel the pauses planned for later (holidays booked ahead).")
@json_option
@click.pass_obj
def resume(obj: Context, everything: bool, as_json: bool) -> None:
    """End the pause in effect now. Pauses planned for later are kept (see --all).

    Example:

    \b
        costanza resume
    """
    from costanza.services.schedule import resume_queue

    data = resume_queue(obj.app, everything)
    if as_json:
        echo_json(data)
        return
    for line in resume_lines(data):
        click.echo(line)


def resume_lines(data: dict[str, Any]) -> list[str]:
    """What `resume` did, and which planned pauses still hold posts back."""
    if data["ended"]:
        lines = ["Publishing resumed: posts go out again from the next slot.",
                 *(f"Ended the pause {p['dates']}." for p in data["ended"])]
    elif data["cancelled"]:
        lines = ["No pause was in effect right now."]
    else:
        lines = ["Nothing is paused right now, so nothing was changed."]
    lines += [f"Cancelled the planned pause {p['dates']}." for p in data["cancelled"]]
    if data["planned"]:
        lines.append("Still planned (posts will wait then):")
        lines += [f"  {p['dates']}" for p in data["planned"]]
        lines.append("To cancel them, run `costanza resume --all`.")
    return lines
