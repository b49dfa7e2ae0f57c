"""`costanza comments`, `comments read`, `costanza reply`'s checks and `costanza status`'s
count, through the real command line on a real SQLite file. The comments are written as
the daemon's fetch would leave them (tests/factories/inbox.py)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import Result
from sqlalchemy import func, select

from config.clock import FakeClock
from costanza.app import App
from posts.comment_tables import Comment, CommentReply
from tests.factories.inbox import comment, published, reply_row, watch

Run = Callable[..., Result]


@pytest.fixture
def inbox(app: App, clock: FakeClock) -> dict[str, int]:
    """Two published posts with comments: on Facebook an old question answered from the
    phone and a newer one waiting; on X one waiting, older than the Facebook one."""
    now = clock.now()
    fb = published(app, "Il telaio di nonna, costruito nel 1920 a Biella", "facebook",
                   now - timedelta(days=2))
    x = published(app, "La lana arriva dalla Val di Fiemme", "x", now - timedelta(days=3))
    answered = comment(app, fb, "Bellissimo!", now - timedelta(hours=30),
                       author_name="Anna Bianchi", author_handle="anna.b")
    mine = comment(app, fb, "Grazie Anna!", now - timedelta(hours=29), parent_id=answered,
                   mine=True, author_name="Bottega", author_handle="bottega")
    question = comment(app, fb, "Quanto costa?\nSi può spedire?", now - timedelta(hours=5),
                       author_name="Maria Rossi", author_handle="maria.rossi")
    on_x = comment(app, x, "wow", now - timedelta(hours=20), author_name="Gino",
                   author_handle="gino")
    return {"fb": fb, "x": x, "answered": answered, "mine": mine, "question": question,
            "on_x": on_x}


def _json(result: Result) -> dict:
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _db(home: Path) -> dict[str, str]:
    """Every file of the home (the database and its write-ahead log too) by content hash."""
    return {str(p.relative_to(home)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(home.rglob("*")) if p.is_file() and not p.name.endswith("-shm")}


def _counts(app: App) -> tuple[int, int, int]:
    with app.store.read() as db:
        return (db.scalar(select(func.count()).select_from(CommentReply)) or 0,
                db.scalar(select(func.count()).select_from(Comment)
                          .where(Comment.read_at.is_not(None))) or 0,
                db.scalar(select(func.count()).select_from(Comment)) or 0)


def test_waiting_comments_grouped_by_post_oldest_first(run: Run, inbox: dict[str, int]) -> None:
    result = run("comments")
    assert result.exit_code == 0, result.output
    out = result.output
    # X's comment is the oldest one waiting: its post comes first.
    assert out.index("Post 2 on X") < out.index("Post 1 on Facebook")
    assert f"[{inbox['on_x']}] Gino (@gino)" in out
    assert f"[{inbox['question']}] Maria Rossi (@maria.rossi)" in out
    assert "Quanto costa?\n" in out and "Si può spedire?" in out  # every line of the text
    assert "Bellissimo!" not in out and "Grazie Anna!" not in out  # answered from the phone
    assert "https://x.example/p/2" in out
    assert "2 comments wait for an answer." in out
    assert 'costanza reply ID "..."' in out and "costanza comments read ID" in out


@pytest.mark.pinned_dates
def test_times_are_in_the_profile_zone(run: Run, inbox: dict[str, int]) -> None:
    out = run("comments").output
    # Published 2026-11-25 18:00 UTC; the question written 2026-11-28 13:00 UTC (Rome: +1).
    assert "published Wed 25 Nov 19:00" in out
    assert "Maria Rossi (@maria.rossi), Sat 28 Nov 14:00" in out


def test_all_shows_the_answered_marked_with_replies_under_their_parent(
        run: Run, inbox: dict[str, int]) -> None:
    out = run("comments", "--all").output
    lines = out.splitlines()
    parent = next(i for i, line in enumerate(lines) if f"[{inbox['answered']}]" in line)
    assert "(answered)" in lines[parent]
    child = lines[parent + 2]
    assert f"[{inbox['mine']}] you" in child and "(your answer)" in child
    assert len(child) - len(child.lstrip()) > len(lines[parent]) - len(lines[parent].lstrip())
    # Within the post, the waiting question comes before the answered thread.
    question = next(i for i, line in enumerate(lines) if f"[{inbox['question']}]" in line)
    assert question < parent


def test_filters_by_post_and_network(run: Run, inbox: dict[str, int]) -> None:
    only_x = _json(run("comments", "--network", "x", "--json"))
    assert [p["network"] for p in only_x["posts"]] == ["x"]
    only_fb = _json(run("comments", "--post", "1", "--all", "--json"))
    assert [c["id"] for p in only_fb["posts"] for c in p["comments"]] == [
        inbox["question"], inbox["answered"], inbox["mine"]]
    assert run("comments", "--post", "77").exit_code == 1


def test_json_shape(run: Run, inbox: dict[str, int]) -> None:
    data = _json(run("comments", "--all", "--json"))
    assert data["waiting"] == {"total": 2, "by_network": {"facebook": 1, "x": 1}}
    assert data["all"] is True and data["count"] == 4
    post = data["posts"][1]
    assert set(post) == {"post_id", "delivery_id", "network", "excerpt", "published_at",
                         "published_local", "permalink", "comments"}
    by_id = {c["id"]: c for c in post["comments"]}
    assert by_id[inbox["mine"]]["depth"] == 1 and by_id[inbox["mine"]]["state"] == "mine"
    assert by_id[inbox["answered"]]["state"] == "answered"
    assert by_id[inbox["question"]]["state"] == "waiting"
    assert set(by_id[inbox["question"]]) == {
        "id", "network", "parent_id", "in_reply_to", "depth", "author_name", "author_handle",
        "text", "written_at", "written_local", "state", "mine", "waiting", "reply_state"}
    assert data["looking"] == {"every_minutes": 15, "max_age_days": 30, "x_max_age_days": 7}


def test_nothing_waiting_says_how_comments_arrive(run: Run, app: App) -> None:
    result = run("comments")
    assert result.exit_code == 0
    assert "No comment waits for an answer." in result.output
    assert "every 15 minutes" in result.output and "last 30 days" in result.output


def test_read_marks_them_and_they_no_longer_wait(run: Run, app: App,
                                                 inbox: dict[str, int]) -> None:
    result = run("comments", "read", str(inbox["question"]), str(inbox["on_x"]))
    assert result.exit_code == 0, result.output
    assert "Marked 2 comments read." in result.output
    assert "No comment waits for an answer." in run("comments").output
    marked = _json(run("comments", "--all", "--json"))
    states = {c["id"]: c["state"] for p in marked["posts"] for c in p["comments"]}
    assert states[inbox["question"]] == "read"
    assert "(read)" in run("comments", "--all").output


def test_read_with_an_unknown_id_changes_nothing(run: Run, app: App, home: Path,
                                                 inbox: dict[str, int]) -> None:
    before = _counts(app), _db(home)
    result = run("comments", "read", str(inbox["question"]), "999", "998")
    assert result.exit_code == 1
    assert "There are no comments 998, 999." in result.output
    assert (_counts(app), _db(home)) == before
    assert run("comments", "read", "zero").exit_code == 2
    assert run("comments", "read", "0").exit_code == 1


@pytest.mark.parametrize(("target", "text", "words"), [
    ("on_x", "", "The answer is empty"),
    ("on_x", "   \n ", "The answer is empty"),
    ("on_x", "a" * 281, "X counts 281 of 280 characters"),
    ("on_x", "🧶" * 141, "X counts 282 of 280 characters"),
    ("question", "a" * 8001, "8,000 in a comment"),
    ("mine", "Grazie", "one of your own answers"),
])
def test_reply_refuses_bad_text_before_anything_is_written(
        run: Run, app: App, home: Path, inbox: dict[str, int], target: str, text: str,
        words: str) -> None:
    before = _counts(app), _db(home)
    result = run("reply", str(inbox[target]), text)
    assert result.exit_code == 1, result.output
    assert words in result.output and "Nothing was sent." in result.output
    assert (_counts(app), _db(home)) == before


def test_reply_to_instagram_counts_2200_characters(run: Run, app: App, home: Path,
                                                   clock: FakeClock) -> None:
    delivery = published(app, "Il telaio", "instagram", clock.now() - timedelta(days=1))
    target = comment(app, delivery, "Bello", clock.now())
    before = _counts(app), _db(home)
    result = run("reply", str(target), "b" * 2201)
    assert result.exit_code == 1
    assert "2,201 characters long, and Instagram takes up to 2,200" in result.output
    assert (_counts(app), _db(home)) == before


def test_reply_to_an_unknown_or_deleted_comment(run: Run, app: App, home: Path,
                                                clock: FakeClock, inbox: dict[str, int]) -> None:
    gone = comment(app, inbox["fb"], "spam", clock.now(), deleted_at=clock.now())
    before = _counts(app), _db(home)
    unknown = run("reply", "999", "Grazie")
    assert unknown.exit_code == 1 and "There is no comment 999." in unknown.output
    deleted = run("reply", str(gone), "Grazie")
    assert deleted.exit_code == 1 and "was deleted from Facebook" in deleted.output
    empty_pipe = run("reply", str(inbox["on_x"]), "-", input="")
    assert empty_pipe.exit_code == 1 and "Nothing was sent" in empty_pipe.output
    assert (_counts(app), _db(home)) == before


def test_a_pending_reply_counts_as_an_answer(run: Run, app: App, clock: FakeClock,
                                             inbox: dict[str, int]) -> None:
    reply_row(app, inbox["on_x"], "Grazie!", "unknown", clock.now())
    reply_row(app, inbox["question"], "Costa 40 euro", "failed", clock.now())
    data = _json(run("comments", "--json"))
    assert [c["id"] for p in data["posts"] for c in p["comments"]] == [inbox["question"]]
    out = run("comments", "--all").output
    assert "your answer is on its way" in out and "your answer could not go out" in out


def test_status_counts_the_comments_waiting(run: Run, app: App, inbox: dict[str, int]) -> None:
    watch(app, inbox["fb"])
    watch(app, inbox["x"], problem="X no longer lets Costanza read the answers: connect the "
          "account again with `costanza account add x`.", code="permission")
    text = run("status").output
    assert "2 comments wait for an answer (`costanza comments`)." in text
    assert ("Comments on X cannot be read (1 post): X no longer lets Costanza read the "
            "answers") in text
    data = _json(run("status", "--json"))
    assert data["comments_waiting"] == {"total": 2, "by_network": {"facebook": 1, "x": 1}}
    assert [p["code"] for p in data["comment_problems"]] == ["permission"]
    assert "cannot be read" in run("comments").output


def test_status_says_nothing_of_comments_when_none_wait(run: Run, app: App) -> None:
    text = run("status").output
    assert "comment" not in text.lower()
    assert _json(run("status", "--json"))["comments_waiting"] == {"total": 0, "by_network": {}}
