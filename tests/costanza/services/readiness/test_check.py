"""`costanza check`: the week ahead against the sandbox, on a real SQLite home."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from costanza.app import App
from tests.costanza.services.readiness.conftest import (
    add_posts,
    connect,
    daemon_alive,
    media_host,
)

Run = Callable[..., Result]


def _items(result: Result) -> list[dict[str, Any]]:
    return json.loads(result.stdout)["items"]


def test_all_good_is_all_set(run: Run, ready: App) -> None:
    result = run("check")

    assert result.exit_code == 0, result.output
    assert "All set for the week ahead." in result.output
    assert "Facebook account 'facebook' works." in result.output
    assert "Every slot of the next 7 days has a post." in result.output
    assert "The daemon is running." in result.output


def test_an_expired_token_blocks_the_week_with_its_fix(run: Run, ready: App,
                                                       platform: Any) -> None:
    platform.control.expire_token("facebook")

    result = run("check")

    assert result.exit_code == 1, result.output
    assert "These will stop posts in the next 7 days:" in result.output
    assert "Facebook account 'facebook': Facebook did not accept this token" in result.output
    assert ("What to do: Connect it again with `costanza account add facebook ...`"
            in result.output)
    assert "All set" not in result.output
