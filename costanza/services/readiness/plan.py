"""The week ahead as `costanza status` plans it: the posts due, the empty slots, the
runway and the daemons alive."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from costanza.app import App


@dataclass(frozen=True)
class Due:
    """A post planned in the week ahead."""

    post_id: int
    at: datetime
    targets: list[str]
    photos: int


@dataclass(frozen=True)
class Week:
    """What the queue holds for the week ahead, as `costanza status` plans it."""

    due: list[Due]
    empty_slots: list[datetime]
    runway: str
    runway_days: float | None
    runway_warning: bool
    unplanned: int
    daemons: list[dict[str, Any]] = field(default_factory=list)


def read_week(app: App, now: datetime, until: datetime) -> Week:
    from costanza.services.schedule import status
    from costanza.services.views import queue_with_plan

    _profile, rows, plan = queue_with_plan(app)
    by_id = {r.id: r for r in rows}
    due = [Due(e.post_id, e.at, list(by_id[e.post_id].targets), by_id[e.post_id].photos)
           for e in plan.entries if e.at < until]
    view = status(app)
    return Week(due=due, empty_slots=[t for t in plan.free_slots_after if t < until],
                runway=view["runway"], runway_days=view["runway_days"],
                runway_warning=view["runway_warning"], unplanned=len(plan.unplanned),
                daemons=view["daemons"])
