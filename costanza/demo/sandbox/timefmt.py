"""Timestamps in the formats each network uses."""

from __future__ import annotations

from datetime import UTC, datetime


def x_time(ts: float) -> str:
    """X: ``2026-11-28T18:41:36.000Z``."""
    moment = datetime.fromtimestamp(ts, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def graph_time(ts: float) -> str:
    """Graph API: ``2026-11-28T18:41:36+0000``."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def parse_iso(text: str) -> float | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def graph_moment(value: str | None) -> float | None:
    """Graph's ``since``/``until``: Unix seconds or an ISO 8601 time."""
    if not value:
        return None
    if value.isdigit():
        return float(value)
    return parse_iso(value)
