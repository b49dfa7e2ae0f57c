"""What the dialogue costs on X, and ``[x] monthly_budget`` stopping it: the daemon's
comments rounds and `costanza reply` against the sandbox (a real HTTP server, its clock
set to the fake one) on a real SQLite file.

A fetch charges the posts it read, once per fetch; an answer sent (or found after an
unknown outcome) is charged once as a post; `costanza costs` counts both. With the
month's budget reached, X's comments are not read, `costanza reply` on X refuses before
anything is written, a queued answer waits for the next month; Facebook goes on.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from sqlalchemy import func, select

from config.clock import FakeClock, utc
from config.secrets import SecretStore
from costanza.app import App
from costanza.demo.sandbox.control import SandboxClient
from costanza.demo.sandbox.server import SandboxServer
from posts import comments as cm
from posts.comment_tables import Comment, CommentReply, CommentWatch
from posts.models import Account, Delivery, XCharge
from posts.profiles import get_profile
from posts.x_ledger import REPLY_PARTS, budget_of, record_reads
from scheduler.comments.rounds import CommentRounds
from scheduler.publishers.registry import make_publisher
from scheduler.worker import Worker
from tests.factories.queue import add

X_KEYS = ("consumer_key", "consumer_secret", "access_token", "access_token_secret")
Run = Callable[..., Result]


@dataclass
class Desk:
    """The artisan's Costanza, connected to the sandbox's X and Facebook."""

    app: App
    clock: FakeClock
    control: SandboxClient
    secrets: SecretStore
    home: Path

    def publish(self, text: str) -> dict[str, Delivery]:
        """A post published on X and Facebook by the real publishers; its deliveries."""
        post_id = add(self.app, text, ["x", "facebook"],
                      at=self.clock.now() + timedelta(seconds=1))
        self.advance(1)

        def publishers(network: str) -> Any:
            return make_publisher(network, self.app.settings.networks_base_url, timeout=10)

        worker = Worker(self.app.store, self.app.settings, self.clock, publishers,
                        owner="test", secrets=self.secrets)
        try:
            worker.tick()
        finally:
            worker.shutdown()
        with self.app.store.read() as db:
            rows = list(db.scalars(select(Delivery).where(Delivery.post_id == post_id)))
            for row in rows:
                db.expunge(row)
        assert {d.network: d.state for d in rows} == {"x": "published",
                                                      "facebook": "published"}
        self.round(later=False)  # the daemon starts watching them
        return {d.network: d for d in rows}

    def advance(self, seconds: float) -> None:
        """The fake clock moves, and the sandbox's with it (X's times agree with ours)."""
        self.clock.advance(seconds)
        self.control.advance_clock(seconds)

    def round(self, later: bool = True) -> dict[str, Any]:
        """A comments round of the daemon with the real clients (on the fake clock),
        ``later``: when a new post is looked under again."""
        if later:
            self.advance(60 * self.app.settings.comments_new_minutes)
        done = CommentRounds(self.app.store, self.app.settings, self.clock, None,
                             self.secrets, "daemon-test").run()
        assert done is not None
        return done

    def budget(self, dollars: float) -> None:
        """``[x] monthly_budget`` in the settings file and in the app's settings."""
        config = self.home / "config.toml"
        text = config.read_text(encoding="utf-8")
        lines = [line for line in text.splitlines() if not line.startswith("monthly_budget")]
        text = "\n".join(lines).replace("[x]", f"[x]\nmonthly_budget = {dollars}") + "\n"
        config.write_text(text, encoding="utf-8")
        self.app.settings = replace(self.app.settings, x_monthly_budget=dollars)

    def searches(self) -> int:
        return sum(1 for r in self.control.requests() if r["endpoint"] == "search_recent")

    def charges(self, kind: str | None = None) -> list[XCharge]:
        with self.app.store.read() as db:
            query = select(XCharge).order_by(XCharge.id)
            if kind is not None:
                query = query.where(XCharge.kind == kind)
            return list(db.scalars(query))

    def comment_id(self, remote_id: str) -> int:
        with self.app.store.read() as db:
            found = db.scalar(select(Comment.id).where(Comment.remote_id == remote_id))
            assert found is not None, remote_id
            return found


@pytest.fixture
def desk(make_app: Callable[..., App], clock: FakeClock, home: Path,
         monkeypatch: pytest.MonkeyPatch) -> Iterator[Desk]:
    with SandboxServer() as server:
        monkeypatch.setenv("COSTANZA_PLATFORM_URL", server.base_url)
        app = make_app()
        control = SandboxClient(server.base_url)
        control.advance_clock(clock.now().timestamp() - control.advance_clock(0))
        creds = control.create_accounts("bottega")
        secrets = SecretStore(app.settings.home.secrets_file, env={})
        secrets.put("my-x", {**{k: creds["x"][k] for k in X_KEYS},
                             "username": creds["x"]["username"]})
        secrets.put("my-facebook", {"page_token": creds["facebook"]["page_token"]})
        with app.store.write() as db:
            profile = get_profile(db, "default")
            for network, remote_id in (("x", creds["x"]["user_id"]),
                                       ("facebook", creds["facebook"]["page_id"])):
                db.add(Account(profile_id=profile.id, network=network, name=f"my-{network}",
                               remote_id=remote_id, created_at=clock.now()))
        yield Desk(app, clock, control, secrets, home)


def _json(result: Result) -> dict[str, Any]:
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_each_x_fetch_charges_the_posts_it_read_once(desk: Desk, run: Run) -> None:
    x = desk.publish("Il telaio nuovo è arrivato in bottega")["x"]
    for n in range(3):
        desk.control.add_comment("x", x.remote_id, f"Bello {n}!")
    done = desk.round()
    assert done["new"] >= 3 and desk.searches() == 1
    (first,) = desk.charges("read")
    assert (first.part, first.quantity, first.delivery_id) == (-1, 3, x.id)
    assert first.amount_micro == 3 * 5_000 and first.post_id == x.post_id

    desk.control.add_comment("x", x.remote_id, "Quanto costa?")
    desk.round()
    assert desk.searches() == 2
    assert [(c.part, c.quantity) for c in desk.charges("read")] == [(-1, 3), (-2, 4)]
    with desk.app.store.write() as db:  # the same fetch recorded again (another daemon)
        watch = db.get(CommentWatch, x.id)
        assert watch is not None and watch.fetches == 2
        assert record_reads(db, profile_id=x.profile_id, post_id=x.post_id,
                            delivery_id=x.id, fetch_number=watch.fetches, reads=4,
                            settings=desk.app.settings, now=desk.clock.now()) == 0
    assert len(desk.charges("read")) == 2

    costs = _json(run("costs", "--json"))
    assert costs["kinds"]["read"] == {"count": 7, "usd": "0.035", "micro": 35_000}
    assert costs["count"] == 1  # the post itself; reads are not posts
    assert costs["total_micro"] == 15_000 + 35_000


def test_an_answer_sent_on_x_is_charged_as_a_post_once(desk: Desk, run: Run) -> None:
    x = desk.publish("Miele di castagno")["x"]
    asked = desk.control.add_comment("x", x.remote_id, "Lo spedite?")
    desk.round()
    comment = desk.comment_id(asked["id"])
    result = _json(run("reply", str(comment), "Sì, in tutta Italia.", "--json"))
    assert result["result"] == "sent"
    (charge,) = [c for c in desk.charges() if c.part >= REPLY_PARTS]
    assert charge.part == REPLY_PARTS + result["reply_id"]
    assert (charge.kind, charge.quantity, charge.amount_micro) == ("post", 1, 15_000)
    assert (charge.delivery_id, charge.remote_id) == (x.id, result["remote_id"])
    desk.round()  # the answer is read back under the post: no second charge for it
    assert len([c for c in desk.charges() if c.part >= REPLY_PARTS]) == 1
    costs = _json(run("costs", "--json"))
    assert costs["count"] == 2 and costs["kinds"]["post"]["count"] == 2


def test_an_answer_found_after_an_unknown_outcome_is_charged_once(desk: Desk,
                                                                 run: Run) -> None:
    x = desk.publish("Il forno è acceso")["x"]
    asked = desk.control.add_comment("x", x.remote_id, "A che ora aprite?")
    desk.round()
    desk.control.fault("x", "tweets", method="POST", after_effect=True)
    result = _json(run("reply", str(desk.comment_id(asked["id"])), "Alle sette.", "--json"))
    assert (result["result"], result["state"]) == ("saved", "unknown")
    assert [c for c in desk.charges() if c.part >= REPLY_PARTS] == []  # not known yet
    desk.round()  # looked up: found on X, so sent (and charged)
    with desk.app.store.write() as db:
        reply = db.get(CommentReply, result["reply_id"])
        assert reply is not None and reply.state == "sent"
        answer_id = reply.remote_id
        reply.state, reply.due_at = "unknown", desk.clock.now()  # as if unsure again
    desk.round()  # found again
    with desk.app.store.read() as db:
        assert db.get(CommentReply, result["reply_id"]).state == "sent"
    replies = [c for c in desk.charges() if c.part >= REPLY_PARTS]
    assert len(replies) == 1 and replies[0].remote_id == answer_id
    assert [c["text"] for c in desk.control.comments("x") if c["by_account"]] == [
        "Alle sette."]
    assert _json(run("costs", "--json"))["count"] == 2


def test_the_budget_reached_stops_x_comments_and_leaves_facebook_alone(
        desk: Desk, run: Run) -> None:
    published = desk.publish("Le ciotole di terracotta")
    x, fb = published["x"], published["facebook"]
    on_x = desk.control.add_comment("x", x.remote_id, "Che belle!")
    desk.control.add_comment("facebook", fb.remote_id, "Le voglio!")
    desk.round()
    assert desk.searches() == 1
    spent = 15_000 + 5_000  # the post and the one comment read
    desk.budget(spent / 1_000_000)
    with desk.app.store.read() as db:
        status = budget_of(db, desk.app.settings, x.profile_id, desk.clock.now())
        assert status.blocked and status.spent == spent
    with desk.app.store.write() as db:  # an answer the daemon was about to send
        queued = cm.queue_reply(db, x.profile_id, desk.comment_id(on_x["id"]), "Grazie!",
                                desk.clock.now()).id

    desk.control.add_comment("x", x.remote_id, "Ne fate di blu?")
    desk.control.add_comment("facebook", fb.remote_id, "Spedite a Torino?")
    done = desk.round()
    assert desk.searches() == 1  # X was not read again
    assert [c["text"] for c in desk.control.comments("x") if c["by_account"]] == []
    with desk.app.store.read() as db:
        texts = set(db.scalars(select(Comment.text)))
        watch = db.get(CommentWatch, x.id)
        reply = db.get(CommentReply, queued)
    assert "Spedite a Torino?" in texts and "Ne fate di blu?" not in texts
    assert watch is not None and utc(watch.next_fetch_at) == status.until
    assert watch.problem_code == "x_budget" and "comments on X are not read" in watch.problem
    assert reply is not None and reply.state == "retry" and reply.attempts == 0
    assert utc(reply.due_at) == status.until and "your answer on X waits" in reply.reason
    assert any("comments on X are not read" in p for p in done["problems"])
    listing = _json(run("comments", "--json"))
    assert [p["code"] for p in listing["problems"]] == ["x_budget"]
    assert "Comments on X cannot be read (1 post): The X budget of $0.02 is reached" in run(
        "comments").output
    assert "raise `[x] monthly_budget`" in run("status").output
    assert len(desk.charges()) == 2  # the post and the first read: nothing more


def test_reply_on_x_over_the_budget_is_refused_and_nothing_is_written(
        desk: Desk, run: Run) -> None:
    published = desk.publish("Il pane caldo")
    x, fb = published["x"], published["facebook"]
    on_x = desk.control.add_comment("x", x.remote_id, "Fate consegne?")
    on_fb = desk.control.add_comment("facebook", fb.remote_id, "Buonissimo")
    desk.round()
    desk.budget(0.015)
    result = run("reply", str(desk.comment_id(on_x["id"])), "Sì, in paese.")
    assert result.exit_code == 1
    assert "your answer was not sent" in result.output
    assert "The budget starts again on 1 " in result.output
    assert "raise `[x] monthly_budget` in the settings" in result.output
    with desk.app.store.read() as db:
        assert db.scalar(select(func.count()).select_from(CommentReply)) == 0
    assert [c for c in desk.control.comments("x") if c["by_account"]] == []
    answer = _json(run("reply", str(desk.comment_id(on_fb["id"])), "Grazie!", "--json"))
    assert answer["result"] == "sent"  # Facebook is not X's budget


def test_a_higher_budget_lets_the_waiting_x_work_go_on(desk: Desk) -> None:
    x = desk.publish("La lana cardata")["x"]
    on_x = desk.control.add_comment("x", x.remote_id, "Quanto costa?")
    desk.round()
    desk.budget(0.015)
    with desk.app.store.write() as db:
        queued = cm.queue_reply(db, x.profile_id, desk.comment_id(on_x["id"]), "40 euro",
                                desk.clock.now()).id
    desk.round()
    assert desk.searches() == 1
    desk.budget(5)
    desk.round(later=False)
    with desk.app.store.read() as db:
        assert db.get(CommentReply, queued).state == "sent"
        watch = db.get(CommentWatch, x.id)
        assert watch is not None and watch.problem is None
    assert desk.searches() == 2
    assert [c["text"] for c in desk.control.comments("x") if c["by_account"]] == ["40 euro"]


def test_a_held_post_too_old_by_the_next_month_is_not_read_again(desk: Desk,
                                                                run: Run) -> None:
    x = desk.publish("Il cesto di vimini")["x"]
    desk.control.add_comment("x", x.remote_id, "Che bello")
    desk.round()
    desk.budget(0.015)
    desk.round()
    with desk.app.store.read() as db:
        until = budget_of(db, desk.app.settings, x.profile_id, desk.clock.now()).until
        assert db.get(CommentWatch, x.id).problem_code == "x_budget"
    desk.advance((until + timedelta(days=8) - desk.clock.now()).total_seconds())
    desk.round(later=False)  # a new month: the budget allows it, but the post is too old
    assert desk.searches() == 1
    with desk.app.store.read() as db:
        watch = db.get(CommentWatch, x.id)
        assert watch is not None and watch.next_fetch_at is None and watch.problem is None
    assert _json(run("comments", "--json"))["problems"] == []


def test_release_lets_go_only_the_replies_the_budget_holds(desk: Desk) -> None:
    x = desk.publish("La coperta a quadri")["x"]
    held_on = desk.control.add_comment("x", x.remote_id, "Quanto costa?")
    other_on = desk.control.add_comment("x", x.remote_id, "E la spedizione?")
    desk.round()
    desk.budget(0.015)
    now = desk.clock.now()
    with desk.app.store.write() as db:
        held = cm.queue_reply(db, x.profile_id, desk.comment_id(held_on["id"]), "40 euro",
                              now).id
    desk.round(later=False)
    with desk.app.store.write() as db:
        status = budget_of(db, desk.app.settings, x.profile_id, desk.clock.now())
        row = db.get(CommentReply, held)
        assert row is not None and row.hold_code == "x_budget" and row.state == "retry"
        # A retry the network asked for that happens to fall on the same moment: not
        # the budget's, so not let go with it.
        other = cm.queue_reply(db, x.profile_id, desk.comment_id(other_on["id"]),
                               "Gratis", now)
        other.state, other.due_at = "retry", status.until
        other_id = other.id
    desk.budget(5)
    desk.round(later=False)
    with desk.app.store.read() as db:
        sent, waiting = db.get(CommentReply, held), db.get(CommentReply, other_id)
        assert sent is not None and sent.state == "sent" and sent.hold_code is None
        assert waiting is not None and waiting.state == "retry"
        assert utc(waiting.due_at) == status.until
    assert [c["text"] for c in desk.control.comments("x") if c["by_account"]] == ["40 euro"]
