"""An X answer whose outcome was unknown is looked up by reading the post's conversation,
and X bills those reads: each lookup is one row of the X ledger, never two, and the
answer found is charged once as a post. Against the sandbox (a real HTTP server) on a
real SQLite file, with `costanza reply` and the daemon's comments rounds."""

from __future__ import annotations

from sqlalchemy import select

from posts.comment_tables import CommentReply
from posts.models import XCharge
from posts.x_ledger import LOOKUP_PARTS, REPLY_PARTS, record_lookup
from tests.scheduler.comments import test_x_budget
from tests.scheduler.comments.test_x_budget import Desk, Run, _json

desk = test_x_budget.desk  # the artisan's Costanza on the sandbox's X and Facebook


def lookups(desk: Desk) -> list[XCharge]:
    return [c for c in desk.charges("read") if c.part <= -LOOKUP_PARTS]


def reply_state(desk: Desk, reply_id: int) -> CommentReply:
    with desk.app.store.read() as db:
        row = db.get(CommentReply, reply_id)
        assert row is not None
        db.expunge(row)
        return row


def test_a_lookup_charges_the_posts_it_read_once(desk: Desk, run: Run) -> None:
    x = desk.publish("Il forno è acceso")["x"]
    asked = desk.control.add_comment("x", x.remote_id, "A che ora aprite?")
    desk.control.add_comment("x", x.remote_id, "Fate anche la focaccia?")
    desk.round()
    assert [(c.part, c.quantity) for c in desk.charges("read")] == [(-1, 2)]  # the fetch
    desk.control.fault("x", "tweets", method="POST", after_effect=True)  # lands, then 500
    result = _json(run("reply", str(desk.comment_id(asked["id"])), "Alle sette.", "--json"))
    assert result["state"] == "unknown" and lookups(desk) == []  # nothing read yet
    searches = desk.searches()

    desk.round(later=False)  # the daemon looks the answer up: found, so sent
    assert desk.searches() == searches + 1
    assert reply_state(desk, result["reply_id"]).state == "sent"
    (lookup,) = lookups(desk)
    # The conversation read: the two comments and the answer itself.
    assert (lookup.part, lookup.kind, lookup.quantity) == (-LOOKUP_PARTS - 1, "read", 3)
    assert (lookup.delivery_id, lookup.post_id, lookup.profile_id) == (
        x.id, x.post_id, x.profile_id)
    assert lookup.amount_micro == 3 * 5_000
    (answer,) = [c for c in desk.charges() if c.part >= REPLY_PARTS]  # the post, once
    assert answer.amount_micro == 15_000

    desk.round(later=False)  # sent: nothing is looked up again
    assert len(lookups(desk)) == 1 and desk.searches() == searches + 1
    costs = _json(run("costs", "--json"))
    assert costs["kinds"]["read"]["count"] == 2 + 3  # the fetch's and the lookup's
    assert costs["total_micro"] == 15_000 * 2 + 5 * 5_000


def test_every_lookup_is_its_own_row_and_a_failed_one_charges_nothing(desk: Desk,
                                                                      run: Run) -> None:
    x = desk.publish("Le ciotole di terracotta")["x"]
    asked = desk.control.add_comment("x", x.remote_id, "Le spedite?")
    desk.round()
    desk.control.fault("x", "tweets", method="POST", drop=True)  # no effect, no answer
    result = _json(run("reply", str(desk.comment_id(asked["id"])), "Sì, ovunque.", "--json"))
    assert result["state"] == "unknown"

    desk.control.fault("x", "search_recent", status=503)  # X cannot be read now
    desk.round(later=False)
    row = reply_state(desk, result["reply_id"])
    assert row.state == "unknown" and "cannot tell yet" in (row.reason or "")
    assert lookups(desk) == []  # nothing was read, nothing is charged

    desk.advance((row.due_at - desk.clock.now()).total_seconds())
    desk.round(later=False)  # read, not found, inside the settle period: waits
    row = reply_state(desk, result["reply_id"])
    assert row.state == "unknown" and "Checking whether your answer went out" in row.reason
    assert [(c.part, c.quantity) for c in lookups(desk)] == [(-LOOKUP_PARTS - 1, 1)]

    desk.advance((row.due_at - desk.clock.now()).total_seconds())
    desk.round(later=False)  # read again, still missing after the settle period: sent
    assert reply_state(desk, result["reply_id"]).state == "sent"
    assert [(c.part, c.quantity) for c in lookups(desk)] == [(-LOOKUP_PARTS - 1, 1),
                                                            (-LOOKUP_PARTS - 2, 1)]
    assert [c["text"] for c in desk.control.comments("x") if c["by_account"]] == [
        "Sì, ovunque."]
    assert len([c for c in desk.charges() if c.part >= REPLY_PARTS]) == 1


def test_record_lookup_takes_the_next_part_and_skips_empty_reads(desk: Desk) -> None:
    x = desk.publish("La lana cardata")["x"]
    settings, now = desk.app.settings, desk.clock.now()
    with desk.app.store.write() as db:
        ids = {"profile_id": x.profile_id, "post_id": x.post_id, "delivery_id": x.id}
        assert record_lookup(db, **ids, reads=0, settings=settings, now=now) == 0
        assert record_lookup(db, **ids, reads=2, settings=settings, now=now) == 10_000
        assert record_lookup(db, **ids, reads=1, settings=settings, now=now) == 5_000
    with desk.app.store.read() as db:
        parts = list(db.scalars(select(XCharge.part).where(XCharge.kind == "read")
                                .order_by(XCharge.id)))
    assert parts == [-LOOKUP_PARTS - 1, -LOOKUP_PARTS - 2]
