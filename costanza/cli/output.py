"""Small printing helpers shared by the commands."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import click


def local(dt: datetime | None, tz: ZoneInfo, with_year: bool = False) -> str:
    """'Mon 01 Dec 09:30' in the profile's zone."""
    if dt is None:
        return "-"
    fmt = "%a %d %b %Y %H:%M" if with_year else "%a %d %b %H:%M"
    return dt.astimezone(tz).strftime(fmt)


def iso(dt: datetime | None) -> str | None:
    return dt.isoformat() if dt is not None else None


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def excerpt(text: str, width: int = 40) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def json_option(func: Any) -> Any:
    return click.option("--json", "as_json", is_flag=True,
                        help="Print JSON (a stable shape, documented in the README).")(func)
