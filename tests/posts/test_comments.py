"""The dialogue's store: the schedule, watches, what a fetch found, queued replies and
their claims, on a real SQLite file (and PostgreSQL where two processes meet)."""

from __future__ import annotations

import dataclasses
import threading
import time
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from config.clock import FakeClock
from config.errors import InputError, NotFound
from costanza.app import App
from posts import comments as cm
from posts.comment_tables import Comment, CommentReply, CommentWatch
from posts.models import Account, Delivery
from posts.remote_comments import Fetched, RemoteComment

MIN, HOUR, DAY = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)


def settings(app: App, **values: Any) -> Any:
    return dataclasses.replace(app.settings, **values)


# -- the schedule ------------------------------------------------------------------
def test_the_schedule_looks_often_while_new_and_rarely_later(app: App, clock: FakeClock) -> None:
    s = settings(app, comments_new_minutes=15, comments_week_minutes=120,
                 comments_old_hours=12, comments_max_age_days=30, comments_x_max_age_days=7)
    pub = clock.now()
    # Never looked at: one interval after it was published (or now, if that is past).
    assert cm.next_fetch_at("facebook", pub, None, pub, s) == pub + 15 * MIN
    assert cm.next_fetch_at("facebook", pub, None, pub + 3 * DAY, s) == pub + 3 * DAY
    # In its first day, every 15 minutes; until a week, every 2 hours; then every 12.
    last = pub + 5 * HOUR
    assert cm.next_fetch_at("facebook", pub, last, last, s) == last + 15 * MIN
    last = pub + 2 * DAY
    assert cm.next_fetch_at("instagram", pub, last, last, s) == last + 2 * HOUR
    last = pub + 8 * DAY
    assert cm.next_fetch_at("instagram", pub, last, last, s) == last + 12 * HOUR
    # A look that is late is due now, not in the past.
    assert cm.next_fetch_at("facebook", pub, last, last + DAY, s) == last + DAY


def test_the_schedule_ends_at_the_max_age_and_earlier_on_x(app: App, clock: FakeClock) -> None:
    s = settings(app, comments_max_age_days=30, comments_x_max_age_days=7,
                 comments_old_hours=12)
    pub = clock.now()
    late = pub + 29 * DAY + 20 * HOUR
    assert cm.next_fetch_at("facebook", pub, late, late, s) == pub + 30 * DAY  # its last look
    assert cm.next_fetch_at("facebook", pub, late, pub + 30 * DAY, s) is None
    x_late = pub + 6 * DAY + 23 * HOUR
    assert cm.next_fetch_at("x", pub, x_late, x_late, s) == pub + 7 * DAY
    assert cm.next_fetch_at("x", pub, x_late, pub + 7 * DAY + MIN, s) is None
    assert cm.next_fetch_at("facebook", pub, x_late, pub + 7 * DAY + MIN, s) is not None
    never = settings(app, comments_max_age_days=0)
    assert cm.next_fetch_at("facebook", pub, None, pub, never) is None
    assert cm.next_fetch_at("x", pub, None, pub, settings(app, comments_x_max_age_days=0)) is None
    # X never looks longer than the general max age either.
    assert cm.next_fetch_at("x", pub, None, pub + 3 * DAY,
                            settings(app, comments_max_age_days=2)) is None


# -- watches -----------------------------------------------------------------------
@pytest.fixture
def store_app(backend: str, make_app: Any) -> App:
    return make_app()


def watches(app: App) -> dict[int, CommentWatch]:
    with app.store.read() as db:
        return {w.delivery_id: w for w in db.scalars(select(CommentWatch))}


def test_published_deliveries_are_watched_once(app: App, clock: FakeClock) -> None:
    from tests.factories.comments import published

    now = clock.now()
    fresh = published(app, "facebook", now - HOUR)
    old = published(app, "facebook", now - 31 * DAY)
    x_week = published(app, "x", now - 8 * DAY)  # beyond X's 7 days
    gone = published(app, "instagram", now - HOUR)
    with app.store.write() as db:
        db.get(Delivery, gone).remote_id = None  # no id on the network: nothing to read
    with app.store.write() as db:
        assert cm.watch_published(db, now, app.settings) == 1
    with app.store.write() as db:
        assert cm.watch_published(db, now, app.settings) == 0
    found = watches(app)
    assert set(found) == {fresh}
    assert old not in found and x_week not in found
    assert found[fresh].next_fetch_at == now  # an hour old: due now
    assert found[fresh].network == "facebook" and found[fresh].fetches == 0


def _due_ids(app: App, now: datetime) -> list[int]:
    with app.store.read() as db:
        return [w.delivery_id for w in cm.due_watches(db, now, 20)]


def test_due_watches_leave_busy_and_blocked_accounts_alone(app: App, clock: FakeClock) -> None:
    from tests.factories.comments import published

    now = clock.now()
    a = published(app, "facebook", now - 2 * HOUR, account="page-a")
    b = published(app, "instagram", now - 3 * HOUR, account="ig-b")
    with app.store.write() as db:
        cm.watch_published(db, now, app.settings)
    with app.store.write() as db:
        db.get(CommentWatch, b).next_fetch_at = now - MIN
    assert _due_ids(app, now) == [b, a]  # the longest waiting first
    with app.store.write() as db:
        acc = db.scalars(select(Account).where(Account.name == "page-a")).one()
        acc.health = "held"
    assert _due_ids(app, now) == [b]
    with app.store.write() as db:
        acc = db.scalars(select(Account).where(Account.name == "page-a")).one()
        acc.health, acc.rate_limited_until = "ok", now + MIN
    assert _due_ids(app, now) == [b]
    assert _due_ids(app, now + 2 * MIN) == [b, a]
    # A post of ig-b due within ten minutes: publishing wins.
    nxt = published(app, "instagram", now, account="ig-b")
    with app.store.write() as db:
        d = db.get(Delivery, nxt)
        d.state, d.due_at, d.remote_id, d.published_at = "queued", now + 9 * MIN, None, None
    assert _due_ids(app, now + 2 * MIN) == [a]
    with app.store.write() as db:
        db.get(Delivery, nxt).state = "publishing"
    assert _due_ids(app, now + 2 * MIN) == [a]
    with app.store.write() as db:
        d = db.get(Delivery, nxt)
        d.state, d.due_at = "queued", now + 2 * MIN + 11 * MIN
    assert _due_ids(app, now + 2 * MIN) == [b, a]


# -- what a fetch found ------------------------------------------------------------
def _watch(app: App, delivery_id: int) -> CommentWatch:
    with app.store.write() as db:
        cm.watch_published(db, app.clock.now(), app.settings)
    return watches(app)[delivery_id]


def _record(app: App, watch: CommentWatch, items: list[RemoteComment],
            complete: bool = True) -> cm.FetchSummary:
    with app.store.write() as db:
        return cm.record_fetch(db, watch, Fetched(items, complete), app.clock.now(),
                               app.settings)


def rows(app: App) -> dict[str, Comment]:
    with app.store.read() as db:
        return {c.remote_id: c for c in db.scalars(select(Comment))}


def rc(remote_id: str, text: str, at: datetime, parent: str | None = None,
       mine: bool = False) -> RemoteComment:
    return RemoteComment(remote_id=remote_id, text=text, written_at=at,
                         parent_remote_id=parent, author_name="Giulia", mine=mine)


def test_fetching_twice_stores_nothing_twice_and_links_parents(store_app: App,
                                                               clock: FakeClock) -> None:
    from tests.factories.comments import published

    app = store_app
    now = clock.now()
    watch = _watch(app, published(app, "facebook", now - HOUR))
    # The reply comes before the comment it answers.
    page = [rc("c2", "Anch'io!", now - 5 * MIN, parent="c1"),
            rc("c1", "Che bello", now - 10 * MIN)]
    assert _record(app, watch, page) == cm.FetchSummary(new=2, changed=0, deleted=0)
    clock.advance(minutes=15)
    assert _record(app, watch, page) == cm.FetchSummary(new=0, changed=0, deleted=0)
    found = rows(app)
    assert len(found) == 2
    assert found["c2"].parent_id == found["c1"].id and found["c1"].parent_id is None
    assert found["c1"].post_id and found["c1"].profile_id == watch.profile_id
    assert found["c1"].answered_at is None and found["c1"].deleted_at is None
    # An edit changes the row, nothing more.
    edited = [rc("c1", "Che bello!!", now - 10 * MIN), page[0]]
    assert _record(app, watch, edited) == cm.FetchSummary(new=0, changed=1, deleted=0)
    assert rows(app)["c1"].text == "Che bello!!"
    after = watches(app)[watch.delivery_id]
    assert after.fetches == 3 and after.last_fetch_at == clock.now()
    assert after.next_fetch_at == clock.now() + timedelta(
        minutes=app.settings.comments_new_minutes)


def test_a_comment_is_deleted_only_when_the_fetch_was_complete(app: App,
                                                               clock: FakeClock) -> None:
    from tests.factories.comments import published

    now = clock.now()
    watch = _watch(app, published(app, "instagram", now - HOUR))
    _record(app, watch, [rc("a", "uno", now), rc("b", "due", now)])
    assert _record(app, watch, [rc("a", "uno", now)], complete=False).deleted == 0
    assert rows(app)["b"].deleted_at is None
    assert _record(app, watch, [rc("a", "uno", now)]).deleted == 1
    assert rows(app)["b"].deleted_at == clock.now()
    assert _record(app, watch, [rc("a", "uno", now)]).deleted == 0  # not twice
    assert len(rows(app)) == 2  # the row is kept
    back = _record(app, watch, [rc("a", "uno", now), rc("b", "due", now)])
    assert back == cm.FetchSummary(new=0, changed=1, deleted=0)
    assert rows(app)["b"].deleted_at is None


def test_an_answer_from_her_phone_marks_the_comment_answered(app: App,
                                                             clock: FakeClock) -> None:
    from tests.factories.comments import published

    now = clock.now()
    watch = _watch(app, published(app, "facebook", now - HOUR))
    _record(app, watch, [rc("q", "Quanto costa?", now - 20 * MIN),
                         rc("other", "Bello", now - 19 * MIN)])
    assert rows(app)["q"].answered_at is None
    _record(app, watch, [rc("q", "Quanto costa?", now - 20 * MIN),
                         rc("other", "Bello", now - 19 * MIN),
                         rc("mine", "40 euro", now - 2 * MIN, parent="q", mine=True)])
    found = rows(app)
    assert found["q"].answered_at == now - 2 * MIN
    assert found["other"].answered_at is None
    assert found["mine"].mine and found["mine"].parent_id == found["q"].id


def test_two_daemons_recording_one_post_at_once_store_it_once(store_app: App,
                                                               clock: FakeClock) -> None:
    """The second fetcher read the table before the first committed: its inserts meet
    the unique key, and it reads the rows back instead of failing or doubling them."""
    from tests.factories.comments import published

    app = store_app
    now = clock.now()
    watch = _watch(app, published(app, "facebook", now - HOUR))
    page = [rc(f"c{i}", f"commento {i}", now - i * MIN) for i in range(5)]
    first_done, results = threading.Event(), {}
    first_inside = threading.Event()

    def first() -> None:
        with app.store.write() as db:
            results["first"] = cm.record_fetch(db, watch, Fetched(page, True), now,
                                               app.settings)
            first_inside.set()
            first_done.wait(5)  # holds its transaction open

    t = threading.Thread(target=first)
    t.start()
    assert first_inside.wait(5)
    second_summary: dict[str, Any] = {}

    def second() -> None:
        with app.store.write() as db:
            second_summary["s"] = cm.record_fetch(db, watch, Fetched(page, True), now,
                                                  app.settings)

    t2 = threading.Thread(target=second)
    t2.start()
    time.sleep(0.3)  # the second waits on the first's rows (or, on SQLite, its turn)
    first_done.set()
    t.join(10)
    t2.join(10)
    assert results["first"].new == 5
    assert second_summary["s"].new == 0 and second_summary["s"].changed == 0
    with app.store.read() as db:
        assert db.scalar(select(func.count()).select_from(Comment)) == 5


# -- replies -----------------------------------------------------------------------
def _comment(app: App, clock: FakeClock, with_mine: bool = False) -> Comment:
    from tests.factories.comments import published

    now = clock.now()
    watch = _watch(app, published(app, "facebook", now - HOUR))
    items = [rc("q", "Quanto costa?", now - 20 * MIN)]
    if with_mine:
        items.append(rc("me", "Grazie", now - 5 * MIN, parent="q", mine=True))
    _record(app, watch, items)
    return rows(app)["q"]


def test_queue_reply_refuses_and_writes_nothing(app: App, clock: FakeClock) -> None:
    q = _comment(app, clock, with_mine=True)
    mine = rows(app)["me"]
    now = clock.now()
    profile = q.profile_id

    def refused(kind: type[Exception], comment_id: int, text: str, words: str,
                profile_id: int = profile) -> None:
        with pytest.raises(kind) as err, app.store.write() as db:
            cm.queue_reply(db, profile_id, comment_id, text, now)
        assert words in str(err.value)

    refused(NotFound, 9999, "Grazie", "There is no comment 9999")
    refused(NotFound, q.id, "Grazie", "There is no comment", profile_id=profile + 1)
    refused(InputError, mine.id, "Grazie", "is one of yours")
    refused(InputError, q.id, "   ", "The answer is empty")
    with app.store.read() as db:
        assert db.scalar(select(func.count()).select_from(CommentReply)) == 0
    with app.store.write() as db:
        first = cm.queue_reply(db, profile, q.id, " 40 euro ", now)
    assert first.state == "queued" and first.text == "40 euro" and first.network == "facebook"
    refused(InputError, q.id, "40 euro", "this same answer")
    with app.store.write() as db:
        cm.queue_reply(db, profile, q.id, "Spedizione compresa", now)  # a second answer
    with app.store.write() as db:
        db.get(Comment, q.id).deleted_at = now
    refused(InputError, q.id, "Ancora", "was deleted")
    with app.store.read() as db:
        assert db.scalar(select(func.count()).select_from(CommentReply)) == 2


def test_two_claimers_on_one_reply_one_wins(store_app: App, clock: FakeClock) -> None:
    app = store_app
    q = _comment(app, clock)
    now = clock.now()
    with app.store.write() as db:
        reply_id = cm.queue_reply(db, q.profile_id, q.id, "Grazie!", now).id
    barrier = threading.Barrier(2)
    won: list[str] = []

    def claimer(owner: str) -> None:
        barrier.wait(5)
        with app.store.write() as db:
            if cm.claim_reply(db, reply_id, owner, now, timedelta(minutes=5)):
                won.append(owner)

    threads = [threading.Thread(target=claimer, args=(n,)) for n in ("one", "two")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert len(won) == 1
    with app.store.read() as db:
        reply = db.get(CommentReply, reply_id)
    assert reply.lease_owner == won[0] and reply.state == "queued"
    loser = "two" if won[0] == "one" else "one"
    with pytest.raises(cm.ReplyLost), app.store.write() as db:
        cm.mark_intent(db, reply_id, loser, now)
    with app.store.write() as db:
        cm.mark_intent(db, reply_id, won[0], now)
    # Its lease runs out while "sending": the next claim turns it into "unknown".
    later = now + timedelta(minutes=6)
    with app.store.write() as db:
        assert cm.due_reply_ids(db, later, 10) == [reply_id]
        assert cm.claim_reply(db, reply_id, loser, later, timedelta(minutes=5))
    with app.store.read() as db:
        reply = db.get(CommentReply, reply_id)
    assert reply.state == "unknown" and reply.attempts == 1 and reply.intent_at == now
    assert reply.last_send_at == now + timedelta(minutes=5)  # the old lease's end


def test_a_sent_reply_is_stored_as_her_comment(app: App, clock: FakeClock) -> None:
    q = _comment(app, clock)
    now = clock.now()
    with app.store.write() as db:
        reply_id = cm.queue_reply(db, q.profile_id, q.id, "40 euro", now).id
        assert cm.claim_reply(db, reply_id, "me", now, timedelta(minutes=5))
        cm.mark_intent(db, reply_id, "me", now)
        cm.reply_sent(db, reply_id, "me", now, "fb-answer-1")
    found = rows(app)
    answer = found["fb-answer-1"]
    assert answer.mine and answer.parent_id == q.id and answer.text == "40 euro"
    assert found["q"].answered_at == now and found["q"].read_at == now
    with app.store.read() as db:
        reply = db.get(CommentReply, reply_id)
    assert (reply.state, reply.remote_id, reply.sent_at) == ("sent", "fb-answer-1", now)
    assert reply.lease_owner is None
