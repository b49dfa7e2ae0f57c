"""Account setup calls the Graph API at `[networks] graph_api_version`, against the sandbox."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from click.testing import Result

from config.edit import set_values
from costanza.app import App
from tests.costanza.services.accounts.conftest import Platform


def _graph_paths(platform: Platform) -> list[str]:
    return [r["path"] for r in platform.control.requests()
            if r["network"] in ("facebook", "instagram")]


def test_account_add_and_check_use_the_version_set(run: Callable[..., Result], app: App,
                                                   home: Path, platform: Platform) -> None:
    # v27.0: Meta has published no retirement for it (the sandbox's clock is real time).
    set_values(home / "config.toml", "networks", {"graph_api_version": "v27.0"})
    fb, ig = platform.creds["facebook"], platform.creds["instagram"]
    added = run("account", "add", "facebook", "--page-id", fb["page_id"],
                "--page-token", fb["page_token"])
    assert added.exit_code == 0, added.output
    added = run("account", "add", "instagram", "--ig-user-id", ig["ig_user_id"],
                "--token", ig["token"])
    assert added.exit_code == 0, added.output
    checked = run("account", "check")  # (Instagram has no media host here: exit 1)
    assert "facebook (Facebook Page" in checked.output and "): works" in checked.output
    paths = _graph_paths(platform)
    assert len(paths) >= 3 and all(p.startswith("/v27.0/") for p in paths), paths


def test_account_add_without_the_setting_uses_the_default(run: Callable[..., Result],
                                                          app: App, platform: Platform) -> None:
    fb = platform.creds["facebook"]
    added = run("account", "add", "facebook", "--page-id", fb["page_id"],
                "--page-token", fb["page_token"])
    assert added.exit_code == 0, added.output
    assert {p.split("/")[1] for p in _graph_paths(platform)} == {"v26.0"}
