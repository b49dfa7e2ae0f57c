"""Sandbox accounts and the credentials that go with them.

An account ``NAME`` is one person's presence on all three networks: an X
user, a Facebook Page (with the user who manages it) and the Instagram
professional account linked to that Page. ``create(state, NAME)`` makes it on
first use and returns the same credentials afterwards.

Credential scheme (all random, all opaque to clients, all "sbx"-marked so
that nobody mistakes them for real ones):

- X: ``consumer_key`` ``sbx-ck-<hex>``, ``consumer_secret`` ``sbx-cs-<hex>``,
  ``access_token`` ``<user_id>-sbx<hex>`` (real X access tokens also start
  with the user id), ``access_token_secret`` ``sbx-ats-<hex>``; also an OAuth 2
  user token ``sbx-x-user-<hex>`` (may post; expires after 2 hours of sandbox
  time, as on X) with a refresh token ``sbx-x-refresh-<hex>`` and client id
  ``sbx-x-client-<hex>`` for ``POST /2/oauth2/token``, and an app-only bearer
  token ``sbx-x-app-<hex>`` (may read, may not post, as on X).
- Facebook: ``page_token`` ``EAASBXP<hex>`` (a Page token from a long-lived login: never
  expires unless a fault expires it), ``user_token`` ``EAASBXU<hex>`` (a long-lived login
  token, 60 days, for ``/me/accounts``), ``short_user_token`` ``EAASBXS<hex>`` (a
  short-lived login token, one hour, as the Graph API Explorer gives: exchange it with
  ``oauth/access_token``; ``/me/accounts`` gives short-lived Page tokens for it). The
  permissions the login declined are in ``facebook.declined`` (``POST
  /_sandbox/permissions``); an account made with ``managed_by`` has its Page managed by
  that account's user too (a login with several Pages).
- Instagram: ``token`` ``EAASBXI<hex>``; the linked Page's page and user
  tokens are accepted for the Instagram account too (Facebook Login flavour).
  ``login_token`` ``IGAASBX<hex>`` is a short-lived (one hour) Instagram Login token, for
  graph.instagram.com only (``ig_login``).

Tokens are stored in the ``tokens`` collection as token -> {kind, account,
secret, expired}, Facebook login tokens with ``long_lived`` and ``expires_ts`` (what
``debug_token`` reports; the sandbox does not refuse them when that time passes).
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from costanza.demo.sandbox.state import SandboxState

OAUTH2_TOKEN_SECS = 2 * 3600  # X OAuth 2.0 user access tokens live two hours
IG_LOGIN_SECS = 3600  # a short-lived Instagram Login token lives one hour
SHORT_LIVED_SECS = 3600  # a Facebook login token from the Graph API Explorer: about an hour
LONG_LIVED_SECS = 60 * 24 * 3600  # a long-lived Facebook login token: about 60 days


def create(state: SandboxState, name: str = "demo",
           managed_by: str | None = None) -> dict[str, Any]:
    """Create the account ``name`` on all three networks (or return the existing one);
    ``managed_by``: an existing account whose user manages this Page too."""
    name = (name or "demo").strip() or "demo"
    with state.change():
        if name in state["accounts"]:
            return credentials(state, name)
        x_user = state.new_id("x")
        page_id = state.new_id("fb")
        fb_user = state.new_id("fb")
        ig_user = state.new_id("ig_user")
        username = (re.sub(r"[^A-Za-z0-9_]", "_", name)[:15]) or "sandbox"

        def token(kind: str, prefix: str, secret: str | None = None) -> str:
            value = prefix + secrets.token_hex(16)
            state["tokens"][value] = {"kind": kind, "account": name, "expired": False,
                                      "secret": secret}
            return value

        consumer_secret = "sbx-cs-" + secrets.token_hex(20)
        token_secret = "sbx-ats-" + secrets.token_hex(20)
        account = {
            "name": name,
            "x": {
                "user_id": x_user,
                "username": username,
                "consumer_key": token("x_consumer", "sbx-ck-", consumer_secret),
                "consumer_secret": consumer_secret,
                "access_token": token("x_access", f"{x_user}-sbx", token_secret),
                "access_token_secret": token_secret,
                "oauth2_user_token": token("x_oauth2", "sbx-x-user-"),
                "oauth2_refresh_token": token("x_refresh", "sbx-x-refresh-"),
                "oauth2_client_id": "sbx-x-client-" + secrets.token_hex(8),
                "app_bearer_token": token("x_app", "sbx-x-app-"),
            },
            "facebook": {
                "page_id": page_id,
                "page_name": f"{name} (sandbox page)",
                "user_id": fb_user,
                "page_token": token("fb_page", "EAASBXP"),
                "user_token": token("fb_user", "EAASBXU"),
                "short_user_token": token("fb_user", "EAASBXS"),
                "declined": [],
                "also_manages": [],
            },
            "instagram": {
                "ig_user_id": ig_user,
                "username": username.lower(),
                "token": token("ig", "EAASBXI"),
                "login_token": token("ig_login", "IGAASBX"),
            },
        }
        _lifetimes(state, account)
        _facebook_logins(state, account["facebook"], name, managed_by)
        state["accounts"][name] = account
        state["nodes"][page_id] = {"kind": "page", "account": name}
        state["nodes"][fb_user] = {"kind": "fb_user", "account": name}
        state["nodes"][ig_user] = {"kind": "ig_user", "account": name}
        return credentials(state, name)


def _lifetimes(state: SandboxState, account: dict[str, Any]) -> None:
    """The tokens that expire on their own: X's OAuth 2.0 user token, Instagram Login's."""
    user_token = account["x"]["oauth2_user_token"]
    state["tokens"][user_token]["expires_ts"] = state.now() + OAUTH2_TOKEN_SECS
    state["tokens"][account["instagram"]["login_token"]].update(
        issued_ts=state.now(), long_lived=False, expires_ts=state.now() + IG_LOGIN_SECS)


def _facebook_logins(state: SandboxState, fb: dict[str, Any], name: str,
                     managed_by: str | None) -> None:
    """How long the two login tokens live; the other user who manages this Page."""
    state["tokens"][fb["user_token"]].update(long_lived=True,
                                             expires_ts=state.now() + LONG_LIVED_SECS)
    state["tokens"][fb["short_user_token"]].update(
        long_lived=False, expires_ts=state.now() + SHORT_LIVED_SECS)
    if managed_by is not None:
        state["accounts"][managed_by]["facebook"].setdefault("also_manages", []).append(name)


def credentials(state: SandboxState, name: str) -> dict[str, Any]:
    account = state["accounts"][name]
    x, fb, ig = account["x"], account["facebook"], account["instagram"]
    return {
        "name": name,
        "x": {key: x[key] for key in ("consumer_key", "consumer_secret", "access_token",
                                      "access_token_secret", "user_id", "username",
                                      "oauth2_user_token", "oauth2_refresh_token",
                                      "oauth2_client_id", "app_bearer_token") if key in x},
        "facebook": {key: fb[key] for key in ("page_id", "page_token", "user_token",
                                              "short_user_token", "user_id", "page_name")
                     if key in fb},
        "instagram": {key: ig[key] for key in ("ig_user_id", "token", "username",
                                               "login_token") if key in ig},
    }


def token_info(state: SandboxState, token: str | None) -> dict[str, Any] | None:
    if not token:
        return None
    return state["tokens"].get(token)


def expire_tokens(state: SandboxState, network: str, account: str | None = None,
                  token: str | None = None) -> int:
    """Mark tokens of ``network`` as expired (one token, one account or all)."""
    kinds = {"x": ("x_access", "x_oauth2"), "facebook": ("fb_page", "fb_user"),
             "instagram": ("ig", "ig_login")}[network]
    count = 0
    with state.change():
        for value, info in state["tokens"].items():
            if token:
                if value != token:
                    continue
            elif info["kind"] not in kinds:
                continue
            if account and info["account"] != account:
                continue
            info["expired"] = True
            count += 1
    return count


def decline_permissions(state: SandboxState, declined: list[str],
                        account: str | None = None) -> dict[str, list[str]]:
    """The Facebook login of ``account`` (or of every account) declined these permissions
    (an empty list: it granted every one again). Returns each account's declined list."""
    with state.change():
        names = [account] if account else list(state["accounts"])
        for name in names:
            state["accounts"][name]["facebook"]["declined"] = sorted(set(declined))
        return {name: state["accounts"][name]["facebook"]["declined"] for name in names}


def declined_permissions(state: SandboxState, account: str) -> list[str]:
    return list(state["accounts"][account]["facebook"].get("declined") or [])
