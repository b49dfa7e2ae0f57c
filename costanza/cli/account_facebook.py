"""`costanza account add facebook`: guided step by step with no options, or with a login
token (or a Page token) given; then the permissions the login granted."""

from __future__ import annotations

import shlex
from typing import Any

import click

from config.errors import InputError
from config.i18n import N_, _
from costanza.cli import account_shared
from costanza.cli import guide as docs_guide
from costanza.cli.main import Context
from costanza.cli.output import echo_json, json_option


@click.command("facebook", epilog=docs_guide.epilog("facebook"), help=N_(
    """Connect a Facebook Page. With no options, Costanza walks you through it
    step by step (the Meta app, its permissions, the user token) and then asks
    for the user token, the App ID and the App secret. Or give them with
    --user-token, --app-id and --app-secret: the token is exchanged for a Page
    token that does not expire, and you choose from the Pages you manage. Or
    give a Page token with --page-token. Costanza then says which permissions
    the login granted, and what will not work without the missing ones.

    Example:

    \b
        costanza account add facebook
        costanza account add facebook --user-token EAAB... \\
            --app-id 123 --app-secret abc
    """))
@click.option("--page-id", metavar=N_("ID"),
              help=N_("The Page's id (its About section shows it)."))
@click.option("--page-token", metavar=N_("TOKEN"), help=N_("A Page access token for that Page."))
@click.option("--user-token", metavar=N_("TOKEN"),
              help=N_("Your login token instead: Costanza lists your Pages and gets the token."))
@click.option("--app-id", metavar=N_("ID"),
              help=N_("Your Meta app's id (to get a long-lived token)."))
@click.option("--app-secret", metavar=N_("SECRET"), help=N_("Your Meta app's secret."))
@click.option("--name", metavar=N_("NAME"), help=account_shared.NAME_HELP)
@json_option
@click.pass_obj
def add_facebook(obj: Context, page_id: str | None, page_token: str | None,
                 user_token: str | None, app_id: str | None, app_secret: str | None,
                 name: str | None, as_json: bool) -> None:
    # Its help is on the decorator.
    from costanza.services import accounts
    from costanza.services.accounts.facebook_guide import guide

    if not page_token and not user_token:
        if as_json or not account_shared.has_terminal():
            _print_guide(guide(), _option_command(obj, page_id, name), as_json)
            raise click.exceptions.Exit(1)
        _print_guide(guide(), None, False)
        user_token, app_id, app_secret = _ask(app_id, app_secret)
    result = accounts.add_facebook(obj.app, page_id=page_id, page_token=page_token,
                                   user_token=user_token, app_id=app_id,
                                   app_secret=app_secret, name=name,
                                   choose_page=account_shared.choose_page)
    account_shared.print_added(result, as_json)
    if not as_json:
        _print_report(result["permissions"])
    docs_guide.show("facebook", as_json)


def _print_guide(words: dict[str, Any], command: str | None, as_json: bool) -> None:
    if as_json:
        echo_json({"connected": False, **words, "next_command": command})
        return
    click.echo(words["intro"])
    click.echo()
    for step in words["steps"]:
        click.echo(f"  {step['number']}. {step['text']}")
        for detail in step["details"]:
            click.echo(f"       - {detail}")
    click.echo()
    if command is None:
        click.echo(_("When you have the three, paste them here. Costanza keeps them in a "
                     "private file and never shows them."))
        return
    click.echo(_("Then run this command, with your user token, App ID and App secret in "
                 "place of USER-TOKEN, APP-ID and APP-SECRET:"))
    click.echo(f"  {command}")
    click.echo(_("Nothing was connected yet: Costanza asks for them itself only when it runs "
                 "in a terminal."), err=True)


def _option_command(obj: Context, page_id: str | None, name: str | None) -> str:
    """The command to run with options, with placeholders for the token, id and secret."""
    words = ["costanza"]
    if obj.config:
        words += ["--config", shlex.quote(obj.config)]
    if obj.profile:
        words += ["--profile", shlex.quote(obj.profile)]
    words += ["account", "add", "facebook", "--user-token", "USER-TOKEN", "--app-id",
              "APP-ID", "--app-secret", "APP-SECRET"]
    if page_id:
        words += ["--page-id", shlex.quote(page_id)]
    if name:
        words += ["--name", shlex.quote(name)]
    return " ".join(words)


def _left_empty() -> InputError:
    return InputError(_("The user token, the App ID and the App secret are all needed, and "
                        "one was not given, so no Facebook Page was connected. Run `costanza "
                        "account add facebook` again when you have the three at hand."))


def _ask(app_id: str | None, app_secret: str | None) -> tuple[str, str, str]:
    """The user token, the App ID and the App secret, typed (the token and secret hidden)."""
    try:
        token = click.prompt(_("Paste your user token (it is not shown as you type)"),
                             hide_input=True, default="", show_default=False).strip()
        if not token:
            raise _left_empty()
        app_id = app_id or click.prompt(_("Your app's App ID"), default="",
                                        show_default=False).strip()
        if not app_id:
            raise _left_empty()
        if not app_id.isdigit():
            raise InputError(_("An App ID is only digits (App settings > Basic shows it), "
                               "so no Facebook Page was connected. Run the command again "
                               "and paste the App ID."))
        app_secret = app_secret or click.prompt(
            _("Your app's App secret (it is not shown as you type)"), hide_input=True,
            default="", show_default=False).strip()
        if not app_secret:
            raise _left_empty()
    except click.Abort:  # the typing was ended (Ctrl-D)
        raise _left_empty() from None
    return token, app_id, app_secret


def _print_report(report: dict[str, Any] | None) -> None:
    if report is None:
        return
    click.echo(_("Permissions granted: {permissions}").format(
        permissions=", ".join(report["granted"]) or _("none")))
    for missing in report["missing"]:
        click.echo(_("Missing: {fails}").format(fails=missing["fails"]))
    if report["never_expires"]:
        click.echo(_("The Page token does not expire."))
