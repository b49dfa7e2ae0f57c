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

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from sqlalchemy import select
from sqlalchemy.orm import Session

from config.secrets import SecretStore
from costanza.app import DEFAULT_PROFILE, App
from costanza.errors import CostanzaError, InputError, NotFound
from posts.models import Account, Delivery, Profile
from posts.profiles import get_profile
from scheduler.delivery import attach_account, hold_account, network_label, release_account
from scheduler.media_hosts.base import SECRETS_NAME

GRAPH = "https://graph.facebook.com/v26.0"
X_API = "https://api.x.com"
RESERVED_NAMES = {SECRETS_NAME}  # the media host's keys live under this name
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
# Deliveries that may be mid-call, or need the account to find out what happened.
BUSY = ("claimed", "publishing", "unknown")
WAITING = ("queued", "retry_wait", "held")
AUTH_CODES = {102, 190, 463, 467}
PERMISSION_CODES = {10, *range(200, 300)}
RATE_CODES = {4, 17, 32, 613}
FACEBOOK_PERMISSIONS = ("pages_manage_posts", "pages_read_engagement")
INSTAGRAM_PERMISSIONS = ("instagram_basic", "instagram_content_publish")

AskPin = Callable[[str], str]
ChoosePage = Callable[[list[dict[str, str]]], str]


class AccountProblem(InputError):
    """A network did not accept an account's keys or token.

    ``expired`` is true when the token expired or was revoked (the account's
    posts must wait until it is connected again).
    """

    def __init__(self, message: str, *, expired: bool = False) -> None:
        super().__init__(message)
        self.expired = expired


class NetworkTrouble(CostanzaError):
    """The network could not be reached or had a temporary problem; nothing was changed."""


# -- talking to the networks --------------------------------------------------------------


def _session(app: App) -> Any:
    from scheduler.publishers.routing import RoutingSession

    return RoutingSession(app.settings.networks_base_url, timeout=30.0)


def _hide(*values: str | None) -> None:
    from scheduler.publishers.hygiene import remember_secrets

    remember_secrets(*values)


def _unreachable(label: str, exc: requests.RequestException) -> NetworkTrouble:
    kind = "it did not answer in time" if isinstance(exc, requests.Timeout) else \
        "the connection failed"
    return NetworkTrouble(
        f"Costanza could not reach {label} ({kind}). Check your internet connection, then "
        "run the command again. Nothing was changed.")


class _Graph:
    """The few Graph API calls account setup needs, over the routing session."""

    def __init__(self, app: App, network: str) -> None:
        self.session = _session(app)
        self.network = network
        self.label = network_label(network)

    def get(self, path: str, token: str, **params: str) -> dict[str, Any]:
        _hide(token)
        return self._reply(lambda: self.session.get(
            f"{GRAPH}/{path.lstrip('/')}", params=params or None,
            headers={"Authorization": f"OAuth {token}"}))

    def post(self, path: str, data: dict[str, str]) -> dict[str, Any]:
        _hide(*data.values())
        return self._reply(lambda: self.session.post(f"{GRAPH}/{path.lstrip('/')}", data=data))

    def _reply(self, send: Callable[[], requests.Response]) -> dict[str, Any]:
        try:
            response = send()
        except requests.RequestException as exc:
            raise _unreachable(self.label, exc) from None
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code < 400 and isinstance(body, dict) and "error" not in body:
            return body
        error = body.get("error") if isinstance(body, dict) else None
        raise graph_problem(self.network, response.status_code,
                            error if isinstance(error, dict) else {})


def graph_problem(network: str, status: int, error: dict[str, Any]) -> CostanzaError:
    """A Graph API error met while connecting or checking an account, in plain words."""
    from scheduler.publishers.hygiene import redact

    label = network_label(network)
    code = _int(error.get("code"))
    said = redact(error.get("error_user_msg") or error.get("message") or "").strip()
    tag = f"code {code}" if code is not None else f"HTTP {status}"
    if code in AUTH_CODES or status == 401:
        return AccountProblem(
            f"{label} did not accept this token ({tag}): it has expired, was revoked, or was "
            "not copied whole. Get a new one (for example in Meta's Graph API Explorer, "
            f"with your app selected), then run `costanza account add {network}` again.",
            expired=True)
    if code in PERMISSION_CODES:
        needed = FACEBOOK_PERMISSIONS + (INSTAGRAM_PERMISSIONS if network == "instagram" else ())
        return AccountProblem(
            f"{label} says this token is missing a permission ({tag}: {said}). Create the "
            f"token again granting {', '.join(needed)}, then run the command again.",
            expired=True)
    if code in RATE_CODES:
        return NetworkTrouble(
            f"{label} asked Costanza to slow down ({tag}). Wait a few minutes, then run the "
            "command again. Nothing was changed.")
    if code in (1, 2) or status >= 500:
        return NetworkTrouble(
            f"{label} had a temporary problem ({tag}). Run the command again in a few "
            "minutes. Nothing was changed.")
    if code in (100, 803):
        return AccountProblem(
            f"{label} does not know that id, or this token may not read it ({tag}: {said}). "
            "Check the number (a Page's id is in its About section) and that the token "
            "belongs to someone who manages it.")
    return AccountProblem(f"{label} refused the request ({tag}: {said or 'no reason given'}).")


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# -- X ------------------------------------------------------------------------------------


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


# -- the database and the secret store ------------------------------------------------------


@dataclass
class _Connection:
    network: str
    remote_id: str
    display_name: str
    secrets: dict[str, str]
    notes: list[str] = field(default_factory=list)


def _store(app: App) -> SecretStore:
    return SecretStore(app.settings.home.secrets_file)


def _stored(store: SecretStore, name: str) -> dict[str, str]:
    """What the secrets file holds for ``name`` (not the environment's or systemd's)."""
    return dict(store._file().get(name, {}))


def _account_name(app: App, network: str, name: str | None) -> str:
    if name is None:
        return network if app.profile_name == DEFAULT_PROFILE else \
            f"{app.profile_name}-{network}"
    name = name.strip()
    if not NAME.match(name) or name in RESERVED_NAMES:
        raise InputError(
            f"'{name}' cannot be an account name: use letters, digits, dots, dashes or "
            "underscores (up to 64), starting with a letter or digit"
            + (", and not 'media_host', which Costanza uses for the media host's keys."
               if name in RESERVED_NAMES else "."))
    return name


def _find(db: Session, profile: Profile, name: str) -> Account | None:
    return db.scalars(select(Account).where(Account.profile_id == profile.id,
                                            Account.name == name)).one_or_none()


def _save(app: App, name: str, found: _Connection) -> dict[str, Any]:
    """Store the secrets (keeping the ones not given again) and the account row."""
    now = app.clock.now()
    store = _store(app)
    with app.store.write() as db:
        profile = get_profile(db, app.profile_name)
        account = _find(db, profile, name)
        if account is not None and account.network != found.network:
            raise InputError(
                f"An account called '{name}' is already connected to "
                f"{network_label(account.network)}. Choose another name with --name, or "
                f"remove it first with `costanza account remove {name}`.")
        other = db.scalars(select(Account).where(Account.name == name,
                                                 Account.profile_id != profile.id)).first()
        if other is not None:
            raise InputError(
                f"Another profile already has an account called '{name}' (account secrets "
                "are kept by name). Choose another name with --name.")
        store.put(name, {**_stored(store, name), **found.secrets})
        reconnected = account is not None
        if account is None:
            account = Account(profile_id=profile.id, network=found.network, name=name,
                              created_at=now)
            db.add(account)
        account.remote_id = found.remote_id
        account.display_name = found.display_name
        db.flush()
        resumed = release_account(db, account.id, now)
        attached = attach_account(db, account, now)
    return {"name": name, "network": found.network, "remote_id": found.remote_id,
            "display_name": found.display_name, "reconnected": reconnected,
            "resumed": resumed + attached, "notes": found.notes,
            "secrets_file": str(store.path)}


# -- account add ---------------------------------------------------------------------------


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


def add_facebook(app: App, *, page_id: str | None = None, page_token: str | None = None,
                 user_token: str | None = None, app_id: str | None = None,
                 app_secret: str | None = None, name: str | None = None,
                 choose_page: ChoosePage | None = None) -> dict[str, Any]:
    """Connect a Facebook Page with its Page token, or pick it with a user token."""
    name = _account_name(app, "facebook", name)
    if bool(page_token) == bool(user_token):
        raise InputError("Give either --page-token (with --page-id) or --user-token.")
    if bool(app_id) != bool(app_secret):
        raise InputError("Give both --app-id and --app-secret (to get a long-lived token), "
                         "or neither.")
    app.store  # noqa: B018 - fail early (not set up) before anything is asked of Facebook
    graph = _Graph(app, "facebook")
    secrets: dict[str, str] = {}
    notes: list[str] = []
    if user_token:
        if app_id and app_secret:
            user_token, expires = _long_lived(graph, user_token, app_id, app_secret)
            if expires:
                secrets["user_token_expires_at"] = expires
        else:
            notes.append("Without --app-id and --app-secret the login token was not exchanged "
                         "for a long-lived one, so the Page token may stop working within "
                         "hours. Connect again with them to get one that lasts.")
        secrets["user_token"] = user_token
        page_id, page_token, _ = _pick_page(graph, user_token, page_id, choose_page)
        page_id, page_name = _check_page_token(graph, page_token, page_id)
    else:
        assert page_token is not None
        page_id, page_name = _check_page_token(graph, page_token, page_id)
    secrets["page_token"] = page_token
    return _save(app, name, _Connection("facebook", page_id, page_name, secrets, notes))


def _long_lived(graph: _Graph, token: str, app_id: str, app_secret: str) -> tuple[str, str]:
    """Exchange a login token for a long-lived one (sent in a POST body, never a URL)."""
    reply = graph.post("oauth/access_token", {
        "grant_type": "fb_exchange_token", "client_id": app_id, "client_secret": app_secret,
        "fb_exchange_token": token})
    long_lived = str(reply.get("access_token") or "")
    if not long_lived:
        raise NetworkTrouble("Facebook did not return a long-lived token. Run the command "
                             "again in a few minutes.")
    expires = ""
    if isinstance(reply.get("expires_in"), int | float) and reply["expires_in"] > 0:
        when = datetime.now(UTC) + timedelta(seconds=float(reply["expires_in"]))
        expires = when.replace(microsecond=0).isoformat()
    return long_lived, expires


def _pick_page(graph: _Graph, user_token: str, page_id: str | None,
               choose_page: ChoosePage | None) -> tuple[str, str, str]:
    reply = graph.get("me/accounts", user_token, fields="id,name,access_token", limit="100")
    pages = [{"id": str(p["id"]), "name": str(p.get("name") or p["id"]),
              "access_token": str(p.get("access_token") or "")}
             for p in reply.get("data") or [] if isinstance(p, dict) and p.get("id")]
    if not pages:
        raise AccountProblem(
            "This Facebook login manages no Page that it shared with the app. When you log "
            "in, choose your Page and allow every permission asked, then run the command "
            "again.")
    if page_id is None and len(pages) == 1:
        page_id = pages[0]["id"]
    if page_id is None:
        if choose_page is None:
            listed = ", ".join(f"{p['name']} ({p['id']})" for p in pages)
            raise InputError(f"This login manages several Pages: {listed}. Choose one with "
                             "--page-id.")
        page_id = choose_page([{"id": p["id"], "name": p["name"]} for p in pages])
    page = next((p for p in pages if p["id"] == page_id), None)
    if page is None:
        listed = ", ".join(f"{p['name']} ({p['id']})" for p in pages)
        raise InputError(f"This login does not manage the Page {page_id}. It manages: "
                         f"{listed}.")
    if not page["access_token"]:
        raise AccountProblem(
            f"Facebook gave no Page token for {page['name']}: the login may lack the "
            f"permissions {', '.join(FACEBOOK_PERMISSIONS)}. Log in again allowing them.")
    _hide(page["access_token"])
    return page["id"], page["access_token"], page["name"]


def _check_page_token(graph: _Graph, page_token: str, page_id: str | None) -> tuple[str, str]:
    """Read the Page the token belongs to; it must be a Page token (of ``page_id``)."""
    me = graph.get("me", page_token, fields="id,name")
    found = str(me.get("id") or "")
    if page_id and found != page_id:
        page = graph.get(page_id, page_token, fields="id,name")
        raise AccountProblem(
            f"This token is not the Page token of the Page {page_id} ({page.get('name')}): it "
            f"belongs to {me.get('name') or found}. Give the Page's own token, or use "
            "--user-token to choose the Page from a list.")
    page = graph.get(found, page_token, fields="id,name,instagram_business_account")
    if str(page.get("id") or "") != found:
        raise AccountProblem("Facebook did not confirm which Page this token belongs to. "
                             "Check the token, then run the command again.")
    return found, str(page.get("name") or found)


def add_instagram(app: App, *, ig_user_id: str | None = None, token: str | None = None,
                  page_id: str | None = None, page_token: str | None = None,
                  name: str | None = None) -> dict[str, Any]:
    """Connect an Instagram professional account, given or found from the Facebook Page."""
    name = _account_name(app, "instagram", name)
    app.store  # noqa: B018 - fail early (not set up) before anything is asked of Instagram
    notes: list[str] = []
    if not token or not ig_user_id:
        page_id, page_token = _page_for_instagram(app, page_id, page_token or token)
        graph = _Graph(app, "facebook")
        if not ig_user_id:
            page = graph.get(page_id, page_token, fields="id,name,instagram_business_account")
            linked = page.get("instagram_business_account") or {}
            if not isinstance(linked, dict) or not linked.get("id"):
                raise AccountProblem(
                    f"The Facebook Page {page.get('name') or page_id} has no Instagram "
                    "professional account linked to it. In the Instagram app, switch to a "
                    "professional account and link it to this Page, then run the command "
                    "again (or give --ig-user-id and --token).")
            ig_user_id = str(linked["id"])
            notes.append(f"Found the Instagram account linked to the Page "
                         f"{page.get('name') or page_id}.")
        token = token or page_token
    graph = _Graph(app, "instagram")
    user = graph.get(ig_user_id, token, fields="id,username")
    if str(user.get("id") or "") != ig_user_id:
        raise AccountProblem("Instagram did not confirm this account id. Check --ig-user-id.")
    username = str(user.get("username") or "")
    if not app.settings.media_host:
        notes.append("Instagram fetches photos from a public web address: add a [media_host] "
                     "section to your settings (see the README) before queueing photos for "
                     "Instagram, then run `costanza account check`.")
    found = _Connection("instagram", ig_user_id, f"@{username}" if username else ig_user_id,
                        {"token": token}, notes)
    return _save(app, name, found)


def _page_for_instagram(app: App, page_id: str | None,
                        page_token: str | None) -> tuple[str, str]:
    if page_id and page_token:
        return page_id, page_token
    with app.store.read() as db:
        profile = get_profile(db, app.profile_name)
        pages = db.scalars(select(Account).where(Account.profile_id == profile.id,
                                                 Account.network == "facebook")
                           .order_by(Account.id)).all()
        page = next((p for p in pages if not page_id or p.remote_id == page_id), None)
        if page is None:
            raise InputError(
                "To find your Instagram account Costanza needs the Facebook Page it is linked "
                "to. Connect the Page first with `costanza account add facebook ...`, or give "
                "--ig-user-id and --token.")
        name, found_id = page.name, page.remote_id
    stored = _store(app).get(name)
    token = page_token or stored.get("page_token")
    if not token or not found_id:
        raise InputError(f"The Facebook account '{name}' has no Page token stored. Connect it "
                         "again with `costanza account add facebook ...`.")
    return found_id, token


# -- account list, check, remove --------------------------------------------------------------


def _row(account: Account) -> dict[str, Any]:
    return {"name": account.name, "network": account.network, "remote_id": account.remote_id,
            "display_name": account.display_name, "health": account.health,
            "reason": account.health_reason,
            "checked_at": account.checked_at.isoformat() if account.checked_at else None}


def list_accounts(app: App) -> list[dict[str, Any]]:
    with app.store.read() as db:
        profile = get_profile(db, app.profile_name)
        accounts = db.scalars(select(Account).where(Account.profile_id == profile.id)
                              .order_by(Account.network, Account.name)).all()
        return [_row(a) for a in accounts]


def check_accounts(app: App, name: str | None = None) -> list[dict[str, Any]]:
    """Ask each network whether the account still works; hold or release it accordingly."""
    with app.store.read() as db:
        profile = get_profile(db, app.profile_name)
        query = select(Account).where(Account.profile_id == profile.id)
        if name:
            query = query.where(Account.name == name)
        accounts = db.scalars(query.order_by(Account.network, Account.name)).all()
    if name and not accounts:
        raise NotFound(f"There is no account called '{name}'. See them with "
                       "`costanza account list`.")
    return [_check_one(app, account) for account in accounts]


def _check_one(app: App, account: Account) -> dict[str, Any]:
    result: dict[str, Any] = {"name": account.name, "network": account.network,
                              "display_name": account.display_name, "ok": True,
                              "problems": [], "notes": [], "permissions": None,
                              "expires": None, "media_host": None, "resumed": 0}
    secrets = _store(app).get(account.name)
    try:
        {"x": _check_x, "facebook": _check_facebook,
         "instagram": _check_instagram}[account.network](app, account, secrets, result)
    except AccountProblem as exc:
        result["ok"] = False
        result["problems"].append(exc.message)
        if exc.expired:
            reason = (f"{exc.message} Posts for '{account.name}' wait until it is connected "
                      f"again with `costanza account add {account.network} ...`.")
            with app.store.write() as db:
                hold_account(db, account.id, reason, app.clock.now())
        result["health"] = "held" if exc.expired else account.health
        return result
    except CostanzaError as exc:
        result["ok"] = False
        result["problems"].append(exc.message)
        result["health"] = account.health
        return result
    with app.store.write() as db:
        result["resumed"] = release_account(db, account.id, app.clock.now())
    result["health"] = "ok"
    if result["problems"]:
        result["ok"] = False
    return result


def _missing(account: Account, keys: tuple[str, ...], secrets: dict[str, str]) -> None:
    if not all(secrets.get(k) for k in keys):
        raise AccountProblem(
            f"The keys of the {network_label(account.network)} account '{account.name}' are "
            f"missing from the secrets file. Connect it again with `costanza account add "
            f"{account.network} ... --name {account.name}`.", expired=True)


def _check_x(app: App, account: Account, secrets: dict[str, str],
             result: dict[str, Any]) -> None:
    keys = ("consumer_key", "consumer_secret", "access_token", "access_token_secret")
    _missing(account, keys, secrets)
    user_id, _, level = _x_me(app, _XKeys(*(secrets[k] for k in keys)))
    if account.remote_id and user_id != account.remote_id:
        raise AccountProblem(
            f"These keys now act for another X account (id {user_id}, not "
            f"{account.remote_id}). Connect the right one with `costanza account add x`.")
    result["expires"] = "never (X keys stay valid until you revoke them)"
    if level:
        result["permissions"] = [level]
        if "write" not in level:
            result["problems"].append(
                "X says this app may only read: posts will be refused. Set the app's "
                "permissions to \"Read and write\" in the X developer portal, create the "
                "access token again and connect again.")


def _permissions(app: App, network: str, secrets: dict[str, str],
                 result: dict[str, Any], needed: tuple[str, ...]) -> None:
    """The permissions the login granted, when a user token is stored and Meta tells them."""
    user_token = secrets.get("user_token")
    if not user_token:
        return
    try:
        reply = _Graph(app, network).get("me/permissions", user_token)
    except CostanzaError:
        result["notes"].append(f"{network_label(network)} did not say which permissions were "
                               "granted.")
        return
    granted = sorted(str(p.get("permission")) for p in reply.get("data") or []
                     if isinstance(p, dict) and p.get("status") == "granted")
    result["permissions"] = granted
    lacking = [p for p in needed if p not in granted]
    if lacking:
        result["problems"].append(
            f"The login lacks the permissions {', '.join(lacking)}: posts will be refused. "
            f"Connect again with `costanza account add {network}` and allow every permission "
            "asked.")


def _check_facebook(app: App, account: Account, secrets: dict[str, str],
                    result: dict[str, Any]) -> None:
    _missing(account, ("page_token",), secrets)
    _, page_name = _check_page_token(_Graph(app, "facebook"), secrets["page_token"],
                                     account.remote_id)
    result["display_name"] = page_name
    if secrets.get("user_token_expires_at"):
        result["expires"] = "never (a Page token from a long-lived login does not expire)"
    _permissions(app, "facebook", secrets, result, FACEBOOK_PERMISSIONS)


def _check_instagram(app: App, account: Account, secrets: dict[str, str],
                     result: dict[str, Any]) -> None:
    _missing(account, ("token",), secrets)
    user = _Graph(app, "instagram").get(account.remote_id or "me", secrets["token"],
                                        fields="id,username")
    if account.remote_id and str(user.get("id") or "") != account.remote_id:
        raise AccountProblem("Instagram did not confirm this account. Connect it again with "
                             "`costanza account add instagram`.", expired=True)
    _permissions(app, "instagram", secrets, result,
                 FACEBOOK_PERMISSIONS[1:] + INSTAGRAM_PERMISSIONS)
    result["media_host"] = _check_media_host(app, result)


def _check_media_host(app: App, result: dict[str, Any]) -> dict[str, Any]:
    """Can Instagram fetch photos? Put a test photo on the media host and read it back."""
    if not app.settings.media_host:
        result["problems"].append(
            "No media host is set up, so Instagram cannot fetch your photos (videos can go "
            "out). Add a [media_host] section to your settings (see the README).")
        return {"ok": False, "url": None}
    from scheduler.media_hosts import make_media_host

    try:
        host = make_media_host(app.settings)
        checked = host.check()
    except CostanzaError as exc:
        result["problems"].append(exc.message)
        return {"ok": False, "url": None}
    result["notes"].extend(checked.warnings)
    return {"ok": True, "url": checked.url.split("?", 1)[0], "where": host.describe()}


def remove_account(app: App, name: str) -> dict[str, Any]:
    """Remove an account and its secrets; its waiting posts wait for a new account."""
    now = app.clock.now()
    with app.store.write() as db:
        profile = get_profile(db, app.profile_name)
        account = _find(db, profile, name)
        if account is None:
            raise NotFound(f"There is no account called '{name}'. See them with "
                           "`costanza account list`.")
        busy = db.scalars(select(Delivery).where(Delivery.account_id == account.id,
                                                 Delivery.state.in_(BUSY))).all()
        if busy:
            posts = ", ".join(str(d.post_id) for d in busy)
            raise InputError(
                f"The account '{name}' is publishing, or checking whether it published, post "
                f"{posts} right now. Wait until `costanza log` shows how it went, then run "
                "the command again.")
        label = network_label(account.network)
        reason = (f"No {label} account is connected. Connect one with "
                  f"`costanza account add {account.network} ...`; the post waits.")
        waiting = db.scalars(select(Delivery).where(Delivery.account_id == account.id,
                                                    Delivery.state.in_(WAITING))).all()
        for delivery in waiting:
            delivery.state = "held"
            delivery.account_id = None
            delivery.reason = reason
            delivery.updated_at = now
        for delivery in db.scalars(select(Delivery).where(Delivery.account_id == account.id)):
            delivery.account_id = None  # finished ones keep their history
        network = account.network
        db.delete(account)
        db.flush()
    store = _store(app)
    store.remove(name)
    left = sorted(store.get(name))
    return {"name": name, "network": network, "waiting": len(waiting),
            "secrets_elsewhere": bool(left)}
