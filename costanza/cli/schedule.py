"""`costanza queue`, `cadence`, `pause` and `resume`."""

from __future__ import annotations

from typing import Any

import click

from config.i18n import N_, _, ngettext
from costanza.cli.main import Context
from costanza.cli.output import echo_json, json_option
from costanza.cli.params import DAY, ZONE, Bounded
from costanza.formatting import words_for


@click.command(help=N_("""Show the coming slots and the post each one carries.

    Example:

    \b
        costanza queue --limit 10
    """))
@click.option("--limit", type=Bounded(1, 1000, "10"), default=20, show_default=True,
              help=N_("How many slots to show."))
@json_option
@click.pass_obj
def queue(obj: Context, limit: int, as_json: bool) -> None:
    from costanza.services.views import queue_view

    with words_for(as_json):
        view = queue_view(obj.app, limit=limit)
        if as_json:
            echo_json(view)
            return
    click.echo(_("Weekly slots ({timezone}): {slots}").format(
        timezone=view["timezone"], slots=view["cadence"] or _("none yet")))
    for pause in view["pauses"]:
        if pause["until_local"]:
            click.echo(_("Paused from {start} to {end}.").format(
                start=pause["from_local"], end=pause["until_local"]))
        else:
            click.echo(_("Paused from {start} to until you run `costanza resume`.").format(
                start=pause["from_local"]))
    pinned, late = " " + _("pinned"), " " + _("late")
    flag_width = max(7, len(pinned), len(late))
    for entry in view["entries"]:
        flag = pinned if entry["pinned"] else (late if entry["late"] else "")
        post = _("post {number}").format(number=entry["post_id"])
        note = ("  " + _("(X waits for the monthly budget)")
                if entry["x_waits_for_budget"] else "")
        click.echo(f"  {entry['local']:<16}{flag:<{flag_width}} {post:<10} "
                   f"{','.join(entry['targets']):<22} {entry['excerpt']}{note}")
    if view["queued"] > len(view["entries"]):
        more = view["queued"] - len(view["entries"])
        click.echo("  " + ngettext("... and {n} more.", "... and {n} more.", more).format(n=more))
    click.echo(view["runway"])
    if view["runway_warning"]:
        click.echo(_("Add a few stories soon so that your rhythm does not stop."))


@click.group(help=N_("""Show or change your weekly slots.

    Example:

    \b
        costanza cadence set "mon 09:30, wed 18:00, fri 12:00"
    """))
def cadence() -> None:
    pass


@cadence.command("show", help=N_("""Show your weekly slots and time zone.

    Example:

    \b
        costanza cadence show
    """))
@json_option
@click.pass_obj
def cadence_show(obj: Context, as_json: bool) -> None:
    from costanza.services.schedule import cadence_show as show

    with words_for(as_json):
        data = show(obj.app)
        if as_json:
            echo_json(data)
            return
    slots = data["slots"] or _("No slots yet.")
    click.echo(f"{slots} ({data['timezone']})")


@cadence.command("set", help=N_("""Set your weekly slots (your local wall-clock times; the queue
    re-plans at once).

    Example:

    \b
        costanza cadence set "mon 09:30, wed 18:00, fri 12:00"
    """))
@click.argument("slots", metavar=N_("SLOTS"))
@click.option("--timezone", type=ZONE, metavar=N_("ZONE"),
              help=N_("Also change the time zone, e.g. Europe/Rome."))
@click.pass_obj
def cadence_set(obj: Context, slots: str, timezone: str | None) -> None:
    from costanza.services.schedule import cadence_set as set_

    data = set_(obj.app, slots, timezone)
    click.echo(_("Weekly slots set: {slots} ({timezone}).").format(
        slots=data["slots"], timezone=data["timezone"]))


@click.command(help=N_("""Pause publishing (holidays): posts wait in the queue, nothing fails.

    Example:

    \b
        costanza pause --from 2026-08-08 --until 2026-08-24
    """))
@click.option("--from", "start", type=DAY, metavar=N_("DATE"),
              help=N_("First day of the pause (default: now)."))
@click.option("--until", type=DAY, metavar=N_("DATE"),
              help=N_("Last day of the pause (default: until resume)."))
@click.pass_obj
def pause(obj: Context, start: str | None, until: str | None) -> None:
    from costanza.services.schedule import pause as do_pause

    data = do_pause(obj.app, start, until)
    if data["until_local"]:
        click.echo(_("Paused from {start} until {end}. Posts wait; nothing fails.").format(
            start=data["from_local"], end=data["until_local"]))
    else:
        click.echo(_("Paused from {start} until you run `costanza resume`. Posts wait; "
                     "nothing fails.").format(start=data["from_local"]))


@click.command(help=N_("""End the pause in effect now. Pauses planned for later are kept
    (see --all).

    Example:

    \b
        costanza resume
    """))
@click.option("--all", "everything", is_flag=True,
              help=N_("Also cancel the pauses planned for later (holidays booked ahead)."))
@json_option
@click.pass_obj
def resume(obj: Context, everything: bool, as_json: bool) -> None:
    from costanza.services.schedule import resume_queue

    with words_for(as_json):
        data = resume_queue(obj.app, everything)
        if as_json:
            echo_json(data)
            return
    for line in resume_lines(data):
        click.echo(line)


def resume_lines(data: dict[str, Any]) -> list[str]:
    """What `resume` did, and which planned pauses still hold posts back."""
    if data["ended"]:
        lines = [_("Publishing resumed: posts go out again from the next slot."),
                 *(_("Ended the pause {dates}.").format(dates=p["dates"]) for p in data["ended"])]
    elif data["cancelled"]:
        lines = [_("No pause was in effect right now.")]
    else:
        lines = [_("Nothing is paused right now, so nothing was changed.")]
    lines += [_("Cancelled the planned pause {dates}.").format(dates=p["dates"])
              for p in data["cancelled"]]
    if data["planned"]:
        lines.append(_("Still planned (posts will wait then):"))
        lines += [f"  {p['dates']}" for p in data["planned"]]
        lines.append(_("To cancel them, run `costanza resume --all`."))
    return lines
