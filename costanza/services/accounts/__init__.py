"""Connecting, checking and removing network accounts (`costanza account ...`).

Each function takes the ``App`` and returns plain data for the command line
to print (``--json`` prints it as is). The secrets (keys and tokens) go to
the secret store (``secrets.toml``, mode 0600) and nowhere else: not the
database, not config.toml, not a log line, not a message, not a URL.

Every call to a network goes through ``RoutingSession``, so
``COSTANZA_PLATFORM_URL`` (or ``[networks] base_url``) sends it to the
sandbox or a proxy. Graph tokens travel in the ``Authorization`` header or a
POST body, never in a query string.
"""

from costanza.services.accounts.checks import check_accounts, list_accounts, remove_account
from costanza.services.accounts.ig_login import (
    add_instagram_login,
    refresh_instagram_login_tokens,
)
from costanza.services.accounts.meta import add_facebook, add_instagram
from costanza.services.accounts.x import add_x, start_x_pin

__all__ = ["add_facebook", "add_instagram", "add_instagram_login", "add_x", "check_accounts",
           "list_accounts", "refresh_instagram_login_tokens", "remove_account", "start_x_pin"]
