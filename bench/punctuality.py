"""Punctuality: 200 posts due a second apart on the real clock; the lag from each
post's time to the publisher call, p50 and p99 (target p99 <= 500 ms)."""

from __future__ import annotations

import statistics
import tempfile
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from scheduler.publishers.base import PublishRequest, PublishResult

COUNT = 200
SPACING = 1.0
TARGET_MS = 500


class TimingPublisher:
    """Records when each publish call arrives, for the post it carries."""

    def __init__(self, network: str, due: dict[int, datetime], lags: list[float]) -> None:
        self.network = network
        self.due = due
        self.lags = lags
        self.lock = threading.Lock()

    def publish(self, request: PublishRequest, checkpoint: Any) -> PublishResult:
        from datetime import UTC

        now = datetime.now(UTC)
        with self.lock:
            self.lags.append((now - self.due[request.post_id]).total_seconds())
        return PublishResult(remote_id=f"r{request.delivery_id}")

    def reconcile(self, request: PublishRequest) -> Any:
        raise AssertionError("not expected")


def run() -> list[tuple[str, str, str, bool]]:
    import os

    from config.edit import set_values
    from costanza.app import App
    from costanza.services.setup import initialise
    from posts import queue
    from posts.models import Account
    from posts.profiles import get_profile
    from scheduler.daemon import Daemon

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["COSTANZA_HOME"] = str(Path(tmp) / "home")
        app = App.load()
        initialise(app, timezone="Europe/Rome", slots="mon 09:30", force=False)
        set_values(app.settings.home.config_file, "daemon", {"poll_seconds": 2})
        app.close()
        app = App.load()
        due: dict[int, datetime] = {}
        start = app.clock.now() + timedelta(seconds=3)
        with app.store.write() as db:
            profile = get_profile(db, "default")
            db.add(Account(profile_id=profile.id, network="x", name="x", remote_id="1",
                           created_at=app.clock.now()))
            db.flush()
            for i in range(COUNT):
                at = start + timedelta(seconds=SPACING * i)
                post = queue.add_post(db, app.media, profile,
                                      queue.PostDraft(text=f"story {i}", targets=["x"], at=at),
                                      app.clock.now()).post
                due[post.id] = at
        lags: list[float] = []
        publisher = TimingPublisher("x", due, lags)
        daemon = Daemon(app, publishers=lambda network: publisher)
        daemon.start()
        deadline = time.monotonic() + COUNT * SPACING + 30
        while len(lags) < COUNT and time.monotonic() < deadline:
            time.sleep(0.5)
        daemon.stop()
        daemon.shutdown()
        app.close()
    lags_ms = sorted(x * 1000 for x in lags)
    p50 = statistics.median(lags_ms)
    p99 = lags_ms[min(len(lags_ms) - 1, int(len(lags_ms) * 0.99))]
    return [(f"punctuality, {len(lags_ms)} of {COUNT} posts {SPACING:.0f} s apart",
             f"lag p50 {p50:.0f} ms, p99 {p99:.0f} ms", f"p99 <= {TARGET_MS} ms",
             p99 <= TARGET_MS and len(lags_ms) == COUNT)]
