"""What X charges for a call, in one table with the date it was read.

X's API is pay-per-use for new developer accounts since 2026-02-06; the prices below are
those in force since 2026-04-20. Amounts are integer micro-dollars (1 US dollar =
1,000,000), so sums are exact. ``[x] price_post``, ``[x] price_post_with_url`` and
``[x] price_read`` (US dollars) override the table, for when X changes its prices before
Costanza does.

``read`` is the price of one post read, as the comments' fetch (and the lookup of an
answer whose outcome was unknown) reads a post's conversation: $0.005 is the table's
figure (the one generally published for X's pay-per-use reads), and ``[x] price_read``
overrides it. Replies written with `costanza reply` are posts and cost as posts do.

Not in the table, since no price for them is known here: the account's timeline read to
check whether a post went out, and media uploads. Costanza records the posts it creates
and the posts the dialogue reads (its fetches and its lookups of answers).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from config import i18n
from config.settings import Settings
from posts.x_weight import extract_urls_with_indices

PAY_PER_USE_SINCE = date(2026, 2, 6)
MICRO = 1_000_000


@dataclass(frozen=True)
class XPrices:
    """The price of each kind of X call, in micro-dollars, and the table's date."""

    post: int
    post_with_url: int
    read: int  # one post read
    since: str  # the table's date ("2026-04-20"), or "config" once a setting overrides it

    def of(self, kind: str) -> int:
        return {"post": self.post, "post_with_url": self.post_with_url, "read": self.read}[kind]


TABLE = XPrices(post=15_000, post_with_url=200_000, read=5_000, since="2026-04-20")
POST_KINDS = ("post", "post_with_url")  # a post created
KINDS = (*POST_KINDS, "read")


def micro(dollars: float) -> int:
    """US dollars (as written in the settings) in micro-dollars."""
    return int((Decimal(str(dollars)) * MICRO).to_integral_value())


def dollars(amount: int) -> Decimal:
    """Micro-dollars as an exact decimal of US dollars."""
    return Decimal(amount) / MICRO


def money(amount: int) -> str:
    """'$0.015', '$5.00', '$1,250.00' ('$0,015', '$5,00', '$1.250,00' in Italian): at
    least the cents, more digits only when needed."""
    value = dollars(amount)
    places = max(2, -int(value.normalize().as_tuple().exponent))
    text = f"{value:,.{places}f}"
    if i18n.language() == "it" and not i18n.for_machines():
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return f"${text}"


def prices(settings: Settings) -> XPrices:
    """The table, with ``[x] price_post`` / ``price_post_with_url`` / ``price_read`` on top."""
    post, with_url = settings.x_price_post, settings.x_price_post_with_url
    read = settings.x_price_read
    if post is None and with_url is None and read is None:
        return TABLE
    return XPrices(post=TABLE.post if post is None else micro(post),
                   post_with_url=TABLE.post_with_url if with_url is None else micro(with_url),
                   read=TABLE.read if read is None else micro(read), since="config")


def budget(settings: Settings) -> int | None:
    """``[x] monthly_budget`` in micro-dollars, or None when there is none."""
    value = settings.x_monthly_budget
    return None if value is None else micro(value)


def has_link(text: str) -> bool:
    """Whether X sees a link in the text (as twitter-text finds them: "example.it" too)."""
    return bool(text) and bool(extract_urls_with_indices(text))


def kind_of(text: str) -> str:
    return "post_with_url" if has_link(text) else "post"
