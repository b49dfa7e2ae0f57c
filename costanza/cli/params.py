"""Option and argument types that refuse bad values in plain words, in one place.

Click's own types accept any integer Python can hold, so an id such as
99999999999999999999999 used to reach the database and crash there; a port of
99999 reached the socket. These types check the range before anything runs.
"""

from __future__ import annotations

import math
from typing import Any

import click

from config.errors import NotFound, shown

# The largest id a database row can have (a signed 64-bit integer).
MAX_ID = 2**63 - 1


class ItemId(click.ParamType):
    """A post or delivery number. A whole number that no row can have (0, negative, or
    too large for the database) means "there is no such item", the same answer as for
    a number that is simply not in use: exit 1 with the command that lists them."""

    name = "id"

    def __init__(self, what: str, listing: str) -> None:
        self.what = what
        self.listing = listing

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        else:
            try:
                number = int(str(value).strip())
            except ValueError:
                self.fail(f"{shown(str(value))!r} is not a {self.what} number: use the number "
                          f"that `{self.listing}` shows, such as 3.", param, ctx)
        if not 1 <= number <= MAX_ID:
            raise NotFound(f"There is no {self.what} {shown(str(number))}. "
                           f"`{self.listing}` shows them.")
        return number


POST_ID = ItemId("post", "costanza post list --all")
DELIVERY_ID = ItemId("delivery", "costanza log")


class Bounded(click.ParamType):
    """A number between ``low`` and ``high`` (both included), finite; the refusal says
    the range and gives an example."""

    def __init__(self, low: float, high: float, example: str, whole: bool = True) -> None:
        self.low, self.high, self.example, self.whole = low, high, example, whole
        self.name = "integer" if whole else "number"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> float:
        kind = "a whole number" if self.whole else "a number"
        allowed = f"use {kind} from {_num(self.low)} to {_num(self.high)}, such as {self.example}"
        try:
            number: float = int(str(value).strip()) if self.whole else float(str(value).strip())
        except (ValueError, OverflowError):
            self.fail(f"{shown(str(value))!r} is not {kind}: {allowed}.", param, ctx)
        if not math.isfinite(number) or not self.low <= number <= self.high:
            self.fail(f"{shown(str(value))} is out of range: {allowed}.", param, ctx)
        return number


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


class NonEmpty(click.ParamType):
    """Text that must say something: an empty ``--at ''`` is a mistake, not "not given"."""

    name = "text"

    def __init__(self, hint: str) -> None:
        self.hint = hint

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> str:
        text = str(value)
        if not text.strip():
            self.fail(f"it is empty. {self.hint}, or leave the option out.", param, ctx)
        return text


AT_TIME = NonEmpty('Give a time such as "2026-12-24 10:00"')
ZONE = NonEmpty('Give a time zone such as "Europe/Rome"')
WHEN = NonEmpty('Give a time such as "7d" or "2026-08-08"')
DAY = NonEmpty('Give a date such as "2026-08-08"')
SLOTS = NonEmpty('Give slots such as "mon 09:30, wed 18:00"')
NETWORKS = NonEmpty('Give networks such as "facebook,instagram,x"')
FILE = NonEmpty("Give the file's name")
