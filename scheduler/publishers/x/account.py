"""One X account's clients for one call (tweepy for posts and reads, OAuth 1.0a for
uploads), shared by the publisher and the comment client."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import requests
import tweepy
from requests_oauthlib import OAuth1

from config.errors import AuthExpired
from config.i18n import _
from scheduler.http.hygiene import remember_secrets
from scheduler.http.routing import RoutingSession
from scheduler.http.transport import transport_error
from scheduler.publishers.base import AccountAuth
from scheduler.publishers.x.errors import classify_x_response

SECRET_KEYS = ("consumer_key", "consumer_secret", "access_token", "access_token_secret")


class XAccount:
    """tweepy over a ``RoutingSession`` with the account's OAuth 1.0a user context;
    ``before_write`` is called before every request that is not a read."""

    def __init__(self, account: AccountAuth, base_url: str | None, timeout: float,
                 before_write: Callable[[], None] | None = None) -> None:
        secrets = account.secrets
        missing = [k for k in SECRET_KEYS if not secrets.get(k)]
        if missing:
            raise AuthExpired(
                _("The X account {name} is missing its keys. Connect it with "
                  "`costanza account add x`.").format(name=repr(account.name)),
                code="no_keys")
        self.secrets = tuple(secrets[k] for k in SECRET_KEYS)
        remember_secrets(*self.secrets)
        self.user_id = account.remote_id or secrets.get("user_id")
        self.username = secrets.get("username")
        self.session = RoutingSession(base_url, timeout=timeout, before_write=before_write)
        self.client = tweepy.Client(
            consumer_key=secrets["consumer_key"], consumer_secret=secrets["consumer_secret"],
            access_token=secrets["access_token"],
            access_token_secret=secrets["access_token_secret"], return_type=dict,
        )
        self.client.session = self.session
        self.auth = OAuth1(secrets["consumer_key"], secrets["consumer_secret"],
                           secrets["access_token"], secrets["access_token_secret"])

    def call(self, fn: Callable[..., Any], *args: Any, creates: bool,
             post_id: int | None = None, what: str = "post", **kwargs: Any) -> Any:
        """``fn`` (a tweepy method) with user auth; a failure as Costanza's error
        (``what``: the thing X refused, see ``errors.REFUSED``)."""
        try:
            return fn(*args, user_auth=True, **kwargs)
        except tweepy.errors.HTTPException as exc:
            raise classify_x_response(exc.response, creates=creates, secrets=self.secrets,
                                      post_id=post_id, what=what) from None
        except requests.RequestException as exc:
            raise transport_error(exc, network="x", creates=creates,
                                  secrets=self.secrets, what=what) from None

    def permalink(self, tweet_id: str) -> str:
        who = self.username or "i/web"
        return f"https://x.com/{who}/status/{tweet_id}"
