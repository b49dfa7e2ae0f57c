"""What a Facebook login lets Costanza do: the permissions it granted, those missing (and
what will not work without each), and how long a token lasts.

Publishing needs ``FACEBOOK_NEEDED`` (and ``INSTAGRAM_NEEDED`` for Instagram); the
comments want more (``FACEBOOK_COMMENTS``, ``INSTAGRAM_COMMENTS``): a login without them
still connects and publishes, and `costanza check` says what the comments miss.

``permission_report(graph, user_token, token, needed)`` reads ``/me/permissions`` with the
login (user) token and ``debug_token`` for ``token`` (a Page token, or the login token
itself). ``debug_token`` is asked with a POST (``method=GET``) so that the token looked
at travels in the body, never in the address.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from config.errors import CostanzaError
from config.i18n import L_, N_
from config.localtime import local_with_zone
from costanza.app import App
from costanza.services.accounts.common import (
    FACEBOOK_COMMENTS,
    INSTAGRAM_COMMENTS,
    AccountProblem,
    GraphSession,
    Worded,
    worded,
)
from posts.profiles import get_profile

# The permissions Costanza asks for, and what will not work without each (one sentence).
WITHOUT: dict[str, str] = {
    "pages_show_list": N_("Without pages_show_list, Costanza cannot see your Pages, so it "
                          "cannot connect one."),
    "pages_read_engagement": N_("Without pages_read_engagement, Costanza cannot read your "
                                "Page, check that a post went out, or read its comments."),
    "pages_manage_posts": N_("Without pages_manage_posts, Costanza cannot publish on your "
                             "Page."),
    "instagram_basic": N_("Without instagram_basic, Costanza cannot see the Instagram "
                          "account linked to your Page."),
    "instagram_content_publish": N_("Without instagram_content_publish, Costanza cannot "
                                    "publish on Instagram."),
    "pages_manage_engagement": N_("Without pages_manage_engagement, Costanza cannot answer "
                                  "or hide the comments under your Page's posts (it can "
                                  "still read them)."),
    "instagram_manage_comments": N_("Without instagram_manage_comments, Costanza cannot "
                                    "read, answer or hide the comments on Instagram."),
}
FACEBOOK_NEEDED = ("pages_show_list", "pages_read_engagement", "pages_manage_posts")
INSTAGRAM_NEEDED = ("instagram_basic", "instagram_content_publish")
ALL_NEEDED = FACEBOOK_NEEDED + INSTAGRAM_NEEDED
# Wanted for the comments, not for publishing (reading a Page's comments needs
# pages_read_engagement, already needed): FACEBOOK_COMMENTS, INSTAGRAM_COMMENTS (common).
COMMENTS_WANTED = FACEBOOK_COMMENTS + INSTAGRAM_COMMENTS
# Everything the setup asks for, in the order the guide lists it.
ALL_ASKED = FACEBOOK_NEEDED + FACEBOOK_COMMENTS + INSTAGRAM_NEEDED + INSTAGRAM_COMMENTS


@dataclass(frozen=True)
class Missing:
    """A permission the login did not grant, and what will not work without it."""

    permission: str

    @property
    def fails(self) -> str:
        """What will not work, in the language spoken."""
        return str(self.worded())

    def worded(self) -> Worded:
        """What will not work, translated and remembering its English."""
        if self.permission in WITHOUT:
            return worded(WITHOUT[self.permission])
        return worded(N_("Without {permission}, some of Costanza's work on Facebook will be "
                         "refused."), permission=self.permission)

    def data(self) -> dict[str, str]:
        """For a listing's data (English in JSON)."""
        said = L_(WITHOUT[self.permission]) if self.permission in WITHOUT else L_(
            "Without {permission}, some of Costanza's work on Facebook will be refused."
        ).format(permission=self.permission)
        return {"permission": self.permission, "fails": said}


@dataclass(frozen=True)
class PermissionReport:
    """``granted``: the permissions the login granted; ``missing``: those of ``needed`` it
    did not; ``expires_at``: when ``token`` stops working (None: never, or not known, as
    ``lifetime_known`` says); ``valid``: whether Facebook still accepts it."""

    granted: list[str]
    missing: list[Missing]
    expires_at: datetime | None
    valid: bool
    lifetime_known: bool = True

    def missing_of(self, permissions: Iterable[str]) -> list[Missing]:
        wanted = set(permissions)
        return [m for m in self.missing if m.permission in wanted]

    def data(self) -> dict[str, Any]:
        return {"granted": self.granted, "missing": [m.data() for m in self.missing],
                "expires_at": iso_utc(self.expires_at), "never_expires":
                    self.lifetime_known and self.valid and self.expires_at is None,
                "valid": self.valid}


def iso_utc(when: datetime | None) -> str | None:
    """An aware time as ISO 8601 in UTC ("2026-02-05T10:00:00+00:00"), or None."""
    return when.astimezone(UTC).isoformat() if when is not None else None


def granted_permissions(graph: GraphSession, user_token: str) -> list[str]:
    """The permissions the login granted (``/me/permissions``, status "granted")."""
    reply = graph.get("me/permissions", user_token)
    return sorted(str(p.get("permission")) for p in reply.get("data") or []
                  if isinstance(p, dict) and p.get("status") == "granted")


def token_life(graph: GraphSession, user_token: str, token: str) -> dict[str, Any]:
    """``debug_token``'s data for ``token``, asked with the login token."""
    reply = graph.post("debug_token", {"method": "GET", "input_token": token,
                                       "access_token": user_token})
    data = reply.get("data")
    return data if isinstance(data, dict) else {}


def permission_report(graph: GraphSession, user_token: str, token: str, needed: Iterable[str],
                      granted: list[str] | None = None) -> PermissionReport:
    """What the login granted and lacks of ``needed``, and how long ``token`` lasts.

    ``graph`` is a ``GraphSession``; ``granted``, when the caller has read them already.
    A failed ``/me/permissions`` raises (a ``CostanzaError``); a failed ``debug_token``
    leaves the lifetime unknown."""
    if granted is None:
        granted = granted_permissions(graph, user_token)
    try:
        life = token_life(graph, user_token, token)
    except CostanzaError:
        life = {}
    scopes = life.get("scopes")
    in_token = set(scopes) if isinstance(scopes, list) and scopes else None
    missing = [Missing(p) for p in needed
               if p not in granted or (in_token is not None and p not in in_token)]
    expires = life.get("expires_at")
    when = (datetime.fromtimestamp(int(expires), UTC)
            if isinstance(expires, int | float) and expires > 0 else None)
    return PermissionReport(granted=granted, missing=missing, expires_at=when,
                            valid=bool(life.get("is_valid", True)),
                            lifetime_known=isinstance(expires, int | float))


def refuse_without(missing: list[Missing]) -> None:
    """Nothing is connected without Facebook's permissions: say which, and what fails."""
    if not missing:
        return
    said = Worded(" ".join(m.worded() for m in missing))
    said.english = " ".join(m.worded().english for m in missing)
    raise AccountProblem(worded(N_(
        "Facebook has not given Costanza every permission it needs, so the Page was not "
        "connected. {missing} In the Graph API Explorer, tick {permissions}, press "
        "\"Generate Access Token\" again and allow everything asked, then run the command "
        "again with the new token."),
        missing=said, permissions=", ".join(m.permission for m in missing)))


def report_notes(app: App, report: PermissionReport) -> list[str]:
    """The notes of a connection: Instagram's and the comments' missing permissions, a
    token that expires."""
    notes = []
    instagram = report.missing_of(INSTAGRAM_NEEDED)
    if instagram:
        notes.append(L_("To publish on Instagram too, make a new token with {permissions} "
                        "ticked and run `costanza account add facebook` again.").format(
            permissions=", ".join(m.permission for m in instagram)))
    comments = report.missing_of(COMMENTS_WANTED)
    if comments:
        notes.append(L_("Publishing works without {permissions}, but the comments under your "
                        "posts need them: to read and answer them with Costanza, make a new "
                        "token with them ticked and run `costanza account add facebook` "
                        "again.").format(permissions=", ".join(m.permission for m in comments)))
    if report.expires_at is not None:
        notes.append(L_("Facebook says this Page token stops working on {when}: connect "
                        "again before then with --app-id and --app-secret, to get one that "
                        "does not expire.").format(when=shown_time(app, report.expires_at)))
    elif not report.lifetime_known:
        notes.append(L_("Facebook did not say how long this Page token lasts; "
                        "`costanza account check` will tell you later."))
    return notes


def comments_fix(network: str, permissions: list[str]) -> str:
    """What to do when a login lacks the comments' ``permissions`` (English in JSON)."""
    words = {"permissions": ", ".join(permissions)}
    if network == "instagram":
        return L_("Connect your Page again with `costanza account add facebook ...`, "
                  "allowing {permissions} when Facebook asks (in the Graph API Explorer, "
                  "tick it before \"Generate Access Token\"), then run `costanza account add "
                  "instagram` again.").format(**words)
    return L_("Connect your Page again with `costanza account add facebook ...`, allowing "
              "{permissions} when Facebook asks (in the Graph API Explorer, tick it before "
              "\"Generate Access Token\").").format(**words)


def shown_time(app: App, when: datetime) -> str:
    """An aware time as people read it, in the profile's zone, with the zone named."""
    with app.store.read() as db:
        zone = ZoneInfo(get_profile(db, app.profile_name).timezone)
    return local_with_zone(when, zone)
