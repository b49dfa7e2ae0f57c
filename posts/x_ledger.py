"""The ledger of what X cost: one row per post created on X (each part of a thread, each
reply written with `costanza reply`), one per fetch of a post's comments and one per
lookup of an answer whose outcome was unknown (the posts each read), and the month's
spending against ``[x] monthly_budget``.

A charge for a post is written when the post is known to exist: on a successful publish,
or when a post whose outcome was unknown is found on the account. It is keyed by
delivery and part (see ``XCharge``), so a retry or a reconciliation that finds the same
post again, or a fetch recorded twice, adds nothing. Months are the profile's calendar
months, in its time zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from config.settings import Settings
from posts.models import Delivery, Profile, XCharge
from posts.x_prices import budget, kind_of, prices


def charge(db: Session, delivery: Delivery, parts: list[str], sent: int,
           remote_ids: list[str], now: datetime, settings: Settings) -> int:
    """Charge the first ``sent`` parts of the delivery's text (those known to be on X)
    that are not charged yet; returns how many were added."""
    if sent <= 0:
        return 0
    have = set(db.scalars(select(XCharge.part).where(XCharge.delivery_id == delivery.id)))
    table = prices(settings)
    added = 0
    for part in range(sent):
        if part in have:
            continue
        kind = kind_of(parts[part] if part < len(parts) else "")
        db.add(XCharge(profile_id=delivery.profile_id, post_id=delivery.post_id,
                       delivery_id=delivery.id, part=part, kind=kind,
                       amount_micro=table.of(kind), prices_of=table.since,
                       remote_id=remote_ids[part] if part < len(remote_ids) else None,
                       charged_at=now))
        added += 1
    if added:
        db.flush()
    return added


REPLY_PARTS = 1_000_000  # a reply's part: REPLY_PARTS + its id (a thread has fewer parts)
# A lookup's part: -(LOOKUP_PARTS + n), the n-th answer looked up under the post (a post's
# fetches, -1, -2..., stay above it).
LOOKUP_PARTS = 1_000_000


def _added(db: Session, row: XCharge) -> bool:
    """Add the row unless its (delivery, part) is charged already."""
    have = db.scalar(select(XCharge.id).where(XCharge.delivery_id == row.delivery_id,
                                              XCharge.part == row.part))
    if have is not None:
        return False
    try:
        with db.begin_nested():
            db.add(row)
            db.flush()
    except IntegrityError:  # another writer charged it first
        return False
    return True


def _charge_once(db: Session, row: XCharge) -> int:
    """Add the row unless its (delivery, part) is charged already; its amount, or 0."""
    return row.amount_micro if _added(db, row) else 0


def record_reads(db: Session, *, profile_id: int, post_id: int, delivery_id: int,
                 fetch_number: int, reads: int, settings: Settings, now: datetime) -> int:
    """Charge the posts one fetch of a delivery's comments read (``fetch_number``: 1, 2...
    for that delivery, the row's part is ``-fetch_number``); the micro-dollars charged,
    0 when nothing was read or the fetch is charged already."""
    if fetch_number < 1:
        raise ValueError("fetch_number starts at 1")
    if reads <= 0:
        return 0
    table = prices(settings)
    return _charge_once(db, XCharge(
        profile_id=profile_id, post_id=post_id, delivery_id=delivery_id, part=-fetch_number,
        kind="read", quantity=reads, amount_micro=reads * table.read,
        prices_of=table.since, remote_id=None, charged_at=now))


def record_lookup(db: Session, *, profile_id: int, post_id: int, delivery_id: int,
                  reads: int, settings: Settings, now: datetime) -> int:
    """Charge the posts read to look an answer up under the delivery's post after an
    unknown outcome (``scheduler.comments.replies``): one row per lookup, the next of
    the post's lookup parts; the micro-dollars charged, 0 when nothing was read."""
    if reads <= 0:
        return 0
    table = prices(settings)
    for _try in range(5):  # another writer may take the same part first
        last = db.scalar(select(func.min(XCharge.part)).where(
            XCharge.delivery_id == delivery_id, XCharge.part <= -LOOKUP_PARTS))
        row = XCharge(profile_id=profile_id, post_id=post_id, delivery_id=delivery_id,
                      part=(last if last is not None else -LOOKUP_PARTS) - 1, kind="read",
                      quantity=reads, amount_micro=reads * table.read,
                      prices_of=table.since, remote_id=None, charged_at=now)
        if _added(db, row):
            return row.amount_micro
    return 0


def record_reply(db: Session, *, profile_id: int, post_id: int, delivery_id: int,
                 reply_id: int, text: str, settings: Settings, remote_id: str | None,
                 now: datetime) -> int:
    """Charge a reply posted on X under the delivery's post, as a post (with or without
    a link); the micro-dollars charged, 0 when it is charged already."""
    kind = kind_of(text)
    table = prices(settings)
    return _charge_once(db, XCharge(
        profile_id=profile_id, post_id=post_id, delivery_id=delivery_id,
        part=REPLY_PARTS + reply_id, kind=kind, quantity=1, amount_micro=table.of(kind),
        prices_of=table.since, remote_id=remote_id, charged_at=now))


def month_start(year: int, month: int, tz: ZoneInfo) -> datetime:
    """Midnight of the month's first day in the zone, in UTC."""
    return datetime(year, month, 1, tzinfo=tz).astimezone(UTC)


def next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def month_rows(db: Session, profile_id: int, year: int, month: int,
               tz: ZoneInfo) -> dict[str, tuple[int, int]]:
    """Each kind's (count, micro-dollars) charged in the month (a count of posts: created,
    or read)."""
    start, end = month_start(year, month, tz), month_start(*next_month(year, month), tz)
    rows = db.execute(select(XCharge.kind, func.coalesce(func.sum(XCharge.quantity), 0),
                             func.coalesce(
        func.sum(XCharge.amount_micro), 0)).where(
        XCharge.profile_id == profile_id, XCharge.charged_at >= start,
        XCharge.charged_at < end).group_by(XCharge.kind)).all()
    return {kind: (int(count), int(total)) for kind, count, total in rows}


@dataclass(frozen=True)
class Budget:
    """A profile's X spending in one month against its budget (micro-dollars)."""

    year: int
    month: int
    spent: int
    budget: int | None  # None: no [x] monthly_budget
    until: datetime  # the next month's first moment in the profile's zone (UTC)

    @property
    def left(self) -> int | None:
        return None if self.budget is None else max(0, self.budget - self.spent)

    @property
    def blocked(self) -> bool:
        """Reached: X deliveries wait for the next month (or a higher budget)."""
        return self.budget is not None and self.spent >= self.budget

    def as_dict(self) -> dict[str, Any]:
        return {"month": f"{self.year:04d}-{self.month:02d}", "spent_micro": self.spent,
                "budget_micro": self.budget, "left_micro": self.left,
                "blocked": self.blocked, "until": self.until.isoformat()}


def budget_of(db: Session, settings: Settings, profile_id: int, now: datetime,
              tz: ZoneInfo | None = None) -> Budget:
    """The spending of the month ``now`` falls in (in the profile's zone)."""
    if tz is None:
        profile = db.get(Profile, profile_id)
        tz = ZoneInfo(profile.timezone if profile is not None else "UTC")
    local = now.astimezone(tz)
    rows = month_rows(db, profile_id, local.year, local.month, tz)
    spent = sum(total for _, total in rows.values())
    return Budget(local.year, local.month, spent, budget(settings),
                  month_start(*next_month(local.year, local.month), tz))
