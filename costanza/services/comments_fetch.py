"""What `costanza comments fetch` does, as plain data: look under every watched post of
the profile now, with the daemon's rules, in one round (``scheduler.comments.refresh``),
and say what was found (per network) and why some posts were left alone.

The shape returned is the command's JSON contract (see the README).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from config.i18n import L_, nL_
from costanza.app import App
from costanza.formatting import iso, local
from costanza.services.comments import registry_clients, secret_store
from posts import listing
from posts.networks import NETWORKS, network_label

if TYPE_CHECKING:
    from config.secrets import SecretStore
    from scheduler.comments.base import ClientFactory
    from scheduler.comments.refresh import Skipped

COUNTS = ("looked", "new", "changed", "deleted")


def fetch_now(app: App, *, clients: ClientFactory | None = None,
              secrets: SecretStore | None = None) -> dict[str, Any]:
    """Look for new comments under the profile's published posts now. With
    ``[comments] max_age_days = 0`` nothing is fetched (``enabled`` false)."""
    now = app.clock.now()
    with app.store.engine.connect() as conn:
        profile = listing.load_profile(conn, app.profile_name)
    tz = ZoneInfo(profile.timezone)
    data: dict[str, Any] = {
        "profile": profile.name, "timezone": tz.key, "at": iso(now),
        "at_local": local(now, tz), "enabled": app.settings.comments_max_age_days > 0,
        "watched": 0, **dict.fromkeys(COUNTS, 0), "networks": [], "skipped": [],
        "problems": []}
    if not data["enabled"]:
        data["message"] = L_("Costanza does not look for comments now: `[comments] "
                            "max_age_days` is 0 in the settings. Nothing was fetched.")
        return data
    from scheduler.comments.fetching import CommentFetcher
    from scheduler.comments.refresh import refresh

    fetcher = CommentFetcher(app.store, app.settings, app.clock,
                             clients or registry_clients(app), secret_store(app, secrets))
    done = refresh(fetcher, profile.id)
    data["watched"] = done.watched
    for network in NETWORKS:
        if network in done.networks:
            data["networks"].append({"network": network, **done.networks[network]})
    for key in COUNTS:
        data[key] = sum(row[key] for row in data["networks"])
    data["skipped"] = [_skipped_row(s, tz) for s in done.skipped]
    data["problems"] = list(done.problems)
    data["message"] = _summary(app, data)
    return data


def _skipped_row(s: Skipped, tz: ZoneInfo) -> dict[str, Any]:
    return {"post_id": s.post_id, "delivery_id": s.delivery_id, "network": s.network,
            "account": s.account, "reason": s.reason, "until": iso(s.until),
            "until_local": local(s.until, tz) if s.until else None,
            "message": skip_words(s.reason, s.network, s.account, s.until, s.problem, tz)}


def skip_words(reason: str, network: str, account: str | None, until: datetime | None,
               problem: str | None, tz: ZoneInfo) -> str:
    """Why a post was not read now, in plain words."""
    label = network_label(network)
    when = local(until, tz) if until is not None else None
    if reason == "attention" and account is None:
        return L_("its account on {network} is no longer connected: connect it again with "
                 "`costanza account add {network_id}`.").format(network=label,
                                                               network_id=network)
    if reason == "attention":
        return L_("the account {account} needs your attention ({problem}); `costanza "
                 "status` says what to do.").format(
            account=account, problem=problem or L_("it is held"))
    if reason == "rate_limited" and when:
        return L_("{network} asked to wait until {when}: Costanza looks again then.").format(
            network=label, when=when)
    if reason == "rate_limited":
        return L_("{network} asked to wait: Costanza looks again later.").format(network=label)
    if reason == "x_budget" and when:
        return L_("the X budget of this month is reached: comments on X are not read until "
                  "{when}, or raise `[x] monthly_budget` in the settings.").format(when=when)
    if reason == "x_budget":
        return L_("the X budget of this month is reached.")
    if reason == "publishing":
        return L_("the account {account} is about to publish a post, and publishing goes "
                 "first: the daemon looks under this post right after.").format(
            account=account)
    if reason == "taken":
        return L_("another Costanza process (the daemon) is reading its comments right now.")
    return reason


def _summary(app: App, data: dict[str, Any]) -> str:
    if data["looked"] == 0 and not data["skipped"] and not data["problems"]:
        days = app.settings.comments_max_age_days
        return nL_("No published post to look under: Costanza reads the comments "
                        "under the posts it published in the last {days} day.",
                        "No published post to look under: Costanza reads the comments "
                        "under the posts it published in the last {days} days.",
                        days).format(days=days)
    if data["new"]:
        return L_("To read the new ones: `costanza comments`.")
    return L_("Nothing new to read.")
