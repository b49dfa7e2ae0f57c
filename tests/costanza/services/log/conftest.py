"""A store filled by a real Worker on a fake clock, across several weeks.

The profile is created on Sat 28 Nov 2026 (Europe/Rome; slots Mon 09:30,
Wed 18:00, Fri 12:00). What happens, slot by slot:

* week 2026-W49: post 1 (Facebook and X) goes out on Monday; post 2 (X) is
  rate-limited on Wednesday and goes out 15 minutes later; post 3 (Facebook)
  goes out on Friday. Every slot kept.
* week 2026-W50: post 4 (X) is refused (failed); post 5 (X) gets no clear
  answer and cannot be settled (needs review); on Friday the queue is empty.
  No slot kept.
* weeks 2026-W51 and 2026-W52: three posts each, all go out (X, then Facebook).
* week 2026-W53: post 12 (Facebook) meets an expired token on Monday (on hold).

The fake clock then stands on Tue 29 Dec 2026 12:00 UTC.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select

from config.clock import FakeClock
from config.errors import AuthExpired, OutcomeUnknown, PublishFailed, RateLimited
from costanza.app import App
from posts.models import Delivery
from scheduler.publishers.base import Reconciled
from scheduler.publishers.recording import RecordingPublisher
from scheduler.worker import Worker
from tests.conftest import START
from tests.factories.queue import add, connect

ROME = "Europe/Rome"
NOW = datetime(2026, 12, 29, 12, 0, tzinfo=UTC)


def slot(day: int, month: int, hour: int, minute: int) -> datetime:
    """A slot given in UTC (Rome is UTC+1 in winter)."""
    year = 2026 if month != 1 else 2027
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@dataclass
class Filled:
    app: App
    clock: FakeClock
    fakes: dict[str, RecordingPublisher]
    posts: dict[str, int]

    def delivery(self, post: str, network: str) -> Delivery:
        with self.app.store.read() as db:
            return db.scalars(select(Delivery).where(
                Delivery.post_id == self.posts[post], Delivery.network == network)).one()


def fill(app: App, clock: FakeClock) -> Filled:
    fakes = {n: RecordingPublisher(n) for n in ("facebook", "instagram", "x")}
    worker = Worker(app.store, app.settings, clock, lambda n: fakes[n], owner="test-daemon")
    posts: dict[str, int] = {}

    def at(when: datetime, ticks: int = 1) -> None:
        clock.set(when)
        for _ in range(ticks):
            worker.tick()

    try:
        connect(app, "facebook", "x")
        posts["wool"] = add(app, "La lana arriva dalla Val di Fiemme, filata a mano nel "
                                 "nostro laboratorio di famiglia", ["facebook", "x"])
        posts["loom"] = add(app, "Il telaio di nonna Lucia", ["x"])
        posts["cheese"] = add(app, "Il formaggio stagionato in grotta", ["facebook"])
        at(slot(30, 11, 8, 30))
        reset = slot(2, 12, 17, 15)
        fakes["x"].fail_next(RateLimited("X asked Costanza to slow down.", retry_at=reset,
                                         http_status=429))
        at(slot(2, 12, 17, 0))
        with app.store.read() as db:
            due = db.scalars(select(Delivery.due_at).where(
                Delivery.post_id == posts["loom"])).one()
        at(due.replace(tzinfo=UTC) if due.tzinfo is None else due)
        at(slot(4, 12, 11, 0))

        clock.set(slot(4, 12, 15, 0))
        posts["long"] = add(app, "Una storia troppo lunga per X", ["x"])
        posts["unsure"] = add(app, "Il bottone di corno", ["x"])
        fakes["x"].fail_next(PublishFailed("X refused the post: the text is too long.",
                                           http_status=400))
        at(slot(7, 12, 8, 30))
        fakes["x"].fail_next(OutcomeUnknown("The connection dropped."))
        fakes["x"].reconcile_next(Reconciled(published=None,
                                             reason="the account's posts could not be read"))
        at(slot(9, 12, 17, 0), ticks=2)
        at(slot(11, 12, 11, 0))  # nothing queued: a missed slot

        clock.set(slot(12, 12, 10, 0))
        for name in ("x1", "x2", "x3"):
            posts[name] = add(app, f"Storia {name} sulle forbici da sarto", ["x"])
        for when in (slot(14, 12, 8, 30), slot(16, 12, 17, 0), slot(18, 12, 11, 0)):
            at(when)

        clock.set(slot(19, 12, 10, 0))
        for name in ("f1", "f2", "f3"):
            posts[name] = add(app, f"Storia {name} sul caseificio", ["facebook"])
        for when in (slot(21, 12, 8, 30), slot(23, 12, 17, 0), slot(25, 12, 11, 0)):
            at(when)

        clock.set(slot(26, 12, 10, 0))
        posts["held"] = add(app, "Auguri di buon anno dal laboratorio", ["facebook"])
        fakes["facebook"].fail_next(AuthExpired("Facebook says the Page token expired: "
                                                "connect the Page again.", http_status=400,
                                                code="190"))
        at(slot(28, 12, 8, 30))
        clock.set(NOW)
    finally:
        worker.shutdown()
    return Filled(app, clock, fakes, posts)


@pytest.fixture(scope="session")
def filled_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    """The filled home, built once; each test works on its own copy."""
    from costanza.services.setup import initialise

    folder = tmp_path_factory.mktemp("filled") / "costanza home"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("COSTANZA_HOME", str(folder))
        for name in ("COSTANZA_PLATFORM_URL", "COSTANZA_PROFILE", "COSTANZA_CONFIG"):
            mp.delenv(name, raising=False)
        clock = FakeClock(START)
        app = App.load(clock=clock)
        initialise(app, timezone=ROME, slots="mon 09:30, wed 18:00, fri 12:00", force=False)
        try:
            posts = fill(app, clock).posts
        finally:
            app.close()
    return folder, posts


@pytest.fixture
def filled(filled_template: tuple[Path, dict[str, int]], home: Path,
           make_app: Callable[..., App], clock: FakeClock) -> Filled:
    template, posts = filled_template
    shutil.copytree(template, home)
    clock.set(NOW)
    return Filled(make_app(), clock, {}, dict(posts))


@pytest.fixture
def cli(home: Any, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
        ) -> Iterator[Callable[..., Result]]:
    """Run `costanza ARGS...` in-process, on the fake clock."""
    from costanza.cli.main import cli as main

    monkeypatch.delenv("NO_COLOR", raising=False)

    def invoke(*args: str, color: bool = False, env: dict[str, str] | None = None) -> Result:
        return CliRunner().invoke(main, list(args), color=color, env=env,
                                  catch_exceptions=False, obj={"clock": clock})

    yield invoke
