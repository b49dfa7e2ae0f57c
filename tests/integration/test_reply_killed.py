"""A kill during a reply: `costanza reply` is SIGKILLed while its answer is in flight,
and the answer ends on the network exactly once.

Each case runs against the sandbox (a real HTTP server) with real processes on one SQLite
file: a post is published, a comment is added under it in the sandbox and fetched, then
`costanza reply` runs as a subprocess until its reply row says "sending" (the intent is
committed) and the sandbox has taken the armed fault (the request has arrived), and is
killed there. A daemon started afterwards settles the reply:

- held: the sandbox holds the answer (``commit_delay_secs``) and creates it after the
  process died; the daemon finds it (``find_reply``) and marks it sent, sending nothing;
- lost: the sandbox holds the connection and drops it without effect (``timeout``), so
  the answer never landed; after the settle window the daemon sends it, once.

The sandbox's own record (the comments under that comment) and the database (the reply
"sent", its remote id the sandbox's answer) are the judges.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from tests.integration.scale.harness import DaemonProcess, make_env, wait_until

pytestmark = pytest.mark.slow

NETWORKS = ("facebook", "instagram", "x")
# The route (and method) each network's answer is created on (costanza/demo/sandbox/faults.py).
REPLY_ROUTES = {"facebook": ("fb_reply", None), "instagram": ("ig_reply", None),
                "x": ("tweets", "POST")}
# Short network settings: no answer after 4 s, a reply not found is sent again 8 s after
# its last request; a reply left "sending" by a dead process is free after 3 s.
TIMEOUT, SETTLE, LEASE = 4, 8, 3
HELD_SECS = 2.5  # the held answer lands this long after it arrived (under the timeout)
ANSWER = "Grazie! Il telaio è del 1920."


@dataclass
class Bench:
    """A Costanza home connected to the sandbox, with one post published on a network
    and one comment under it, fetched into the store."""

    env: dict[str, str]
    home: Path
    control: Any
    network: str
    post_remote_id: str
    comment_remote_id: str
    comment_id: int
    before: int = 0  # the requests to create something made while setting up (the post)

    def app(self) -> Any:
        from costanza.app import App

        return App.load(env=self.env)

    def reply_row(self) -> Any:
        from posts.comment_tables import CommentReply

        app = self.app()
        try:
            with app.store.read() as db:
                row = db.scalars(select(CommentReply).where(
                    CommentReply.comment_id == self.comment_id)).one_or_none()
                if row is not None:
                    db.expunge(row)
                return row
        finally:
            app.close()

    def state(self) -> str | None:
        row = self.reply_row()
        return row.state if row is not None else None

    def answers(self) -> list[dict[str, Any]]:
        """The sandbox's record: the answers under the comment (by the account)."""
        return [c for c in self.control.comments(self.network)
                if c["parent"] == self.comment_remote_id and c["by_account"]
                and not c["deleted"]]

    def reply_requests(self) -> int:
        """How many requests to create an answer reached the sandbox (X's answers are
        posts: the post's own request is left out)."""
        endpoint, method = REPLY_ROUTES[self.network]
        return sum(1 for r in self.control.requests() if r["endpoint"] == endpoint
                   and r["network"] == self.network
                   and (method is None or r["method"] == method)) - self.before

    def arm(self, **fault: Any) -> None:
        endpoint, method = REPLY_ROUTES[self.network]
        self.control.fault(self.network, endpoint, **({"method": method} if method else {}),
                           **fault)


def _set_up(env: dict[str, str], base_url: str) -> None:
    from config.edit import set_values
    from costanza.app import App
    from costanza.demo.accounts import connect_sandbox_accounts
    from costanza.services.setup import initialise

    app = App.load(env=env)
    try:
        initialise(app, timezone="Europe/Rome", slots="mon 09:30", force=False)
        cfg = app.settings.home.config_file
        set_values(cfg, "daemon", {"poll_seconds": 0.2, "lease_seconds": LEASE,
                                   "retry_base_seconds": 0.5, "retry_max_seconds": 5})
        set_values(cfg, "networks", {"timeout_seconds": TIMEOUT,
                                     **{f"settle_seconds_{n}": SETTLE for n in NETWORKS}})
        set_values(cfg, "media_host", {"kind": "sandbox", "url": base_url})
    finally:
        app.close()
    app = App.load(env=env)
    try:
        connect_sandbox_accounts(app, base_url, "bottega", env)
    finally:
        app.close()


def _publish(env: dict[str, str], network: str, folder: Path) -> str:
    """A post published on ``network`` by `costanza daemon --once`; its id there."""
    import time

    from costanza.app import App
    from costanza.demo.media import make_photo
    from posts import queue
    from posts.models import Delivery
    from posts.profiles import get_profile

    app = App.load(env=env)
    try:
        photos = [make_photo(folder / "telaio.jpg", (800, 800), (120, 80, 40), "telaio")] \
            if network == "instagram" else []
        with app.store.write() as db:
            profile = get_profile(db, app.profile_name)
            draft = queue.PostDraft(text="Il telaio nuovo, appena arrivato in bottega.",
                                    photos=photos, targets=[network],
                                    at=app.clock.now() + timedelta(seconds=1))
            post_id = queue.add_post(db, app.media, profile, draft, app.clock.now()).post.id
        time.sleep(1.2)
        done = subprocess.run([sys.executable, "-m", "costanza", "daemon", "--once"],
                              env=env, capture_output=True, text=True, timeout=120)
        with app.store.read() as db:
            delivery = db.scalars(select(Delivery).where(Delivery.post_id == post_id)).one()
            assert delivery.state == "published" and delivery.remote_id, done.stderr
            return delivery.remote_id
    finally:
        app.close()


def _fetch_comment(env: dict[str, str], remote_id: str) -> int:
    """A comments round of the daemon's own code, in this process; the comment's id."""
    from config.secrets import SecretStore
    from costanza.app import App
    from posts import comments as cm
    from posts.comment_tables import Comment, CommentWatch
    from scheduler.comments.rounds import CommentRounds

    app = App.load(env=env)
    try:
        with app.store.write() as db:  # watched, and looked under now (not in 15 minutes)
            cm.watch_published(db, app.clock.now(), app.settings)
            db.execute(update(CommentWatch).values(next_fetch_at=app.clock.now()))
        secrets = SecretStore(app.settings.home.secrets_file, env)
        done = CommentRounds(app.store, app.settings, app.clock, None, secrets,
                             "set-up").run()
        assert done is not None and done["new"] == 1, done
        with app.store.read() as db:
            found = db.scalar(select(Comment.id).where(Comment.remote_id == remote_id))
            assert found is not None
            return int(found)
    finally:
        app.close()


@pytest.fixture(params=NETWORKS)
def bench(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Bench]:
    from costanza.demo.sandbox.control import SandboxClient
    from costanza.demo.sandbox.server import SandboxServer

    network = request.param
    with SandboxServer(data_dir=tmp_path / "sandbox") as server:
        control = SandboxClient(server.base_url)
        control.settings(ig_processing_secs=0.3)
        env = make_env(tmp_path / "home", server.base_url, None)
        _set_up(env, server.base_url)
        post = _publish(env, network, tmp_path)
        comment = control.add_comment(network, post, "Bellissimo! Di che anno è il telaio?",
                                      author="Giulia Rossi")
        comment_id = _fetch_comment(env, comment["id"])
        bench = Bench(env, tmp_path / "home", control, network, post, comment["id"],
                      comment_id)
        bench.before = bench.reply_requests()
        yield bench


def _reply_and_kill(bench: Bench, log: Path) -> None:
    """`costanza reply` in a subprocess, SIGKILLed once its intent is committed and the
    sandbox has taken the armed fault (the request arrived and is held)."""
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "costanza", "reply", str(bench.comment_id), ANSWER],
            env=bench.env, stdout=out, stderr=subprocess.STDOUT)
        try:
            in_flight = wait_until(lambda: bench.state() == "sending"
                                   and not bench.control.faults(), timeout=20, every=0.05)
            proc.send_signal(signal.SIGKILL)
        finally:
            proc.wait(10)
    assert in_flight, log.read_text(errors="replace")
    assert proc.returncode == -signal.SIGKILL
    row = bench.reply_row()
    assert row.state == "sending" and row.attempts == 1 and row.remote_id is None


def _daemon_settles(bench: Bench, log: Path) -> Any:
    """A daemon started afterwards, until the reply is sent; the reply's row."""
    daemon = DaemonProcess(bench.env, log, concurrency=1).start()
    try:
        # The daemon's comments job runs 30 s after it starts, then every 30 s.
        assert wait_until(lambda: bench.state() == "sent", timeout=120, every=0.5), \
            log.read_text(errors="replace")
    finally:
        daemon.stop()
    return bench.reply_row()


def test_an_answer_held_by_the_network_is_found_not_sent_again(bench: Bench,
                                                               tmp_path: Path) -> None:
    bench.arm(commit_delay_secs=HELD_SECS)
    _reply_and_kill(bench, tmp_path / "reply.log")
    # The process is dead, the request lives on: the network creates the answer.
    assert wait_until(lambda: len(bench.answers()) == 1, timeout=15, every=0.2)
    assert bench.state() == "sending"

    row = _daemon_settles(bench, tmp_path / "daemon.log")
    answers = bench.answers()
    assert [a["text"] for a in answers] == [ANSWER]
    assert row.state == "sent" and row.remote_id == answers[0]["id"]
    assert row.attempts == 1  # looked up and found: no second intent, no second send
    assert bench.reply_requests() == 1


def test_an_answer_that_never_landed_is_sent_once_after_the_settle_window(
        bench: Bench, tmp_path: Path) -> None:
    bench.arm(timeout=True, hold_secs=60)  # held, then dropped: nothing happened
    _reply_and_kill(bench, tmp_path / "reply.log")
    assert bench.answers() == []

    row = _daemon_settles(bench, tmp_path / "daemon.log")
    answers = bench.answers()
    assert [a["text"] for a in answers] == [ANSWER]
    assert row.state == "sent" and row.remote_id == answers[0]["id"]
    assert row.attempts == 2  # the killed try, and the one send after the lookup
    assert row.sent_at >= row.intent_at + timedelta(seconds=SETTLE)
    assert bench.reply_requests() == 2  # the one dropped, the one that landed
