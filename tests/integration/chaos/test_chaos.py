"""A reduced chaos run: every delivery exactly once or settled with a reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.chaos.chaos import run_chaos

pytestmark = pytest.mark.slow


def test_chaos_reduced(tmp_path: Path) -> None:
    report = run_chaos(kills=12, posts=10, seed=3, folder=tmp_path, say=lambda _: None,
                       settle_timeout=180)
    print("\n".join(report.lines()))
    assert report.kills == 12
    assert report.doubles == 0, report.problems
    assert report.losses == 0, report.problems
    assert report.deliveries == report.published + report.failed + report.needs_review
