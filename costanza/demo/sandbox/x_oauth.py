"""X's OAuth 1.0a PIN flow (3-legged, ``oauth_callback=oob``), for connecting an account.

1. ``POST /oauth/request_token`` signed with the consumer key alone ->
   ``oauth_token=…&oauth_token_secret=…&oauth_callback_confirmed=true``
   (form-encoded, as X answers).
2. ``GET /oauth/authorize?oauth_token=…`` (or ``/oauth/authenticate``): the
   sandbox approves at once and shows the PIN in ``<code id="oauth_pin">``.
3. ``POST /oauth/access_token`` signed with the request token, with
   ``oauth_verifier`` (the PIN) in the header, query or form ->
   ``oauth_token=…&oauth_token_secret=…&user_id=…&screen_name=…``: the
   account's access token.

And OAuth 2.0: ``POST /2/oauth2/token`` with ``grant_type=refresh_token``,
``refresh_token`` and ``client_id`` -> a new two-hour access token and a new
refresh token (the old one stops working).
"""

from __future__ import annotations

import secrets
from html import escape
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from costanza.demo.sandbox import oauth1
from costanza.demo.sandbox.messages import ApiError, Reply, Request
from costanza.demo.sandbox.routes import Route

if TYPE_CHECKING:
    from costanza.demo.sandbox.routes import Sandbox

FORM = "application/x-www-form-urlencoded"
REQUEST_TOKEN_SECS = 15 * 60


def resolve(request: Request) -> Route | None:
    path, method = request.path.rstrip("/"), request.method
    if path == "/oauth/request_token" and method == "POST":
        return Route("x", "oauth_request_token", request_token)
    if path in ("/oauth/authorize", "/oauth/authenticate") and method == "GET":
        return Route("x", "oauth_authorize", authorize)
    if path == "/oauth/access_token" and method == "POST":
        return Route("x", "oauth_access_token", access_token)
    return None


def _refused(message: str, status: int = 401) -> ApiError:
    body = ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<hash>\n  <error>{escape(message)}</error>\n"
            f"  <request>/oauth</request>\n</hash>\n")
    return ApiError(Reply(status, body, content_type="application/xml; charset=utf-8"))


def request_token(app: Sandbox, request: Request) -> Reply:
    tokens = app.state["tokens"]

    def consumer_secret(key: str) -> str | None:
        info = tokens.get(key)
        return info["secret"] if info and info["kind"] == "x_consumer" else None

    try:
        params = oauth1.verify(request, consumer_secret, lambda key, token: None,
                               require_token=False)
    except oauth1.OAuthError as exc:
        raise _refused("Failed to validate oauth signature and token") from exc
    if "oauth_callback" not in params:
        raise _refused("Callback URL not approved for this client application.", 403)
    account = tokens[params["oauth_consumer_key"]]["account"]
    token, secret = "sbx-rt-" + secrets.token_hex(12), secrets.token_hex(16)
    with app.state.change():
        tokens[token] = {"kind": "x_request", "account": account, "secret": secret,
                         "expired": False, "verifier": f"{secrets.randbelow(10**7):07d}",
                         "created_ts": app.state.now(), "used": False}
    body = urlencode({"oauth_token": token, "oauth_token_secret": secret,
                      "oauth_callback_confirmed": "true"})
    return Reply(200, body, content_type=FORM)


def authorize(app: Sandbox, request: Request) -> Reply:
    info = app.state["tokens"].get(request.query.get("oauth_token", ""))
    if not info or info["kind"] != "x_request" or info["used"]:
        raise ApiError(Reply(400, "<p>This authorisation link is invalid or has expired.</p>",
                             content_type="text/html; charset=utf-8"))
    username = app.state["accounts"][info["account"]]["x"]["username"]
    html = ("<!doctype html><meta charset=utf-8><title>Authorise app (sandbox)</title>"
            f"<h1>Sandbox X: @{escape(username)} authorised the app</h1>"
            "<p>Enter this PIN in the app to finish connecting:</p>"
            f'<p style="font-size:2rem"><code id="oauth_pin">{info["verifier"]}</code></p>')
    return Reply(200, html, content_type="text/html; charset=utf-8")


def access_token(app: Sandbox, request: Request) -> Reply:
    tokens = app.state["tokens"]

    def consumer_secret(key: str) -> str | None:
        info = tokens.get(key)
        return info["secret"] if info and info["kind"] == "x_consumer" else None

    def token_secret(key: str, token: str) -> str | None:
        info, consumer = tokens.get(token), tokens.get(key)
        if not info or info["kind"] != "x_request" or not consumer:
            return None
        return info["secret"] if info["account"] == consumer["account"] else None

    try:
        params = oauth1.verify(request, consumer_secret, token_secret)
    except oauth1.OAuthError as exc:
        raise _refused("Invalid request token.") from exc
    info = tokens[params["oauth_token"]]
    verifier = (params.get("oauth_verifier") or request.query.get("oauth_verifier")
                or request.form.get("oauth_verifier"))
    fresh = app.state.now() - info["created_ts"] <= REQUEST_TOKEN_SECS
    if info["used"] or not fresh or verifier != info["verifier"]:
        raise _refused("Error processing your OAuth request: Invalid oauth_verifier "
                       "parameter")
    with app.state.change():
        info["used"] = True
    x = app.state["accounts"][info["account"]]["x"]
    body = urlencode({"oauth_token": x["access_token"],
                      "oauth_token_secret": x["access_token_secret"],
                      "user_id": x["user_id"], "screen_name": x["username"]})
    return Reply(200, body, content_type=FORM)


def _oauth2_refused(description: str) -> ApiError:
    return ApiError(Reply(400, {"error": "invalid_request", "error_description": description}))


def oauth2_token(app: Sandbox, request: Request) -> Reply:
    from costanza.demo.sandbox.accounts import OAUTH2_TOKEN_SECS

    if request.form.get("grant_type") != "refresh_token":
        raise _oauth2_refused("Only grant_type=refresh_token is supported by the sandbox.")
    tokens = app.state["tokens"]
    old = request.form.get("refresh_token", "")
    info = tokens.get(old)
    if not info or info["kind"] != "x_refresh" or info["expired"]:
        raise _oauth2_refused("Value passed for the token was invalid.")
    x = app.state["accounts"][info["account"]]["x"]
    if request.form.get("client_id") != x.get("oauth2_client_id"):
        raise _oauth2_refused("Missing or invalid client_id.")
    access = "sbx-x-user-" + secrets.token_hex(16)
    refresh = "sbx-x-refresh-" + secrets.token_hex(16)
    with app.state.change():
        info["expired"] = True
        tokens[access] = {"kind": "x_oauth2", "account": info["account"], "expired": False,
                          "secret": None, "expires_ts": app.state.now() + OAUTH2_TOKEN_SECS}
        tokens[refresh] = {"kind": "x_refresh", "account": info["account"], "expired": False,
                           "secret": None}
    return Reply(200, {"token_type": "bearer", "expires_in": OAUTH2_TOKEN_SECS,
                       "access_token": access, "refresh_token": refresh,
                       "scope": "tweet.write users.read tweet.read offline.access "
                                "media.write"})
