"""`costanza report`: the consistency view, as a table, as JSON and as a picture."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import click

from config.i18n import N_, _, ngettext
from costanza.cli.main import Context
from costanza.cli.output import echo_json, json_option
from costanza.formatting import words_for

# The outcomes of tries a report counts as going wrong, in plain words.
OUTCOMES = {"failed": N_("failed"), "needs_review": N_("needs review"), "held": N_("held")}


def _table_header() -> str:
    week, slots, kept = _("Week"), _("Slots"), _("Kept")
    missed, posts, steady = _("Missed"), _("Posts"), _("Steady")
    return f"{week:<20}{slots:>6}{kept:>7}{missed:>8}{posts:>8}  {steady}"


def report_lines(data: dict[str, Any]) -> list[str]:
    """The report as the table `costanza report` prints (fits 80 columns)."""
    from posts.networks import network_label

    lines = [_("Your weekly slots: {slots} ({timezone})").format(
                 slots=data["cadence"] or _("none set"), timezone=data["timezone"]), "",
             _table_header()]
    for w in data["weeks"]:
        steady = {True: _("yes"), False: _("no"), None: "-"}[w["steady"]]
        if not w["complete"]:
            steady = _("(this week, so far)")
        lines.append(f"{w['label']:<20}{w['slots']:>6}{w['kept']:>7}"
                     f"{w['missed']:>8}{w['published']:>8}  {steady}")
    lines.append("")
    streak = data["streak"]
    if streak:
        lines.append(ngettext(
            "Steady weeks in a row: {n}, since the week of {week}. Keep it up!",
            "Steady weeks in a row: {n}, since the week of {week}. Keep it up!",
            streak).format(n=streak, week=data["streak_from_label"]))
    else:
        lines.append(_("Steady weeks in a row: 0. A steady week is one where every slot "
                       "was kept."))
    counts = ", ".join(f"{network_label(n)} {c}" for n, c in data["per_network"].items())
    lines.append(_("Posts published per network: {counts}").format(counts=counts))
    if data["failures"]:
        lines.append(_("What went wrong:"))
        for f in data["failures"]:
            network = network_label(f["network"])
            outcome = OUTCOMES.get(f["outcome"])
            outcome = _(outcome) if outcome else f["outcome"].replace("_", " ")
            lines.extend(textwrap.wrap(
                f"{f['count']:>3} x {network} ({outcome}): "
                f"{f['reason']}", 78, initial_indent="  ", subsequent_indent=" " * 8))
    else:
        lines.append(_("Nothing went wrong."))
    return lines


@click.command(help=N_("""How steady your posting was: slots kept and missed per week, the weeks
    in a row where every slot was kept, posts per network, and what went wrong.

    With --out, also draws a calendar of the posts published each day.

    Example:

    \b
        costanza report --weeks 12 --out steady.png
    """))
@click.option("--weeks", type=click.IntRange(1, 520), default=12, show_default=True,
              help=N_("How many weeks to show, this one included."))
@click.option("--out", metavar=N_("FILE"),
              help=N_("Also draw a calendar picture: a .png or .svg file."))
@json_option
@click.pass_obj
def report(obj: Context, weeks: int, out: str | None, as_json: bool) -> None:
    from costanza.services.report import build_report

    with words_for(as_json):
        data = build_report(obj.app, weeks)
    if out:
        from costanza.services.heatmap import write

        write(data, Path(out))  # the picture is for people: in the language spoken
    if as_json:
        with words_for(as_json):
            echo_json(data)
        return
    click.echo("\n".join(report_lines(data)))
    if out:
        click.echo(_("Picture saved to {file}.").format(file=out))
