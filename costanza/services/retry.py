"""`costanza retry ID`: put a delivery that did not go out back in the queue.

ID is a delivery number, as `costanza log` shows it in its first column.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from config.errors import InputError, NotFound
from config.i18n import L_, N_, _
from costanza.app import App
from costanza.formatting import local
from costanza.services.log_states import ATTENTION
from posts.networks import network_label

_DOING = {
    "queued": N_("Delivery {number} ({where}) is waiting to go out, not failed: nothing to "
                 "retry."),
    "claimed": N_("Delivery {number} ({where}) is being sent right now, not failed: nothing "
                  "to retry."),
    "publishing": N_("Delivery {number} ({where}) is being sent right now, not failed: "
                     "nothing to retry."),
    "retry_wait": N_("Delivery {number} ({where}) is waiting to be tried again, not failed: "
                     "nothing to retry. It will be tried again by itself {when}."),
    "unknown": N_("Delivery {number} ({where}) is being checked with the network, not "
                  "failed: nothing to retry."),
}


def retry_delivery(app: App, delivery_id: int, force: bool = False) -> dict[str, Any]:
    """`costanza retry ID`: ID is a delivery number, as `costanza log` shows it.

    failed (or cancelled) -> queued again; needs_review -> checked once more with
    the network ("unknown", the daemon reconciles), or with ``force`` queued to be
    published anyway; held -> queued (it still waits while its account is on hold).
    Anything else raises InputError: there is nothing to retry.
    """
    from posts import deliveries as dl
    from posts.models import Account, Delivery
    from posts.profiles import get_profile

    now = app.clock.now()
    with app.store.write() as db:
        profile = get_profile(db, app.profile_name)
        d = db.get(Delivery, delivery_id)
        if d is None or d.profile_id != profile.id:
            raise NotFound(_("There is no delivery number {number}. `costanza log` shows "
                             "each delivery's number in its first column.").format(
                                 number=delivery_id))
        where = _("post {number} on {network}").format(number=d.post_id,
                                                       network=network_label(d.network))
        before = d.state
        if before == "published":
            _refuse_published(delivery_id, where, d.permalink)
        if before not in (*ATTENTION, "cancelled"):
            tz = ZoneInfo(profile.timezone)
            doing = _DOING.get(before)
            if doing is None:
                raise InputError(_("Delivery {number} ({where}) is {state}, not failed: "
                                   "nothing to retry.").format(
                                       number=delivery_id, where=where, state=before))
            raise InputError(_(doing).format(number=delivery_id, where=where,
                                             when=local(d.due_at, tz)))
        if before == "held" and d.account_id is None:
            raise InputError(_("Delivery {number} ({where}) waits for an account: connect "
                               "one with `costanza account add {network} ...` and it goes "
                               "out by itself.").format(number=delivery_id, where=where,
                                                        network=d.network))
        account = db.get(Account, d.account_id) if d.account_id is not None else None
        state = dl.retry(db, d, now, force)
        post_id, network = d.post_id, d.network
    held = account is not None and account.health == "held"
    message = _retry_message(before, force, held).format(
        number=delivery_id, post=post_id, network=network_label(network))
    return {"delivery_id": delivery_id, "post_id": post_id, "network": network,
            "before": before, "state": state, "message": message}


def _refuse_published(delivery_id: int, where: str, permalink: str | None) -> None:
    if permalink:
        raise InputError(_("Delivery {number} ({where}) was already published ({link}): "
                           "nothing to retry.").format(number=delivery_id, where=where,
                                                       link=permalink))
    raise InputError(_("Delivery {number} ({where}) was already published: nothing to "
                       "retry.").format(number=delivery_id, where=where))


def _retry_message(before: str, force: bool, held: bool) -> str:
    """What `retry` did, as a whole sentence to fill in (English in JSON)."""
    if before == "needs_review" and not force:
        if held:
            return L_("Costanza will check once more whether post {post} on {network} went "
                      "out, and publish it only if it did not. It waits until the account "
                      "works again: reconnect it, then run `costanza account check`.")
        return L_("Costanza will check once more whether post {post} on {network} went out, "
                  "and publish it only if it did not. The daemon takes it within seconds, "
                  "if it is running (`costanza status`).")
    if before == "needs_review":
        if held:
            return L_("Post {post} on {network} will be published again, even if it may "
                      "already be there. It waits until the account works again: reconnect "
                      "it, then run `costanza account check`.")
        return L_("Post {post} on {network} will be published again, even if it may already "
                  "be there. The daemon takes it within seconds, if it is running "
                  "(`costanza status`).")
    if held:
        return L_("Delivery {number} (post {post} on {network}) is queued again. It waits "
                  "until the account works again: reconnect it, then run `costanza account "
                  "check`.")
    return L_("Delivery {number} (post {post} on {network}) is queued again. The daemon takes "
              "it within seconds, if it is running (`costanza status`).")
