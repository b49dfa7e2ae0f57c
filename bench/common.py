"""Helpers shared by the benchmarks: timing commands, building big queues."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

VENV_BIN = Path(sys.executable).parent


def median_seconds(cmd: list[str], env: dict[str, str] | None = None, runs: int = 7) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def costanza_env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["COSTANZA_HOME"] = str(home)
    env.pop("COSTANZA_PLATFORM_URL", None)
    return env


def fill_queue(home: Path, count: int) -> None:
    """A set-up home with ``count`` queued text posts (inserted in one transaction)."""
    from costanza.app import App
    from costanza.setup import initialise
    from posts.models import Post
    from posts.profiles import get_profile

    os.environ["COSTANZA_HOME"] = str(home)
    app = App.load()
    initialise(app, timezone="Europe/Rome", slots="mon 09:30, wed 18:00, fri 12:00",
               force=False)
    now = datetime.now(UTC)
    with app.store.write() as db:
        profile = get_profile(db, "default")
        db.add_all([Post(profile_id=profile.id, text=f"Story number {i} about our wool",
                         texts={}, targets=["facebook", "x"], state="queued", position=i,
                         created_at=now, updated_at=now) for i in range(count)])
    app.close()
