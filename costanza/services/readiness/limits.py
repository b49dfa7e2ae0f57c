"""The limits set from outside: the Graph API version Meta retires, and what X may cost
this month (``[x] monthly_budget``)."""

from __future__ import annotations

from datetime import UTC, datetime, time
from decimal import Decimal

from config.i18n import L_, nL_
from costanza.services.readiness.findings import WEEK, Context, Finding
from posts.x_prices import money

_META = ("facebook", "instagram")
# Spending from this share of the budget on is said as a warning.
BUDGET_WARNING_SHARE = 0.8


def graph_version(ctx: Context) -> list[Finding]:
    """The Graph API version's retirement, once a Facebook or Instagram account is
    connected: a warning 60 days ahead, a problem that blocks the week within 7 days."""
    from scheduler.graph_version import graph_version_problem

    if not any(r["network"] in _META for r in ctx.accounts):
        return []
    problem = graph_version_problem(ctx.app.settings, ctx.now)
    data = {"version": ctx.app.settings.graph_api_version}
    if problem is None:
        return [Finding("graph_api_version", "ok", L_(
            "Graph API version {version} is not due to retire.").format(**data),
            subject="graph_api_version", data=data)]
    retires = datetime.combine(problem.retires_on, time(0, 0), tzinfo=UTC)
    data.update(problem.as_dict())
    blocks = retires <= ctx.now + WEEK
    return [Finding("graph_api_version", "problem" if blocks else "warning",
                    problem.message, L_("Change the version as the sentence says."),
                    blocks_week=blocks, subject="graph_api_version", data=data,
                    expires_at=retires)]


def x_budget(ctx: Context) -> list[Finding]:
    """X's spending this month against ``[x] monthly_budget``: reached while X posts are due
    this week blocks them (they wait for next month); near it is a warning."""
    from costanza.services.costs import budget_status

    if ctx.app.settings.x_monthly_budget is None:
        return []
    status = budget_status(ctx.app)
    data = dict(status)
    due = [d.post_id for d in ctx.week.due if "x" in d.targets]
    data["x_posts_this_week"] = due
    fix = L_("Raise `[x] monthly_budget` in your settings, or let X's posts wait for next "
             "month (`costanza costs` shows the spending).")
    if status["blocked"]:
        if due:
            sentence = nL_("{reason} {n} post to X is due in the next 7 days and will wait.",
                           "{reason} {n} posts to X are due in the next 7 days and will wait.",
                           len(due)).format(reason=status["reason"], n=len(due))
            return [Finding("x_budget", "problem", sentence, fix, blocks_week=True,
                            subject="x_budget", data=data)]
        return [Finding("x_budget", "warning", str(status["reason"]), fix,
                        subject="x_budget", data=data)]
    budget = int(Decimal(status["budget_usd"] or 0) * 1_000_000)
    spent = int(status["spent_micro"] or 0)
    words = {"spent": money(spent), "budget": money(budget)}
    if budget and spent >= BUDGET_WARNING_SHARE * budget:
        return [Finding("x_budget", "warning", L_(
            "X has cost {spent} of the {budget} budget this month: posts to X will wait once "
            "it is reached.").format(**words), fix, subject="x_budget", data=data)]
    return [Finding("x_budget", "ok", L_("X has cost {spent} of the {budget} budget this "
                                         "month.").format(**words),
                    subject="x_budget", data=data)]
