"""The deliveries being checked with the network: sent, with no clear answer yet.

Such a delivery ("unknown") is looked up on the network; a post not found there yet is
looked up again once no request sent for it can still land (the settle period, see
``posts.settle``), and published again only if it is still missing. ``post list``,
``status`` and ``log`` show them as "checking whether it went out".
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from config.clock import utc
from config.i18n import N_, _
from costanza.app import App
from costanza.formatting import iso, local_label
from posts.models import Delivery
from posts.networks import network_label

WORDS = N_("checking whether it went out")


def checking(db: Session, profile_id: int, tz: ZoneInfo) -> list[dict[str, Any]]:
    """The profile's deliveries being checked, oldest post first (a stable contract for
    ``--json``: delivery_id, post_id, network, next_look_at (UTC), next_look_local,
    reason)."""
    rows = db.execute(select(Delivery.id, Delivery.post_id, Delivery.network,
                             Delivery.due_at, Delivery.reason)
                      .where(Delivery.profile_id == profile_id, Delivery.state == "unknown")
                      .order_by(Delivery.post_id, Delivery.id)).all()
    return [{"delivery_id": r.id, "post_id": r.post_id, "network": r.network,
             "next_look_at": iso(utc(r.due_at)) if r.due_at else None,
             "next_look_local": local_label(utc(r.due_at), tz) if r.due_at else None,
             "reason": r.reason} for r in rows]


def checking_for(app: App) -> list[dict[str, Any]]:
    """``checking`` for the app's profile."""
    from posts.profiles import get_profile

    with app.store.read() as db:
        profile = get_profile(db, app.profile_name)
        return checking(db, profile.id, ZoneInfo(profile.timezone))


def checking_line(item: dict[str, Any]) -> str:
    """One delivery being checked, in plain words."""
    when = item.get("next_look_local")
    network = network_label(item["network"])
    if when:
        return _("Post {number} on {network}: checking whether it went out; Costanza looks "
                 "again at {when} and publishes it only if it is still missing.").format(
                     number=item["post_id"], network=network, when=when)
    return _("Post {number} on {network}: checking whether it went out and publishes it only "
             "if it is still missing.").format(number=item["post_id"], network=network)
