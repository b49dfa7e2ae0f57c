"""The comments' service: what it lists, the answer's checks and words, and (with the
engine) answering and hiding through a test double handed in as ``clients``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from config.clock import FakeClock
from config.errors import InputError, NotFound, PublishFailed
from costanza.app import App
from costanza.services import comments as service
from tests.factories.inbox import comment, published
from tests.factories.queue import connect


def test_waiting_leaves_out_read_hidden_deleted_mine_and_answered(app: App,
                                                                   clock: FakeClock) -> None:
    now = clock.now()
    d = published(app, "La lana", "facebook", now - timedelta(days=1))
    waiting = comment(app, d, "Quanto costa?", now - timedelta(hours=6))
    comment(app, d, "letto", now - timedelta(hours=5), read_at=now)
    comment(app, d, "nascosto", now - timedelta(hours=5), hidden_at=now)
    comment(app, d, "cancellato", now - timedelta(hours=5), deleted_at=now)
    comment(app, d, "risposto", now - timedelta(hours=5), answered_at=now)
    comment(app, d, "mio", now - timedelta(hours=4), mine=True)
    data = service.list_comments(app)
    assert [c["id"] for p in data["posts"] for c in p["comments"]] == [waiting]
    assert data["waiting"]["total"] == 1
    everything = service.list_comments(app, everything=True)
    assert sorted(c["state"] for p in everything["posts"] for c in p["comments"]) == [
        "answered", "deleted", "hidden", "mine", "read", "waiting"]


def test_a_reply_whose_parent_is_not_listed_says_which_it_answers(app: App,
                                                                  clock: FakeClock) -> None:
    now = clock.now()
    d = published(app, "La lana", "facebook", now - timedelta(days=1))
    parent = comment(app, d, "Bello", now - timedelta(hours=6), read_at=now)
    child = comment(app, d, "Anche per me", now - timedelta(hours=5), parent_id=parent)
    [row] = service.list_comments(app)["posts"][0]["comments"]
    assert (row["id"], row["in_reply_to"], row["depth"]) == (child, parent, 0)


def test_groups_are_ordered_by_their_oldest_waiting_comment(app: App,
                                                            clock: FakeClock) -> None:
    now = clock.now()
    newer_post = published(app, "Nuovo", "facebook", now - timedelta(hours=10))
    older_post = published(app, "Vecchio", "instagram", now - timedelta(days=5))
    comment(app, older_post, "tardi", now - timedelta(hours=1))
    comment(app, older_post, "letto", now - timedelta(hours=9), read_at=now)
    comment(app, newer_post, "presto", now - timedelta(hours=8))
    data = service.list_comments(app)
    assert [p["excerpt"] for p in data["posts"]] == ["Nuovo", "Vecchio"]


def test_mark_read_names_the_unknown_ids_and_changes_nothing(app: App,
                                                             clock: FakeClock) -> None:
    d = published(app, "La lana", "facebook", clock.now() - timedelta(days=1))
    known = comment(app, d, "Bello", clock.now())
    with pytest.raises(NotFound, match="There is no comment 5000"):
        service.mark_read(app, [known, 5000])
    assert service.list_comments(app)["waiting"]["total"] == 1
    assert service.mark_read(app, [known, known])["marked"] == 1
    assert service.mark_read(app, [known])["marked"] == 0  # read already: as it was


def test_another_profiles_comment_is_unknown(app: App, clock: FakeClock) -> None:
    from posts.comment_tables import Comment

    d = published(app, "La lana", "facebook", clock.now() - timedelta(days=1))
    theirs = comment(app, d, "Bello", clock.now())
    with app.store.write() as db:
        row = db.get(Comment, theirs)
        assert row is not None
        row.profile_id = 99
    with pytest.raises(NotFound):
        service.mark_read(app, [theirs])
    with pytest.raises(NotFound):
        service.reply(app, theirs, "Grazie")


@pytest.mark.parametrize(("network", "text", "fits"), [
    ("x", "a" * 280, True), ("x", "a" * 281, False),
    ("x", "https://example.com/" + "a" * 300, True),  # a link counts 23 on X
    ("instagram", "a" * 2200, True), ("instagram", "a" * 2201, False),
    ("facebook", "a" * 8000, True), ("facebook", "a" * 8001, False),
])
def test_reply_text_limits(network: str, text: str, fits: bool) -> None:
    if fits:
        assert service.reply_text(network, text) == text
    else:
        with pytest.raises(InputError, match="Nothing was sent"):
            service.reply_text(network, text)


def test_reply_text_is_trimmed_and_line_ends_made_plain() -> None:
    assert service.reply_text("facebook", "  Grazie!\r\nA presto \n") == "Grazie!\nA presto"


def test_on_x_an_answer_costs_like_a_post(app: App) -> None:
    assert service.x_reply_cost(app, "facebook", "Grazie") is None
    assert service.x_reply_cost(app, "x", "Grazie") == (
        "On X an answer is a post, and costs like one: about $0.015.")
    assert "$0.20 because of the link" in (service.x_reply_cost(
        app, "x", "Guarda https://www.bottega.it/telaio") or "")


@pytest.mark.parametrize(("state", "result", "words"), [
    ("sent", "sent", "Your answer to comment 7 is on Instagram."),
    ("unknown", "saved", "the daemon will check and send it once"),
    ("queued", "saved", "the daemon will check and send it once"),
    ("failed", "failed", "could not go out on Instagram: the comment was deleted."),
])
def test_what_reply_says_for_each_outcome(state: str, result: str, words: str) -> None:
    said = service.reply_result(7, 1, "instagram", "Grazie", state, None,
                                "the comment was deleted." if state == "failed" else None)
    assert said["result"] == result and words in said["message"]
    assert said["result"] in service.REPLY_RESULTS


# -- with the engine: answering and hiding through a test double ---------------------------
# These need the engine's `posts.comments.queue_reply`, `scheduler.comments.replies` and
# `scheduler.comments.hiding`; until they are on the branch they are skipped.

class DoubleClient:
    """A comment client that records what it is asked and answers as told."""

    def __init__(self, network: str, fail: Exception | None = None) -> None:
        self.network = network
        self.fail = fail
        self.replies: list[tuple[str, str]] = []
        self.hidden: list[str] = []

    def fetch(self, target: Any, since: Any) -> Any:
        from posts.remote_comments import Fetched

        return Fetched(comments=[], complete=True)

    def reply(self, target: Any, comment_remote_id: str, text: str, before_send: Any) -> str:
        before_send()
        if self.fail is not None:
            raise self.fail
        self.replies.append((comment_remote_id, text))
        return f"answer-{len(self.replies)}"

    def find_reply(self, target: Any, comment_remote_id: str, text: str, after: Any,
                   on_reads: Any = None) -> None:
        return None

    def hide(self, target: Any, comment_remote_id: str, hidden: bool) -> None:
        if self.fail is not None:
            raise self.fail
        self.hidden.append(comment_remote_id)


@pytest.fixture
def engine() -> None:
    pytest.importorskip("posts.comments")
    pytest.importorskip("scheduler.comments.replies")
    pytest.importorskip("scheduler.comments.hiding")


@pytest.fixture
def on_instagram(app: App, clock: FakeClock) -> int:
    connect(app, "instagram")
    d = published(app, "Il telaio", "instagram", clock.now() - timedelta(days=1))
    return comment(app, d, "Quanto costa?", clock.now())


def test_reply_sends_once_through_the_client(engine: None, app: App, on_instagram: int,
                                             tmp_path: Any) -> None:
    from config.secrets import SecretStore

    double = DoubleClient("instagram")
    said = service.reply(app, on_instagram, "Costa 40 euro", clients=lambda n: double,
                         secrets=SecretStore(tmp_path / "secrets.toml"))
    assert said["result"] == "sent" and said["remote_id"] == "answer-1"
    assert [t for _, t in double.replies] == ["Costa 40 euro"]
    assert service.list_comments(app)["waiting"]["total"] == 0


def test_reply_refused_by_the_network_says_why(engine: None, app: App, on_instagram: int,
                                               tmp_path: Any) -> None:
    from config.secrets import SecretStore

    double = DoubleClient("instagram", fail=PublishFailed("Instagram refused it: the comment "
                                                          "was deleted."))
    said = service.reply(app, on_instagram, "Grazie", clients=lambda n: double,
                         secrets=SecretStore(tmp_path / "secrets.toml"))
    assert said["result"] == "failed" and "the comment was deleted" in said["message"]


def test_hide_goes_through_the_client(engine: None, app: App, on_instagram: int,
                                      tmp_path: Any) -> None:
    from config.secrets import SecretStore

    double = DoubleClient("instagram")
    said = service.hide(app, on_instagram, clients=lambda n: double,
                        secrets=SecretStore(tmp_path / "secrets.toml"))
    assert said["hidden"] is True and len(double.hidden) == 1


def test_the_inbox_reads_the_same_on_both_databases(backend: str, make_app: Any,
                                                     clock: FakeClock) -> None:
    from scheduler.notify.comment_digest import digest_messages

    app = make_app()
    now = clock.now()
    d = published(app, "La lana", "instagram", now - timedelta(days=1))
    first = comment(app, d, "Quanto costa?", now - timedelta(hours=6))
    comment(app, d, "Grazie", now - timedelta(hours=5), parent_id=first, mine=True)
    waiting = comment(app, d, "E in blu?", now - timedelta(hours=4))
    data = service.list_comments(app, everything=True)
    assert [(c["id"], c["state"], c["depth"]) for c in data["posts"][0]["comments"]] == [
        (waiting, "waiting", 0), (first, "answered", 0), (first + 1, "mine", 1)]
    assert data["waiting"] == {"total": 1, "by_network": {"instagram": 1}}
    assert service.mark_read(app, [waiting])["marked"] == 1
    assert service.list_comments(app)["count"] == 0
    with app.store.read() as db:
        assert digest_messages(db, now) == []  # nothing waits any more
