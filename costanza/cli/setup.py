"""`costanza init`."""

from __future__ import annotations

import sys

import click

from config import i18n
from config.i18n import N_, _
from costanza.cli.main import Context
from costanza.cli.params import SLOTS, ZONE

ZONE_SOURCES = {
    "computer": N_("Time zone: {timezone} (from this computer); change it with "
                   "`costanza cadence set \"{slots}\" --timezone ZONE`."),
    "asked": N_("Time zone: {timezone} (as you typed it); change it with "
                "`costanza cadence set \"{slots}\" --timezone ZONE`."),
}
LANGUAGE_NAMES = {"en": N_("English"), "it": N_("Italian")}
# Where the language came from (costanza.cli.i18n.language_source) -> what init says.
LANGUAGE_SOURCES = {
    "--lang": N_("Language: {language} (as you asked with --lang); to change it, set "
                 "language = \"{other}\" under [ui] in {file}, or use --lang {other}."),
    "COSTANZA_LANG": N_("Language: {language} (from COSTANZA_LANG); to change it, set "
                        "language = \"{other}\" under [ui] in {file}, or use --lang {other}."),
    "settings": N_("Language: {language} (from your settings file); to change it, set "
                   "language = \"{other}\" under [ui] in {file}, or use --lang {other}."),
    "system": N_("Language: {language} (from your system's settings); to change it, set "
                 "language = \"{other}\" under [ui] in {file}, or use --lang {other}."),
    "default": N_("Language: {language} (Costanza's default); to change it, set "
                  "language = \"{other}\" under [ui] in {file}, or use --lang {other}."),
}


def at_terminal() -> bool:
    """Whether a person can answer a question (not a script, a CI job or a pipe)."""
    return sys.stdin.isatty()


def ask_zone(found: str | None) -> str:
    """Ask for the time zone until it is one Costanza knows."""
    from config.errors import InputError
    from scheduler.planning.cadence import parse_timezone

    def check(text: str) -> str:
        try:
            return parse_timezone(text).key
        except InputError as exc:
            raise click.UsageError(exc.message) from None

    if found:
        click.echo(_("This computer's clock is set to UTC, which is rarely where you live. "
                     "Your slots are planned in your own time zone."))
    else:
        click.echo(_("Costanza could not tell this computer's time zone. Your slots are "
                     "planned in your own time zone."))
    return str(click.prompt(_("Your time zone (for example Europe/Rome)"), value_proc=check))


@click.command(help=N_("""Set Costanza up: a commented settings file, the database and your profile.

    Example:

    \b
        costanza init --timezone Europe/Rome --slots "mon 09:30, wed 18:00, fri 12:00"
    """))
@click.option("--timezone", "timezone", type=ZONE, metavar=N_("ZONE"),
              help=N_("Your time zone, e.g. Europe/Rome (default: this computer's)."))
@click.option("--slots", type=SLOTS, metavar=N_("SLOTS"),
              help=N_('Weekly slots, e.g. "mon 09:30, wed 18:00, fri 12:00" (this is the '
                      'default).'))
@click.option("--force", is_flag=True,
              help=N_("Write a fresh settings file over an existing one (your queue is "
                      "kept)."))
@click.pass_context
def init(ctx: click.Context, timezone: str | None, slots: str | None, force: bool) -> None:
    from costanza.services.setup import initialise

    obj: Context = ctx.obj
    source = language_source_of(ctx)  # before the settings file is written
    result = initialise(obj.app, timezone=timezone, slots=slots, force=force,
                        ask_zone=ask_zone if at_terminal() else None)
    click.echo(_("Costanza is set up. Settings: {file}").format(file=result.config_file))
    if result.zone_source in ZONE_SOURCES:
        click.echo(_(ZONE_SOURCES[result.zone_source]).format(timezone=result.timezone,
                                                              slots=result.slots))
    click.echo(_("Your weekly slots ({timezone}): {slots}").format(timezone=result.timezone,
                                                                 slots=result.slots))
    click.echo(language_line(source, str(result.config_file)))
    click.echo(_("Next: connect an account with `costanza account add facebook ...`, "
                 "then queue a story with `costanza post add \"...\" --photo FILE`."))


def language_source_of(ctx: click.Context) -> str:
    """Where the language of this command came from (see `language_source`)."""
    from costanza.cli.i18n import language_source

    return language_source(ctx.find_root().meta.get("costanza.raw_args", []), None)


def language_line(source: str, config_file: str) -> str:
    """Which language Costanza chose, why (``source``), and how to change it."""
    code = i18n.language()
    other = "en" if code == "it" else "it"
    return _(LANGUAGE_SOURCES[source]).format(
        language=_(LANGUAGE_NAMES[code]), other=other, file=config_file)
