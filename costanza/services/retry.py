"""`costanza retry ID`: put a delivery that did not go out back in the queue.

ID is a delivery number, as `costanza log` shows it in its first column.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from config.errors import InputError, NotFound
from costanza.app import App
from costanza.formatting import local
from costanza.services.log_states import ATTENTION
from posts.networks import network_label

_DOING = {
    "queued": "waiting to go out",
    "claimed": "being sent right now",
    "publishing": "being sent right now",
    "retry_wait": "waiting to be tried again",
    "unknown": "being checked with the network",
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
            raise NotFound(f"There is no delivery number {delivery_id}. `costanza log` shows "
                           "each delivery's number in its first column.")
        where = f"post {d.post_id} on {network_label(d.network)}"
        before = d.state
        if before == "published":
            link = f" ({d.permalink})" if d.permalink else ""
            raise InputError(f"Delivery {delivery_id} ({where}) was already published{link}: "
                             "nothing to retry.")
        if before not in (*ATTENTION, "cancelled"):
            tz = ZoneInfo(profile.timezone)
            later = (f" It will be tried again by itself {local(d.due_at, tz)}."
                     if before == "retry_wait" else "")
            doing = _DOING.get(before, before)
            raise InputError(f"Delivery {delivery_id} ({where}) is {doing}, not failed: "
                             f"nothing to retry.{later}")
        if before == "held" and d.account_id is None:
            raise InputError(f"Delivery {delivery_id} ({where}) waits for an account: connect "
                             f"one with `costanza account add {d.network} ...` and it goes "
                             "out by itself.")
        account = db.get(Account, d.account_id) if d.account_id is not None else None
        state = dl.retry(db, d, now, force)
        post_id, network = d.post_id, d.network
    if before == "needs_review" and not force:
        message = (f"Costanza will check once more whether {where} went out, and publish it "
                   "only if it did not.")
    elif before == "needs_review":
        message = (f"{where[0].upper()}{where[1:]} will be published again, even if it may "
                   "already be there.")
    else:
        message = f"Delivery {delivery_id} ({where}) is queued again."
    if account is not None and account.health == "held":
        message += (" It waits until the account works again: reconnect it, then run "
                    "`costanza account check`.")
    else:
        message += " The daemon takes it within seconds, if it is running (`costanza status`)."
    return {"delivery_id": delivery_id, "post_id": post_id, "network": network,
            "before": before, "state": state, "message": message}
