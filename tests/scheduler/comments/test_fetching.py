"""The comments round: posts watched, due ones read, and what the networks say about it.

These use Facebook and Instagram: X's reads go to ``posts.x_ledger.record_reads``,
which comes with the X client."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from config.clock import FakeClock
from config.errors import AuthExpired, CostanzaError, PublishFailed, RateLimited
from config.secrets import SecretStore
from costanza.app import App
from posts.comment_tables import Comment, CommentWatch
from posts.models import Account
from scheduler.comments.fetching import CommentFetcher
from scheduler.comments.hiding import hide_comment
from tests.factories.comments import RecordingCommentClient, published

HOUR = timedelta(hours=1)


@pytest.fixture
def fakes(clock: FakeClock) -> dict[str, RecordingCommentClient]:
    return {n: RecordingCommentClient(n, now=clock.now()) for n in ("facebook", "instagram")}


def fetcher(app: App, fakes: dict[str, RecordingCommentClient]) -> CommentFetcher:
    return CommentFetcher(app.store, app.settings, app.clock, lambda n: fakes[n],
                          SecretStore(app.settings.home.secrets_file, env={}))


def watch(app: App, delivery_id: int) -> CommentWatch:
    with app.store.read() as db:
        found = db.get(CommentWatch, delivery_id)
        assert found is not None
        return found


def comments(app: App) -> dict[str, Comment]:
    with app.store.read() as db:
        return {c.remote_id: c for c in db.scalars(select(Comment))}


def test_a_round_watches_new_posts_and_reads_their_comments(
        app: App, clock: FakeClock, fakes: dict[str, RecordingCommentClient]) -> None:
    now = clock.now()
    fb = published(app, "facebook", now - HOUR, remote_id="page_1")
    ig = published(app, "instagram", now - 3 * HOUR, remote_id="media_1")
    fakes["facebook"].add("page_1", "c1", "Che bello", now - 30 * timedelta(minutes=1))
    fakes["instagram"].add("media_1", "i1", "Quanto costa?", now - 2 * HOUR)
    fakes["instagram"].add("media_1", "i2", "Anch'io", now - HOUR, parent="i1")
    done = fetcher(app, fakes).run_round()
    assert done == {"watched": 2, "looked": 2, "new": 3, "changed": 0, "deleted": 0,
                    "problems": []}
    found = comments(app)
    assert found["i2"].parent_id == found["i1"].id
    assert watch(app, fb).fetches == 1 and watch(app, ig).fetches == 1
    assert watch(app, fb).next_fetch_at == now + timedelta(
        minutes=app.settings.comments_new_minutes)
    # Not due again yet: nothing is read.
    again = fetcher(app, fakes).run_round()
    assert again["looked"] == 0 and fakes["facebook"].count("fetch") == 1
    clock.advance(minutes=app.settings.comments_new_minutes)
    fakes["facebook"].delete("page_1", "c1")
    done = fetcher(app, fakes).run_round()
    assert done["looked"] == 2 and done["deleted"] == 1 and done["new"] == 0
    assert comments(app)["c1"].deleted_at == clock.now()


def test_the_accounts_own_comments_are_stored_but_not_counted_new(
        app: App, clock: FakeClock, fakes: dict[str, RecordingCommentClient]) -> None:
    now = clock.now()
    published(app, "instagram", now - HOUR, remote_id="media_1")
    fakes["instagram"].add("media_1", "own", "#artigianato", now - HOUR, mine=True)
    fakes["instagram"].add("media_1", "i1", "Che colori!", now - 30 * timedelta(minutes=1))
    done = fetcher(app, fakes).run_round()
    assert done["new"] == 1  # only what a customer wrote
    found = comments(app)
    assert set(found) == {"own", "i1"} and found["own"].mine and not found["i1"].mine


def _accounts(app: App) -> dict[str, Account]:
    with app.store.read() as db:
        return {a.name: a for a in db.scalars(select(Account))}


def test_a_rate_limit_pauses_that_account_only(
        app: App, clock: FakeClock, fakes: dict[str, RecordingCommentClient]) -> None:
    now = clock.now()
    a1 = published(app, "facebook", now - HOUR, remote_id="p1", account="page-a")
    a2 = published(app, "facebook", now - 2 * HOUR, remote_id="p2", account="page-a")
    b = published(app, "instagram", now - HOUR, remote_id="m1", account="ig-b")
    until = now + 2 * HOUR
    fakes["facebook"].fail_next(RateLimited("Facebook asked to slow down.", retry_at=until),
                                on="fetch")
    done = fetcher(app, fakes).run_round()
    assert done["problems"] == ["Facebook asked to slow down."]
    assert fakes["facebook"].count("fetch") == 1  # the second post of page-a waits too
    assert watch(app, a1).next_fetch_at == until and watch(app, a2).next_fetch_at == until
    assert watch(app, b).fetches == 1 and watch(app, b).next_fetch_at < until
    failed = watch(app, a2) if watch(app, a2).problem else watch(app, a1)
    assert failed.problem == "Facebook asked to slow down."
    assert failed.problem_code == "rate_limited"
    # Publishing's own limit is left alone.
    assert _accounts(app)["page-a"].rate_limited_until is None
    clock.set(until)
    done = fetcher(app, fakes).run_round()
    assert fakes["facebook"].count("fetch") == 3 and done["problems"] == []
    assert watch(app, a1).problem is None and watch(app, a2).problem is None


def test_a_lost_permission_is_kept_in_plain_words_and_looked_at_rarely(
        app: App, clock: FakeClock, fakes: dict[str, RecordingCommentClient]) -> None:
    now = clock.now()
    d = published(app, "instagram", now - HOUR, remote_id="m1")
    words = ("Costanza may no longer read the comments of your Instagram account: connect "
             "it again with `costanza account add instagram`.")
    fakes["instagram"].fail_next(PublishFailed(words, code="permission"), on="fetch")
    fetcher(app, fakes).run_round()
    w = watch(app, d)
    assert (w.problem, w.problem_code) == (words, "permission")
    assert w.next_fetch_at == now + timedelta(hours=app.settings.comments_old_hours)
    assert _accounts(app)["my-instagram"].health == "ok"  # publishing untouched
    fakes["instagram"].fail_next(AuthExpired("The Instagram login expired."), on="fetch")
    clock.set(w.next_fetch_at)
    fetcher(app, fakes).run_round()
    w = watch(app, d)
    assert w.problem == "The Instagram login expired." and w.problem_code == "auth"
    assert _accounts(app)["my-instagram"].health == "ok"


def test_posts_past_their_max_age_are_not_watched(
        app: App, clock: FakeClock, fakes: dict[str, RecordingCommentClient]) -> None:
    import dataclasses

    now = clock.now()
    published(app, "facebook", now - timedelta(days=31), remote_id="old")
    app.settings = dataclasses.replace(app.settings, comments_max_age_days=0)
    published(app, "facebook", now - HOUR, remote_id="new")
    assert fetcher(app, fakes).run_round()["watched"] == 0
    assert fakes["facebook"].calls == []


def _one_comment(app: App, clock: FakeClock,
                 fakes: dict[str, RecordingCommentClient]) -> Comment:
    now = clock.now()
    published(app, "facebook", now - HOUR, remote_id="page_1")
    fakes["facebook"].add("page_1", "c1", "Spam spam", now - HOUR / 2)
    fetcher(app, fakes).run_round()
    return comments(app)["c1"]


def _hide(app: App, fakes: dict[str, Any], comment: Comment, hidden: bool = True) -> None:
    hide_comment(app.store, app.settings, app.clock, lambda n: fakes[n],
                 SecretStore(app.settings.home.secrets_file, env={}), comment.profile_id,
                 comment.id, hidden)


def test_hiding_a_comment_hides_it_on_the_network_then_notes_it(
        app: App, clock: FakeClock, fakes: dict[str, RecordingCommentClient]) -> None:
    comment = _one_comment(app, clock, fakes)
    _hide(app, fakes, comment)
    assert fakes["facebook"].hidden == {"c1": True}
    assert comments(app)["c1"].hidden_at == clock.now()
    _hide(app, fakes, comment, hidden=False)
    assert comments(app)["c1"].hidden_at is None
    fakes["facebook"].fail_next(PublishFailed("Facebook cannot hide this comment."),
                                on="hide")
    with pytest.raises(CostanzaError, match="Facebook cannot hide this comment"):
        _hide(app, fakes, comment)
    assert comments(app)["c1"].hidden_at is None  # nothing noted
    fakes["facebook"].fail_next(AuthExpired("The Facebook login expired."), on="hide")
    with pytest.raises(CostanzaError, match="costanza account add facebook"):
        _hide(app, fakes, comment)


def test_two_fetchers_on_one_due_post_read_it_once(
        app: App, clock: FakeClock, fakes: dict[str, RecordingCommentClient]) -> None:
    from posts import comments as cm

    now = clock.now()
    d = published(app, "facebook", now - HOUR, remote_id="p1")
    with app.store.write() as db:
        cm.watch_published(db, now, app.settings)
    with app.store.read() as db:
        seen_by_both: list[CommentWatch] = cm.due_watches(db, now, 5)
    first, second = fetcher(app, fakes), fetcher(app, fakes)
    read = first.look(seen_by_both[0])
    moved = second.look(seen_by_both[0])  # the watch it read is no longer the one due
    assert read.summary is not None and read.left is None
    assert moved.summary is None and moved.left == "moved"
    assert fakes["facebook"].count("fetch") == 1
    assert watch(app, d).fetches == 1
    assert isinstance(watch(app, d).next_fetch_at, datetime)
