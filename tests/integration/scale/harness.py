"""Helpers for the scale tests and the scale benchmark: a shared Costanza home on one
database, profiles connected to sandbox accounts, queued text posts, real daemon
processes, and the sandbox's own record of what went out."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any


def wait_until(predicate: Callable[[], bool], timeout: float = 30.0,
               every: float = 0.1) -> bool:
    """Poll ``predicate`` until it holds or ``timeout`` seconds have passed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every)
    return predicate()


def make_env(home: Path, sandbox_url: str, database_url: str | None) -> dict[str, str]:
    """The environment of a daemon (and of the set-up code) for one shared home."""
    env = dict(os.environ)
    for name in ("COSTANZA_PROFILE", "COSTANZA_CONFIG", "COSTANZA_DATABASE_URL"):
        env.pop(name, None)
    env["COSTANZA_HOME"] = str(home)
    env["COSTANZA_PLATFORM_URL"] = sandbox_url
    if database_url:
        env["COSTANZA_DATABASE_URL"] = database_url
    return env


def set_up_home(env: dict[str, str], daemon: dict[str, Any]) -> None:
    """``costanza init`` for the default profile, then the [daemon] settings given."""
    from config.edit import set_values
    from costanza.app import App
    from costanza.services.setup import initialise

    app = App.load(env=env)
    try:
        initialise(app, timezone="Europe/Rome", slots="mon 09:30", force=False)
        set_values(app.settings.home.config_file, "daemon", daemon)
    finally:
        app.close()


def add_profiles(env: dict[str, str], names: Iterable[str], sandbox_url: str) -> None:
    """One profile per name (besides ``default``), each connected to its own sandbox
    accounts (NAME-x, NAME-page, NAME-ig)."""
    from costanza.app import App
    from costanza.demo.accounts import connect_sandbox_accounts
    from posts.profiles import create_or_update_profile

    for name in names:
        app = App.load(env=env, profile=name)
        try:
            if name != "default":
                with app.store.write() as db:
                    create_or_update_profile(db, name, "Europe/Rome", app.clock.now(),
                                             [(0, 9 * 60 + 30)])
            connect_sandbox_accounts(app, sandbox_url, name, env)
        finally:
            app.close()


def queue_posts(env: dict[str, str], profile: str, texts: Iterable[str],
                targets: list[str], at: datetime) -> list[int]:
    """Queue text posts through the queue's own API, pinned a microsecond apart from
    ``at`` on (which must be in the future: two posts of a profile never share a time,
    so they would not all be due at once); return their ids."""
    from costanza.app import App
    from posts import queue
    from posts.profiles import get_profile

    app = App.load(env=env, profile=profile)
    try:
        ids = []
        with app.store.write() as db:
            row = get_profile(db, profile)
            for i, text in enumerate(texts):
                draft = queue.PostDraft(text=text, targets=list(targets),
                                        at=at + timedelta(microseconds=i))
                ids.append(queue.add_post(db, app.media, row, draft, app.clock.now()).post.id)
        return ids
    finally:
        app.close()


@dataclass
class DaemonProcess:
    """``python -m costanza daemon`` with its log in a file."""

    env: dict[str, str]
    log_path: Path
    concurrency: int = 4
    proc: subprocess.Popen[bytes] | None = None
    _log: IO[bytes] | None = field(default=None, repr=False)

    def start(self) -> DaemonProcess:
        self._log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "costanza", "daemon", "--concurrency", str(self.concurrency)],
            env=self.env, stdout=self._log, stderr=subprocess.STDOUT)
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def signal(self, signum: int) -> None:
        assert self.proc is not None
        self.proc.send_signal(signum)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self, timeout: float = 20.0) -> int | None:
        """SIGCONT (in case it was stopped), SIGTERM, wait; SIGKILL if it hangs."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self._log is not None:
            self._log.close()
            self._log = None
        return self.proc.returncode


def daemon_ids(env: dict[str, str]) -> dict[int, str]:
    """pid -> daemon id of every registered daemon that has not stopped."""
    from sqlalchemy import select

    from costanza.app import App
    from posts.models import DaemonBeat

    app = App.load(env=env)
    try:
        with app.store.read() as db:
            rows = db.scalars(select(DaemonBeat).where(DaemonBeat.stopped_at.is_(None))).all()
            return {b.pid: b.id for b in rows}
    finally:
        app.close()


def delivery_states(env: dict[str, str]) -> list[tuple[int, str, str, str | None]]:
    """(delivery id, network, state, lease owner) of every delivery."""
    from sqlalchemy import select

    from costanza.app import App
    from posts.models import Delivery

    app = App.load(env=env)
    try:
        with app.store.read() as db:
            return [(d.id, d.network, d.state, d.lease_owner)
                    for d in db.scalars(select(Delivery).order_by(Delivery.id)).all()]
    finally:
        app.close()


def attempts(env: dict[str, str]) -> list[tuple[int, str, str, str | None]]:
    """(delivery id, action, outcome, daemon id) of every attempt row."""
    from sqlalchemy import select

    from costanza.app import App
    from posts.models import Attempt

    app = App.load(env=env)
    try:
        with app.store.read() as db:
            return [(a.delivery_id, a.action, a.outcome, a.daemon_id)
                    for a in db.scalars(select(Attempt).order_by(Attempt.id)).all()]
    finally:
        app.close()


def sandbox_copies(posts: list[dict[str, Any]]) -> Counter[tuple[str, str]]:
    """How many times each (network, text) is in the sandbox's record."""
    return Counter((p["network"], p["text"]) for p in posts)


def open_transactions(database_url: str) -> int:
    """How many sessions on this database sit inside a transaction right now."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = make_url(database_url).database
    engine = create_engine(make_url(database_url).set(database="postgres"))
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = :db "
                "AND state LIKE 'idle in transaction%'"), {"db": name}).scalar() or 0)
    finally:
        engine.dispose()


def progress_of(env: dict[str, str], delivery_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    from sqlalchemy import select

    from costanza.app import App
    from posts.models import Delivery

    app = App.load(env=env)
    try:
        with app.store.read() as db:
            return {d.id: dict(d.progress or {}) for d in db.scalars(
                select(Delivery).where(Delivery.id.in_(list(delivery_ids)))).all()}
    finally:
        app.close()
