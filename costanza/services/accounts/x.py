"""Connecting an X account: keys given, or the OAuth 1.0a PIN flow (at a terminal, or in
two runs: the address to authorise, then the PIN)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests

from config.errors import CostanzaError, InputError
from config.i18n import L_, N_, _
from costanza.app import App
from costanza.services.accounts import x_oauth, x_pending
from costanza.services.accounts.common import (
    AccountProblem,
    AskPin,
    NetworkTrouble,
    hide_secrets,
    http_session,
    unreachable,
    worded,
)
from costanza.services.accounts.store import (
    Connection,
    make_account_name,
    save_connection,
    secret_store,
)


@dataclass(frozen=True)
class XKeys:
    consumer_key: str
    consumer_secret: str
    access_token: str
    access_token_secret: str


def _x_client(app: App, keys: XKeys) -> tuple[Any, Any]:
    import tweepy

    session = http_session(app)
    client = tweepy.Client(consumer_key=keys.consumer_key,
                           consumer_secret=keys.consumer_secret,
                           access_token=keys.access_token,
                           access_token_secret=keys.access_token_secret, return_type=dict)
    client.session = session
    return client, session


def x_me(app: App, keys: XKeys) -> tuple[str, str, str | None]:
    """(user id, username, access level) of the X account these keys act for."""
    import tweepy

    hide_secrets(keys.consumer_key, keys.consumer_secret, keys.access_token,
                 keys.access_token_secret)
    client, session = _x_client(app, keys)
    try:
        reply = client.get_me(user_auth=True)
    except tweepy.errors.TooManyRequests:
        raise NetworkTrouble(worded(N_(
            "X asked Costanza to slow down (429). Wait fifteen minutes, then run the command "
            "again. Nothing was changed."))) from None
    except tweepy.errors.HTTPException as exc:
        raise x_problem(exc.response.status_code if exc.response is not None else None) \
            from None
    except requests.RequestException as exc:
        raise unreachable("X", exc) from None
    data = (reply or {}).get("data") or {}
    if not data.get("id"):
        raise NetworkTrouble(worded(N_(
            "X answered without saying which account these keys belong to. Run the command "
            "again in a few minutes.")))
    response = session.last_response
    level = response.headers.get("x-access-level") if response is not None else None
    return str(data["id"]), str(data.get("username") or ""), level


def x_problem(status: int | None) -> CostanzaError:
    if status == 401:
        return AccountProblem(worded(N_(
            "X did not accept these keys (401). Check the consumer key and secret, and the "
            "access token and secret, in the X developer portal (your app's \"Keys and "
            "tokens\" page), then run the command again.")), expired=True)
    if status == 403:
        return AccountProblem(worded(N_(
            "X refused access with these keys (403). In the X developer portal, check that "
            "the app has \"Read and write\" permission and is in a project, then create the "
            "access token again and run the command again.")), expired=True)
    if status is not None and status < 500:
        return AccountProblem(worded(N_(
            "X refused the request ({status}). Check the keys, then run the command again."),
            status=status))
    if status is None:
        return NetworkTrouble(worded(N_(
            "X had a temporary problem (no answer). Run the command again in a few minutes. "
            "Nothing was changed.")))
    return NetworkTrouble(worded(N_(
        "X had a temporary problem ({status}). Run the command again in a few minutes. "
        "Nothing was changed."), status=status))


def add_x(app: App, *, consumer_key: str, consumer_secret: str,
          access_token: str | None = None, access_token_secret: str | None = None,
          name: str | None = None, ask_pin: AskPin | None = None,
          pin: str | None = None) -> dict[str, Any]:
    """Connect an X account with its keys; or with the PIN for the authorisation that
    ``start_x_pin`` began (``pin``); or through the whole PIN flow, asking for the PIN
    with ``ask_pin``, when neither is given."""
    name = make_account_name(app, "x", name)
    if bool(access_token) != bool(access_token_secret):
        raise InputError(_("Give both --access-token and --access-token-secret, or neither "
                           "(then Costanza asks X for them with a PIN)."))
    if access_token and pin is not None:
        raise InputError(_("Give either --pin or --access-token and --access-token-secret, "
                           "not both: the PIN is how Costanza gets the access token from X."))
    app.store  # noqa: B018 - fail early (not set up) before anything is asked of X
    if access_token and access_token_secret:
        keys = XKeys(consumer_key, consumer_secret, access_token, access_token_secret)
    elif pin is not None:
        keys = _finish_pin(app, consumer_key, consumer_secret, pin)
    else:
        if ask_pin is None:
            raise InputError(_("Without --access-token, X needs you to authorise Costanza in "
                               "a browser: run the command without --pin to get the address, "
                               "then again with --pin and the PIN that X shows."))
        keys = _pin_flow(app, consumer_key, consumer_secret, ask_pin)
    user_id, username, level = x_me(app, keys)
    notes = []
    if level and "write" not in level:
        notes.append(L_("X says this app may only read. In the X developer portal set the "
                        "app's permissions to \"Read and write\", create the access token "
                        "again, and connect again, or posts will be refused."))
    found = Connection("x", user_id, f"@{username}" if username else user_id, {
        "consumer_key": keys.consumer_key, "consumer_secret": keys.consumer_secret,
        "access_token": keys.access_token, "access_token_secret": keys.access_token_secret,
        "username": username}, notes)
    return save_connection(app, name, found)


def start_x_pin(app: App, *, consumer_key: str, consumer_secret: str,
                name: str | None = None) -> dict[str, Any]:
    """The first of two steps, for a run without a terminal: ask X for a request token,
    keep it (secrets.toml) for ``add_x(pin=...)``, and return the address where the person
    authorises the app, and by when the PIN must be given (UTC)."""
    name = make_account_name(app, "x", name)
    app.store  # noqa: B018 - fail early (not set up) before anything is asked of X
    secret_store(app).check_writable()
    request = x_oauth.request_token(app, consumer_key, consumer_secret)
    expires = x_pending.save(app, consumer_key, consumer_secret, request)
    return {"network": "x", "name": name, "authorize_url": request.url,
            "expires_at": expires.isoformat()}


# Marked here, translated where they are used (the language is chosen later).
_AGAIN_TYPED = N_("Run the command again, authorise the app in the browser, and type the PIN "
                  "that X shows (it works only once, for a few minutes).")
_AGAIN_GIVEN = N_("Check the PIN that X showed and run the same command again with it. If X "
                  "still refuses it, start again: run the command without --pin, for a new "
                  "address and a new PIN.")
_START_AGAIN = N_("Run the same command without --pin first: it shows a new address where you "
                  "authorise the app, and then X gives you a new PIN (within 15 minutes).")


def _pin_flow(app: App, consumer_key: str, consumer_secret: str, ask_pin: AskPin) -> XKeys:
    """OAuth 1.0a with a PIN: the person authorises the app in a browser and types the PIN."""
    request = x_oauth.request_token(app, consumer_key, consumer_secret)
    pin = ask_pin(request.url)
    token, secret = x_oauth.access_token(app, consumer_key, consumer_secret, request, pin,
                                         again=_(_AGAIN_TYPED))
    return XKeys(consumer_key, consumer_secret, token, secret)


def _finish_pin(app: App, consumer_key: str, consumer_secret: str, pin: str) -> XKeys:
    """The second step: the PIN for the request token that ``start_x_pin`` kept. Once X
    has exchanged it, the request token is spent, so it is forgotten whatever follows."""
    secret_store(app).check_writable()
    request = x_pending.find(app, consumer_key, consumer_secret,
                               start_again=_(_START_AGAIN))
    token, secret = x_oauth.access_token(app, consumer_key, consumer_secret, request, pin,
                                         again=_(_AGAIN_GIVEN))
    x_pending.drop(app, consumer_key)
    return XKeys(consumer_key, consumer_secret, token, secret)
