"""Instagram with Instagram Login: an Instagram professional account with no Facebook Page.

The token is an Instagram User token for ``graph.instagram.com`` (scopes
``instagram_business_basic`` and ``instagram_business_content_publish``, and for the
comments ``instagram_business_manage_comments``). ``GET /me`` names
the professional account (``user_id``); with the app secret a short-lived token (one hour)
is exchanged for a long-lived one (60 days), which ``refresh_instagram_login_tokens``
renews when it is at least 24 hours old and ends within 30 days. The secrets keep the
token, ``login = "instagram"`` (the publisher then talks to graph.instagram.com),
``token_expires_at`` and ``token_issued_at`` (ISO, UTC; the time Costanza got it).

Meta documents the token calls as GET with the secrets in the query string; Costanza
sends them in a POST body instead, so that no secret is ever in a URL.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from config.errors import CostanzaError, InputError
from config.i18n import L_, N_, _
from costanza.app import App
from costanza.formatting import local_label
from costanza.services.accounts.common import (
    AUTH_CODES,
    PERMISSION_CODES,
    AccountProblem,
    GraphSession,
    NetworkTrouble,
    for_data,
    hide_secrets,
    worded,
)
from costanza.services.accounts.store import (
    Connection,
    make_account_name,
    save_connection,
    secret_store,
)
from posts.models import Account
from posts.profiles import get_profile

IG_LOGIN_HOST = "graph.instagram.com"
IG_LOGIN_SCOPES = ("instagram_business_basic", "instagram_business_content_publish")
IG_LOGIN_COMMENTS = ("instagram_business_manage_comments",)  # wanted, not needed to publish
LOGIN_KEY = "login"  # as scheduler.publishers.graph.instagram reads it
INSTAGRAM_LOGIN = "instagram"
REFRESH_AFTER = timedelta(hours=24)  # Instagram refreshes only a token this old
REFRESH_WITHIN = timedelta(days=30)  # Costanza refreshes a token that ends this soon

_FIX = N_("Make a new token in your Meta app's dashboard (Instagram, then \"API setup with "
          "Instagram business login\", then \"Generate token\"), then run `costanza account "
          "add instagram --instagram-login --token ...` again.")


class IgLoginSession(GraphSession):
    """Calls to graph.instagram.com, with the problems of Instagram Login in plain words."""

    def __init__(self, app: App) -> None:
        super().__init__(app, "instagram", host=IG_LOGIN_HOST)
        self.exchanging = False

    def problem(self, status: int, error: dict[str, Any]) -> CostanzaError:
        code = error.get("code")
        if code in AUTH_CODES or status == 401:
            return AccountProblem(worded(N_(
                "Instagram did not accept this token: it has expired, was revoked, was not "
                "copied whole, or was made for Facebook Login rather than Instagram Login. "
                "{fix}"), fix=worded(_FIX)), expired=True)
        if code in PERMISSION_CODES:
            return AccountProblem(worded(N_(
                "Instagram says this token is missing a permission. Make the token again "
                "allowing {permissions}. {fix}"),
                permissions=", ".join(IG_LOGIN_SCOPES + IG_LOGIN_COMMENTS),
                fix=worded(_FIX)), expired=True)
        found = super().problem(status, error)
        if self.exchanging and isinstance(found, AccountProblem):
            return AccountProblem(worded(N_(
                "Instagram did not exchange this token for a long-lived one. Check "
                "--app-secret: it is the Instagram app secret, in your Meta app's dashboard "
                "under Instagram, \"API setup with Instagram business login\". A token made "
                "in the dashboard already lasts 60 days: then connect it without "
                "--app-secret.")))
        return found


def add_instagram_login(app: App, *, token: str, app_secret: str | None = None,
                        name: str | None = None) -> dict[str, Any]:
    """Connect an Instagram professional account with an Instagram Login token."""
    name = make_account_name(app, "instagram", name)
    token = (token or "").strip()
    if not token:
        raise InputError(_("Give the Instagram Login token with --token."))
    hide_secrets(token, app_secret)
    app.store  # noqa: B018 - fail early (not set up) before anything is asked of Instagram
    graph = IgLoginSession(app)
    user_id, username = instagram_me(graph, token)
    now = app.clock.now()
    notes: list[str] = []
    expires: datetime | None = None
    if app_secret:
        token, expires = _exchange(graph, token, app_secret, now)
    else:
        notes.append(L_(
            "Without --app-secret Costanza does not know when this token expires: one made "
            "in the App Dashboard lasts 60 days, one from a login only an hour. Costanza "
            "renews it once it is a day old, and then knows."))
    if not app.settings.media_host:
        notes.append(L_(
            "This Instagram account has no Facebook Page, and Instagram fetches photos from a "
            "public web address: add a [media_host] section to your settings (see the "
            "README) before queueing photos for it, then run `costanza account check`. "
            "Videos can go out without one."))
    secrets = {"token": token, LOGIN_KEY: INSTAGRAM_LOGIN,
               "token_expires_at": _iso(expires) or "", "token_issued_at": _iso(now) or ""}
    display = f"@{username}" if username else user_id
    result = save_connection(app, name, Connection("instagram", user_id, display, secrets,
                                                   notes))
    return {**result, "login": INSTAGRAM_LOGIN, "token_expires_at": _iso(expires),
            "token_expires_local": _local(app, expires)}


def instagram_me(graph: GraphSession, token: str) -> tuple[str, str]:
    """The professional account's id and username the token belongs to."""
    me = graph.get("me", token, fields="user_id,username,account_type")
    user_id = str(me.get("user_id") or "")
    if not user_id:
        raise AccountProblem(worded(N_(
            "Instagram did not say which professional account this token belongs to. "
            "{fix}"), fix=worded(_FIX)))
    return user_id, str(me.get("username") or "")


def _exchange(graph: IgLoginSession, token: str, app_secret: str,
              now: datetime) -> tuple[str, datetime | None]:
    """A long-lived token for a short-lived one (the secrets in a POST body)."""
    graph.exchanging = True
    try:
        reply = graph.post("access_token", {"grant_type": "ig_exchange_token",
                                            "client_secret": app_secret,
                                            "access_token": token}, versioned=False)
    finally:
        graph.exchanging = False
    return _new_token(reply, now)


def _new_token(reply: dict[str, Any], now: datetime) -> tuple[str, datetime | None]:
    token = str(reply.get("access_token") or "")
    if not token:
        raise NetworkTrouble(_("Instagram did not return a long-lived token. Run the command "
                               "again in a few minutes."))
    hide_secrets(token)
    seconds = reply.get("expires_in")
    if isinstance(seconds, int | float) and not isinstance(seconds, bool) and seconds > 0:
        return token, now + timedelta(seconds=float(seconds))
    return token, None


def _iso(when: datetime | None) -> str | None:
    if when is None:
        return None
    return when.astimezone(UTC).replace(microsecond=0).isoformat()


def parse_time(value: str | None) -> datetime | None:
    """A stored ISO time (UTC when it names no zone), or None."""
    if not value:
        return None
    try:
        found = datetime.fromisoformat(value)
    except ValueError:
        return None
    return found if found.tzinfo else found.replace(tzinfo=UTC)


def is_instagram_login(secrets: dict[str, str]) -> bool:
    return secrets.get(LOGIN_KEY) == INSTAGRAM_LOGIN


def refresh_due(secrets: dict[str, str], now: datetime) -> bool:
    """Whether the token can and should be refreshed now: at least 24 hours old, not
    expired, and ending within 30 days (or ending at a time Costanza does not know)."""
    issued = parse_time(secrets.get("token_issued_at"))
    if issued is None or now - issued < REFRESH_AFTER:
        return False
    expires = parse_time(secrets.get("token_expires_at"))
    return expires is None or now < expires <= now + REFRESH_WITHIN


def refresh_instagram_login_tokens(app: App, name: str | None = None) -> list[dict[str, Any]]:
    """Refresh the profile's Instagram Login tokens that are due (see ``refresh_due``),
    storing each new token and its expiry. One entry per Instagram Login account (or only
    ``name``): ``name``, ``refreshed``, ``token_expires_at`` (ISO UTC or None) and
    ``problem`` (None, or why the refresh failed; the old token is kept)."""
    with app.store.read() as db:
        profile = get_profile(db, app.profile_name)
        query = select(Account.name).where(Account.profile_id == profile.id,
                                           Account.network == "instagram")
        if name:
            query = query.where(Account.name == name)
        names = list(db.scalars(query.order_by(Account.name)))
    store = secret_store(app)
    results = []
    for account in names:
        secrets = store.get(account)
        if is_instagram_login(secrets) and secrets.get("token"):
            results.append(_refresh_one(app, account, secrets))
    return results


def _refresh_one(app: App, name: str, secrets: dict[str, str]) -> dict[str, Any]:
    now = app.clock.now()
    result: dict[str, Any] = {"name": name, "refreshed": False, "problem": None,
                              "token_expires_at": secrets.get("token_expires_at") or None}
    if not refresh_due(secrets, now):
        return result
    graph = IgLoginSession(app)
    hide_secrets(secrets["token"])
    try:
        reply = graph.post("refresh_access_token", {"grant_type": "ig_refresh_token",
                                                    "access_token": secrets["token"]},
                           versioned=False)
        token, expires = _new_token(reply, now)
    except CostanzaError as exc:
        result["problem"] = for_data(exc)
        return result
    store = secret_store(app)
    store.put(name, {**store.saved(name), "token": token, "token_expires_at": _iso(expires) or "",
                     "token_issued_at": _iso(now) or ""})
    return {**result, "refreshed": True, "token_expires_at": _iso(expires)}


def check_instagram_login(app: App, account: Account, secrets: dict[str, str],
                          result: dict[str, Any]) -> None:
    """`account check` of an Instagram Login account: the token works and acts for the
    account; ``token_expires_at`` (ISO UTC, or None when Costanza does not know it)."""
    user_id, username = instagram_me(IgLoginSession(app), secrets["token"])
    if account.remote_id and user_id != account.remote_id:
        raise AccountProblem(worded(N_(
            "This token now acts for another Instagram account (@{username}). Connect the "
            "right one with `costanza account add instagram --instagram-login --token ...`."),
            username=username or user_id), expired=True)
    expires = parse_time(secrets.get("token_expires_at"))
    result["token_expires_at"] = _iso(expires)
    result["login"] = INSTAGRAM_LOGIN
    if expires is None:
        result["expires"] = L_("not known yet (Costanza learns it when it renews the token, "
                               "a day after connecting)")
        return
    result["expires"] = _local(app, expires)


def _local(app: App, when: datetime | None) -> str | None:
    """``when`` as people read it, in the profile's zone."""
    if when is None:
        return None
    with app.store.read() as db:
        zone = ZoneInfo(get_profile(db, app.profile_name).timezone)
    return local_label(when, zone, with_year=True)
