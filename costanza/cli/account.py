"""`costanza account ...`: connect, list, check and remove network accounts."""

from __future__ import annotations

import shlex
from typing import Any

import click

from config.errors import InputError
from config.i18n import N_, _, ngettext
from costanza.cli import account_instagram, guide
from costanza.cli.account_facebook import add_facebook
from costanza.cli.account_shared import NAME_HELP as _NAME_HELP
from costanza.cli.account_shared import has_terminal as _has_terminal
from costanza.cli.account_shared import print_added as _print_added
from costanza.cli.main import Context
from costanza.cli.output import echo_json, json_option

# The kind of account on each network (translated when shown).
_LABELS = {"x": N_("X account"), "facebook": N_("Facebook Page"),
           "instagram": N_("Instagram account")}
_NO_ACCOUNT = N_("No account is connected yet. Connect one with "
                 "`costanza account add facebook ...` (or x, or instagram).")


def _label(network: str) -> str:
    return _(_LABELS[network])


@click.group(help=N_(
    """Connect your Facebook Page, Instagram and X accounts, and check they still work.

    Keys and tokens are kept in a private file (secrets.toml, readable only by
    you), never in the settings file or the database.

    Example:

    \b
        costanza account add facebook --page-id 1234567890 --page-token EAAB...
    """))
def account() -> None:
    """`account`: its help is on the decorator."""


@account.group("add", help=N_(
    """Connect an account on X, Facebook or Instagram.

    Posts that were waiting for an account on that network go to it.

    Example:

    \b
        costanza account add x --consumer-key KEY --consumer-secret SECRET
    """))
def add() -> None:
    """`add`: its help is on the decorator."""


def _ask_pin(url: str) -> str:
    click.echo(_("Open this address in your browser, sign in to X and authorise the app:"))
    click.echo(f"  {url}")
    try:
        return str(click.prompt(_("Then type the PIN that X shows"), type=str))
    except click.Abort:  # the typing was ended (Ctrl-D) before a PIN
        raise InputError(_(
            "No PIN was typed, so the X account was not connected. Run the command again and "
            "type the PIN that X shows, or run it with --no-prompt: Costanza then shows the "
            "address and tells you how to give the PIN with --pin.")) from None


def _pin_command(obj: Context, name: str | None) -> str:
    """The second step's command, with placeholders for the key, the secret and the PIN
    (they are never printed back)."""
    words = ["costanza"]
    if obj.config:
        words += ["--config", shlex.quote(obj.config)]
    if obj.profile:
        words += ["--profile", shlex.quote(obj.profile)]
    words += ["account", "add", "x", "--consumer-key", "KEY", "--consumer-secret", "SECRET"]
    if name:
        words += ["--name", shlex.quote(name)]
    return " ".join([*words, "--pin", "THE-PIN"])


def _print_pin_step(result: dict[str, Any], as_json: bool) -> None:
    if as_json:
        echo_json(result)
        return
    click.echo(_("X needs you to authorise Costanza in a browser. Open this address, sign in "
                 "to X and authorise the app:"))
    click.echo(f"  {result['authorize_url']}")
    click.echo(_("Then, within 15 minutes, run:"))
    click.echo(f"  {result['next_command']}")
    click.echo(_("with your app's consumer key and secret (the same as now) in place of KEY "
                 "and SECRET, and the PIN that X shows in place of THE-PIN. The X account is "
                 "connected only then."))


_X_HELP = N_(
    """Connect an X account. Without --access-token, Costanza shows an address
    where you authorise the app, then asks for the PIN that X gives you. Without
    a terminal (a script, over ssh), or with --no-prompt, it shows the address and
    stops: run the command again with --pin and the PIN, within 15 minutes.

    The keys, once, on developer.x.com (X's Developer Console):

    \b
    1. Sign in with the X account you will post from.
    2. Make a project and an app in it.
    3. Set the app's permissions to "Read and write".
    4. Copy the consumer keys (API Key and API Key Secret) for --consumer-key
       and --consumer-secret.
    5. Optionally make the access token and its secret, to use in place of the PIN.

    X is pay-per-use (the default since 2026-02-06): since 2026-04-20 a post costs
    about $0.015, and a post containing a link about $0.20. `costanza costs` shows
    the spending; `[x] monthly_budget` in the settings caps it.

    Example:

    \b
        costanza account add x --consumer-key KEY --consumer-secret SECRET
        costanza account add x --consumer-key KEY --consumer-secret SECRET --no-prompt
        costanza account add x --consumer-key KEY --consumer-secret SECRET --pin 1234567
    """)


@add.command("x", epilog=guide.epilog("x"), help=_X_HELP)
@click.option("--consumer-key", required=True, metavar=N_("KEY"),
              help=N_("The app's API key (X developer portal, Keys and tokens)."))
@click.option("--consumer-secret", required=True, metavar=N_("SECRET"),
              help=N_("The app's API key secret."))
@click.option("--access-token", metavar=N_("TOKEN"),
              help=N_("Your access token; leave out to sign in with a PIN instead."))
@click.option("--access-token-secret", metavar=N_("SECRET"), help=N_("Your access token secret."))
@click.option("--pin", metavar=N_("PIN"),
              help=N_("The PIN that X showed after you authorised the app at the address an "
                   "earlier run gave (within 15 minutes)."))
@click.option("--no-prompt", is_flag=True,
              help=N_("Do not ask for the PIN: show the address, and how to give the PIN "
                   "with --pin (as happens without a terminal)."))
@click.option("--name", metavar=N_("NAME"), help=_NAME_HELP)
@json_option
@click.pass_obj
def add_x(obj: Context, consumer_key: str, consumer_secret: str, access_token: str | None,
          access_token_secret: str | None, pin: str | None, no_prompt: bool,
          name: str | None, as_json: bool) -> None:
    # Its help is on the decorator.
    from costanza.services import accounts

    if pin is None and not access_token and not access_token_secret and (
            no_prompt or not _has_terminal()):
        started = accounts.start_x_pin(obj.app, consumer_key=consumer_key,
                                       consumer_secret=consumer_secret, name=name)
        _print_pin_step({**started, "next_command": _pin_command(obj, name)}, as_json)
        guide.show("x", as_json)
        return
    result = accounts.add_x(obj.app, consumer_key=consumer_key, consumer_secret=consumer_secret,
                            access_token=access_token, access_token_secret=access_token_secret,
                            name=name, ask_pin=_ask_pin, pin=pin)
    _print_added(result, as_json)
    guide.show("x", as_json)


add.add_command(add_facebook)


@add.command("instagram", epilog=guide.epilog("instagram"), help=N_(
    """Connect an Instagram professional account. Without --ig-user-id, Costanza
    finds the account linked to your connected Facebook Page. With
    --instagram-login, no Page is needed: give an Instagram Login token.

    Example:

    \b
        costanza account add instagram
        costanza account add instagram --instagram-login --token IGAA... \\
            --app-secret abc
    """))
@click.option("--instagram-login", is_flag=True, help=account_instagram.LOGIN_HELP)
@click.option("--app-secret", metavar=N_("SECRET"), help=account_instagram.APP_SECRET_HELP)
@click.option("--ig-user-id", metavar=N_("ID"),
              help=N_("The Instagram professional account's id."))
@click.option("--token", metavar=N_("TOKEN"), help=N_("An access token that may publish for it."))
@click.option("--page-id", metavar=N_("ID"),
              help=N_("Find the account linked to this Facebook Page (default: your "
                      "connected Page)."))
@click.option("--page-token", metavar=N_("TOKEN"), help=N_("That Page's access token."))
@click.option("--name", metavar=N_("NAME"), help=_NAME_HELP)
@json_option
@click.pass_obj
def add_instagram(obj: Context, instagram_login: bool, app_secret: str | None,
                  ig_user_id: str | None, token: str | None, page_id: str | None,
                  page_token: str | None, name: str | None, as_json: bool) -> None:
    # Its help is on the decorator.
    from costanza.services import accounts

    if instagram_login:
        given = {"--ig-user-id": ig_user_id, "--page-id": page_id, "--page-token": page_token}
        result = account_instagram.add_with_instagram_login(
            obj, token=token, app_secret=app_secret, name=name,
            page_options=[option for option, value in given.items() if value])
        _print_added(result, as_json)
        if not as_json:
            account_instagram.print_login_extra(result)
        guide.show("instagram-login", as_json)
        return
    account_instagram.refuse_app_secret(app_secret)
    result = accounts.add_instagram(obj.app, ig_user_id=ig_user_id, token=token,
                                    page_id=page_id, page_token=page_token, name=name)
    _print_added(result, as_json)
    guide.show("instagram", as_json)


@account.command("list", help=N_(
    """List the connected accounts and whether each one works.

    Example:

    \b
        costanza account list --json
    """))
@json_option
@click.pass_obj
def list_(obj: Context, as_json: bool) -> None:
    # Its help is on the decorator.
    from costanza.services import accounts

    rows = accounts.list_accounts(obj.app)
    if as_json:
        echo_json(rows)
        return
    if not rows:
        click.echo(_(_NO_ACCOUNT))
        return
    for row in rows:
        health = (_("ok") if row["health"] == "ok"
                  else _("ON HOLD: {reason}").format(reason=row["reason"]))
        click.echo(_("{name}: {label} {display_name} (id {id}), {health}").format(
            name=row["name"], label=_label(row["network"]),
            display_name=row["display_name"] or "", id=row["remote_id"], health=health))


@account.command("check", help=N_(
    """Ask each network whether an account still works (its token, its
    permissions) and, for Instagram, whether the media host serves photos.
    An account that works again gets its waiting posts going. The exit code is 1
    when an account has a problem.

    Example:

    \b
        costanza account check instagram
    """))
@click.argument("name", required=False)
@json_option
@click.pass_obj
def check(obj: Context, name: str | None, as_json: bool) -> None:
    # Its help is on the decorator.
    from costanza.services import accounts

    results = accounts.check_accounts(obj.app, name)
    if as_json:
        echo_json(results)
    else:
        _print_checks(results)
    if any(not r["ok"] for r in results):
        raise click.exceptions.Exit(1)


def _print_checks(results: list[dict[str, Any]]) -> None:
    if not results:
        click.echo(_(_NO_ACCOUNT))
        return
    for r in results:
        words = {"name": r["name"], "label": _label(r["network"]),
                 "display_name": r["display_name"] or ""}
        click.echo((_("{name} ({label} {display_name}): works") if r["ok"]
                    else _("{name} ({label} {display_name}): HAS A PROBLEM")).format(**words))
        if r["permissions"] is not None:
            click.echo(_("  permissions: {permissions}").format(
                permissions=", ".join(r["permissions"]) or _("none")))
        if r["expires"]:
            click.echo(_("  expires: {when}").format(when=r["expires"]))
        if r.get("media_host") and r["media_host"]["ok"]:
            click.echo(_("  media host: serves photos ({url})").format(
                url=r["media_host"]["url"]))
        if r["resumed"]:
            click.echo(ngettext("  {n} waiting posts will go out again.",
                                "  {n} waiting posts will go out again.",
                                r["resumed"]).format(n=r["resumed"]))
        for problem in r["problems"]:
            click.echo(_("  problem: {problem}").format(problem=problem), err=True)
        for note in r["notes"]:
            click.echo(_("  note: {note}").format(note=note))
        if r.get("comment_permissions"):
            _print_comment_permissions(r["comment_permissions"])


def _print_comment_permissions(found: dict[str, Any]) -> None:
    """The comments' missing permissions: publishing works, the comments wait."""
    said = " ".join(m["fails"] for m in found["missing"])
    click.echo(_("  comments: {missing} Publishing is not affected. What to do: {fix}")
               .format(missing=said, fix=found["fix"]))


@account.command("remove", help=N_(
    """Disconnect an account and delete its keys. Its queued posts are kept:
    they wait until you connect another account on that network.

    Example:

    \b
        costanza account remove x
    """))
@click.argument("name")
@click.pass_obj
def remove(obj: Context, name: str) -> None:
    # Its help is on the decorator.
    from costanza.services import accounts

    result = accounts.remove_account(obj.app, name)
    click.echo(_("Removed the account '{name}' and its keys.").format(name=result["name"]))
    if result["waiting"]:
        click.echo(ngettext(
            "{n} post waits until you connect another {network} account with "
            "`costanza account add {network} ...`.",
            "{n} posts wait until you connect another {network} account with "
            "`costanza account add {network} ...`.",
            result["waiting"]).format(n=result["waiting"], network=result["network"]))
    if result["secrets_elsewhere"]:
        click.echo(_("Some of its keys also come from environment variables or the systemd "
                     "credentials folder: remove them there too."))
