"""X's costs where the artisan meets them: `account add x --help`, `costanza status`,
`costanza queue` and `costanza log` when `[x] monthly_budget` holds X's posts."""

from __future__ import annotations

from collections.abc import Callable

from click.testing import Result


def test_the_x_help_has_the_portal_steps_and_the_prices(run: Callable[..., Result]) -> None:
    text = run("account", "add", "x", "--help").output
    steps = [line.strip() for line in text.splitlines() if line.strip()[:2] in
             {"1.", "2.", "3.", "4.", "5."}]
    assert len(steps) == 5, text  # one step a line, as written (not rewrapped)
    assert "developer.x.com" in text and '"Read and write"' in text
    assert "API Key Secret" in text and "access token" in steps[4]
    assert "2026-02-06" in text and "2026-04-20" in text
    assert "$0.015" in text and "$0.20" in text
    assert "`costanza costs`" in text and "`[x] monthly_budget`" in text
