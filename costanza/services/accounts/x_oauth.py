"""X's OAuth 1.0a PIN flow, in its two calls: a request token (and the address where the
person authorises the app), then the PIN exchanged for the account's access token."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import requests

from config.errors import CostanzaError, InputError
from config.i18n import _
from costanza.app import App
from costanza.services.accounts.common import (
    AccountProblem,
    NetworkTrouble,
    hide_secrets,
    unreachable,
)


@dataclass(frozen=True)
class RequestToken:
    """What X hands out for one authorisation: the address to open and the request token."""

    url: str
    token: str
    secret: str


def _handler(app: App, consumer_key: str, consumer_secret: str) -> Any:
    """tweepy's OAuth1UserHandler over Costanza's routing, timeout and quiet transport."""
    import tweepy
    from requests_oauthlib import OAuth1Session

    from scheduler.http.hygiene import QuietAdapter, install_log_filters
    from scheduler.http.routing import rewrite_url

    base_url = app.settings.networks_base_url
    install_log_filters()
    hide_secrets(consumer_key, consumer_secret)

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

    return Handler()


def request_token(app: App, consumer_key: str, consumer_secret: str) -> RequestToken:
    """Ask X for a request token: the first step, before the person authorises the app."""
    import tweepy

    handler = _handler(app, consumer_key, consumer_secret)
    try:
        with _quiet_oauth_logs():
            url = handler.get_authorization_url()
    except tweepy.errors.TweepyException as exc:
        raise _pin_problem(exc, step="keys") from None
    token = str(handler.request_token["oauth_token"])
    secret = str(handler.request_token["oauth_token_secret"])
    hide_secrets(secret)
    return RequestToken(url, token, secret)


def access_token(app: App, consumer_key: str, consumer_secret: str, request: RequestToken,
                 pin: str, *, again: str) -> tuple[str, str]:
    """The account's access token and secret for the PIN X showed for ``request``.

    ``again`` says, in the message for a PIN X refuses, how to try again."""
    pin = pin.strip()
    if not pin:
        raise InputError(_("No PIN was given, so the X account was not connected. {again}")
                         .format(again=again))
    handler = _handler(app, consumer_key, consumer_secret)
    handler.request_token = {"oauth_token": request.token,
                             "oauth_token_secret": request.secret}
    hide_secrets(request.secret)
    try:
        with _quiet_oauth_logs():
            token, secret = handler.get_access_token(pin)
    except Exception as exc:  # requests-oauthlib raises several kinds
        raise _pin_problem(exc, step="pin", again=again) from None
    hide_secrets(token, secret)
    return token, secret


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


def _pin_problem(exc: Exception, *, step: str, again: str = "") -> CostanzaError:
    cause: Any = exc
    while cause is not None and not isinstance(cause, requests.RequestException) \
            and getattr(cause, "status_code", None) is None:
        cause = cause.__cause__ or cause.__context__ or (
            cause.args[0] if cause.args and isinstance(cause.args[0], Exception) else None)
    if isinstance(cause, requests.RequestException):
        return unreachable("X", cause)
    status = getattr(cause, "status_code", None)
    if step == "pin" and status in (400, 401):
        return AccountProblem(_("X did not accept the PIN ({status}). {again}")
                              .format(status=status, again=again))
    if status in (401, 403):
        return AccountProblem(_(
            "X did not accept these keys ({status}). Check the consumer key and secret in "
            "the X developer portal (your app's \"Keys and tokens\" page), then run the "
            "command again.").format(status=status))
    if status is None:
        return NetworkTrouble(_("X did not complete the sign-in (no answer). Run the "
                                "command again in a few minutes. Nothing was changed."))
    return NetworkTrouble(_("X did not complete the sign-in ({status}). Run the "
                            "command again in a few minutes. Nothing was changed.")
                          .format(status=status))
