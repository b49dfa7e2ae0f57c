"""An X authorisation waiting for its PIN: `account add x` without a terminal.

The first run asks X for a request token and keeps it, with its secret, in
secrets.toml under a name no account can have (``x-pin:`` and a digest of the
consumer key); the second run, given ``--pin``, takes it back to finish. X lets a
request token be used for about fifteen minutes, so an older one is refused here
with a plain message rather than sent to X.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from config.errors import InputError
from config.i18n import _
from costanza.app import App
from costanza.services.accounts.store import secret_store
from costanza.services.accounts.x_oauth import RequestToken

# How long X accepts a request token: past this, step one must be run again.
LIFETIME = timedelta(minutes=15)


def _section(consumer_key: str) -> str:
    """The secrets-file name for the consumer key's pending authorisation: the ``:``
    keeps it apart from every account name, and the key itself stays out of it."""
    return "x-pin:" + _digest(consumer_key)[:16]


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def save(app: App, consumer_key: str, consumer_secret: str, request: RequestToken) -> datetime:
    """Keep the request token for the second step; the time by which it must be used.
    Of the consumer secret only a digest is kept: enough to tell a mistyped one."""
    now = app.clock.now().astimezone(UTC)
    secret_store(app).put(_section(consumer_key), {
        "request_token": request.token, "request_token_secret": request.secret,
        "consumer_secret_sha256": _digest(consumer_secret), "started_at": now.isoformat()})
    return now + LIFETIME


def find(app: App, consumer_key: str, consumer_secret: str, *,
         start_again: str) -> RequestToken:
    """The pending authorisation for this consumer key, or a plain refusal when there is
    none or it is too old (``start_again`` says how to begin anew)."""
    saved = secret_store(app).saved(_section(consumer_key))
    token, secret = saved.get("request_token"), saved.get("request_token_secret")
    if not token or not secret:
        raise InputError(_(
            "There is no X authorisation waiting for a PIN for this consumer key, so the PIN "
            "cannot be used. {start_again}").format(start_again=start_again))
    if app.clock.now() - _started(saved.get("started_at")) > LIFETIME:
        raise InputError(_(
            "The X authorisation for this PIN was started more than 15 minutes ago, and X "
            "no longer accepts it. {start_again}").format(start_again=start_again))
    if saved.get("consumer_secret_sha256") not in (None, _digest(consumer_secret)):
        raise InputError(_(
            "This consumer secret is not the one given when the X authorisation was "
            "started. Run the command again with the same consumer key and secret as then, "
            "and the PIN."))
    return RequestToken("", token, secret)


def drop(app: App, consumer_key: str) -> None:
    """Forget the pending authorisation (used, or spent at X)."""
    secret_store(app).remove(_section(consumer_key))


def _started(value: str | None) -> datetime:
    try:
        started = datetime.fromisoformat(value or "")
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)  # unreadable: treated as too old
    return started if started.tzinfo else started.replace(tzinfo=UTC)
