"""Small printing helpers shared by the commands."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import click

from costanza.formatting import excerpt, iso, local_label

__all__ = ["echo_json", "excerpt", "iso", "json_option", "local"]


def local(dt: datetime | None, tz: ZoneInfo, with_year: bool = False) -> str:
    """'Mon 01 Dec 09:30' in the profile's zone, '-' when there is no time."""
    return local_label(dt, tz, with_year) or "-"


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def json_option(func: Any) -> Any:
    return click.option("--json", "as_json", is_flag=True,
                        help="Print JSON (a stable shape, documented in the README).")(func)
