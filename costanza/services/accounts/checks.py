"""Listing, checking and removing accounts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from config.errors import CostanzaError, InputError, NotFound
from config.i18n import L_, N_, _
from costanza.app import App
from costanza.services.accounts.common import (
    BUSY,
    FACEBOOK_COMMENTS,
    FACEBOOK_PERMISSIONS,
    INSTAGRAM_COMMENTS,
    INSTAGRAM_PERMISSIONS,
    WAITING,
    AccountProblem,
    GraphSession,
    for_data,
    worded,
)
from costanza.services.accounts.ig_login import check_instagram_login, is_instagram_login
from costanza.services.accounts.meta import check_page_token
from costanza.services.accounts.permissions import (
    FACEBOOK_NEEDED,
    Missing,
    comments_fix,
    iso_utc,
    permission_report,
    shown_time,
)
from costanza.services.accounts.store import find_account, secret_store
from costanza.services.accounts.x import XKeys, x_me
from posts.deliveries import hold_account, release_account
from posts.models import Account, Delivery
from posts.networks import network_label
from posts.profiles import get_profile


def _row(account: Account) -> dict[str, Any]:
    return {"name": account.name, "network": account.network, "remote_id": account.remote_id,
            "display_name": account.display_name, "health": account.health,
            "reason": account.health_reason,
            "checked_at": account.checked_at.isoformat() if account.checked_at else None}


def _no_such_account(name: str) -> NotFound:
    return NotFound(_("There is no account called '{name}'. See them with "
                      "`costanza account list`.").format(name=name))


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
        raise _no_such_account(name)
    return [_check_one(app, account) for account in accounts]


def _check_one(app: App, account: Account) -> dict[str, Any]:
    result: dict[str, Any] = {"name": account.name, "network": account.network,
                              "display_name": account.display_name, "ok": True,
                              "problems": [], "notes": [], "permissions": None,
                              "expires": None, "token_expires_at": None,
                              "missing_permissions": [], "comment_permissions": None,
                              "media_host": None, "resumed": 0}
    secrets = secret_store(app).get(account.name)
    try:
        {"x": _check_x, "facebook": _check_facebook,
         "instagram": _check_instagram}[account.network](app, account, secrets, result)
    except AccountProblem as exc:
        result["ok"] = False
        result["problems"].append(for_data(exc))
        if exc.expired:
            reason = _("{problem} Posts for '{name}' wait until it is connected again with "
                       "`costanza account add {network} ...`.").format(
                problem=exc.message, name=account.name, network=account.network)
            with app.store.write() as db:
                hold_account(db, account.id, reason, app.clock.now())
        result["health"] = "held" if exc.expired else account.health
        return result
    except CostanzaError as exc:
        result["ok"] = False
        result["problems"].append(for_data(exc))
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
        raise AccountProblem(worded(N_(
            "The keys of the {label} account '{name}' are missing from the secrets file. "
            "Connect it again with `costanza account add {network} ... --name {name}`."),
            label=network_label(account.network), name=account.name,
            network=account.network), expired=True)


def _check_x(app: App, account: Account, secrets: dict[str, str],
             result: dict[str, Any]) -> None:
    keys = ("consumer_key", "consumer_secret", "access_token", "access_token_secret")
    _missing(account, keys, secrets)
    user_id, _username, level = x_me(app, XKeys(*(secrets[k] for k in keys)))
    if account.remote_id and user_id != account.remote_id:
        raise AccountProblem(worded(N_(
            "These keys now act for another X account (id {found}, not {expected}). "
            "Connect the right one with `costanza account add x`."),
            found=user_id, expected=account.remote_id))
    result["expires"] = L_("never (X keys stay valid until you revoke them)")
    if level:
        result["permissions"] = [level]
        if "write" not in level:
            result["problems"].append(L_(
                "X says this app may only read: posts will be refused. Set the app's "
                "permissions to \"Read and write\" in the X developer portal, create the "
                "access token again and connect again."))


def _permissions(app: App, network: str, secrets: dict[str, str], result: dict[str, Any],
                 needed: tuple[str, ...], token: str, wanted: tuple[str, ...] = ()) -> None:
    """The permissions the login granted and those missing (each with what will not work),
    and when ``token`` expires, when a user token is stored and Meta tells them. Those of
    ``wanted`` (the comments') missing are no problem: ``comment_permissions`` says them."""
    user_token = secrets.get("user_token")
    if not user_token:
        return
    try:
        report = permission_report(GraphSession(app, network), user_token, token,
                                   needed + wanted)
    except CostanzaError:
        result["notes"].append(L_("{network} did not say which permissions were granted.")
                               .format(network=network_label(network)))
        return
    missing = report.missing_of(needed)
    result["permissions"] = report.granted
    result["missing_permissions"] = [m.data() for m in missing]
    result["token_expires_at"] = iso_utc(report.expires_at)
    if report.expires_at is not None:
        result["expires"] = shown_time(app, report.expires_at)
    elif report.lifetime_known:
        result["expires"] = L_("never (a Page token from a long-lived login does not "
                               "expire)")
    for one in missing:
        result["problems"].append(L_(
            "{fails} Connect again with `costanza account add {network}` and allow every "
            "permission asked.").format(fails=one.data()["fails"], network=network))
    _comments_missing(network, result, report.missing_of(wanted))


def _comments_missing(network: str, result: dict[str, Any], missing: list[Missing]) -> None:
    """The comments' permissions the login lacks, and how to grant them (publishing is
    not affected: no problem of the account's)."""
    if missing:
        result["comment_permissions"] = {
            "missing": [m.data() for m in missing],
            "fix": comments_fix(network, [m.permission for m in missing])}


def _page_login(app: App, token: str) -> str | None:
    """The login (user) token of the connected Facebook Page whose Page token is ``token``:
    an Instagram account connected through the Page uses the Page's token."""
    store = secret_store(app)
    for row in list_accounts(app):
        if row["network"] == "facebook":
            secrets = store.get(row["name"])
            if secrets.get("page_token") == token and secrets.get("user_token"):
                return secrets["user_token"]
    return None


def _instagram_comments(app: App, token: str, result: dict[str, Any]) -> None:
    """The comments' permission of an Instagram account connected through the Page, read
    with the Page's login (when Costanza keeps it)."""
    login = _page_login(app, token)
    if login is None:
        return
    try:
        report = permission_report(GraphSession(app, "instagram"), login, token,
                                   INSTAGRAM_COMMENTS)
    except CostanzaError:
        return  # the comments' permission stays unknown; publishing is not concerned
    _comments_missing("instagram", result, report.missing)


def _check_facebook(app: App, account: Account, secrets: dict[str, str],
                    result: dict[str, Any]) -> None:
    _missing(account, ("page_token",), secrets)
    _page_id, page_name = check_page_token(GraphSession(app, "facebook"), secrets["page_token"],
                                     account.remote_id)
    result["display_name"] = page_name
    _permissions(app, "facebook", secrets, result, FACEBOOK_NEEDED, secrets["page_token"],
                 FACEBOOK_COMMENTS)


def _check_instagram(app: App, account: Account, secrets: dict[str, str],
                     result: dict[str, Any]) -> None:
    _missing(account, ("token",), secrets)
    if is_instagram_login(secrets):
        check_instagram_login(app, account, secrets, result)
        result["media_host"] = _check_media_host(app, result)
        return
    user = GraphSession(app, "instagram").get(account.remote_id or "me", secrets["token"],
                                        fields="id,username")
    if account.remote_id and str(user.get("id") or "") != account.remote_id:
        raise AccountProblem(worded(N_("Instagram did not confirm this account. Connect it "
                                       "again with `costanza account add instagram`.")),
                             expired=True)
    _permissions(app, "instagram", secrets, result,
                 FACEBOOK_PERMISSIONS[1:] + INSTAGRAM_PERMISSIONS, secrets["token"],
                 INSTAGRAM_COMMENTS)
    if not secrets.get("user_token"):
        _instagram_comments(app, secrets["token"], result)
    result["media_host"] = _check_media_host(app, result)


def _check_media_host(app: App, result: dict[str, Any]) -> dict[str, Any]:
    """Can Instagram fetch photos? Put a test photo on the media host and read it back
    (with no [media_host] section: on the profile's Facebook Page, if one is connected)."""
    from scheduler.media_hosts import default_media_host
    from scheduler.prepare import profile_facebook_page

    with app.store.read() as db:
        page = profile_facebook_page(db, get_profile(db, app.profile_name).id)
    if not app.settings.media_host and page is None:
        result["problems"].append(L_(
            "No media host is set up, so Instagram cannot fetch your photos (videos can go "
            "out). The simplest way: connect your Facebook Page with `costanza account add "
            "facebook`, and Costanza puts each photo on the Page for a moment, unseen, while "
            "Instagram fetches it. Or add a [media_host] section to your settings (see the "
            "README)."))
        return {"ok": False, "url": None}
    try:
        host = default_media_host(app.settings, app.clock)
        if page is not None:
            host = host.for_page(*page)
        checked = host.check()
    except CostanzaError as exc:
        result["problems"].append(for_data(exc))
        return {"ok": False, "url": None}
    result["notes"].extend(checked.warnings)
    return {"ok": True, "url": checked.url.split("?", 1)[0], "where": host.describe()}


def remove_account(app: App, name: str) -> dict[str, Any]:
    """Remove an account and its secrets; its waiting posts wait for a new account.

    The row and the keys go in one unit: the secrets file is checked first and
    rewritten inside the database transaction, so a file that cannot be read or
    written leaves the account connected, not half-removed."""
    store = secret_store(app)
    store.check_writable()
    now = app.clock.now()
    with app.store.write() as db:
        profile = get_profile(db, app.profile_name)
        account = find_account(db, profile, name)
        if account is None:
            raise _no_such_account(name)
        network = account.network
        waiting = _detach(db, account, name, now)
        db.delete(account)
        db.flush()
        store.remove(name)  # raises before the commit: the row stays
    left = sorted(store.get(name))
    return {"name": name, "network": network, "waiting": waiting,
            "secrets_elsewhere": bool(left)}


def _detach(db: Any, account: Account, name: str, now: datetime) -> int:
    """Hold the account's waiting deliveries and unlink its finished ones; refuse while
    it is publishing. Returns how many posts now wait for another account."""
    busy = db.scalars(select(Delivery).where(Delivery.account_id == account.id,
                                             Delivery.state.in_(BUSY))).all()
    if busy:
        posts = ", ".join(str(d.post_id) for d in busy)
        raise InputError(_(
            "The account '{name}' is publishing, or checking whether it published, post "
            "{posts} right now. Wait until `costanza log` shows how it went, then run "
            "the command again.").format(name=name, posts=posts))
    reason = _("No {label} account is connected. Connect one with "
               "`costanza account add {network} ...`; the post waits.").format(
        label=network_label(account.network), network=account.network)
    waiting = db.scalars(select(Delivery).where(Delivery.account_id == account.id,
                                                Delivery.state.in_(WAITING))).all()
    for delivery in waiting:
        delivery.state = "held"
        delivery.account_id = None
        delivery.reason = reason
        delivery.updated_at = now
    for delivery in db.scalars(select(Delivery).where(Delivery.account_id == account.id)):
        delivery.account_id = None  # finished ones keep their history
    return len(waiting)
