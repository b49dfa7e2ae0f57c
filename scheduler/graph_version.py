"""Is the Graph API version Costanza calls about to retire, or retired?

``graph_version_problem(settings, now)`` is pure: it reads ``[networks] graph_api_version``
and the table of ``config.graph_versions``, and says nothing when the version has more
than ``WARN_DAYS`` days left (or Meta has not published its retirement), a warning from
``WARN_DAYS`` days before, an error from the day it retires. `costanza status`, the
daemon's log and the readiness check show its sentence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from config import graph_versions
from config.i18n import L_, nL_
from config.settings import Settings

WARN_DAYS = 60


@dataclass(frozen=True)
class GraphVersionProblem:
    level: str  # "warning" (retires within WARN_DAYS days) or "error" (retired)
    message: str  # one plain sentence, with the date in words and the fix
    version: str
    retires_on: date
    days_left: int  # 0 or fewer: retired

    def as_dict(self) -> dict[str, Any]:
        return {"level": self.level, "message": self.message, "version": self.version,
                "retires_on": self.retires_on.isoformat(), "days_left": self.days_left}


def graph_version_problem(settings: Settings, now: datetime) -> GraphVersionProblem | None:
    """None, or what is wrong with the Graph API version on ``now``'s day (in UTC)."""
    version = settings.graph_api_version
    retires = graph_versions.retires_on(version)
    if retires is None:
        return None
    days_left = (retires - now.date()).days
    if days_left > WARN_DAYS:
        return None
    fix = {"version": version, "date": graph_versions.date_words(retires),
           "latest": graph_versions.LATEST, "file": settings.home.config_file}
    if days_left <= 0:
        message = L_(
            "Meta retired Graph API version {version} on {date}: posts to Facebook and "
            "Instagram fail until you set [networks] graph_api_version = \"{latest}\" in "
            "{file} and run `costanza account check`.").format(**fix)
        return GraphVersionProblem("error", message, version, retires, days_left)
    message = nL_(
        "Meta retires Graph API version {version} on {date}, in {days} day: after that, "
        "posts to Facebook and Instagram will fail. Set [networks] graph_api_version = "
        "\"{latest}\" in {file} and run `costanza account check`.",
        "Meta retires Graph API version {version} on {date}, in {days} days: after that, "
        "posts to Facebook and Instagram will fail. Set [networks] graph_api_version = "
        "\"{latest}\" in {file} and run `costanza account check`.",
        days_left).format(days=days_left, **fix)
    return GraphVersionProblem("warning", message, version, retires, days_left)


def graph_version_status(settings: Settings, now: datetime) -> dict[str, Any]:
    """The version, its retirement (None: not published) and its problem, for `status`."""
    retires = graph_versions.retires_on(settings.graph_api_version)
    problem = graph_version_problem(settings, now)
    return {"version": settings.graph_api_version,
            "retires_on": retires.isoformat() if retires else None,
            "problem": problem.as_dict() if problem else None}
