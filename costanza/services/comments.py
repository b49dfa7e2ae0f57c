"""What `costanza comments`, `comments read`, `comments hide` and `costanza reply` do, as
plain data (and, later, what a web page calls).

The shapes returned are the JSON contract of those commands (see the README). Reading
goes through ``posts.comment_inbox`` (Core only, fast); answering and hiding through the
engine (``posts.comments``, ``scheduler.comments``), which is imported only when used.

``reply`` and ``hide`` take ``clients``: the comment client for a network (by default
the registry's, talking to the networks or to the sandbox); the tests hand in a double.
"""

from __future__ import annotations

import os
import uuid
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from config.errors import InputError
from config.i18n import L_, _
from costanza import text_input
from costanza.app import App
from costanza.formatting import excerpt, iso, local
from posts import comment_inbox, listing
from posts.networks import network_label

if TYPE_CHECKING:
    from config.secrets import SecretStore
    from scheduler.comments.base import ClientFactory

# What `reply` says happened: sent, saved for the daemon (it will check and send it
# once), or failed (with the reason).
REPLY_RESULTS = ("sent", "saved", "failed")


# -- reading -------------------------------------------------------------------------
def _comment_row(c: comment_inbox.InboxComment, depth: int, shown_ids: set[int],
                 tz: ZoneInfo) -> dict[str, Any]:
    return {
        "id": c.id, "network": c.network, "parent_id": c.parent_id,
        # The comment answered, when it is not listed here (its thread is shown in part).
        "in_reply_to": c.parent_id if c.parent_id is not None and c.parent_id not in shown_ids
        else None,
        "depth": depth, "author_name": c.author_name, "author_handle": c.author_handle,
        "text": c.text, "written_at": iso(c.written_at), "written_local": local(c.written_at, tz),
        "state": c.state, "mine": c.mine, "waiting": c.waiting, "reply_state": c.reply_state,
    }


def _group_row(group: comment_inbox.InboxPost, tz: ZoneInfo) -> dict[str, Any]:
    ids = {c.id for c in group.comments}
    depth: dict[int, int] = {}
    rows = []
    for c in group.comments:  # threads in order: a parent comes before its replies
        depth[c.id] = depth[c.parent_id] + 1 if c.parent_id in depth else 0
        rows.append(_comment_row(c, depth[c.id], ids, tz))
    return {
        "post_id": group.post_id, "delivery_id": group.delivery_id, "network": group.network,
        "excerpt": excerpt(group.text, 50), "published_at": iso(group.published_at),
        "published_local": local(group.published_at, tz), "permalink": group.permalink,
        "comments": rows,
    }


def _waiting(counts: dict[str, int]) -> dict[str, Any]:
    return {"total": sum(counts.values()), "by_network": counts}


def _looking(app: App) -> dict[str, Any]:
    """How comments arrive: how often the daemon looks under a new post, until what age."""
    s = app.settings
    return {"every_minutes": s.comments_new_minutes, "max_age_days": s.comments_max_age_days,
            "x_max_age_days": min(s.comments_x_max_age_days, s.comments_max_age_days)}


def list_comments(app: App, *, everything: bool = False, post_id: int | None = None,
                  network: str | None = None) -> dict[str, Any]:
    """The profile's comments waiting for an answer (all of them with ``everything``),
    grouped by post, the oldest waiting first; with the counts of those waiting."""
    with app.store.engine.connect() as conn:
        profile = listing.load_profile(conn, app.profile_name)
        if post_id is not None and conn.exec_driver_sql(
                f"SELECT 1 FROM posts WHERE id = {int(post_id)} "
                f"AND profile_id = {int(profile.id)}").first() is None:
            from config.errors import NotFound

            raise NotFound(_("There is no post {number}. `costanza post list --all` shows "
                             "them.").format(number=post_id))
        groups = comment_inbox.inbox(conn, profile.id, everything=everything,
                                     post_id=post_id, network=network)
        counts = comment_inbox.waiting_counts(conn, profile.id)
        problems = comment_inbox.watch_problems(conn, profile.id)
    tz = ZoneInfo(profile.timezone)
    posts = [_group_row(g, tz) for g in groups]
    return {
        "profile": profile.name, "timezone": tz.key, "all": everything, "post_id": post_id,
        "network": network, "count": sum(len(p["comments"]) for p in posts),
        "waiting": _waiting(counts), "posts": posts, "problems": problems,
        "looking": _looking(app),
    }


def comments_status(app: App) -> dict[str, Any]:
    """For `costanza status`: how many comments wait (in all and per network), and the
    problems the daemon met fetching them (a lost permission), in plain words."""
    with app.store.engine.connect() as conn:
        profile = listing.load_profile(conn, app.profile_name)
        counts = comment_inbox.waiting_counts(conn, profile.id)
        problems = comment_inbox.watch_problems(conn, profile.id)
    return {"waiting": _waiting(counts), "problems": problems}


def mark_read(app: App, ids: list[int]) -> dict[str, Any]:
    """Mark comments read: they no longer wait for an answer. An unknown id: nothing is
    changed, and the refusal names it."""
    now = app.clock.now()
    with app.store.write() as db:
        profile_id = _profile_id(db, app)
        marked = comment_inbox.mark_read(db, profile_id, ids, now)
    return {"ids": sorted(set(ids)), "marked": marked, "at": iso(now)}


def _profile_id(db: Any, app: App) -> int:
    from posts.profiles import get_profile

    return get_profile(db, app.profile_name).id


# -- answering -------------------------------------------------------------------------
def reply_text(network: str, given: str) -> str:
    """The answer as it will be sent, refused plainly (before anything is written) when
    it is empty or too long for the network."""
    from posts import limits

    text = text_input.normalise(text_input.typed(given, _("the answer")))
    if not text:
        raise InputError(_('The answer is empty. Write it in quotes, for example `costanza '
                           'reply 12 "Grazie!"`. Nothing was sent.'))
    label = network_label(network)
    if network == "x":
        from posts.x_weight import weight

        size, most = weight(text), limits.X_REPLY_LIMIT
        if size > most:
            raise InputError(_("X counts {n} of {limit} characters for this answer ({note}). "
                               "Make it shorter. Nothing was sent.").format(
                n=size, limit=most, note=_(limits.X_WEIGHT_NOTE)))
        return text
    most = {"instagram": limits.INSTAGRAM_COMMENT_LIMIT,
            "facebook": limits.FACEBOOK_COMMENT_LIMIT}.get(network)
    if most is not None and len(text) > most:
        from config import i18n

        raise InputError(_("The answer is {n} characters long, and {network} takes up to "
                           "{limit} in a comment. Make it shorter. Nothing was sent.").format(
            n=i18n.number(len(text)), network=label, limit=i18n.number(most)))
    return text


def x_reply_cost(app: App, network: str, text: str) -> str | None:
    """On X an answer is a post and is billed like one: said as the link warning is."""
    if network != "x":
        return None
    from posts.x_prices import kind_of, money, prices

    table = prices(app.settings)
    price = table.of(kind_of(text))
    if not price:
        return None
    if kind_of(text) == "post_with_url":
        return L_("On X an answer is a post, and this one costs about {price} because of the "
                  "link (about {plain} without it).").format(price=money(price),
                                                             plain=money(table.post))
    return L_("On X an answer is a post, and costs like one: about {price}.").format(
        price=money(price))


def _target_comment(app: App, comment_id: int) -> tuple[int, Any]:
    """The profile's id and the comment (id, network, delivery_id, mine, deleted_at)."""
    with app.store.engine.connect() as conn:
        profile = listing.load_profile(conn, app.profile_name)
        return profile.id, comment_inbox.find_comment(conn, profile.id, comment_id)


def registry_clients(app: App) -> ClientFactory:
    """The comment client of each network, as the daemon makes them (on the app's clock)."""
    from scheduler.comments.rounds import default_clients

    return default_clients(app.settings, app.clock)


def secret_store(app: App, secrets: SecretStore | None = None) -> SecretStore:
    """The secrets handed in, or the home's `secrets.toml`."""
    from config.secrets import SecretStore

    return secrets if secrets is not None else SecretStore(app.settings.home.secrets_file)


def _refuse_over_budget(app: App, profile_id: int, network: str, comment_id: int) -> None:
    """On X, once the month's budget is reached, an answer (a post) is refused before
    anything is written or sent."""
    if network != "x" or app.settings.x_monthly_budget is None:
        return
    from scheduler.comments import x_budget

    with app.store.read() as db:
        status = x_budget.blocking(db, app.settings, network, profile_id, app.clock.now())
    if status is not None:
        raise InputError(x_budget.refused_reason(status, comment_id))


def reply(app: App, comment_id: int, text: str, *, clients: ClientFactory | None = None,
          secrets: SecretStore | None = None) -> dict[str, Any]:
    """Answer a comment: the answer is saved first, then sent at once. Says what happened:
    ``sent``, ``saved`` (the network was busy or its answer unclear: the daemon checks
    and sends it once) or ``failed`` (with the reason)."""
    profile_id, row = _target_comment(app, comment_id)
    network = row[1]
    if row[3]:
        raise InputError(_("Comment {id} is one of your own answers: answer the comment "
                           "above it instead (`costanza comments --all` shows them). Nothing "
                           "was sent.").format(id=comment_id))
    if row[4] is not None:
        raise InputError(_("Comment {id} was deleted from {network}: it cannot be answered "
                           "any more. Nothing was sent.").format(
            id=comment_id, network=network_label(network)))
    text = reply_text(network, text)
    _refuse_over_budget(app, profile_id, network, comment_id)
    from posts.comments import queue_reply

    with app.store.write() as db:
        reply_id = queue_reply(db, profile_id, comment_id, text, app.clock.now()).id
    from scheduler.comments.replies import ReplySender

    owner = f"reply-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    outcome = ReplySender(app.store, app.settings, app.clock,
                          clients or registry_clients(app), secret_store(app, secrets),
                          owner).send(reply_id)
    return reply_result(comment_id, reply_id, network, text, outcome.state,
                        outcome.remote_id, outcome.reason,
                        x_cost=x_reply_cost(app, network, text))


def reply_result(comment_id: int, reply_id: int, network: str, text: str, state: str,
                 remote_id: str | None, reason: str | None,
                 x_cost: str | None = None) -> dict[str, Any]:
    """What `costanza reply` prints (and gives as JSON) for a reply's state."""
    label = network_label(network)
    result = "sent" if state == "sent" else "failed" if state == "failed" else "saved"
    if result == "sent":
        message = _("Your answer to comment {id} is on {network}.").format(
            id=comment_id, network=label)
    elif result == "failed":
        message = _("Your answer to comment {id} could not go out on {network}: {reason} "
                    "It will not be sent.").format(
            id=comment_id, network=label, reason=reason or _("no reason was given."))
    else:
        message = _("{network} did not answer clearly, or is busy: your answer to comment "
                    "{id} is saved, and the daemon will check and send it once (it is never "
                    "sent twice). `costanza comments --all` shows when it is out.").format(
            id=comment_id, network=label)
        if reason:  # the network's words, or "another Costanza process is sending it"
            message += " " + reason
    return {"comment_id": comment_id, "reply_id": reply_id, "network": network, "text": text,
            "result": result, "state": state, "remote_id": remote_id, "reason": reason,
            "message": message, "x_cost_warning": x_cost}


def hide(app: App, comment_id: int, *, clients: ClientFactory | None = None,
         secrets: SecretStore | None = None) -> dict[str, Any]:
    """Hide a comment on its network (Facebook, Instagram; X refuses, in plain words)."""
    profile_id, row = _target_comment(app, comment_id)
    network = row[1]
    from scheduler.comments.hiding import hide_comment

    hide_comment(app.store, app.settings, app.clock, clients or registry_clients(app),
                 secret_store(app, secrets), profile_id, comment_id, hidden=True)
    return {"id": comment_id, "network": network, "hidden": True,
            "message": _("Comment {id} is hidden on {network}: others no longer see it "
                         "(its author still does).").format(id=comment_id,
                                                            network=network_label(network))}
