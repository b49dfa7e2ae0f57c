"""An idle daemon over 60 s: resident memory and CPU (targets <= 70 MB, <= 0.5 %)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SECONDS = 60
RSS_MB = 70
CPU_PCT = 0.5


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run() -> list[tuple[str, str, str, bool]]:
    from costanza.app import App
    from costanza.services.setup import initialise

    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, COSTANZA_HOME=str(Path(tmp) / "home"))
        app = App.load(env=env)
        initialise(app, timezone="Europe/Rome", slots="mon 09:30", force=False)
        app.close()
        proc = subprocess.Popen([sys.executable, "-m", "costanza", "daemon"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            time.sleep(5)  # start-up is not idling
            cpu0, t0 = _cpu_seconds(proc.pid), time.monotonic()
            peak = 0.0
            while time.monotonic() - t0 < SECONDS:
                time.sleep(1)
                peak = max(peak, _rss_mb(proc.pid))
            cpu = (_cpu_seconds(proc.pid) - cpu0) / (time.monotonic() - t0) * 100
        finally:
            proc.terminate()
            proc.wait(30)
    return [(f"idle daemon, {SECONDS} s", f"RSS {peak:.0f} MB, CPU {cpu:.2f} %",
             f"<= {RSS_MB} MB, <= {CPU_PCT} %", peak <= RSS_MB and cpu <= CPU_PCT)]
