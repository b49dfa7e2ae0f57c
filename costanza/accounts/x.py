"""Connecting an X account: keys given, or the OAuth 1.0a PIN flow."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import requests

from costanza.accounts.common import (
    AccountProblem,
    AskPin,
    NetworkTrouble,
    _hide,
    _session,
    _unreachable,
)
from costanza.accounts.store import _account_name, _Connection, _save
from costanza.app import App
from costanza.errors import CostanzaError, InputError


@dataclass(frozen=True)
class _XKeys:
    consumer_key: str
    consumer_secret: str
    access_token: str
    access_token_secret: str


def _x_client(app: App, keys: _XKeys) -> tuple[Any, Any]:
    import tweepy

    session = _session(app)
    client = tweepy.Client(consumer_key=keys.consumer_key,
                           consumer_secret=keys.consumer_secret,
                           access_token=keys.access_token,
                           access_token_secret=keys.access_token_secret, return_type=dict)
    client.session = session
    return client, session


def _x_me(app: App, keys: _XKeys) -> tuple[str, str, str | None]:
    """(user id, username, access level) of the X account these keys act for."""
    import tweepy

    _hide(keys.consumer_key, keys.consumer_secret, keys.access_token, keys.access_token_secret)
    client, session = _x_client(app, keys)
    try:
        reply = client.get_me(user_auth=True)
    except tweepy.errors.TooManyRequests:
        raise NetworkTrouble("X asked Costanza to slow down (429). Wait fifteen minutes, "
                             "then run the command again. Nothing was changed.") from None
    except tweepy.errors.HTTPException as exc:
        raise x_problem(exc.response.status_code if exc.response is not None else None) \
            from None
    except requests.RequestException as exc:
        raise _unreachable("X", exc) from None
    data = (reply or {}).get("data") or {}
    if not data.get("id"):
        raise NetworkTrouble("X answered without saying which account these keys belong "
                             "to. Run the command again in a few minutes.")
    response = session.last_response
    level = response.headers.get("x-access-level") if response is not None else None
    return str(data["id"]), str(data.get("username") or ""), level


def x_problem(status: int | None) -> CostanzaError:
    if status == 401:
        return AccountProblem(
            "X did not accept these keys (401). Check the consumer key and secret, and the "
            "access token and secret, in the X developer portal (your app's \"Keys and "
            "tokens\" page), then run the command again.", expired=True)
    if status == 403:
        return AccountProblem(
            "X refused access with these keys (403). In the X developer portal, check that "
            "the app has \"Read and write\" permission and is in a project, then create the "
            "access token again and run the command again.", expired=True)
    if status is not None and status < 500:
        return AccountProblem(f"X refused the request ({status}). Check the keys, then run "
                              "the command again.")
    return NetworkTrouble(f"X had a temporary problem ({status or 'no answer'}). Run the "
                          "command again in a few minutes. Nothing was changed.")


def _pin_flow(app: App, consumer_key: str, consumer_secret: str, ask_pin: AskPin) -> _XKeys:
    """OAuth 1.0a with a PIN: the person authorises the app in a browser and types the PIN."""
    import tweepy
    from requests_oauthlib import OAuth1Session

    from scheduler.publishers.hygiene import QuietAdapter, install_log_filters
    from scheduler.publishers.routing import rewrite_url

    base_url = app.settings.networks_base_url
    install_log_filters()
    _hide(consumer_key, consumer_secret)

    class RoutedOAuth1Session(OAuth1Session):  # type: ignore[misc]
        """OAuth1Session with Costanza's routing, timeout and quiet transport."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.mount("https://", QuietAdapter())
            self.mount("http://", QuietAdapter())

        def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
            kwargs.setdefault("timeout", 30.0)
            return super().request(method, rewrite_url(url, base_url), *args, **kwargs)

    class Handler(tweepy.OAuth1UserHandler):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__(consumer_key, consumer_secret, callback="oob")
            self.oauth = RoutedOAuth1Session(consumer_key, client_secret=consumer_secret,
                                             callback_uri="oob")

        def _get_oauth_url(self, endpoint: str) -> str:
            return rewrite_url(super()._get_oauth_url(endpoint), base_url)

        def get_access_token(self, verifier: str | None = None) -> tuple[str, str]:
            self.oauth = RoutedOAuth1Session(
                consumer_key, client_secret=consumer_secret,
                resource_owner_key=self.request_token["oauth_token"],
                resource_owner_secret=self.request_token["oauth_token_secret"],
                verifier=verifier, callback_uri="oob")
            reply = self.oauth.fetch_access_token(self._get_oauth_url("access_token"))
            return reply["oauth_token"], reply["oauth_token_secret"]

    handler = Handler()
    try:
        with _quiet_oauth_logs():
            url = handler.get_authorization_url()
    except tweepy.errors.TweepyException as exc:
        raise _pin_problem(exc, step="keys") from None
    pin = ask_pin(url).strip()
    if not pin:
        raise InputError("No PIN was typed, so the X account was not connected. Run the "
                         "command again and type the PIN that X shows after you authorise.")
    try:
        with _quiet_oauth_logs():
            token, secret = handler.get_access_token(pin)
    except Exception as exc:  # requests-oauthlib raises several kinds
        raise _pin_problem(exc, step="pin") from None
    _hide(token, secret)
    return _XKeys(consumer_key, consumer_secret, token, secret)


@contextlib.contextmanager
def _quiet_oauth_logs() -> Iterator[None]:
    """requests-oauthlib logs the tokens it receives at DEBUG, before anyone knows them
    to hide them: its loggers stay silent while the PIN flow fetches them."""
    names = ("requests_oauthlib", "oauthlib")
    loggers = [logging.getLogger(n) for n in names]
    before = [lg.disabled for lg in loggers]
    children = [lg for lg in logging.root.manager.loggerDict.values()
                if isinstance(lg, logging.Logger) and lg.name.startswith(names)]
    child_before = [lg.disabled for lg in children]
    for lg in loggers + children:
        lg.disabled = True
    try:
        yield
    finally:
        for lg, was in zip(loggers, before, strict=True):
            lg.disabled = was
        for lg, was in zip(children, child_before, strict=True):
            lg.disabled = was


def _pin_problem(exc: Exception, *, step: str) -> CostanzaError:
    cause: Any = exc
    while cause is not None and not isinstance(cause, requests.RequestException) \
            and getattr(cause, "status_code", None) is None:
        cause = cause.__cause__ or cause.__context__ or (
            cause.args[0] if cause.args and isinstance(cause.args[0], Exception) else None)
    if isinstance(cause, requests.RequestException):
        return _unreachable("X", cause)
    status = getattr(cause, "status_code", None)
    if step == "pin" and status in (400, 401):
        return AccountProblem(
            f"X did not accept the PIN ({status}). Run the command again, authorise the app "
            "in the browser, and type the PIN that X shows (it works only once, for a few "
            "minutes).")
    if status in (401, 403):
        return AccountProblem(
            f"X did not accept these keys ({status}). Check the consumer key and secret in "
            "the X developer portal (your app's \"Keys and tokens\" page), then run the "
            "command again.")
    return NetworkTrouble(f"X did not complete the sign-in ({status or 'no answer'}). Run the "
                          "command again in a few minutes. Nothing was changed.")


def add_x(app: App, *, consumer_key: str, consumer_secret: str,
          access_token: str | None = None, access_token_secret: str | None = None,
          name: str | None = None, ask_pin: AskPin | None = None) -> dict[str, Any]:
    """Connect an X account with its keys, or through the PIN flow when no access token is given."""
    name = _account_name(app, "x", name)
    if bool(access_token) != bool(access_token_secret):
        raise InputError("Give both --access-token and --access-token-secret, or neither (then "
                         "Costanza asks X for them with a PIN).")
    app.store  # noqa: B018 - fail early (not set up) before anything is asked of X
    if access_token and access_token_secret:
        keys = _XKeys(consumer_key, consumer_secret, access_token, access_token_secret)
    else:
        if ask_pin is None:
            raise InputError("Without --access-token, X needs you to authorise Costanza in a "
                             "browser; run the command in a terminal.")
        keys = _pin_flow(app, consumer_key, consumer_secret, ask_pin)
    user_id, username, level = _x_me(app, keys)
    notes = []
    if level and "write" not in level:
        notes.append("X says this app may only read. In the X developer portal set the "
                     "app's permissions to \"Read and write\", create the access token "
                     "again, and connect again, or posts will be refused.")
    found = _Connection("x", user_id, f"@{username}" if username else user_id, {
        "consumer_key": keys.consumer_key, "consumer_secret": keys.consumer_secret,
        "access_token": keys.access_token, "access_token_secret": keys.access_token_secret,
        "username": username}, notes)
    return _save(app, name, found)
