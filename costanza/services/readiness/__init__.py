"""`costanza check`: is everything ready for the week ahead?

Each check is a function taking a ``Context`` (the app, the moment, the profile's zone,
and what several checks read, worked out once) and returning ``Finding``s. ``CHECKS`` is
the one list of them, in the order they are shown: adding a check is one line there.
``check(app)`` runs them all; a check that fails to run becomes a problem of its own,
so that one broken check never hides the others.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from config.errors import CostanzaError
from config.i18n import L_
from costanza.app import App
from costanza.services.accounts.common import for_data
from costanza.services.readiness import accounts, limits, week
from costanza.services.readiness.findings import WEEK, Context, Finding

__all__ = ["CHECKS", "WEEK", "Check", "Context", "Finding", "check", "daily", "run_checks"]

Check = Callable[[Context], list[Finding]]

CHECKS: tuple[Check, ...] = (
    accounts.tokens,      # every account: does its token work, when does it expire, permissions
    accounts.quota,       # Instagram's publishing limit, per account
    week.media_host,      # the media host serving a test photo from outside
    week.runway,          # a post for every slot of the next 7 days
    week.daemon,          # the daemon's heartbeat
    limits.graph_version,  # the Graph API version Meta retires
    limits.x_budget,      # X's spending this month against [x] monthly_budget
)


def run_checks(ctx: Context, checks: tuple[Check, ...] = CHECKS) -> list[Finding]:
    found: list[Finding] = []
    for one in checks:
        try:
            found.extend(one(ctx))
        except CostanzaError as exc:
            found.append(Finding(
                getattr(one, "__name__", "check"), "problem",
                L_("A check could not be made: {problem}").format(problem=for_data(exc)),
                L_("Fix what the sentence asks for, then run `costanza check` again."),
                blocks_week=True))
    return found


def check(app: App, now: datetime | None = None,
          checks: tuple[Check, ...] = CHECKS) -> dict[str, Any]:
    """Every check's findings, and whether something will stop a post in the next 7 days
    (the JSON contract of `costanza check --json`)."""
    ctx = Context(app, now)
    found = run_checks(ctx, checks)
    return {
        "checked_at": ctx.now.isoformat(), "until": ctx.until.isoformat(),
        "ready": not any(f.blocks_week for f in found),
        "problems": sum(f.severity == "problem" for f in found),
        "warnings": sum(f.severity == "warning" for f in found),
        "items": [f.as_data() for f in found],
    }


def daily(app: App) -> list[dict[str, Any]]:
    """The findings for the daemon's daily run, in the language spoken, each with the
    local time it expires at (``expires_local``) for the notification's words."""
    from costanza.formatting import local_label
    from costanza.services.accounts.ig_login import refresh_instagram_login_tokens

    # An Instagram Login token lasts 60 days unless renewed: renew the ones that are due
    # first, so that only a token that could not be renewed is told as expiring.
    refresh_instagram_login_tokens(app)
    ctx = Context(app)
    return [{**f.as_data(), "expires_local": local_label(f.expires_at, ctx.tz)}
            for f in run_checks(ctx)]
