"""Retention: old tries are deleted, never the latest try of a delivery."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from posts.attempts import prune_attempts
from posts.models import Attempt
from tests.costanza.services.log.conftest import Filled


def attempts_by_delivery(filled: Filled) -> dict[int, int]:
    with filled.app.store.read() as db:
        rows = db.execute(select(Attempt.delivery_id, func.count())
                          .group_by(Attempt.delivery_id)).all()
    return {d: n for d, n in rows}


def test_prune_keeps_recent_tries_and_the_latest_of_each_delivery(filled: Filled) -> None:
    before = attempts_by_delivery(filled)
    assert before[3] == 2 and before[6] == 2  # rate-limited then out; unknown then review
    now = filled.clock.now()
    with filled.app.store.write() as db:
        assert prune_attempts(db, now, keep_days=365) == 0
    # Keep 10 days: only the extra tries of deliveries 3 and 6 are old enough to go.
    with filled.app.store.write() as db:
        deleted = prune_attempts(db, now, keep_days=10)
    assert deleted == 2
    after = attempts_by_delivery(filled)
    assert after == {d: 1 for d in before}
    with filled.app.store.read() as db:
        kept = db.scalars(select(Attempt).where(Attempt.delivery_id.in_([3, 6]))
                          .order_by(Attempt.delivery_id)).all()
    assert [a.outcome for a in kept] == ["published", "needs_review"]


def test_prune_with_a_short_keep_leaves_one_try_per_delivery(filled: Filled) -> None:
    with filled.app.store.write() as db:
        prune_attempts(db, filled.clock.now() + timedelta(days=400), keep_days=1)
    assert set(attempts_by_delivery(filled).values()) == {1}
    assert len(attempts_by_delivery(filled)) == 13
