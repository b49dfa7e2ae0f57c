"""`costanza account ...`: connect, list, check and remove network accounts."""

from __future__ import annotations

import shlex
import sys
from typing import Any

import click

from config.errors import InputError
from costanza.cli.main import Context
from costanza.cli.output import echo_json, json_option

_LABELS = {"x": "X account", "facebook": "Facebook Page", "instagram": "Instagram account"}
_NAME_HELP = ("A name for this account (default: the network's name). Using a name already "
              "connected reconnects it, keeping the keys you do not give again.")
_NO_ACCOUNT = ("No account is connected yet. Connect one with "
               "`costanza account add facebook ...` (or x, or instagram).")


@click.group()
def account() -> None:
    """Connect your Facebook Page, Instagram and X accounts, and check they still work.

    Keys and tokens are kept in a private file (secrets.toml, readable only by
    you), never in the settings file or the database.

    Example:

    \b
        costanza account add facebook --page-id 1234567890 --page-token EAAB...
    """


@account.group("add")
def add() -> None:
    """Connect an account on X, Facebook or Instagram.

    Posts that were waiting for an account on that network go to it.

    Example:

    \b
        costanza account add x --consumer-key KEY --consumer-secret SECRET
    """


def _has_terminal() -> bool:
    """Whether someone can type the PIN: standard input is a terminal (not a script's pipe,
    a service, a web page)."""
    stream = sys.stdin
    return stream is not None and bool(getattr(stream, "isatty", lambda: False)())


def _ask_pin(url: str) -> str:
    click.echo("Open this address in your browser, sign in to X and authorise the app:")
    click.echo(f"  {url}")
    try:
        return str(click.prompt("Then type the PIN that X shows", type=str))
    except click.Abort:  # the typing was ended (Ctrl-D) before a PIN
        raise InputError(
            "No PIN was typed, so the X account was not connected. Run the command again and "
            "type the PIN that X shows, or run it with --no-prompt: Costanza then shows the "
            "address and tells you how to give the PIN with --pin.") from None


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
    click.echo("X needs you to authorise Costanza in a browser. Open this address, sign in "
               "to X and authorise the app:")
    click.echo(f"  {result['authorize_url']}")
    click.echo("Then, within 15 minutes, run:")
    click.echo(f"  {result['next_command']}")
    click.echo("with your app's consumer key and secret (the same as now) in place of KEY and "
               "SECRET, and the PIN that X shows in place of THE-PIN. The X account is "
               "connected only then.")


def _choose_page(pages: list[dict[str, str]]) -> str:
    click.echo("This login manages these Facebook Pages:")
    for number, page in enumerate(pages, 1):
        click.echo(f"  {number}. {page['name']} ({page['id']})")
    choice = click.prompt("Which one should Costanza post to? Type its number",
                          type=click.IntRange(1, len(pages)))
    return pages[int(choice) - 1]["id"]


def _print_added(result: dict[str, Any], as_json: bool) -> None:
    if as_json:
        echo_json(result)
        return
    verb = "Reconnected" if result["reconnected"] else "Connected"
    click.echo(f"{verb} the {_LABELS[result['network']]} {result['display_name']} as "
               f"'{result['name']}'. Its keys are saved in {result['secrets_file']} "
               "(readable only by you).")
    if result["resumed"]:
        posts = "post that was" if result["resumed"] == 1 else "posts that were"
        click.echo(f"{result['resumed']} {posts} waiting for this account will go out as "
                   "soon as the daemon gets to them.")
    for note in result["notes"]:
        click.echo(f"Note: {note}")


@add.command("x")
@click.option("--consumer-key", required=True, metavar="KEY",
              help="The app's API key (X developer portal, Keys and tokens).")
@click.option("--consumer-secret", required=True, metavar="SECRET",
              help="The app's API key secret.")
@click.option("--access-token", metavar="TOKEN",
              help="Your access token; leave out to sign in with a PIN instead.")
@click.option("--access-token-secret", metavar="SECRET", help="Your access token secret.")
@click.option("--pin", metavar="PIN",
              help="The PIN that X showed after you authorised the app at the address an "
                   "earlier run gave (within 15 minutes).")
@click.option("--no-prompt", is_flag=True,
              help="Do not ask for the PIN: show the address, and how to give the PIN "
                   "with --pin (as happens without a terminal).")
@click.option("--name", metavar="NAME", help=_NAME_HELP)
@json_option
@click.pass_obj
def add_x(obj: Context, consumer_key: str, consumer_secret: str, access_token: str | None,
          access_token_secret: str | None, pin: str | None, no_prompt: bool,
          name: str | None, as_json: bool) -> None:
    """Connect an X account. Without --access-token, Costanza shows an address
    where you authorise the app, then asks for the PIN that X gives you. Without
    a terminal (a script, over ssh), or with --no-prompt, it shows the address and
    stops: run the command again with --pin and the PIN, within 15 minutes.

    Example:

    \b
        costanza account add x --consumer-key KEY --consumer-secret SECRET
        costanza account add x --consumer-key KEY --consumer-secret SECRET --no-prompt
        costanza account add x --consumer-key KEY --consumer-secret SECRET --pin 1234567
    """
    from costanza.services import accounts

    if pin is None and not access_token and not access_token_secret and (
            no_prompt or not _has_terminal()):
        started = accounts.start_x_pin(obj.app, consumer_key=consumer_key,
                                       consumer_secret=consumer_secret, name=name)
        _print_pin_step({**started, "next_command": _pin_command(obj, name)}, as_json)
        return
    result = accounts.add_x(obj.app, consumer_key=consumer_key, consumer_secret=consumer_secret,
                            access_token=access_token, access_token_secret=access_token_secret,
                            name=name, ask_pin=_ask_pin, pin=pin)
    _print_added(result, as_json)


@add.command("facebook")
@click.option("--page-id", metavar="ID", help="The Page's id (its About section shows it).")
@click.option("--page-token", metavar="TOKEN", help="A Page access token for that Page.")
@click.option("--user-token", metavar="TOKEN",
              help="Your login token instead: Costanza lists your Pages and gets the token.")
@click.option("--app-id", metavar="ID", help="Your Meta app's id (to get a long-lived token).")
@click.option("--app-secret", metavar="SECRET", help="Your Meta app's secret.")
@click.option("--name", metavar="NAME", help=_NAME_HELP)
@json_option
@click.pass_obj
def add_facebook(obj: Context, page_id: str | None, page_token: str | None,
                 user_token: str | None, app_id: str | None, app_secret: str | None,
                 name: str | None, as_json: bool) -> None:
    """Connect a Facebook Page, with its Page token, or with your login token
    (exchanged for a long-lived one with --app-id and --app-secret) and a
    choice from the Pages you manage.

    Example:

    \b
        costanza account add facebook --user-token EAAB... \\
            --app-id 123 --app-secret abc
    """
    from costanza.services import accounts

    result = accounts.add_facebook(obj.app, page_id=page_id, page_token=page_token,
                                   user_token=user_token, app_id=app_id,
                                   app_secret=app_secret, name=name, choose_page=_choose_page)
    _print_added(result, as_json)


@add.command("instagram")
@click.option("--ig-user-id", metavar="ID", help="The Instagram professional account's id.")
@click.option("--token", metavar="TOKEN", help="An access token that may publish for it.")
@click.option("--page-id", metavar="ID",
              help="Find the account linked to this Facebook Page (default: your connected Page).")
@click.option("--page-token", metavar="TOKEN", help="That Page's access token.")
@click.option("--name", metavar="NAME", help=_NAME_HELP)
@json_option
@click.pass_obj
def add_instagram(obj: Context, ig_user_id: str | None, token: str | None, page_id: str | None,
                  page_token: str | None, name: str | None, as_json: bool) -> None:
    """Connect an Instagram professional account. Without --ig-user-id, Costanza
    finds the account linked to your connected Facebook Page.

    Example:

    \b
        costanza account add instagram
    """
    from costanza.services import accounts

    result = accounts.add_instagram(obj.app, ig_user_id=ig_user_id, token=token,
                                    page_id=page_id, page_token=page_token, name=name)
    _print_added(result, as_json)


@account.command("list")
@json_option
@click.pass_obj
def list_(obj: Context, as_json: bool) -> None:
    """List the connected accounts and whether each one works.

    Example:

    \b
        costanza account list --json
    """
    from costanza.services import accounts

    rows = accounts.list_accounts(obj.app)
    if as_json:
        echo_json(rows)
        return
    if not rows:
        click.echo(_NO_ACCOUNT)
        return
    for row in rows:
        health = "ok" if row["health"] == "ok" else f"ON HOLD: {row['reason']}"
        click.echo(f"{row['name']}: {_LABELS[row['network']]} {row['display_name'] or ''} "
                   f"(id {row['remote_id']}), {health}")


@account.command("check")
@click.argument("name", required=False)
@json_option
@click.pass_obj
def check(obj: Context, name: str | None, as_json: bool) -> None:
    """Ask each network whether an account still works (its token, its
    permissions) and, for Instagram, whether the media host serves photos.
    An account that works again gets its waiting posts going. The exit code is 1
    when an account has a problem.

    Example:

    \b
        costanza account check instagram
    """
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
        click.echo(_NO_ACCOUNT)
        return
    for r in results:
        state = "works" if r["ok"] else "HAS A PROBLEM"
        click.echo(f"{r['name']} ({_LABELS[r['network']]} {r['display_name'] or ''}): {state}")
        if r["permissions"] is not None:
            click.echo(f"  permissions: {', '.join(r['permissions']) or 'none'}")
        if r["expires"]:
            click.echo(f"  expires: {r['expires']}")
        if r.get("media_host") and r["media_host"]["ok"]:
            click.echo(f"  media host: serves photos ({r['media_host']['url']})")
        if r["resumed"]:
            click.echo(f"  {r['resumed']} waiting posts will go out again.")
        for problem in r["problems"]:
            click.echo(f"  problem: {problem}", err=True)
        for note in r["notes"]:
            click.echo(f"  note: {note}")


@account.command("remove")
@click.argument("name")
@click.pass_obj
def remove(obj: Context, name: str) -> None:
    """Disconnect an account and delete its keys. Its queued posts are kept:
    they wait until you connect another account on that network.

    Example:

    \b
        costanza account remove x
    """
    from costanza.services import accounts

    result = accounts.remove_account(obj.app, name)
    click.echo(f"Removed the account '{result['name']}' and its keys.")
    if result["waiting"]:
        posts = "post waits" if result["waiting"] == 1 else "posts wait"
        click.echo(f"{result['waiting']} {posts} until you connect another "
                   f"{result['network']} account with `costanza account add "
                   f"{result['network']} ...`.")
    if result["secrets_elsewhere"]:
        click.echo("Some of its keys also come from environment variables or the systemd "
                   "credentials folder: remove them there too.")
