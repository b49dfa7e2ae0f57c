"""The X ledger's reads (the comments' fetch) and replies: charged once, priced by the table
or `[x] price_read`, counted by the monthly budget."""

from __future__ import annotations

import dataclasses
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from costanza.app import App
from posts.models import Delivery, XCharge
from posts.x_ledger import REPLY_PARTS, budget_of, charge, month_rows, record_reads, record_reply
from posts.x_prices import TABLE, prices

ROME = ZoneInfo("Europe/Rome")


def reads(app: App, fetch_number: int, count: int, settings=None) -> int:
    with app.store.write() as db:
        return record_reads(db, profile_id=1, post_id=4, delivery_id=9,
                            fetch_number=fetch_number, reads=count,
                            settings=settings or app.settings, now=app.clock.now())


def reply(app: App, reply_id: int, text: str) -> int:
    with app.store.write() as db:
        return record_reply(db, profile_id=1, post_id=4, delivery_id=9, reply_id=reply_id,
                            text=text, settings=app.settings, remote_id=f"18600{reply_id}",
                            now=app.clock.now())


def rows(app: App) -> list[XCharge]:
    with app.store.read() as db:
        found = list(db.scalars(select(XCharge).order_by(XCharge.part)))
        db.expunge_all()
        return found


def test_the_table_prices_a_read_at_half_a_cent() -> None:
    assert TABLE.read == 5_000 and TABLE.of("read") == 5_000


def test_reads_are_charged_once_per_fetch_number(app: App) -> None:
    assert reads(app, 1, 12) == 12 * 5_000
    assert reads(app, 1, 12) == 0  # the same fetch recorded again
    assert reads(app, 2, 3) == 15_000
    assert reads(app, 3, 0) == 0  # nothing read, nothing charged
    found = rows(app)
    assert [(r.part, r.kind, r.quantity, r.amount_micro) for r in found] == [
        (-2, "read", 3, 15_000), (-1, "read", 12, 60_000)]
    assert all(r.prices_of == TABLE.since and r.remote_id is None for r in found)
    now = app.clock.now().astimezone(ROME)
    with app.store.read() as db:
        assert month_rows(db, 1, now.year, now.month, ROME)["read"] == (15, 75_000)
    with pytest.raises(ValueError):
        reads(app, 0, 5)


def test_price_read_overrides_the_table(app: App) -> None:
    settings = dataclasses.replace(app.settings, x_price_read=0.01)
    assert prices(settings).read == 10_000 and prices(settings).since == "config"
    assert reads(app, 1, 4, settings) == 40_000
    assert rows(app)[0].prices_of == "config"


def test_a_reply_is_charged_as_a_post_once(app: App) -> None:
    assert reply(app, 5, "Grazie mille!") == TABLE.post
    assert reply(app, 5, "Grazie mille!") == 0
    assert reply(app, 6, "Trovi tutto su bottega.example.it") == TABLE.post_with_url
    with app.store.write() as db:  # the delivery's own post is charged beside them
        delivery = Delivery(id=9, profile_id=1, post_id=4, network="x")
        assert charge(db, delivery, ["Il post"], 1, ["1860"], app.clock.now(),
                      app.settings) == 1
    assert [(r.part, r.kind, r.remote_id) for r in rows(app)] == [
        (0, "post", "1860"), (REPLY_PARTS + 5, "post", "186005"),
        (REPLY_PARTS + 6, "post_with_url", "186006")]


def test_the_budget_counts_reads(app: App) -> None:
    settings = dataclasses.replace(app.settings, x_monthly_budget=0.05)
    reads(app, 1, 9)
    with app.store.read() as db:
        status = budget_of(db, settings, 1, app.clock.now(), ROME)
        assert status.spent == 45_000 and not status.blocked
    reads(app, 2, 1)
    with app.store.read() as db:
        assert budget_of(db, settings, 1, app.clock.now(), ROME).blocked
