"""Connecting a Facebook Page and an Instagram professional account."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from config.errors import InputError
from config.i18n import L_, N_, _
from costanza.app import App
from costanza.services.accounts.common import (
    FACEBOOK_PERMISSIONS,
    AccountProblem,
    ChoosePage,
    GraphSession,
    NetworkTrouble,
    hide_secrets,
    worded,
)
from costanza.services.accounts.permissions import (
    ALL_ASKED,
    FACEBOOK_NEEDED,
    Missing,
    PermissionReport,
    granted_permissions,
    iso_utc,
    permission_report,
    refuse_without,
    report_notes,
)
from costanza.services.accounts.store import (
    Connection,
    make_account_name,
    save_connection,
    secret_store,
)
from posts.models import Account
from posts.profiles import get_profile


def add_facebook(app: App, *, page_id: str | None = None, page_token: str | None = None,
                 user_token: str | None = None, app_id: str | None = None,
                 app_secret: str | None = None, name: str | None = None,
                 choose_page: ChoosePage | None = None) -> dict[str, Any]:
    """Connect a Facebook Page with its Page token, or pick it with a user token.

    With a user token, the permissions the login granted are checked: without one of
    Facebook's (``FACEBOOK_NEEDED``) nothing is connected; without Instagram's or the
    comments' (``COMMENTS_WANTED``), the Page is connected and the notes say what will not
    work. The result has a ``permissions``
    report (None with a Page token) and ``token_expires_at`` (None: never, or unknown)."""
    name = make_account_name(app, "facebook", name)
    if bool(page_token) == bool(user_token):
        raise InputError(_("Give either --page-token (with --page-id) or --user-token."))
    if bool(app_id) != bool(app_secret):
        raise InputError(_("Give both --app-id and --app-secret (to get a long-lived "
                           "token), or neither."))
    hide_secrets(app_secret)
    app.store  # noqa: B018 - fail early (not set up) before anything is asked of Facebook
    graph = GraphSession(app, "facebook")
    found = Connection("facebook", "", "", {}, [])
    report: PermissionReport | None = None
    if user_token:
        page_id, page_token, report = _from_login(app, graph, found, user_token, app_id,
                                                  app_secret, page_id, choose_page)
    assert page_token is not None
    found.remote_id, found.display_name = check_page_token(graph, page_token, page_id)
    found.secrets["page_token"] = page_token
    result = save_connection(app, name, found)
    result["permissions"] = report.data() if report else None
    result["token_expires_at"] = iso_utc(report.expires_at) if report else None
    return result


def _from_login(app: App, graph: GraphSession, found: Connection, user_token: str,
                app_id: str | None, app_secret: str | None, page_id: str | None,
                choose_page: ChoosePage | None) -> tuple[str, str, PermissionReport]:
    """The Page and its token chosen with a login token (exchanged for a long-lived one
    when the app's id and secret are given), and the login's permissions."""
    if app_id and app_secret:
        user_token, expires = _long_lived(graph, user_token, app_id, app_secret,
                                          app.clock.now())
        if expires:
            found.secrets["user_token_expires_at"] = expires
    else:
        found.notes.append(L_("Without --app-id and --app-secret the login token was not "
                              "exchanged for a long-lived one, so the Page token may stop "
                              "working within hours. Connect again with them to get one "
                              "that lasts."))
    found.secrets["user_token"] = user_token
    granted = granted_permissions(graph, user_token)
    refuse_without([Missing(p) for p in FACEBOOK_NEEDED if p not in granted])
    page_id, page_token, _page_name = _pick_page(graph, user_token, page_id, choose_page)
    report = permission_report(graph, user_token, page_token, ALL_ASKED, granted)
    refuse_without(report.missing_of(FACEBOOK_NEEDED))
    found.notes.extend(report_notes(app, report))
    return page_id, page_token, report


def _long_lived(graph: GraphSession, token: str, app_id: str, app_secret: str,
                now: datetime) -> tuple[str, str]:
    """Exchange a login token for a long-lived one (sent in a POST body, never a URL)."""
    reply = graph.post("oauth/access_token", {
        "grant_type": "fb_exchange_token", "client_id": app_id, "client_secret": app_secret,
        "fb_exchange_token": token})
    long_lived = str(reply.get("access_token") or "")
    if not long_lived:
        raise NetworkTrouble(_("Facebook did not return a long-lived token. Run the command "
                               "again in a few minutes."))
    hide_secrets(long_lived)
    expires = ""
    if isinstance(reply.get("expires_in"), int | float) and reply["expires_in"] > 0:
        when = now.astimezone(UTC) + timedelta(seconds=float(reply["expires_in"]))
        expires = when.replace(microsecond=0).isoformat()
    return long_lived, expires


def _pick_page(graph: GraphSession, user_token: str, page_id: str | None,
               choose_page: ChoosePage | None) -> tuple[str, str, str]:
    reply = graph.get("me/accounts", user_token, fields="id,name,access_token", limit="100")
    pages = [{"id": str(p["id"]), "name": str(p.get("name") or p["id"]),
              "access_token": str(p.get("access_token") or "")}
             for p in reply.get("data") or [] if isinstance(p, dict) and p.get("id")]
    if not pages:
        raise AccountProblem(_(
            "This Facebook login manages no Page that it shared with the app. When you log "
            "in, choose your Page and allow every permission asked, then run the command "
            "again."))
    if page_id is None and len(pages) == 1:
        page_id = pages[0]["id"]
    if page_id is None:
        if choose_page is None:
            listed = ", ".join(f"{p['name']} ({p['id']})" for p in pages)
            raise InputError(_("This login manages several Pages: {pages}. Choose one with "
                               "--page-id.").format(pages=listed))
        page_id = choose_page([{"id": p["id"], "name": p["name"]} for p in pages])
    page = next((p for p in pages if p["id"] == page_id), None)
    if page is None:
        listed = ", ".join(f"{p['name']} ({p['id']})" for p in pages)
        raise InputError(_("This login does not manage the Page {page_id}. It manages: "
                           "{pages}.").format(page_id=page_id, pages=listed))
    if not page["access_token"]:
        raise AccountProblem(_(
            "Facebook gave no Page token for {page}: the login may lack the "
            "permissions {permissions}. Log in again allowing them.").format(
            page=page["name"], permissions=", ".join(FACEBOOK_PERMISSIONS)))
    hide_secrets(page["access_token"])
    return page["id"], page["access_token"], page["name"]


def check_page_token(graph: GraphSession, page_token: str, page_id: str | None) -> tuple[str, str]:
    """Read the Page the token belongs to; it must be a Page token (of ``page_id``)."""
    me = graph.get("me", page_token, fields="id,name")
    found = str(me.get("id") or "")
    if page_id and found != page_id:
        page = graph.get(page_id, page_token, fields="id,name")
        raise AccountProblem(worded(N_(
            "This token is not the Page token of the Page {page_id} ({page}): it "
            "belongs to {owner}. Give the Page's own token, or use "
            "--user-token to choose the Page from a list."),
            page_id=page_id, page=page.get("name"), owner=me.get("name") or found))
    page = graph.get(found, page_token, fields="id,name,instagram_business_account")
    if str(page.get("id") or "") != found:
        raise AccountProblem(worded(N_("Facebook did not confirm which Page this token "
                                       "belongs to. Check the token, then run the command "
                                       "again.")))
    return found, str(page.get("name") or found)


def add_instagram(app: App, *, ig_user_id: str | None = None, token: str | None = None,
                  page_id: str | None = None, page_token: str | None = None,
                  name: str | None = None) -> dict[str, Any]:
    """Connect an Instagram professional account, given or found from the Facebook Page."""
    name = make_account_name(app, "instagram", name)
    app.store  # noqa: B018 - fail early (not set up) before anything is asked of Instagram
    notes: list[str] = []
    if not token or not ig_user_id:
        page_id, page_token = _page_for_instagram(app, page_id, page_token or token)
        graph = GraphSession(app, "facebook")
        if not ig_user_id:
            page = graph.get(page_id, page_token, fields="id,name,instagram_business_account")
            linked = page.get("instagram_business_account") or {}
            if not isinstance(linked, dict) or not linked.get("id"):
                raise AccountProblem(_(
                    "The Facebook Page {page} has no Instagram "
                    "professional account linked to it. In the Instagram app, switch to a "
                    "professional account and link it to this Page, then run the command "
                    "again (or give --ig-user-id and --token).").format(
                    page=page.get("name") or page_id))
            ig_user_id = str(linked["id"])
            notes.append(L_("Found the Instagram account linked to the Page {page}.")
                         .format(page=page.get("name") or page_id))
        token = token or page_token
    graph = GraphSession(app, "instagram")
    user = graph.get(ig_user_id, token, fields="id,username")
    if str(user.get("id") or "") != ig_user_id:
        raise AccountProblem(_("Instagram did not confirm this account id. Check "
                               "--ig-user-id."))
    username = str(user.get("username") or "")
    if not app.settings.media_host and not _has_facebook_page(app):
        notes.append(L_("Instagram fetches photos from a public web address. The simplest "
                       "way: connect your Facebook Page with `costanza account add "
                       "facebook`, and Costanza puts each photo on the Page for a moment, "
                       "unseen, while Instagram fetches it. Or add a [media_host] section "
                       "to your settings (see the README). Then run `costanza account "
                       "check`."))
    found = Connection("instagram", ig_user_id, f"@{username}" if username else ig_user_id,
                        # "" drops what an Instagram Login connection kept before.
                        {"token": token, "login": "", "token_expires_at": "",
                         "token_issued_at": ""}, notes)
    return save_connection(app, name, found)


def _has_facebook_page(app: App) -> bool:
    """Is a Facebook Page connected for the profile (the default media host for photos)?"""
    from scheduler.prepare import profile_facebook_page

    with app.store.read() as db:
        return profile_facebook_page(db, get_profile(db, app.profile_name).id) is not None


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
            raise InputError(_(
                "To find your Instagram account Costanza needs the Facebook Page it is linked "
                "to. Connect the Page first with `costanza account add facebook ...`, or give "
                "--ig-user-id and --token."))
        name, found_id = page.name, page.remote_id
    stored = secret_store(app).get(name)
    token = page_token or stored.get("page_token")
    if not token or not found_id:
        raise InputError(_("The Facebook account '{name}' has no Page token stored. Connect "
                           "it again with `costanza account add facebook ...`.")
                         .format(name=name))
    return found_id, token

