"""`costanza report`: the consistency view, as a table, as JSON and as a picture."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import click

from costanza.cli.main import Context
from costanza.cli.output import echo_json, json_option


def report_lines(data: dict[str, Any]) -> list[str]:
    """The report as the table `costanza report` prints (fits 80 columns)."""
    from posts.networks import network_label

    lines = [f"Your weekly slots: {data['cadence'] or 'none set'} ({data['timezone']})", "",
             f"{'Week':<20}{'Slots':>6}{'Kept':>7}{'Missed':>8}{'Posts':>8}  Steady"]
    for w in data["weeks"]:
        steady = {True: "yes", False: "no", None: "-"}[w["steady"]]
        if not w["complete"]:
            steady = "(this week, so far)"
        lines.append(f"{w['label']:<20}{w['slots']:>6}{w['kept']:>7}"
                     f"{w['missed']:>8}{w['published']:>8}  {steady}")
    lines.append("")
    streak = data["streak"]
    if streak:
        lines.append(f"Steady weeks in a row: {streak}, since the week of "
                     f"{data['streak_from_label']}. Keep it up!")
    else:
        lines.append("Steady weeks in a row: 0. A steady week is one where every slot "
                     "was kept.")
    counts = ", ".join(f"{network_label(n)} {c}" for n, c in data["per_network"].items())
    lines.append(f"Posts published per network: {counts}")
    if data["failures"]:
        lines.append("What went wrong:")
        for f in data["failures"]:
            network = network_label(f["network"])
            lines.extend(textwrap.wrap(
                f"{f['count']:>3} x {network} ({f['outcome'].replace('_', ' ')}): "
                f"{f['reason']}", 78, initial_indent="  ", subsequent_indent=" " * 8))
    else:
        lines.append("Nothing went wrong.")
    return lines


@click.command()
@click.option("--weeks", type=click.IntRange(1, 520), default=12, show_default=True,
              help="How many weeks to show, this one included.")
@click.option("--out", metavar="FILE", help="Also draw a calendar picture: a .png or .svg file.")
@json_option
@click.pass_obj
def report(obj: Context, weeks: int, out: str | None, as_json: bool) -> None:
    """How steady your posting was: slots kept and missed per week, the weeks in a
    row where every slot was kept, posts per network, and what went wrong.

    With --out, also draws a calendar of the posts published each day.

    Example:

    \b
        costanza report --weeks 12 --out steady.png
    """
    from costanza.services.report import build_report

    data = build_report(obj.app, weeks)
    if out:
        from costanza.services.heatmap import write

        write(data, Path(out))
    if as_json:
        echo_json(data)
        return
    click.echo("\n".join(report_lines(data)))
    if out:
        click.echo(f"Picture saved to {out}.")
