"""`costanza post list` and `costanza queue` with 10,000 queued posts, against the floor
that the required stack sets (`python3 -c "import sqlalchemy, click"`), in the same run."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from bench.common import VENV_BIN, costanza_env, fill_queue, median_seconds

TARGET = 1.5


def run() -> list[tuple[str, str, str, bool]]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        fill_queue(home, 10_000)
        env = costanza_env(home)
        floor = median_seconds([sys.executable, "-c", "import sqlalchemy, click"], env)
        costanza = str(VENV_BIN / "costanza")
        for label, args in (("post list", ["post", "list"]), ("queue", ["queue"])):
            ours = median_seconds([costanza, *args], env)
            ratio = ours / floor
            rows.append((f"`costanza {label}`, 10,000 queued posts",
                         f"{ours * 1000:.0f} ms vs floor {floor * 1000:.0f} ms = {ratio:.2f}x",
                         f"<= {TARGET}x", ratio <= TARGET))
    return rows
