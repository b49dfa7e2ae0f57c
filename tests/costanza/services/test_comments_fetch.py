"""`costanza comments fetch`'s service: every watched post of the profile read now, with
the daemon's rules, the counts per network, and each post left alone with its reason.
The networks are ``RecordingCommentClient`` doubles; the store is a real SQLite file."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from config.clock import FakeClock
from config.errors import RateLimited
from config.secrets import SecretStore
from costanza.app import App
from costanza.services.comments_fetch import fetch_now
from posts import comments as cm
from posts.comment_tables import Comment, CommentWatch
from posts.models import Account, Delivery
from posts.remote_comments import Fetched
from scheduler.comments.fetching import TAKEN_FOR
from tests.factories.comments import RecordingCommentClient, published

HOUR = timedelta(hours=1)
Fetch = Callable[[], dict[str, Any]]


@pytest.fixture
def fakes(clock: FakeClock) -> dict[str, RecordingCommentClient]:
    return {n: RecordingCommentClient(n, now=clock.now())
            for n in ("facebook", "instagram", "x")}


@pytest.fixture
def fetch(app: App, fakes: dict[str, RecordingCommentClient]) -> Fetch:
    secrets = SecretStore(app.settings.home.secrets_file, env={})
    return lambda: fetch_now(app, clients=lambda n: fakes[n], secrets=secrets)


def _stored(app: App) -> int:
    with app.store.read() as db:
        return int(db.scalar(select(func.count()).select_from(Comment)) or 0)


def _network(data: dict[str, Any], network: str) -> dict[str, Any]:
    return next(row for row in data["networks"] if row["network"] == network)


def test_every_watched_post_is_read_now_and_counted_per_network(
        app: App, clock: FakeClock, fakes: dict[str, RecordingCommentClient],
        fetch: Fetch) -> None:
    now = clock.now()
    published(app, "facebook", now - HOUR, remote_id="fb1")
    published(app, "instagram", now - 3 * HOUR, remote_id="ig1")
    fakes["facebook"].add("fb1", "c1", "Che bello", now - HOUR / 2)
    fakes["instagram"].add("ig1", "i1", "Quanto costa?", now - 2 * HOUR)
    fakes["instagram"].add("ig1", "i2", "Anch'io", now - HOUR, parent="i1")
    first = fetch()
    assert first["enabled"] is True and first["watched"] == 2
    assert [r["network"] for r in first["networks"]] == ["facebook", "instagram"]
    assert _network(first, "facebook") == {"network": "facebook", "looked": 1, "new": 1,
                                           "changed": 0, "deleted": 0}
    assert (first["looked"], first["new"], first["skipped"]) == (2, 3, [])
    assert first["message"] == "To read the new ones: `costanza comments`."
    # The daemon would look again in minutes; "look now" looks now.
    fakes["facebook"].add("fb1", "c2", "Lo voglio", now)
    fakes["instagram"].edit("ig1", "i1", "Quanto costa la sciarpa?")
    fakes["instagram"].delete("ig1", "i2")
    second = fetch()
    assert _network(second, "facebook")["new"] == 1
    assert _network(second, "instagram") == {"network": "instagram", "looked": 1, "new": 0,
                                             "changed": 1, "deleted": 1}
    assert fakes["facebook"].count("fetch") == 2 and fakes["instagram"].count("fetch") == 2


def test_fetching_twice_stores_nothing_twice(app: App, clock: FakeClock,
                                            fakes: dict[str, RecordingCommentClient],
                                            fetch: Fetch) -> None:
    published(app, "facebook", clock.now() - HOUR, remote_id="fb1")
    fakes["facebook"].add("fb1", "c1", "Che bello", clock.now() - HOUR / 2)
    assert fetch()["new"] == 1
    again = fetch()
    assert (again["looked"], again["new"], again["changed"]) == (1, 0, 0)
    assert again["message"] == "Nothing new to read."
    assert _stored(app) == 1
    with app.store.read() as db:
        watch = db.scalars(select(CommentWatch)).one()
        assert watch.fetches == 2 and watch.taken_until is None


def _account(app: App, name: str, **values: Any) -> None:
    with app.store.write() as db:
        account = db.scalars(select(Account).where(Account.name == name)).one()
        for key, value in values.items():
            setattr(account, key, value)


def _two_accounts(app: App, clock: FakeClock,
                  fakes: dict[str, RecordingCommentClient]) -> tuple[int, int]:
    """A post on Facebook (left alone by each test) and one on Instagram (read)."""
    now = clock.now()
    fb = published(app, "facebook", now - HOUR, remote_id="fb1")
    ig = published(app, "instagram", now - HOUR, remote_id="ig1")
    fakes["facebook"].add("fb1", "c1", "Che bello", now - HOUR / 2)
    fakes["instagram"].add("ig1", "i1", "Bello", now - HOUR / 2)
    return fb, ig


def _only_instagram_read(data: dict[str, Any],
                         fakes: dict[str, RecordingCommentClient]) -> dict[str, Any]:
    assert [r["network"] for r in data["networks"]] == ["instagram"]
    assert fakes["facebook"].count("fetch") == 0
    [skipped] = data["skipped"]
    assert skipped["network"] == "facebook" and skipped["post_id"] > 0
    return skipped


def test_an_account_needing_attention_is_left_alone(
        app: App, clock: FakeClock, fakes: dict[str, RecordingCommentClient],
        fetch: Fetch) -> None:
    _two_accounts(app, clock, fakes)
    _account(app, "my-facebook", health="held", health_reason="the login expired")
    skipped = _only_instagram_read(fetch(), fakes)
    assert skipped["reason"] == "attention" and skipped["account"] == "my-facebook"
    assert skipped["message"] == ("the account my-facebook needs your attention (the login "
                                  "expired); `costanza status` says what to do.")


def test_a_rate_limited_account_says_until_when_in_the_profiles_zone(
        app: App, clock: FakeClock, fakes: dict[str, RecordingCommentClient],
        fetch: Fetch) -> None:
    _two_accounts(app, clock, fakes)
    until = clock.now() + 2 * HOUR
    _account(app, "my-facebook", rate_limited_until=until)
    skipped = _only_instagram_read(fetch(), fakes)
    assert skipped["reason"] == "rate_limited" and skipped["until"] == until.isoformat()
    from zoneinfo import ZoneInfo

    from costanza.formatting import local

    rome = local(until, ZoneInfo("Europe/Rome"))
    assert skipped["until_local"] == rome
    assert skipped["message"] == (f"Facebook asked to wait until {rome}: Costanza looks "
                                  "again then.")


def test_the_comments_own_limit_is_honoured_too(
        app: App, clock: FakeClock, fakes: dict[str, RecordingCommentClient],
        fetch: Fetch) -> None:
    _two_accounts(app, clock, fakes)
    until = clock.now() + 2 * HOUR
    fakes["facebook"].fail_next(RateLimited("Facebook asked to slow down.", retry_at=until),
                                on="fetch")
    first = fetch()
    assert first["problems"] == ["Facebook asked to slow down."]
    second = fetch()
    assert fakes["facebook"].count("fetch") == 1  # not asked again before `until`
    [skipped] = second["skipped"]
    assert (skipped["reason"], skipped["until"]) == ("rate_limited", until.isoformat())


def test_an_account_about_to_publish_is_left_to_publishing(
        app: App, clock: FakeClock, fakes: dict[str, RecordingCommentClient],
        fetch: Fetch) -> None:
    fb, _ig = _two_accounts(app, clock, fakes)
    soon = published(app, "facebook", clock.now(), remote_id="fb2")
    with app.store.write() as db:  # a post of the same page is due in five minutes
        d = db.get(Delivery, soon)
        assert d is not None
        d.state, d.due_at, d.published_at, d.remote_id = ("queued",
                                                          clock.now() + 5 * timedelta(
                                                              minutes=1), None, None)
    data = fetch()
    assert [r["network"] for r in data["networks"]] == ["instagram"]
    assert fakes["facebook"].count("fetch") == 0
    assert [(s["delivery_id"], s["reason"]) for s in data["skipped"]] == [(fb, "publishing")]
    assert "publishing goes first" in data["skipped"][0]["message"]


def test_a_post_another_fetcher_is_reading_is_skipped(
        app: App, clock: FakeClock, fakes: dict[str, RecordingCommentClient],
        fetch: Fetch) -> None:
    fb, _ig = _two_accounts(app, clock, fakes)
    now = clock.now()
    with app.store.write() as db:
        cm.watch_published(db, now, app.settings)
    with app.store.write() as db:  # the daemon took it a moment ago
        watch = db.get(CommentWatch, fb)
        assert watch is not None
        assert cm.take_watch(db, watch, now + TAKEN_FOR)
    clock.advance(seconds=10)
    skipped = _only_instagram_read(fetch(), fakes)
    assert (skipped["reason"], skipped["until"]) == ("taken", (now + TAKEN_FOR).isoformat())
    assert "reading its comments right now" in skipped["message"]
    # Once the daemon recorded its look, the post is read again.
    with app.store.write() as db:
        watch = db.get(CommentWatch, fb)
        assert watch is not None
        seen = Fetched(comments=list(fakes["facebook"].comments["fb1"]), complete=True)
        cm.record_fetch(db, watch, seen, clock.now(), app.settings)
    with app.store.read() as db:
        assert db.get(CommentWatch, fb).taken_until is None
    assert fetch()["skipped"] == []


def test_the_x_budget_reached_leaves_x_alone(app: App, clock: FakeClock,
                                            fakes: dict[str, RecordingCommentClient],
                                            fetch: Fetch) -> None:
    published(app, "x", clock.now() - HOUR, remote_id="x1")
    published(app, "facebook", clock.now() - HOUR, remote_id="fb1")
    fakes["x"].add("x1", "t1", "Bello", clock.now())
    app.settings = dataclasses.replace(app.settings, x_monthly_budget=0.0)
    data = fetch()
    assert fakes["x"].count("fetch") == 0
    assert [r["network"] for r in data["networks"]] == ["facebook"]
    [skipped] = data["skipped"]
    assert skipped["reason"] == "x_budget" and skipped["until"] is not None
    assert (f"comments on X are not read until {skipped['until_local']}, or raise "
            "`[x] monthly_budget`") in skipped["message"]


def test_comments_off_fetches_nothing(app: App, clock: FakeClock,
                                      fakes: dict[str, RecordingCommentClient],
                                      fetch: Fetch) -> None:
    published(app, "facebook", clock.now() - HOUR, remote_id="fb1")
    fakes["facebook"].add("fb1", "c1", "Che bello", clock.now())
    app.settings = dataclasses.replace(app.settings, comments_max_age_days=0)
    data = fetch()
    assert data["enabled"] is False and data["looked"] == 0
    assert "`[comments] max_age_days` is 0" in data["message"]
    assert fakes["facebook"].calls == [] and _stored(app) == 0
    with app.store.read() as db:
        assert db.scalar(select(func.count()).select_from(CommentWatch)) == 0


def test_nothing_published_says_so(app: App, fetch: Fetch) -> None:
    data = fetch()
    assert (data["looked"], data["networks"], data["skipped"]) == (0, [], [])
    assert data["message"].startswith("No published post to look under")
