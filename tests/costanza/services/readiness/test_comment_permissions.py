"""The comments' permissions (pages_manage_engagement, instagram_manage_comments): account
setup asks for them, a login without them still connects and publishes, and `costanza
check` warns, without failing, that the comments cannot be read or answered. Against the
sandbox over HTTP, on a real SQLite home."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from click.testing import Result

from costanza.app import App
from tests.costanza.services.accounts.conftest import Platform
from tests.costanza.services.readiness.conftest import add_posts, daemon_alive

Run = Callable[..., Result]
SECRET = "app-secret-comments-7"
COMMENTS = ["pages_manage_engagement", "instagram_manage_comments"]


def _add_facebook(run: Run, platform: Platform) -> Result:
    return run("account", "add", "facebook", "--user-token",
               platform.creds["facebook"]["short_user_token"], "--app-id", "123",
               "--app-secret", SECRET)


def _comment_items(result: Result) -> list[dict[str, Any]]:
    return [i for i in json.loads(result.stdout)["items"] if i["code"] == "comment_permissions"]


def test_the_guided_setup_lists_the_comment_permissions(run: Run, app: App,
                                                        platform: Platform) -> None:
    result = run("account", "add", "facebook")  # no terminal: the steps, then the command
    assert result.exit_code == 1
    assert "add these seven" in result.output
    assert ("- pages_manage_engagement: answer and hide the comments under your Page's posts"
            in result.output)
    assert ("- instagram_manage_comments: read, answer and hide the comments on Instagram"
            in result.output)
    steps = json.loads(run("account", "add", "facebook", "--json").stdout)["steps"]
    asked = [d.split(":")[0] for d in steps[3]["details"]]
    assert asked == ["pages_show_list", "pages_read_engagement", "pages_manage_posts",
                     "pages_manage_engagement", "instagram_basic",
                     "instagram_content_publish", "instagram_manage_comments"]


def test_the_demo_tokens_grant_the_comment_permissions(platform: Platform) -> None:
    import requests

    login = platform.creds["facebook"]["user_token"]
    reply = requests.get(f"{platform.base_url}/v26.0/me/permissions",
                         headers={"Authorization": f"OAuth {login}"}, timeout=10).json()
    granted = {p["permission"] for p in reply["data"] if p["status"] == "granted"}
    assert set(COMMENTS) <= granted
    for token in (platform.creds["facebook"]["page_token"], platform.creds["instagram"]["token"]):
        debug = requests.post(f"{platform.base_url}/v26.0/debug_token", data={
            "method": "GET", "input_token": token, "access_token": login}, timeout=10).json()
        assert "instagram_manage_comments" in debug["data"]["scopes"]


def test_a_token_refused_for_a_permission_names_the_comment_ones_to_grant() -> None:
    from costanza.services.accounts.common import graph_problem

    problem = graph_problem("instagram", 403, {"code": 10, "message": "(#10) Not allowed"})
    assert "pages_manage_engagement" in problem.message
    assert "instagram_manage_comments" in problem.message
    assert "pages_manage_posts" in problem.message


def test_without_the_comment_permissions_it_connects_publishes_and_check_warns(
        run: Run, app: App, platform: Platform, home: Path, tmp_path: Path) -> None:
    from PIL import Image

    platform.control.settings(ig_processing_secs=0)
    platform.control.decline_permissions(COMMENTS)
    added = _add_facebook(run, platform)
    assert added.exit_code == 0, added.output
    assert "Without pages_manage_engagement, Costanza cannot answer" in added.output
    assert "Without instagram_manage_comments, Costanza cannot read" in added.output
    assert "Publishing works without pages_manage_engagement, instagram_manage_comments" \
        in added.output
    assert run("account", "add", "instagram").exit_code == 0

    photo = tmp_path / "telaio.jpg"
    Image.new("RGB", (1080, 1350), (150, 90, 60)).save(photo, "JPEG", quality=85)
    post = run("post", "add", "Il telaio del 1920", "--photo", str(photo), "--alt", "Un telaio",
               "--to", "facebook,instagram", "--json")
    assert post.exit_code == 0, post.output
    assert run("post", "now", str(json.loads(post.stdout)["id"])).exit_code == 0
    once = run("daemon", "--once")
    assert once.exit_code == 0, once.output
    assert [p["text"] for p in platform.control.posts("facebook")] == ["Il telaio del 1920"]
    assert [p["text"] for p in platform.control.posts("instagram")] == ["Il telaio del 1920"]

    accounts = run("account", "check")
    assert accounts.exit_code == 0, accounts.output  # publishing works: no problem
    assert "facebook (Facebook Page" in accounts.output and "HAS A PROBLEM" not in accounts.output
    assert ("comments: Without pages_manage_engagement, Costanza cannot answer or hide the "
            "comments under your Page's posts (it can still read them). Publishing is not "
            "affected.") in accounts.output
    checked = {r["name"]: r for r in json.loads(run("account", "check", "--json").stdout)}
    assert checked["facebook"]["ok"] and checked["facebook"]["missing_permissions"] == []
    assert [m["permission"] for m in checked["instagram"]["comment_permissions"]["missing"]] \
        == ["instagram_manage_comments"]

    add_posts(app, 4)
    daemon_alive(app)
    result = run("check")
    assert result.exit_code == 0, result.output  # a warning: the week is not stopped
    assert "To look at:" in result.output
    assert "Nothing stops a post in the next 7 days." in result.output
    assert ("Facebook account 'facebook': Without pages_manage_engagement, Costanza cannot "
            "answer or hide the comments") in result.output
    assert ("Instagram account 'instagram': Without instagram_manage_comments, Costanza "
            "cannot read, answer or hide the comments on Instagram. Publishing is not "
            "affected.") in result.output
    assert ("What to do: Connect your Page again with `costanza account add facebook ...`, "
            "allowing pages_manage_engagement") in result.output
    assert "then run `costanza account add instagram` again." in result.output
    as_json = run("check", "--json")
    assert json.loads(as_json.stdout)["ready"] is True
    items = {i["subject"]: i for i in _comment_items(as_json)}
    assert set(items) == {"account:facebook", "account:instagram"}
    for item in items.values():
        assert item["severity"] == "warning" and item["blocks_week"] is False
    assert items["account:facebook"]["data"]["missing"] == ["pages_manage_engagement"]
    assert items["account:instagram"]["data"]["missing"] == ["instagram_manage_comments"]


def test_with_the_comment_permissions_check_says_nothing_of_them(
        run: Run, app: App, platform: Platform) -> None:
    added = _add_facebook(run, platform)
    assert added.exit_code == 0, added.output
    assert "Missing:" not in added.output and "comments under your posts" not in added.output
    assert run("account", "add", "instagram").exit_code == 0
    add_posts(app, 4)
    daemon_alive(app)

    result = run("check", "--json")

    assert result.exit_code == 0, result.output
    assert _comment_items(result) == []
    checked = json.loads(run("account", "check", "--json").stdout)
    assert [r["comment_permissions"] for r in checked] == [None, None]
    assert "comments:" not in run("account", "check").output


def test_granting_them_again_ends_the_warning(run: Run, app: App, platform: Platform) -> None:
    platform.control.decline_permissions(["pages_manage_engagement"])
    assert _add_facebook(run, platform).exit_code == 0
    add_posts(app, 4)
    daemon_alive(app)
    assert [i["subject"] for i in _comment_items(run("check", "--json"))] == ["account:facebook"]

    platform.control.decline_permissions([])

    assert _comment_items(run("check", "--json")) == []
