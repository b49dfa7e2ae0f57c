"""XCommentClient against the sandbox: real HTTP, tweepy, OAuth 1.0a signatures."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from config.errors import AuthExpired, OutcomeUnknown, PublishFailed, RateLimited, RetryLater
from costanza.demo.sandbox.control import SandboxClient
from costanza.demo.sandbox.server import SandboxServer
from scheduler.comments.base import Target
from scheduler.comments.x import XCommentClient
from scheduler.publishers.base import AccountAuth, PublishRequest
from scheduler.publishers.x.publisher import XPublisher
from tests.scheduler.comments.conftest import Sends

STORY = " ".join(
    f"Giorno {i}: abbiamo tessuto la lana, l'abbiamo lavata e stesa al sole del cortile."
    for i in range(1, 9))


class Sandbox:
    def __init__(self, server: SandboxServer) -> None:
        self.base_url = server.base_url
        self.control = SandboxClient(server.base_url)
        self.creds = self.control.create_accounts("demo")["x"]
        self.account = AccountAuth("x", "demo", self.creds["user_id"], {
            k: self.creds[k] for k in ("consumer_key", "consumer_secret", "access_token",
                                       "access_token_secret", "username")})

    def publish(self, text: str, *, thread: bool = False) -> Target:
        request = PublishRequest(delivery_id=7, post_id=3, network="x", text=text, media=[],
                                 account=self.account, thread=thread,
                                 intent_at=datetime.now(UTC))
        result = XPublisher(self.base_url, timeout=10).publish(request, lambda values: None)
        return Target(delivery_id=7, network="x", remote_id=result.remote_id,
                      account=self.account, published_at=datetime.now(UTC),
                      extra=dict(result.extra))

    def searches(self) -> int:
        return sum(1 for r in self.control.requests() if r["endpoint"] == "search_recent")

    def answers(self) -> list[dict[str, Any]]:
        return [c for c in self.control.comments("x") if c["by_account"]]


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with SandboxServer() as server:
        yield Sandbox(server)


@pytest.fixture
def client(sandbox: Sandbox) -> XCommentClient:
    return XCommentClient(sandbox.base_url, timeout=10)


def test_fetch_reads_every_page(sandbox: Sandbox) -> None:
    target = sandbox.publish("Il telaio nuovo è arrivato in bottega.")
    ids = [sandbox.control.add_comment("x", target.remote_id, f"Bello {n}!",
                                       author=f"Cliente {n}")["id"] for n in range(25)]
    fetched = XCommentClient(sandbox.base_url, timeout=10, page_size=10).fetch(target, None)
    assert [c.remote_id for c in fetched.comments] == ids  # oldest first
    assert fetched.complete is True and fetched.reads == 25
    assert sandbox.searches() == 3
    first = fetched.comments[0]
    assert (first.text, first.author_name, first.author_handle) == ("Bello 0!", "Cliente 0",
                                                                   "cliente_0")
    assert first.parent_remote_id is None and first.mine is False
    assert first.written_at.tzinfo is not None


def test_replies_to_replies_and_the_accounts_own(sandbox: Sandbox,
                                                client: XCommentClient) -> None:
    target = sandbox.publish("Scialli di lana, colori nuovi.")
    question = sandbox.control.add_comment("x", target.remote_id, "Quanto costa il blu?")
    echo = sandbox.control.add_comment("x", target.remote_id, "Anche io!",
                                       author="Marco Bianchi", parent=question["id"])
    answer = client.reply(target, question["id"], "Quaranta euro, spedizione compresa.",
                          Sends())
    fetched = client.fetch(target, None)
    by_id = {c.remote_id: c for c in fetched.comments}
    assert set(by_id) == {question["id"], echo["id"], answer}
    assert by_id[question["id"]].parent_remote_id is None
    assert by_id[echo["id"]].parent_remote_id == question["id"]
    assert by_id[echo["id"]].author_handle == "marco_bianchi"
    assert by_id[answer].parent_remote_id == question["id"]
    assert by_id[answer].mine is True and by_id[question["id"]].mine is False
    assert by_id[answer].author_handle == sandbox.creds["username"]


def test_a_threads_own_parts_are_not_comments(sandbox: Sandbox,
                                              client: XCommentClient) -> None:
    target = sandbox.publish(STORY, thread=True)
    parts = target.extra["tweet_ids"]
    assert len(parts) >= 3
    on_second = sandbox.control.add_comment("x", parts[1], "Che lavoro!")
    on_first = sandbox.control.add_comment("x", parts[0], "Bellissimo")
    fetched = client.fetch(target, None)
    assert [c.remote_id for c in fetched.comments] == [on_second["id"], on_first["id"]]
    assert all(c.parent_remote_id is None for c in fetched.comments)
    assert fetched.reads == len(parts) - 1 + 2  # X bills the later parts it returns too


def test_a_deleted_comment_is_no_longer_listed(sandbox: Sandbox,
                                               client: XCommentClient) -> None:
    target = sandbox.publish("Formaggio fresco oggi.")
    kept = sandbox.control.add_comment("x", target.remote_id, "Arrivo!")
    gone = sandbox.control.add_comment("x", target.remote_id, "Sbagliato post")
    assert len(client.fetch(target, None).comments) == 2
    sandbox.control.delete_comment(gone["id"])
    fetched = client.fetch(target, None)
    assert [c.remote_id for c in fetched.comments] == [kept["id"]]
    assert fetched.complete is True


def test_a_post_past_the_searchs_seven_days_is_never_complete(sandbox: Sandbox) -> None:
    target = sandbox.publish("Una settimana fa.")
    later = datetime.now(UTC) + timedelta(days=7, hours=1)
    fetched = XCommentClient(sandbox.base_url, timeout=10, now=lambda: later).fetch(target,
                                                                                    None)
    assert fetched.complete is False


def test_429_is_rate_limited_until_the_reset(sandbox: Sandbox, client: XCommentClient) -> None:
    target = sandbox.publish("Aperti anche domenica.")
    reset = int(time.time()) + 600
    sandbox.control.fault("x", "search_recent", rate_limit_reset=reset)
    with pytest.raises(RateLimited) as caught:
        client.fetch(target, None)
    assert caught.value.retry_at == datetime.fromtimestamp(reset, UTC)
    sandbox.control.settings(x_search_per_window=1)
    client.fetch(target, None)
    with pytest.raises(RateLimited) as caught:
        client.find_reply(target, "1", "Grazie", datetime.now(UTC))
    assert caught.value.retry_at is not None and caught.value.retry_at > datetime.now(UTC)


def test_server_errors_while_reading_are_retry_later(sandbox: Sandbox,
                                                    client: XCommentClient) -> None:
    target = sandbox.publish("Pane caldo.")
    sandbox.control.fault("x", "search_recent", status=503)
    with pytest.raises(RetryLater) as caught:
        client.fetch(target, None)
    assert not isinstance(caught.value, RateLimited)


def test_a_reply_lands_once_under_the_right_comment(sandbox: Sandbox,
                                                   client: XCommentClient) -> None:
    target = sandbox.publish("Nuove ceramiche.")
    first = sandbox.control.add_comment("x", target.remote_id, "Belle!")
    second = sandbox.control.add_comment("x", target.remote_id, "Fate spedizioni?")
    sends = Sends()
    answer = client.reply(target, second["id"], "Sì, in tutta Italia.", sends)
    assert sends.count == 1
    [record] = sandbox.answers()
    assert record["id"] == answer and record["parent"] == second["id"] != first["id"]
    assert record["text"] == "Sì, in tutta Italia."
    assert [p["id"] for p in sandbox.control.posts("x")] == [target.remote_id, answer]


def test_before_send_refusing_sends_nothing(sandbox: Sandbox, client: XCommentClient) -> None:
    target = sandbox.publish("Miele di castagno.")
    comment = sandbox.control.add_comment("x", target.remote_id, "Buono?")

    def lost_claim() -> None:
        raise RuntimeError("claim lost")

    with pytest.raises(RuntimeError):
        client.reply(target, comment["id"], "Buonissimo.", lost_claim)
    assert sandbox.answers() == []


def test_find_reply_after_an_unknown_outcome(sandbox: Sandbox, client: XCommentClient) -> None:
    target = sandbox.publish("Il forno è acceso.")
    comment = sandbox.control.add_comment("x", target.remote_id, "A che ora aprite?")
    other = sandbox.control.add_comment("x", target.remote_id, "Anche io vorrei saperlo")
    before = datetime.now(UTC)
    sandbox.control.fault("x", "tweets", after_effect=True)
    with pytest.raises(OutcomeUnknown):
        client.reply(target, comment["id"], "Alle sette, come sempre.", Sends())
    [record] = sandbox.answers()  # it went out, once
    assert client.find_reply(target, comment["id"], "Alle  sette, come sempre.",
                             before) == record["id"]
    assert client.find_reply(target, other["id"], "Alle sette, come sempre.", before) is None
    assert client.find_reply(target, comment["id"], "Alle otto.", before) is None
    assert client.find_reply(target, comment["id"], "Alle sette, come sempre.",
                             before + timedelta(hours=1)) is None


def test_a_duplicate_answer_is_refused_in_plain_words(sandbox: Sandbox,
                                                     client: XCommentClient) -> None:
    target = sandbox.publish("Saldi di fine stagione.")
    one = sandbox.control.add_comment("x", target.remote_id, "Bello")
    two = sandbox.control.add_comment("x", target.remote_id, "Bellissimo")
    client.reply(target, one["id"], "Grazie!", Sends())
    with pytest.raises(PublishFailed, match="a little differently"):
        client.reply(target, two["id"], "Grazie!", Sends())
    gone = sandbox.control.add_comment("x", target.remote_id, "Ops")
    sandbox.control.delete_comment(gone["id"])
    with pytest.raises(PublishFailed, match="X refused the answer"):
        client.reply(target, gone["id"], "Nessun problema", Sends())


def test_hide_and_show_a_reply(sandbox: Sandbox, client: XCommentClient) -> None:
    target = sandbox.publish("Orari di dicembre.")
    spam = sandbox.control.add_comment("x", target.remote_id, "Compra follower qui")
    client.hide(target, spam["id"], True)
    assert sandbox.control.comments("x")[0]["hidden"] is True
    client.hide(target, spam["id"], False)
    assert sandbox.control.comments("x")[0]["hidden"] is False
    answer = client.reply(target, spam["id"], "No grazie.", Sends())
    with pytest.raises(PublishFailed, match="hide"):
        client.hide(target, answer, True)


def test_an_account_without_keys_must_be_connected_again(sandbox: Sandbox,
                                                         client: XCommentClient) -> None:
    target = sandbox.publish("Prova.")
    bare = Target(delivery_id=7, network="x", remote_id=target.remote_id,
                  account=AccountAuth("x", "demo", sandbox.creds["user_id"], {}),
                  published_at=target.published_at)
    with pytest.raises(AuthExpired):
        client.fetch(bare, None)


def test_a_limit_or_a_server_error_while_reading_says_the_comments_wait(
        sandbox: Sandbox, client: XCommentClient) -> None:
    """A read posts nothing: its refusals say when the comments are read, not that
    "nothing was posted"."""
    target = sandbox.publish("Formaggio di malga.")
    sandbox.control.fault("x", "search_recent", rate_limit_reset=int(time.time()) + 600)
    with pytest.raises(RateLimited) as limited:
        client.fetch(target, None)
    sandbox.control.fault("x", "search_recent", status=429)
    with pytest.raises(RateLimited) as unsaid:
        client.fetch(target, None)
    sandbox.control.fault("x", "search_recent", status=503)
    with pytest.raises(RetryLater) as broken:
        client.fetch(target, None)
    assert limited.value.message.startswith(
        "X asked Costanza to slow down (too many calls), so the comments could not be read "
        "now; Costanza reads them again after ")
    assert unsaid.value.retry_at is None and unsaid.value.message.endswith(
        "Costanza reads them again in a while.")
    assert broken.value.message == ("X had a temporary problem, so the comments could not "
                                    "be read now; Costanza reads them again later.")
    for caught in (limited, unsaid, broken):
        assert "posted" not in caught.value.message
