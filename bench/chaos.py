"""The chaos run at full size: the daemon killed at random 500 times while it publishes
(`python -m bench chaos`, or `make chaos`). CI runs the same suite at a reduced count
(tests/integration/chaos); the target is always 0 doubles and 0 losses."""

from __future__ import annotations

import os

from tests.integration.chaos.chaos import run_chaos

KILLS = int(os.environ.get("COSTANZA_CHAOS_KILLS", "500"))
POSTS = int(os.environ.get("COSTANZA_CHAOS_POSTS", "100"))


def run() -> list[tuple[str, str, str, bool]]:
    report = run_chaos(KILLS, POSTS, seed=7)
    return [
        ("chaos: kills survived", str(report.kills), f">= {KILLS}", report.kills >= KILLS),
        ("chaos: doubles", str(report.doubles), "0", report.doubles == 0),
        ("chaos: losses", str(report.losses), "0", report.losses == 0),
    ]
