"""``[x] monthly_budget`` in the dialogue: on X reading comments (each post read) and
answering them (an answer is a post) are paid, so once the month's X spending reaches the
budget, neither is done for that profile until the next month, a higher budget or none.

- The fetcher leaves the profile's X posts alone: each waits until the budget's ``until``
  (the next month's first moment), its watch saying why (``problem_code`` ``x_budget``,
  shown by `costanza comments` and `costanza status`); one past its max age by then is
  not read any more.
- `costanza reply` on an X comment is refused before anything is written or sent.
- A reply the daemon holds (queued, to retry, or to look up) waits until ``until``: one
  to send goes to ``retry`` (no try counted), one whose outcome is unknown stays
  ``unknown`` (it is looked up before anything is sent, as always).

A higher budget (or none) lets them go on the next round (``release``): the watches by
their ``problem_code``, the replies by their ``hold_code`` (both ``x_budget``), which only
the budget puts there.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from config.clock import utc
from config.i18n import _
from config.settings import Settings
from posts import comments as cm
from posts.comment_tables import CommentReply, CommentWatch
from posts.x_ledger import Budget, budget_of
from scheduler.x_costs import BUDGET_CODE, budget_words

log = logging.getLogger("costanza.comments")


class Budgets:
    """The month's X budget of each profile during one round (X only): a budget found
    reached is not read again; one not reached is read before each fetch, which may
    reach it."""

    def __init__(self, settings: Settings, now: datetime) -> None:
        self.settings = settings
        self.now = now
        self._reached: dict[int, Budget] = {}

    def blocking(self, db: Session, network: str, profile_id: int) -> Budget | None:
        """The month's spending when it stops X comment work of the profile, else None."""
        if network != "x" or self.settings.x_monthly_budget is None:
            return None
        if profile_id not in self._reached:
            status = budget_of(db, self.settings, profile_id, self.now)
            if not status.blocked:
                return None
            self._reached[profile_id] = status
        return self._reached[profile_id]


def blocking(db: Session, settings: Settings, network: str, profile_id: int,
             now: datetime) -> Budget | None:
    """The month's spending when it stops X comment work of the profile, else None."""
    return Budgets(settings, now).blocking(db, network, profile_id)


def reading_reason(status: Budget) -> str:
    """Why the comments on X are not read, in plain words (kept on the watch)."""
    return _("The X budget of {budget} is reached for {month}: comments on X are not read "
             "until 1 {next_month}, or raise `[x] monthly_budget` in the settings.").format(
        **budget_words(status))


def waiting_reason(status: Budget) -> str:
    """Why a saved answer on X waits, in plain words (kept on the reply)."""
    return _("The X budget of {budget} is reached for {month}: your answer on X waits until "
             "1 {next_month}, or raise `[x] monthly_budget` in the settings to let it go "
             "sooner.").format(**budget_words(status))


def refused_reason(status: Budget, comment_id: int) -> str:
    """Why `costanza reply` did not send an answer on X, in plain words."""
    return _("The X budget of {budget} is reached for {month}, and on X an answer is a post "
             "that costs like one: your answer was not sent. The budget starts again on 1 "
             "{next_month}. To answer sooner, raise `[x] monthly_budget` in the settings, "
             "then send it again with `costanza reply {id} \"...\"`.").format(
        id=comment_id, **budget_words(status))


def hold_watch(db: Session, watch: CommentWatch, status: Budget) -> None:
    """The post's comments wait for the budget: looked at again when it starts again."""
    db.execute(update(CommentWatch).where(CommentWatch.delivery_id == watch.delivery_id)
               .values(problem=reading_reason(status), problem_code=BUDGET_CODE,
                       next_fetch_at=status.until, taken_until=None)
               .execution_options(synchronize_session=False))


def aged_out(watch: CommentWatch, now: datetime, settings: Settings) -> bool:
    """A post held for the budget that is past its network's max age once let go: it is
    not read any more (and no longer counted among the problems)."""
    end = utc(watch.published_at) + timedelta(days=cm.max_age_days(watch.network, settings))
    return watch.problem_code == BUDGET_CODE and now > end


def close_watch(db: Session, watch: CommentWatch) -> None:
    db.execute(update(CommentWatch).where(CommentWatch.delivery_id == watch.delivery_id)
               .values(problem=None, problem_code=None, next_fetch_at=None,
                       taken_until=None)
               .execution_options(synchronize_session=False))


def release(db: Session, settings: Settings, now: datetime) -> int:
    """The X watches and replies held for the budget of a profile that the budget allows
    again are due now; how many."""
    watches = db.execute(select(CommentWatch.delivery_id, CommentWatch.profile_id).where(
        CommentWatch.network == "x", CommentWatch.problem_code == BUDGET_CODE,
        CommentWatch.next_fetch_at > now)).all()
    replies = db.execute(select(CommentReply.id, CommentReply.profile_id).where(
        CommentReply.network == "x", CommentReply.state.in_(("retry", "unknown")),
        CommentReply.hold_code == BUDGET_CODE, CommentReply.due_at > now)).all()
    if not watches and not replies:
        return 0
    statuses = {p: budget_of(db, settings, p, now)
                for p in {r.profile_id for r in [*watches, *replies]}}
    free = {p for p, status in statuses.items() if not status.blocked}
    watch_ids = [r.delivery_id for r in watches if r.profile_id in free]
    reply_ids = [r.id for r in replies if r.profile_id in free]
    if watch_ids:  # the problem stays until the look (it may find the post too old)
        db.execute(update(CommentWatch).where(CommentWatch.delivery_id.in_(watch_ids))
                   .values(next_fetch_at=now)
                   .execution_options(synchronize_session=False))
    if reply_ids:
        db.execute(update(CommentReply).where(CommentReply.id.in_(reply_ids))
                   .values(due_at=now, updated_at=now, hold_code=None)
                   .execution_options(synchronize_session=False))
    released = len(watch_ids) + len(reply_ids)
    if released:
        log.info(_("comments on X: the X budget allows them again ({n} waiting went on)")
                 .format(n=released))
    return released

