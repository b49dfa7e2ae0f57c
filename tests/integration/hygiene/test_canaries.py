"""Secret hygiene: the account secrets are canaries, every logger is at DEBUG, and a real
worker publishes every kind of post through the real publishers to the sandbox, failures
included. No canary may show up in the logs, stdout/stderr, an exception, a requested URL,
the database or any other file of the Costanza home.

The sandbox makes its own credentials (random, unique to this run); they are the canaries.
"""

from __future__ import annotations

import logging
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from config.clock import FakeClock, utc
from config.secrets import SecretStore
from costanza.app import App
from posts.models import Account, Delivery, Profile
from posts.profiles import get_profile
from scheduler.notify.outbox import Notifier
from scheduler.planning.plans import profile_plan
from scheduler.publishers.registry import make_publisher
from scheduler.worker import Worker
from tests.factories.media import make_jpeg, make_mp4
from tests.factories.queue import add
from tests.integration.hygiene.conftest import FolderHost, SandboxRun, Trap, Watched

X_KEYS = ("consumer_key", "consumer_secret", "access_token", "access_token_secret")
LONG_TEXT = " ".join(
    f"Part {i}: the wool is washed in the stream, carded by hand and spun slowly." for i in
    range(1, 9))


def canaries(creds: dict[str, dict[str, str]]) -> dict[str, str]:
    """name -> value: each secret, and its random part alone (a leak may cut the prefix)."""
    found = {f"x.{k}": creds["x"][k] for k in X_KEYS}
    found["facebook.page_token"] = creds["facebook"]["page_token"]
    found["facebook.user_token"] = creds["facebook"]["user_token"]
    found["instagram.token"] = creds["instagram"]["token"]
    for name, value in list(found.items()):
        for part in re.findall(r"[0-9a-f]{24,}", value):
            found[f"{name} (random part)"] = part
    return found


def find_leaks(secrets: dict[str, str], haystacks: dict[str, str | bytes]) -> list[str]:
    leaks = []
    for secret_name, secret in secrets.items():
        for where, text in haystacks.items():
            if isinstance(text, bytes):
                found = secret.encode() in text
            else:
                found = secret in text
            if found:
                leaks.append(f"{secret_name} in {where}")
    return leaks


def connect(app: App, secrets: SecretStore, creds: dict[str, dict[str, str]]) -> None:
    secrets.put("my-x", {**{k: creds["x"][k] for k in X_KEYS},
                         "username": creds["x"]["username"]})
    secrets.put("my-facebook", {"page_token": creds["facebook"]["page_token"]})
    secrets.put("my-instagram", {"token": creds["instagram"]["token"]})
    remote = {"x": creds["x"]["user_id"], "facebook": creds["facebook"]["page_id"],
              "instagram": creds["instagram"]["ig_user_id"]}
    with app.store.write() as db:
        profile = get_profile(db, "default")
        for network, remote_id in remote.items():
            db.add(Account(profile_id=profile.id, network=network, name=f"my-{network}",
                           remote_id=remote_id, created_at=app.clock.now()))


def next_event(app: App, now: datetime) -> datetime | None:
    """The next time the worker has something to do: a due delivery or a slot."""
    with app.store.read() as db:
        due = db.scalar(select(func.min(Delivery.due_at)).where(
            Delivery.state.in_(("queued", "retry_wait", "unknown"))))
        times = [utc(due)] if due is not None else []
        for profile in db.scalars(select(Profile)).all():
            plan = profile_plan(db, profile, now, app.settings.grace_period, limit=1)
            times += [e.at for e in plan.entries]
    return min(times) if times else None


def keep_in_step(clock: FakeClock, sandbox: SandboxRun) -> None:
    """The sandbox's clock never lags the worker's (both only move forward): the networks
    stamp posts with it, and reconciliation compares those stamps with the attempt's time."""
    sandbox_now = datetime.fromtimestamp(sandbox.control._call("GET", "clock")["now"], UTC)
    if sandbox_now > clock.now():
        clock.set(sandbox_now)
    elif clock.now() > sandbox_now:
        sandbox.control.advance_clock((clock.now() - sandbox_now).total_seconds())


def run_until_settled(app: App, clock: FakeClock, sandbox: SandboxRun, worker: Worker,
                      notifier: Notifier) -> None:
    for _ in range(100):
        keep_in_step(clock, sandbox)
        worker.tick()
        notifier.flush_events()
        when = next_event(app, clock.now())
        if when is None:
            return
        clock.set(max(when, clock.now()))
    with app.store.read() as db:
        left = [(d.id, d.network, d.state, d.due_at, d.reason) for d in db.scalars(
            select(Delivery).where(Delivery.state.in_(("queued", "retry_wait", "unknown"))))]
    raise AssertionError(f"the worker did not settle: {left} at {clock.now()}")


def states(app: App, post_id: int) -> dict[str, str]:
    with app.store.read() as db:
        return {d.network: d.state for d in db.scalars(
            select(Delivery).where(Delivery.post_id == post_id))}


def files_of(folder: Path, skip: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p != skip}


def test_no_canary_secret_leaks_through_a_full_run(
        app: App, clock: FakeClock, sandbox: SandboxRun, media_host: FolderHost, trap: Trap,
        capfd: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    secrets = SecretStore(app.settings.home.secrets_file, env={})
    connect(app, secrets, sandbox.creds)
    notifier = Notifier(app.store, app.settings, clock, secrets)

    def publishers(network: str) -> Watched:
        return Watched(make_publisher(network, sandbox.base_url, timeout=10,
                                      sleep=sandbox.sleep), trap)

    worker = Worker(app.store, app.settings, clock, publishers, owner="hygiene",
                    media_store=app.media, secrets=secrets, media_host=media_host,
                    concurrency=3, on_event=notifier.on_event)
    made = tmp_path / "made"
    made.mkdir()
    photo = make_jpeg(made / "wool.jpg", size=(480, 480))
    photo2 = make_jpeg(made / "loom.jpg", size=(400, 500))
    video = make_mp4(made / "spinning.mp4", seconds=3, size=(96, 96))
    all_three = ["x", "facebook", "instagram"]
    try:
        # Every kind of post, published for real through the sandbox.
        good = [
            add(app, "Text only: the first cheese of the season", ["x", "facebook"]),
            add(app, "One photo, with a description and a first comment", all_three,
                photos=[photo], alts=["Raw wool drying in the sun"],
                first_comment="Made in Val di Fiemme"),
            add(app, "Two photos: a carousel on Instagram", all_three,
                photos=[photo, photo2]),
            add(app, "A short video: a Reel on Instagram", all_three, video=video),
            add(app, LONG_TEXT, ["x"], thread=True),
        ]
        run_until_settled(app, clock, sandbox, worker, notifier)
        for post_id in good:
            assert set(states(app, post_id).values()) == {"published"}, states(app, post_id)

        # A server error on each network while posting: reconciled, then published.
        sandbox.control.fault("x", "tweets", status=500)
        sandbox.control.fault("facebook", "photos", status=500)
        sandbox.control.fault("instagram", "media_publish", status=500)
        flaky = add(app, "A server error first, then out", all_three, photos=[photo2])
        run_until_settled(app, clock, sandbox, worker, notifier)

        # Dropped connections, a rate limit and a refusal: exceptions with causes.
        sandbox.control.fault("x", "tweets", drop=True, after_effect=True)
        sandbox.control.fault("facebook", "photos", drop=True)
        sandbox.control.fault("instagram", "media", status=400)
        dropped = add(app, "The line dropped", all_three, photos=[photo])
        run_until_settled(app, clock, sandbox, worker, notifier)
        sandbox.control.fault("x", "tweets", rate_limit_reset=60)
        limited = add(app, "Slow down", ["x"])
        run_until_settled(app, clock, sandbox, worker, notifier)
        for post_id in (flaky, dropped, limited):
            assert set(states(app, post_id).values()) == {"published"}, states(app, post_id)

        # Expired tokens (X 401, Graph code 190): the accounts are held.
        for network in all_three:
            sandbox.control.fault(network, expire_token=True)
        held = add(app, "Tokens expired", all_three, photos=[photo])
        run_until_settled(app, clock, sandbox, worker, notifier)
        assert set(states(app, held).values()) == {"held"}
    finally:
        worker.shutdown()

    assert len(sandbox.control.posts("x")) >= 6  # text, photo, carousel, video, thread parts
    assert trap.exceptions, "the failures raised exceptions"
    logs = "\n".join(trap.logs.lines)
    assert "DEBUG urllib3.connectionpool" in logs, "DEBUG logging was really on"
    files_before_close = files_of(app.settings.home.data_dir, secrets.path)
    app.close()
    out, err = capfd.readouterr()
    haystacks: dict[str, str | bytes] = {
        "logs": logs, "stdout": out, "stderr": err,
        "exceptions": "\n".join(trap.exception_texts()),
        "requested URLs": "\n".join(trap.urls),
        "the sandbox's request log": repr(sandbox.control.requests()),
    }
    for label, files in (("while open", files_before_close),
                         ("after closing", files_of(app.settings.home.data_dir,
                                                    secrets.path))):
        for name, data in files.items():
            haystacks[f"file {name} ({label})"] = data
    config = app.settings.home.config_file
    haystacks["the settings file"] = config.read_bytes() if config.exists() else b""
    assert find_leaks(canaries(sandbox.creds), haystacks) == []


def test_the_trap_sees_a_planted_leak(trap: Trap, capfd: pytest.CaptureFixture[str]) -> None:
    """The detector itself works: a secret logged by a library, printed, or carried by an
    exception's cause is found."""
    # A value of its own: one that another test made Costanza load is scrubbed from the
    # logs of this process for good (the scrubber learns every secret loaded).
    secret = "canary-" + uuid.uuid4().hex
    # A library's logger made now, after the trap: whatever earlier tests did to the
    # logging tree (levels, `disable`), this record must reach the trap.
    logging.disable(logging.NOTSET)
    library = logging.getLogger("somelib.transport")
    library.disabled, library.propagate = False, True
    library.setLevel(logging.DEBUG)
    library.addHandler(trap.logs)
    library.propagate = False
    library.debug("sending with key %s", secret)
    library.removeHandler(trap.logs)
    print(f"token={secret}")
    try:
        try:
            raise KeyError(secret)
        except KeyError as inner:
            raise RuntimeError("request failed") from inner
    except RuntimeError as exc:
        trap.exceptions.append(exc)
    out, _ = capfd.readouterr()
    unused = "never-used-value"
    leaks = find_leaks(canaries({"x": dict.fromkeys(X_KEYS, unused),
                                 "facebook": {"page_token": secret, "user_token": unused},
                                 "instagram": {"token": unused}}),
                       {"logs": "\n".join(trap.logs.lines), "stdout": out,
                        "exceptions": "\n".join(trap.exception_texts())})
    assert leaks == ["facebook.page_token in logs", "facebook.page_token in stdout",
                     "facebook.page_token in exceptions",
                     "facebook.page_token (random part) in logs",
                     "facebook.page_token (random part) in stdout",
                     "facebook.page_token (random part) in exceptions"]
