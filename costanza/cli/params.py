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
from config.i18n import N_, _

# The names click shows for values of these types and for arguments (translated when
# shown, by costanza.cli.i18n).
N_("ID")
N_("INTEGER")
N_("NUMBER")
N_("TEXT")
N_("[TEXT]")
N_("POST_ID")
N_("NAME")
N_("[NAME]")

# The largest id a database row can have (a signed 64-bit integer).
MAX_ID = 2**63 - 1


class ItemId(click.ParamType):
    """A post or delivery number. A whole number that no row can have (0, negative, or
    too large for the database) means "there is no such item", the same answer as for
    a number that is simply not in use: exit 1 with the command that lists them."""

    name = "id"

    def __init__(self, not_a_number: str, no_such: str) -> None:
        # Whole sentences, marked with N_ and translated when refused:
        # {value} / {number} is what was typed.
        self.not_a_number = not_a_number
        self.no_such = no_such

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        else:
            try:
                number = int(str(value).strip())
            except ValueError:
                self.fail(_(self.not_a_number).format(value=repr(shown(str(value)))),
                          param, ctx)
        if not 1 <= number <= MAX_ID:
            raise NotFound(_(self.no_such).format(number=shown(str(number))))
        return number


POST_ID = ItemId(
    N_("{value} is not a post number: use the number that `costanza post list --all` "
       "shows, such as 3."),
    N_("There is no post {number}. `costanza post list --all` shows them."))
DELIVERY_ID = ItemId(
    N_("{value} is not a delivery number: use the number that `costanza log` shows, "
       "such as 3."),
    N_("There is no delivery {number}. `costanza log` shows them."))
COMMENT_ID = ItemId(
    N_("{value} is not a comment number: use the number that `costanza comments` shows "
       "in brackets, such as 12."),
    N_("There is no comment {number}. `costanza comments --all` shows them."))


class Bounded(click.ParamType):
    """A number between ``low`` and ``high`` (both included), finite; the refusal says
    the range and gives an example."""

    def __init__(self, low: float, high: float, example: str, whole: bool = True) -> None:
        self.low, self.high, self.example, self.whole = low, high, example, whole
        self.name = "integer" if whole else "number"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> float:
        if self.whole:
            not_kind = _("{value} is not a whole number: use a whole number from {low} to "
                         "{high}, such as {example}.")
            out = _("{value} is out of range: use a whole number from {low} to {high}, "
                    "such as {example}.")
        else:
            not_kind = _("{value} is not a number: use a number from {low} to {high}, such "
                         "as {example}.")
            out = _("{value} is out of range: use a number from {low} to {high}, such as "
                    "{example}.")
        words = {"low": _num(self.low), "high": _num(self.high), "example": self.example}
        try:
            number: float = int(str(value).strip()) if self.whole else float(str(value).strip())
        except (ValueError, OverflowError):
            self.fail(not_kind.format(value=repr(shown(str(value))), **words), param, ctx)
        if not math.isfinite(number) or not self.low <= number <= self.high:
            self.fail(out.format(value=shown(str(value)), **words), param, ctx)
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
            self.fail(_(self.hint), param, ctx)
        return text


# The refusal of an empty value, a whole sentence each (translated when refused).
AT_TIME = NonEmpty(N_('it is empty. Give a time such as "2026-12-24 10:00", or leave the '
                      'option out.'))
ZONE = NonEmpty(N_('it is empty. Give a time zone such as "Europe/Rome", or leave the '
                   'option out.'))
WHEN = NonEmpty(N_('it is empty. Give a time such as "7d" or "2026-08-08", or leave the '
                   'option out.'))
DAY = NonEmpty(N_('it is empty. Give a date such as "2026-08-08", or leave the option out.'))
SLOTS = NonEmpty(N_('it is empty. Give slots such as "mon 09:30, wed 18:00", or leave the '
                    'option out.'))
NETWORKS = NonEmpty(N_('it is empty. Give networks such as "facebook,instagram,x", or leave '
                       'the option out.'))
FILE = NonEmpty(N_("it is empty. Give the file's name, or leave the option out."))
