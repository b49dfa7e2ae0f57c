"""The settle window: when "not found on the network" proves that a post did not go out.

A request that got no clear answer (a timeout, a dropped connection, a 500) may still be
at work on the network's side: a server can hold it for a while and create the post
later. Looking for the post and finding nothing only proves it did not go out once no
request that could create it can still land: a settle period (``[networks]
settle_seconds_<network>``, longer than the HTTP timeout) counted from the last such
request. Until then the delivery waits as "checking whether it went out" and is looked
up again when the period ends.

When the last request was sent is kept in the delivery's progress (``sent_at``):

- a daemon that got no clear answer knows it (the write-ahead record notes each send);
- after a daemon vanished (killed, frozen), its requests were all sent before its lease
  ran out, so the lease's end is the latest they can have been sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from config.i18n import _
from config.localtime import local_label
from posts.models import Delivery, Profile
from posts.networks import network_label

SENT_AT = "sent_at"  # progress key: the latest moment a request that may create it was sent


def sent_at(progress: Mapping[str, Any] | None) -> datetime | None:
    """When the last request that could create the post was sent (at the latest)."""
    value = (progress or {}).get(SENT_AT)
    if not isinstance(value, str):
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def note_sent(progress: Mapping[str, Any] | None, when: datetime | None) -> dict[str, Any]:
    """``progress`` with ``when`` kept as the last send, unless a later one is kept already."""
    out = dict(progress or {})
    if when is None:
        return out
    known = sent_at(out)
    if known is None or when > known:
        out[SENT_AT] = when.astimezone(UTC).isoformat()
    return out


def sent_extra(progress: Mapping[str, Any] | None, when: datetime | None) -> dict[str, Any]:
    """The progress keys to store with an unknown outcome: the last send, when known."""
    kept = note_sent(progress, when).get(SENT_AT)
    return {SENT_AT: kept} if kept else {}


def settle_end(progress: Mapping[str, Any] | None, settle: timedelta) -> datetime | None:
    """When no request of this delivery can still land; None when none was ever sent."""
    when = sent_at(progress)
    return None if when is None else when + settle


def still_settling(progress: Mapping[str, Any] | None, settle: timedelta,
                   now: datetime) -> datetime | None:
    """The settle period's end while it lasts (not found is no proof yet), else None."""
    end = settle_end(progress, settle)
    return end if end is not None and now < end else None


def checking_message(network: str, until: datetime, tz: tzinfo) -> str:
    """What the artisan reads while a delivery waits for its settle period to end."""
    name = network_label(network)
    return _("Checking whether it went out: {network} did not answer clearly, and the post "
             "can still appear there for a while. It is not there yet; Costanza looks "
             "again at {time} and publishes it only if it is still "
             "missing.").format(network=name, time=local_label(until, tz))


def checking_reason(db: Session, delivery_id: int, network: str, until: datetime) -> str:
    """``checking_message`` with the time shown in the delivery's profile's time zone."""
    delivery = db.get(Delivery, delivery_id)
    profile = db.get(Profile, delivery.profile_id) if delivery is not None else None
    tz: tzinfo = ZoneInfo(profile.timezone) if profile is not None else UTC
    return checking_message(network, until, tz)
