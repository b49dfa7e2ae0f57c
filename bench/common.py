"""Helpers shared by the benchmarks: timing commands, building big queues."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import threading
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
    from costanza.services.setup import initialise
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


def status_kb(field: str) -> int:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} is not in /proc/self/status")


class PeakRss:
    """Peak RSS over a stretch of code: the kernel's high-water mark, reset at the start
    (falls back to sampling every millisecond where clear_refs cannot be written)."""

    def __enter__(self) -> PeakRss:
        self._stop = threading.Event()
        self._sampled = 0
        self._thread: threading.Thread | None = None
        try:
            with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
                fh.write("5")
            self.exact = True
        except OSError:
            self.exact = False
            self._thread = threading.Thread(target=self._sample, daemon=True)
            self._thread.start()
        self.before_kb = status_kb("VmRSS")
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.001):
            self._sampled = max(self._sampled, status_kb("VmRSS"))

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        peak = status_kb("VmHWM") if self.exact else self._sampled
        self.peak_kb = max(peak, status_kb("VmRSS"))
