"""`costanza account add instagram --instagram-login`: the options of Instagram Login
(no Facebook Page), checked, and the service called. `costanza.cli.account` holds the
command and prints its result."""

from __future__ import annotations

from typing import Any

import click

from config.errors import InputError
from config.i18n import N_, _
from costanza.cli.main import Context

LOGIN_HELP = N_("Connect with Instagram Login (graph.instagram.com, no Facebook Page "
                "needed): give --token, an Instagram Login token of the professional "
                "account, and --app-secret to exchange it for one lasting 60 days.")
APP_SECRET_HELP = N_("With --instagram-login: your Meta app's Instagram app secret, to "
                     "exchange a one-hour token for one lasting 60 days.")


def add_with_instagram_login(obj: Context, *, token: str | None, app_secret: str | None,
                             page_options: list[str], name: str | None) -> dict[str, Any]:
    """Connect with Instagram Login, once the options given make sense together."""
    from costanza.services import accounts

    if page_options:
        raise InputError(_("With --instagram-login there is no Facebook Page: leave out "
                           "{options}.").format(options=", ".join(page_options)))
    if not token:
        raise InputError(_("With --instagram-login, give the Instagram Login token with "
                           "--token."))
    return accounts.add_instagram_login(obj.app, token=token, app_secret=app_secret, name=name)


def refuse_app_secret(app_secret: str | None) -> None:
    """--app-secret goes with Instagram Login only (through the Page, the Page's token is
    used as it is)."""
    if app_secret:
        raise InputError(_("--app-secret goes with --instagram-login. Through the Facebook "
                           "Page, leave it out."))


def print_login_extra(result: dict[str, Any]) -> None:
    """What an Instagram Login connection adds to the usual lines: when the token ends."""
    if result.get("token_expires_local"):
        click.echo(_("The token lasts until {when}; Costanza renews it before then.")
                   .format(when=result["token_expires_local"]))
