"""The daemon's rounds keep coming: a round due again at once must never be lost.

The rounds once ran as a one-off APScheduler job that each round added again. When the
next round was due at once, APScheduler could start it while the running one was still
counted ("maximum number of running instances reached", the start skipped), or remove the
new job with the one it replaced: the daemon never woke again, posts queued for good. The
rounds now run on a thread of their own; this test holds APScheduler's bookkeeping up on
purpose, as a loaded machine did, to show that nothing of it can stop them.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime
from typing import Any

import pytest
from apscheduler.executors.base import BaseExecutor

from costanza.app import App
from scheduler.daemon import Daemon
from scheduler.publishers.recording import RecordingPublisher


def test_rounds_due_at_once_keep_coming(app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    # On a loaded machine the thread that ran a round can be held up for a moment before
    # APScheduler counts the round as done: make that moment happen every time.
    finish = BaseExecutor._run_job_success

    def held_up(self: BaseExecutor, job_id: str, events: list[Any]) -> None:
        time.sleep(0.05)
        finish(self, job_id, events)

    monkeypatch.setattr(BaseExecutor, "_run_job_success", held_up)
    daemon = Daemon(app, publishers=lambda n: RecordingPublisher(n))
    rounds: list[float] = []
    running = threading.Lock()
    overlapped: list[bool] = []

    def tick() -> datetime:  # every round finds more due at once (a busy queue)
        if not running.acquire(blocking=False):
            overlapped.append(True)
            return app.clock.now()
        try:
            rounds.append(time.monotonic())
            return app.clock.now()
        finally:
            running.release()

    daemon.worker.tick = tick  # type: ignore[method-assign]
    daemon.start()
    try:
        deadline = time.monotonic() + 60
        # Rounds keep coming: dozens, and still coming at the end.
        while len(rounds) < 40 and time.monotonic() < deadline:
            time.sleep(0.05)
        count = len(rounds)
        time.sleep(1.0)
        assert len(rounds) > count, f"the daemon stopped waking after {count} rounds"
    finally:
        daemon.stop()
        daemon.shutdown()
    assert not overlapped  # two rounds never run at the same time
