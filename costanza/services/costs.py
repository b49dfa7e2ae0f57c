"""`costanza costs`: what X cost in a month, against ``[x] monthly_budget``; and the
budget's state for the readiness check (``budget_status``) and the link warning of
`post add` / `post edit` (``link_warning``).

The shape of ``month_costs`` is the JSON contract of `costanza costs --json`::

    {
      "month": "2026-12", "timezone": "Europe/Rome", "current": true,
      "prices": {"post_usd": "0.015", "post_with_url_usd": "0.2", "read_usd": "0.005",
                 "since": "2026-04-20"},
      "kinds": {"post": {"count": 3, "usd": "0.045", "micro": 45000},
                "post_with_url": {"count": 1, "usd": "0.2", "micro": 200000},
                "read": {"count": 40, "usd": "0.2", "micro": 200000}},
      "count": 4, "total_usd": "0.445", "total_micro": 445000,
      "budget_usd": "5", "left_usd": "4.555", "blocked": false, "reason": null
    }

``count`` is the posts created (replies written with `costanza reply` among them);
``kinds.read.count`` the posts read by the comments' fetch, which the total and the
budget count too.

Dollar amounts are exact decimals written as strings (``*_usd``), and integers of
micro-dollars (``*_micro``); ``budget_usd`` and ``left_usd`` are null without a budget,
``left_usd``, ``blocked`` and ``reason`` are null for a month other than the current one.
"""

from __future__ import annotations

import re
from typing import Any
from zoneinfo import ZoneInfo

from config.errors import InputError
from config.i18n import L_, _
from costanza.app import App
from posts.profiles import get_profile
from posts.x_ledger import budget_of, month_rows
from posts.x_prices import KINDS, POST_KINDS, dollars, kind_of, money, prices
from scheduler.x_costs import reached_reason

_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")


def _usd(micro: int | None) -> str | None:
    return None if micro is None else f"{dollars(micro).normalize():f}"


def _month(text: str) -> tuple[int, int]:
    match = _MONTH.match(text)
    if match is None or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 2000:
        raise InputError(_("--month {value} is not a month: write it as year and month, "
                           "for example --month 2026-12.").format(value=repr(text)))
    return int(match.group(1)), int(match.group(2))


def month_costs(app: App, month: str | None = None) -> dict[str, Any]:
    """The X spending of ``month`` ("YYYY-MM"; default: the current month in the
    profile's zone), per kind, with the budget."""
    now = app.clock.now()
    with app.store.read() as db:
        profile = get_profile(db, app.profile_name)
        tz = ZoneInfo(profile.timezone)
        current = budget_of(db, app.settings, profile.id, now, tz)
        year, number = _month(month) if month is not None else (current.year, current.month)
        rows = month_rows(db, profile.id, year, number, tz)
    table = prices(app.settings)
    kinds = {kind: {"count": rows.get(kind, (0, 0))[0], "usd": _usd(rows.get(kind, (0, 0))[1]),
                    "micro": rows.get(kind, (0, 0))[1]} for kind in KINDS}
    total = sum(k["micro"] for k in kinds.values())
    is_current = (year, number) == (current.year, current.month)
    return {
        "month": f"{year:04d}-{number:02d}", "timezone": tz.key, "current": is_current,
        "prices": {"post_usd": _usd(table.post), "post_with_url_usd": _usd(table.post_with_url),
                   "read_usd": _usd(table.read), "since": table.since},
        "kinds": kinds, "count": sum(kinds[kind]["count"] for kind in POST_KINDS),
        "total_usd": _usd(total), "total_micro": total,
        "budget_usd": _usd(current.budget),
        "left_usd": _usd(current.left) if is_current else None,
        "blocked": current.blocked if is_current else None,
        "reason": reached_reason(current) if is_current and current.blocked else None,
    }


def budget_status(app: App) -> dict[str, Any]:
    """This month's X spending against ``[x] monthly_budget``, for `costanza check`:
    ``{"month", "spent_usd", "budget_usd", "left_usd", "blocked", "until", "reason"}``
    (``budget_usd``/``left_usd`` null without a budget; ``until``: when the next month
    starts, UTC; ``reason``: the sentence that says X posts wait, or null)."""
    now = app.clock.now()
    with app.store.read() as db:
        profile = get_profile(db, app.profile_name)
        status = budget_of(db, app.settings, profile.id, now, ZoneInfo(profile.timezone))
    return {"month": f"{status.year:04d}-{status.month:02d}", "spent_usd": _usd(status.spent),
            "spent_micro": status.spent, "budget_usd": _usd(status.budget),
            "budget_micro": status.budget,
            "left_usd": _usd(status.left), "blocked": status.blocked,
            "until": status.until.isoformat(),
            "reason": reached_reason(status) if status.blocked else None}


def link_warning(app: App, targets: list[str], x_text: str) -> str | None:
    """The warning for a text with a link going to X (which makes it dearer), or None."""
    if "x" not in targets or kind_of(x_text) != "post_with_url":
        return None
    table = prices(app.settings)
    if table.post_with_url <= table.post:
        return None
    with_link, without = money(table.post_with_url), money(table.post)
    if not table.post:
        return L_("On X this post costs {with_link} because of the link, while one without "
                  "a link costs nothing. To leave the link for Facebook and Instagram, give "
                  "X its own text with --text-x \"...\".").format(with_link=with_link)
    return L_("This post costs about {times} times more on X ({with_link} instead of "
              "{without}) because of the link. To leave the link for Facebook and "
              "Instagram, give X its own text with --text-x \"...\".").format(
        times=f"{table.post_with_url / table.post:.0f}", with_link=with_link,
        without=without)
