"""The settle window: a post whose create request the network holds longer than Costanza
waits for its answer is never sent twice, by a calm daemon or across a kill -9.

The sandbox holds the request (``commit_delay_secs``) and creates the post only after
Costanza has given up waiting; a re-send made meanwhile would be accepted, and the held
request, checked when it arrived, would land as well: a double. Costanza must keep
"checking whether it went out" until no earlier request can still land.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from config.clock import FakeClock, utc
from config.errors import SettingsError
from config.secrets import SecretStore
from config.settings import load_settings
from costanza.app import App
from costanza.demo.sandbox.control import SandboxClient
from costanza.demo.sandbox.server import SandboxServer
from costanza.formatting import local_label
from posts.models import Account, Attempt, Delivery
from posts.profiles import get_profile
from posts.settle import sent_at
from scheduler.publishers.registry import make_publisher
from scheduler.worker import Worker
from tests.factories.queue import add

X_KEYS = ("consumer_key", "consumer_secret", "access_token", "access_token_secret")


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[SandboxServer]:
    with SandboxServer(data_dir=tmp_path / "sandbox") as server:
        yield server


def wait_for(predicate: Callable[[], Any], timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    return predicate()


def history(app: App, delivery_id: int) -> list[tuple[str, str, str]]:
    with app.store.read() as db:
        return [(a.action, a.outcome, a.message or "") for a in db.scalars(
            select(Attempt).where(Attempt.delivery_id == delivery_id).order_by(Attempt.id))]


def delivery_of(app: App, post_id: int, network: str = "x") -> Delivery:
    with app.store.read() as db:
        found = db.scalars(select(Delivery).where(Delivery.post_id == post_id,
                                                  Delivery.network == network)).one()
        db.expunge(found)
        return found


# -- a calm daemon (in-process, fake clock) -------------------------------------

def add_due(app: App, clock: FakeClock, text: str, targets: list[str]) -> int:
    """A post pinned a second ahead, and the clock moved onto it: due now."""
    post_id = add(app, text, targets, at=clock.now() + timedelta(seconds=1))
    clock.advance(1)
    return post_id


def connect_sandbox(app: App, secrets: SecretStore, creds: dict[str, dict[str, str]]) -> None:
    secrets.put("my-x", {**{k: creds["x"][k] for k in X_KEYS},
                         "username": creds["x"]["username"]})
    secrets.put("my-facebook", {"page_token": creds["facebook"]["page_token"]})
    remote = {"x": creds["x"]["user_id"], "facebook": creds["facebook"]["page_id"]}
    with app.store.write() as db:
        profile = get_profile(db, "default")
        for network, remote_id in remote.items():
            db.add(Account(profile_id=profile.id, network=network, name=f"my-{network}",
                           remote_id=remote_id, created_at=app.clock.now()))


@pytest.fixture
def calm(app: App, clock: FakeClock, sandbox: SandboxServer) -> Iterator[dict[str, Any]]:
    """A worker on the fake clock publishing through the sandbox with a short HTTP
    timeout (real seconds); the sandbox's clock is set to the fake one, so that the
    posts' times and the attempts' times agree."""
    control = SandboxClient(sandbox.base_url)
    creds = control.create_accounts("bottega")
    sandbox_now = control._call("GET", "clock")["now"]
    control.advance_clock(clock.now().timestamp() - sandbox_now)
    secrets = SecretStore(app.settings.home.secrets_file, env={})
    connect_sandbox(app, secrets, creds)
    settings = dataclasses.replace(app.settings, networks_timeout_seconds=0.5)

    def publishers(network: str) -> Any:
        return make_publisher(network, sandbox.base_url,
                              timeout=settings.networks_timeout_seconds)

    worker = Worker(app.store, settings, clock, publishers, owner="calm", secrets=secrets)
    yield {"worker": worker, "control": control, "settings": settings}
    worker.shutdown()


def test_a_held_create_is_checked_until_the_settle_period_ends_then_published_once(
        app: App, clock: FakeClock, calm: dict[str, Any]) -> None:
    worker, control, settings = calm["worker"], calm["control"], calm["settings"]
    settle = timedelta(seconds=settings.settle_seconds_x)
    # The sandbox holds the post's request 3 s, far longer than the 0.5 s timeout.
    control.fault("x", "tweets", method="POST", commit_delay_secs=3.0)
    post_id = add_due(app, clock, "La lana cardata a mano, come una volta", ["x"])
    worker.tick()  # sent; no answer in time: the outcome is unknown
    first = delivery_of(app, post_id)
    assert first.state == "unknown"
    sent = sent_at(first.progress)
    assert sent is not None and sent <= clock.now()
    worker.tick()  # reconciled: nothing on the account yet, which proves nothing
    d = delivery_of(app, post_id)
    assert d.state == "unknown"
    assert d.reason.startswith("Checking whether it went out: X did not answer clearly")
    assert utc(d.due_at) == sent + settle
    assert control.posts("x") == []  # the held request has not landed yet
    steps = history(app, d.id)
    assert [(a, o) for a, o, _ in steps] == [("publish", "unknown"), ("reconcile", "unknown")]
    assert "looks again at" in steps[-1][2]

    # Meanwhile the queue goes on: another post goes out, and the first is not touched.
    other = add(app, "Il formaggio di malga è pronto", ["facebook"],
                at=clock.now() + timedelta(seconds=1))
    clock.advance(2)
    worker.tick()
    assert delivery_of(app, other, "facebook").state == "published"
    assert delivery_of(app, post_id).state == "unknown"
    assert len(history(app, d.id)) == 2  # not looked up again before its time

    # The held request lands, after the daemon gave up on it.
    assert wait_for(lambda: control.posts("x"), 10)
    clock.set(utc(d.due_at))
    worker.tick()
    done = delivery_of(app, post_id)
    assert done.state == "published"
    posts = [p for p in control.posts("x") if p["text"].startswith("La lana cardata")]
    assert len(posts) == 1
    assert done.remote_id == posts[0]["id"]
    assert history(app, d.id)[-1][:2] == ("reconcile", "published")


def test_still_missing_after_the_settle_period_is_published_again_once(
        app: App, clock: FakeClock, calm: dict[str, Any]) -> None:
    """A request that never lands (dropped after the hold): once the period has passed,
    not found is proof, and the post goes out once."""
    worker, control = calm["worker"], calm["control"]
    control.fault("x", "tweets", method="POST", timeout=True, hold_secs=1.0)
    post_id = add_due(app, clock, "Le ciotole di terracotta", ["x"])
    worker.tick()
    worker.tick()
    d = delivery_of(app, post_id)
    assert d.state == "unknown" and d.reason.startswith("Checking whether it went out")
    clock.set(utc(d.due_at))
    worker.tick()  # still not found, and nothing can land any more: published again
    worker.tick()
    assert delivery_of(app, post_id).state == "published"
    assert [p["text"] for p in control.posts("x")] == ["Le ciotole di terracotta"]
    outcomes = [(a, o) for a, o, _ in history(app, d.id)]
    assert outcomes == [("publish", "unknown"), ("reconcile", "unknown"),
                        ("reconcile", "retry"), ("publish", "published")]


def test_a_second_match_from_an_earlier_attempt_is_reported_not_hidden(
        app: App, clock: FakeClock, calm: dict[str, Any]) -> None:
    """Two attempts' posts both landed (a network that held the first beyond any settle
    period): the delivery is published once, with the oldest, and the other is named."""
    worker, control, settings = calm["worker"], calm["control"], calm["settings"]
    text = "Il miele di castagno, raccolto a settembre"
    # The first attempt lands late; the second lands soon, but its reply is lost.
    control.fault("x", "tweets", method="POST", commit_delay_secs=3.0)
    control.fault("x", "tweets", method="POST", commit_delay_secs=0.2, drop=True)
    post_id = add_due(app, clock, text, ["x"])
    worker.tick()
    d = delivery_of(app, post_id)
    assert d.state == "unknown"
    # As if a settle period had ended with nothing found: the second attempt goes out.
    with app.store.write() as db:
        row = db.get(Delivery, d.id)
        row.state, row.due_at = "retry_wait", clock.now()
    worker.tick()
    assert delivery_of(app, post_id).state == "unknown"
    assert wait_for(lambda: len(control.posts("x")) == 2, 10)
    clock.advance(seconds=settings.settle_seconds_x + 1)
    worker.tick()
    done = delivery_of(app, post_id)
    assert done.state == "published"
    oldest, other = control.posts("x")
    assert done.remote_id == oldest["id"]  # the oldest is the post
    assert "X shows this post 2 times" in done.reason
    assert other["id"] in done.reason
    assert other["id"] in history(app, d.id)[-1][2]


# -- settings ---------------------------------------------------------------

def test_the_settle_period_must_outlast_the_timeout(home: Path) -> None:
    home.mkdir(parents=True, exist_ok=True)
    cfg = home / "config.toml"
    cfg.write_text("[networks]\ntimeout_seconds = 30\nsettle_seconds_facebook = 20\n",
                   encoding="utf-8")
    with pytest.raises(SettingsError) as caught:
        load_settings(env={"COSTANZA_HOME": str(home)})
    message = caught.value.message
    assert "networks.settle_seconds_facebook" in message
    assert "must be longer than `networks.timeout_seconds` = 30" in message
    assert str(cfg) in message
    cfg.write_text("[networks]\ntimeout_seconds = 5\nsettle_seconds_x = 12\n",
                   encoding="utf-8")
    settings = load_settings(env={"COSTANZA_HOME": str(home)})
    assert (settings.networks_timeout_seconds, settings.settle_seconds_x,
            settings.settle_seconds_facebook) == (5, 12, 120)


def test_a_bad_settle_setting_is_refused_by_the_cli_and_changes_nothing(run,
                                                                        home: Path) -> None:
    assert run("init", "--timezone", "Europe/Rome").exit_code == 0
    (home / "config.toml").write_text("[networks]\nsettle_seconds_x = 10\n", encoding="utf-8")
    before = sorted(p.name for p in home.iterdir())
    result = run("post", "add", "Lana", "--to", "x")
    assert result.exit_code == 1
    assert "settle_seconds_x" in result.output and "Traceback" not in result.output
    assert sorted(p.name for p in home.iterdir()) == before


def test_publishers_use_the_configured_timeout(make_app: Callable[..., App],
                                               clock: FakeClock) -> None:
    from config.edit import set_values
    from scheduler.daemon import Daemon

    first = make_app()
    set_values(first.settings.home.config_file, "networks",
               {"timeout_seconds": 7.5, "settle_seconds_x": 20})
    app = App.load(clock=clock)
    try:
        worker = Daemon(app).worker
        assert [worker.publisher(n).timeout for n in ("x", "facebook", "instagram")] == \
            [7.5, 7.5, 7.5]
        assert worker.settings.settle_seconds_x == 20
    finally:
        app.close()


# -- a kill -9 in between (real daemon processes) ---------------------------------

@pytest.fixture
def env(home: Path, sandbox: SandboxServer) -> dict[str, str]:
    from config.edit import set_values
    from costanza.demo.accounts import connect_sandbox_accounts
    from costanza.services.setup import initialise

    values = dict(os.environ)
    values.update({"COSTANZA_HOME": str(home), "COSTANZA_PLATFORM_URL": sandbox.base_url})
    values.pop("COSTANZA_DATABASE_URL", None)
    app = App.load(env=values)
    initialise(app, timezone="Europe/Rome", slots="mon 09:30", force=False)
    cfg = app.settings.home.config_file
    set_values(cfg, "daemon", {"poll_seconds": 0.2, "lease_seconds": 5})
    set_values(cfg, "networks", {"timeout_seconds": 5, "settle_seconds_x": 12})
    app.close()
    app = App.load(env=values)
    connect_sandbox_accounts(app, sandbox.base_url, "bottega", values)
    app.close()
    return values


def start_daemon(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    out = log.open("ab")
    return subprocess.Popen([sys.executable, "-m", "costanza", "daemon"], env=env,
                            stdout=out, stderr=out)


@pytest.mark.slow
def test_a_kill_while_the_create_is_held_never_makes_a_double(
        env: dict[str, str], sandbox: SandboxServer, tmp_path: Path) -> None:
    control = SandboxClient(sandbox.base_url)
    # Held 8 s: longer than the daemon lives after sending it, shorter than the 12 s
    # settle period; the request's own 5 s timeout never comes (the daemon is killed).
    control.fault("x", "tweets", method="POST", commit_delay_secs=8.0)
    app = App.load(env=env)
    log = tmp_path / "daemon.log"
    daemon = start_daemon(env, log)
    try:
        later = datetime.now(UTC) + timedelta(days=7)  # `post now` is what sends it
        post_id = add(app, "Il telaio del nonno, restaurato", ["x"], at=later)
        subprocess.run([sys.executable, "-m", "costanza", "post", "now", str(post_id)],
                       env=env, check=True, capture_output=True, timeout=60)
        assert wait_for(lambda: delivery_state(app, post_id) == "publishing", 30), \
            log.read_text()
        time.sleep(0.5)  # the request has left: the intent is committed right before it
        daemon.send_signal(signal.SIGKILL)
        daemon.wait(10)
        assert control.posts("x") == []
        daemon = start_daemon(env, log)
        checking = wait_for(lambda: any("Checking whether it went out" in m for _, _, m
                                        in history(app, delivery_id(app, post_id))), 20)
        assert checking, log.read_text()
        assert delivery_state(app, post_id) == "unknown"
        assert wait_for(lambda: delivery_state(app, post_id) == "published", 40), \
            log.read_text()
        time.sleep(1.0)  # anything else still in flight would land by now
    finally:
        if daemon.poll() is None:
            daemon.send_signal(signal.SIGTERM)
            try:
                daemon.wait(30)
            except subprocess.TimeoutExpired:
                daemon.kill()
    posts = [p for p in control.posts("x") if p["text"].startswith("Il telaio")]
    assert len(posts) == 1, posts
    d = delivery_of(app, post_id)
    assert d.remote_id == posts[0]["id"]
    outcomes = [(a, o) for a, o, _ in history(app, d.id)]
    assert outcomes[-1] == ("reconcile", "published")
    assert ("publish", "published") not in outcomes  # never sent again
    app.close()


def delivery_id(app: App, post_id: int) -> int:
    return delivery_of(app, post_id).id


def delivery_state(app: App, post_id: int) -> str | None:
    try:
        return delivery_of(app, post_id).state
    except Exception:
        return None


# -- what the artisan sees ----------------------------------------------------------

def test_post_list_status_and_log_say_checking_whether_it_went_out(
        app: App, clock: FakeClock, run) -> None:  # type: ignore[no-untyped-def]
    from posts.settle import checking_message
    from tests.factories.queue import connect, dispatched

    connect(app, "x")
    post_id = add(app, "Le sciarpe di lana merino", ["x"])
    dispatched(app, post_id, "x", "unknown", clock.now())
    look_again = clock.now() + timedelta(minutes=2)
    with app.store.write() as db:
        row = db.scalars(select(Delivery).where(Delivery.post_id == post_id)).one()
        row.due_at = look_again
        row.reason = checking_message("x", look_again, ZoneInfo("Europe/Rome"))
    when = local_label(look_again, ZoneInfo("Europe/Rome"))
    for args in (("post", "list"), ("post", "list", "--all"), ("status",)):
        result = run(*args)
        assert result.exit_code == 0, result.output
        assert f"Post {post_id} on X: checking whether it went out; Costanza looks again " \
               f"at {when}" in result.output, args
    shown = run("log")
    assert shown.exit_code == 0
    assert "checking" in shown.output
    assert "Checking whether it went out" in " ".join(shown.output.split())
    assert when in " ".join(shown.output.split())


# -- the rule itself ------------------------------------------------------------------

def test_the_rule_counts_from_the_latest_send_known() -> None:
    from posts.settle import note_sent, still_settling

    settle = timedelta(seconds=120)
    sent = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)
    progress = note_sent({}, sent)
    assert note_sent(progress, sent - timedelta(seconds=5)) == progress  # an earlier one
    assert still_settling(progress, settle, sent + timedelta(seconds=119)) == sent + settle
    assert still_settling(progress, settle, sent + settle) is None
    later = note_sent(progress, sent + timedelta(seconds=30))  # a re-send: counts from it
    assert still_settling(later, settle, sent + settle) == sent + timedelta(seconds=150)
    assert still_settling({}, settle, sent) is None  # nothing was ever sent
