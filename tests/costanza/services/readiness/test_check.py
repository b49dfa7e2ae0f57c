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


def _expiring_in(monkeypatch: pytest.MonkeyPatch, app: App, delta: timedelta) -> None:
    """The accounts' check, as it is, telling when the token expires (``token_expires_at``,
    which `account check` reports for tokens that expire)."""
    from costanza.services.accounts import checks

    real = checks.check_accounts

    def with_expiry(app_: App, name: str | None = None) -> list[dict[str, Any]]:
        results = real(app_, name)
        for r in results:
            r["token_expires_at"] = (app.clock.now() + delta).isoformat()
        return results

    monkeypatch.setattr(checks, "check_accounts", with_expiry)


@pytest.mark.pinned_dates  # its words name dates of the default start's week
def test_a_token_expiring_in_5_days_blocks_the_week(run: Run, ready: App,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    _expiring_in(monkeypatch, ready, timedelta(days=5))

    result = run("check")

    assert result.exit_code == 1, result.output
    assert ("The token of the Facebook account 'facebook' expires on Thu 03 Dec 19:00, in 5 "
            "days." in result.output)
    assert result.output.index("expires on") < result.output.index("Fine:")
    data = run("check", "--json")
    [item] = [i for i in _items(data) if i["code"] == "token_expiry"]
    assert item["blocks_week"] is True and item["severity"] == "problem"
    assert item["expires_at"] == (ready.clock.now() + timedelta(days=5)).isoformat()


@pytest.mark.pinned_dates  # its words name dates of the default start's week
def test_a_token_expiring_in_20_days_is_a_warning(run: Run, ready: App,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    _expiring_in(monkeypatch, ready, timedelta(days=20))

    result = run("check")

    assert result.exit_code == 0, result.output
    assert "To look at:" in result.output
    assert "expires on Fri 18 Dec 19:00, in 20 days." in result.output
    assert "Nothing stops a post in the next 7 days." in result.output


def test_a_token_expiring_in_two_months_is_fine(run: Run, ready: App,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    _expiring_in(monkeypatch, ready, timedelta(days=60))

    result = run("check")

    assert result.exit_code == 0, result.output
    assert "All set for the week ahead." in result.output


def test_a_declined_permission_blocks_the_week(run: Run, app: App, platform: Any,
                                               oauth_front: Any) -> None:
    from tests.costanza.services.accounts.conftest import SHORT_LIVED

    assert run("account", "add", "facebook", "--user-token", SHORT_LIVED, "--app-id", "1",
               "--app-secret", "app-secret-1").exit_code == 0
    add_posts(app, 4)
    daemon_alive(app)
    assert run("check").exit_code == 0
    oauth_front.permissions = [{"permission": "pages_show_list", "status": "granted"},
                               {"permission": "pages_read_engagement", "status": "granted"},
                               {"permission": "pages_manage_posts", "status": "declined"}]

    result = run("check")

    assert result.exit_code == 1, result.output
    assert "Without pages_manage_posts, Costanza cannot" in result.output, result.output
    [item] = [i for i in _items(run("check", "--json")) if i["code"] == "permissions"]
    assert item["blocks_week"] is True


def test_instagram_quota_used_up_blocks_the_week(run: Run, ready: App, platform: Any,
                                                 home: Path,
                                                 web_folder: tuple[Path, str]) -> None:
    media_host(home, *web_folder)
    connect(run, platform.creds, "instagram")
    result = run("check")
    assert result.exit_code == 0, result.output
    assert ("The Instagram account 'instagram' may publish 100 more posts in the next 24 "
            "hours." in result.output)
    assert "The media host serves photos:" in result.output

    platform.control.settings(ig_publish_limit=0)
    result = run("check")

    assert result.exit_code == 1, result.output
    assert ("The Instagram account 'instagram' has used up its publishing limit (0 of 0 "
            "posts in the last 24 hours)" in result.output)
    [item] = [i for i in _items(run("check", "--json")) if i["code"] == "quota"]
    assert item["data"] == {"account": "instagram", "quota_total": 0, "quota_usage": 0,
                            "remaining": 0}


def test_no_media_host_blocks_when_an_instagram_photo_is_due(
        run: Run, ready: App, platform: Any, photo: Path) -> None:
    connect(run, platform.creds, "instagram")
    assert "The media host serves photos" in run("check").output  # through the Page
    # Without the Facebook Page (and no [media_host]), Instagram's photos have nowhere to go.
    assert run("account", "remove", "facebook").exit_code == 0
    result = run("check")
    assert result.exit_code == 0, result.output  # no Instagram photo is due: a warning
    assert "To look at:" in result.output
    assert "No media host is set up" in result.output

    add_posts(ready, 1, targets="instagram", photo=photo, top=True)
    result = run("check")

    assert result.exit_code == 1, result.output
    assert ("1 Instagram post with photos is due in the next 7 days and will wait."
            in result.output)
    items = _items(run("check", "--json"))
    [host] = [i for i in items if i["code"] == "media_host"]
    assert host["blocks_week"] is True
    assert host["data"]["instagram_photo_posts_this_week"] == [5]
    # The media host's problem is told once, not again as the account's.
    assert not [i for i in items if i["subject"] == "account:instagram"
                and i["severity"] != "ok" and i["code"] != "quota"]


@pytest.mark.pinned_dates  # its words name dates of the default start's week
def test_an_empty_slot_in_the_week_blocks_it(run: Run, app: App, platform: Any) -> None:
    connect(run, platform.creds, "facebook")
    daemon_alive(app)
    add_posts(app, 2)

    result = run("check")

    assert result.exit_code == 1, result.output
    assert ("The queue runs out: 1 slot in the next 7 days has no post, on Fri 04 Dec "
            "12:00." in result.output)


@pytest.mark.pinned_dates  # its words name dates of the default start's week
def test_a_paused_week_has_no_empty_slot(run: Run, app: App, platform: Any) -> None:
    connect(run, platform.creds, "facebook")
    daemon_alive(app)
    assert run("pause", "--until", "2026-12-06").exit_code == 0

    result = run("check")

    assert result.exit_code == 0, result.output
    assert "The queue runs out" not in result.output


def test_a_dead_daemon_blocks_when_posts_are_due(run: Run, app: App, platform: Any,
                                                 clock: Any) -> None:
    connect(run, platform.creds, "facebook")
    add_posts(app, 4)
    daemon_alive(app, at=clock.now() - timedelta(hours=1))  # its last heartbeat

    result = run("check")

    assert result.exit_code == 1, result.output
    assert ("The daemon is not running, so the 3 posts due in the next 7 days will not go "
            "out." in result.output)
    assert "What to do: Start it with `costanza daemon`" in result.output


def test_the_json_has_every_item(run: Run, ready: App) -> None:
    result = run("check", "--json")

    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"checked_at", "until", "ready", "problems", "warnings", "items"}
    assert data["ready"] is True and data["problems"] == 0 and data["warnings"] == 0
    assert [i["code"] for i in data["items"]] == ["token", "runway", "daemon", "graph_api_version"]
    for item in data["items"]:
        assert set(item) == {"code", "severity", "blocks_week", "subject", "sentence", "fix",
                             "expires_at", "data"}
    runway = data["items"][1]
    assert runway["data"]["due_this_week"] == 3 and runway["data"]["empty_slots"] == []
