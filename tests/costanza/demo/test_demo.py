"""`costanza demo` end to end: sandbox, daemon, every network and media kind."""

from __future__ import annotations

from pathlib import Path

import pytest

from costanza.demo.run import STORIES, run_demo
from costanza.demo.sandbox.control import SandboxClient
from costanza.demo.sandbox.server import SandboxServer

pytestmark = pytest.mark.slow


def test_demo_publishes_every_story_once(tmp_path: Path) -> None:
    lines: list[str] = []
    result = run_demo(lines.append, tmp_path / "demo", timeout=90, spacing=2.0)
    assert result.all_published, result.deliveries
    expected = sum(len(targets) for _, _, targets in STORIES)
    assert len(result.deliveries) == expected
    assert all(d["permalink"] for d in result.deliveries)
    assert any("Queued post 4" in line for line in lines)
    # The sandbox's own record, reopened from its data folder: each delivery once.
    with SandboxServer(data_dir=tmp_path / "demo" / "sandbox") as server:
        posts = SandboxClient(server.base_url).posts()
    roots = [p for p in posts if not p.get("reply_to") and not p.get("in_reply_to")]
    by_network: dict[str, int] = {}
    for post in roots:
        by_network[post["network"]] = by_network.get(post["network"], 0) + 1
    assert by_network == {"facebook": 4, "instagram": 3, "x": 3}
