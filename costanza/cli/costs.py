"""`costanza costs`: what X cost in a month, and the monthly budget."""

from __future__ import annotations

import click

from config.i18n import N_, _, ngettext
from costanza.cli.main import Context
from costanza.cli.output import echo_json, json_option
from costanza.formatting import words_for


@click.command(help=N_("""What X cost in a month (the current one unless told): posts with and
    without a link, the comments read, the total, and what is left of
    `[x] monthly_budget`.

    Example:

    \b
        costanza costs --month 2026-12
    """))
@click.option("--month", metavar=N_("MONTH"), help=N_("The month to show, e.g. 2026-12."))
@json_option
@click.pass_obj
def costs(obj: Context, month: str | None, as_json: bool) -> None:
    from config.localtime import month_name
    from costanza.services.costs import month_costs
    from posts.x_prices import micro, money

    with words_for(as_json):
        data = month_costs(obj.app, month)
        if as_json:
            echo_json(data)
            return
    year, number = (int(p) for p in data["month"].split("-"))
    click.echo(_("What X cost in {month} {year} (prices of {since}):").format(
        month=month_name(number), year=year, since=data["prices"]["since"]))
    post, link = data["kinds"]["post"], data["kinds"]["post_with_url"]
    click.echo("  " + ngettext("{n} post without a link: {amount}",
                               "{n} posts without a link: {amount}", post["count"]).format(
        n=post["count"], amount=money(post["micro"])))
    click.echo("  " + ngettext("{n} post with a link: {amount}",
                               "{n} posts with a link: {amount}", link["count"]).format(
        n=link["count"], amount=money(link["micro"])))
    read = data["kinds"]["read"]
    if read["count"]:
        click.echo("  " + ngettext("{n} comment read: {amount}",
                                   "{n} comments read: {amount}", read["count"]).format(
            n=read["count"], amount=money(read["micro"])))
    click.echo("  " + _("Total: {amount}").format(amount=money(data["total_micro"])))
    if data["budget_usd"] is None:
        click.echo(_("No monthly budget is set: add `monthly_budget = 5` under [x] in the "
                     "settings to stop X posts at $5.00 a month."))
    elif data["current"]:
        click.echo(_("Monthly budget: {budget}; left this month: {left}.").format(
            budget=money(micro(float(data["budget_usd"]))),
            left=money(micro(float(data["left_usd"])))))
    if data["reason"]:
        click.echo(data["reason"])
