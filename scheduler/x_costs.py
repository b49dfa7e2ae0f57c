"""X's costs in the daemon: charging the ledger for the posts that went out, and holding X
deliveries once ``[x] monthly_budget`` is reached for the month (nothing fails, no attempt
is spent); a new month or a higher budget lets them go on the next round.

A held delivery carries ``x_budget`` (the month it waits on) in its progress, and its
try in the publish log the error code ``x_budget``.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from config.i18n import L_, ngettext
from config.localtime import month_name
from config.settings import Settings
from posts import deliveries as dl
from posts.models import Delivery, Profile
from posts.store import Store
from posts.x_ledger import Budget, budget_of, charge, next_month
from posts.x_prices import money
from scheduler.publishers.base import PublishRequest
from scheduler.publishers.x.thread import split_thread

log = logging.getLogger("costanza.daemon")
BUDGET_CODE = "x_budget"


def parts_of(request: PublishRequest) -> list[str]:
    """The posts the delivery makes on X: one, or each part of a thread."""
    return split_thread(request.text) if request.thread else [request.text]


def charge_sent(db: Any, request: PublishRequest, now: datetime, settings: Settings,
                progress: dict[str, Any] | None, remote_id: str | None = None,
                everything: bool = False) -> None:
    """Charge what is known to be on X: every part (``everything``: published, or found),
    else the parts the progress lists as out (a thread stopped half-way)."""
    if request.network != "x":
        return
    ids = [str(i) for i in (progress or {}).get("tweet_ids") or []]
    if remote_id and not ids:
        ids = [remote_id]
    parts = parts_of(request)
    delivery = db.get(Delivery, request.delivery_id)
    if delivery is not None:
        charge(db, delivery, parts, len(parts) if everything else len(ids), ids, now,
               settings)


def budget_words(status: Budget) -> dict[str, str]:
    """The words a sentence about the reached budget fills in: ``budget`` ("$5.00"),
    ``month`` (the month it is reached for) and ``next_month`` (when it starts again)."""
    _year, month = next_month(status.year, status.month)
    return {"budget": money(status.budget or 0), "month": month_name(status.month),
            "next_month": month_name(month)}


def reached_reason(status: Budget) -> str:
    """Why X posts wait, in plain words (English in JSON)."""
    return L_("The X budget of {budget} is reached for {month}: posts to X wait until 1 "
              "{next_month}, or raise `[x] monthly_budget` in the settings.").format(
        **budget_words(status))


def over_budget(db: Any, settings: Settings, delivery: Delivery,
                now: datetime) -> Budget | None:
    """The month's spending when it stops this delivery (an X one, budget reached)."""
    if delivery.network != "x" or settings.x_monthly_budget is None:
        return None
    status = budget_of(db, settings, delivery.profile_id, now)
    return status if status.blocked else None


def hold(db: Any, c: dl.Claim, now: datetime, started: datetime, status: Budget) -> None:
    """The delivery waits for next month (held, no attempt counted), said in the log."""
    dl.finish(db, c, now, "held", started=started, action="budget",
              message=reached_reason(status), due_at=status.until, error_code=BUDGET_CODE,
              extra={BUDGET_CODE: f"{status.year:04d}-{status.month:02d}"})


def release_holds(store: Store, settings: Settings, now: datetime) -> int:
    """X deliveries held for the budget go back to the queue once it allows them (a new
    month, a higher budget, no budget at all); returns how many."""
    with store.read() as db:
        rows = [r for r in db.execute(select(
            Delivery.id, Delivery.profile_id, Delivery.progress).where(
            Delivery.state == "held", Delivery.network == "x")).all()
            if (r.progress or {}).get(BUDGET_CODE)]
        if not rows:
            return 0
        free = set()
        for profile_id in {r.profile_id for r in rows}:
            profile = db.get(Profile, profile_id)
            tz = ZoneInfo(profile.timezone if profile is not None else "UTC")
            if not budget_of(db, settings, profile_id, now, tz).blocked:
                free.add(profile_id)
    ids = [r.id for r in rows if r.profile_id in free]
    if not ids:
        return 0
    with store.write() as db:
        released = 0
        for d in db.scalars(select(Delivery).where(Delivery.id.in_(ids),
                                                   Delivery.state == "held")):
            d.progress = {k: v for k, v in (d.progress or {}).items() if k != BUDGET_CODE}
            d.state, d.due_at, d.reason, d.updated_at = "queued", now, None, now
            released += 1
    if released:
        log.info(ngettext("{n} post to X goes on: the X budget allows it again",
                          "{n} posts to X go on: the X budget allows them again",
                          released).format(n=released))
    return released
