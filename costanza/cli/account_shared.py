"""What the `costanza account add ...` commands share: whether someone is at a terminal,
choosing a Page by number, and printing an account connected."""

from __future__ import annotations

import sys
from typing import Any

import click

from config.errors import InputError
from config.i18n import N_, _, ngettext
from costanza.cli.output import echo_json

NAME_HELP = N_("A name for this account (default: the network's name). Using a name already "
               "connected reconnects it, keeping the keys you do not give again.")
# The kind of account on each network, in a sentence ("Connected the X account ...").
THE_LABELS = {"x": N_("the X account"), "facebook": N_("the Facebook Page"),
              "instagram": N_("the Instagram account")}


def has_terminal() -> bool:
    """Whether someone can type (a PIN, a token): standard input is a terminal (not a
    script's pipe, a service, a web page)."""
    stream = sys.stdin
    return stream is not None and bool(getattr(stream, "isatty", lambda: False)())


def choose_page(pages: list[dict[str, str]]) -> str:
    click.echo(_("This login manages these Facebook Pages:"))
    for number, page in enumerate(pages, 1):
        click.echo(f"  {number}. {page['name']} ({page['id']})")
    try:
        choice = click.prompt(_("Which one should Costanza post to? Type its number"),
                              type=click.IntRange(1, len(pages)))
    except click.Abort:  # the typing was ended (Ctrl-D) before a number
        raise InputError(_("No Page was chosen, so no Facebook Page was connected. Run the "
                           "command again and type the number of your Page.")) from None
    return pages[int(choice) - 1]["id"]


def print_added(result: dict[str, Any], as_json: bool) -> None:
    if as_json:
        echo_json(result)
        return
    words = {"the_account": _(THE_LABELS[result["network"]]),
             "display_name": result["display_name"], "name": result["name"],
             "file": result["secrets_file"]}
    if result["reconnected"]:
        click.echo(_("Reconnected {the_account} {display_name} as '{name}'. Its keys are saved "
                     "in {file} (readable only by you).").format(**words))
    else:
        click.echo(_("Connected {the_account} {display_name} as '{name}'. Its keys are saved "
                     "in {file} (readable only by you).").format(**words))
    if result["resumed"]:
        click.echo(ngettext(
            "{n} post that was waiting for this account will go out as soon as the daemon "
            "gets to them.",
            "{n} posts that were waiting for this account will go out as soon as the daemon "
            "gets to them.", result["resumed"]).format(n=result["resumed"]))
    for note in result["notes"]:
        click.echo(_("Note: {note}").format(note=note))
