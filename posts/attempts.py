"""The tries of each delivery (the publish log's rows): keeping the table small."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any


def prune_attempts(db: Any, now: datetime, keep_days: int) -> int:
    """Delete tries older than ``keep_days`` (setting ``log.keep_days``), but never the
    latest try of a delivery. Returns how many were deleted. ``db`` is a Session in
    a write transaction (the daemon calls this once a day)."""
    from sqlalchemy import delete, func, select

    from posts.models import Attempt

    cutoff = now - timedelta(days=keep_days)
    latest = select(func.max(Attempt.id)).group_by(Attempt.delivery_id)
    result = db.execute(delete(Attempt).where(Attempt.started_at < cutoff,
                                              Attempt.id.not_in(latest))
                        .execution_options(synchronize_session=False))
    return int(result.rowcount or 0)
