"""A photo post goes out through an account connected with Instagram Login: from
`account add instagram --instagram-login` to `daemon --once`, against the sandbox."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from click.testing import Result
from PIL import Image

from tests.costanza.services.accounts.conftest import Platform

Run = Callable[..., Result]


def test_a_photo_post_goes_out_through_instagram_login(run: Run, platform: Platform,
                                                       home: Path, tmp_path: Path) -> None:
    platform.control.settings(ig_processing_secs=0)
    assert run("init", "--timezone", "Europe/Rome").exit_code == 0
    with (home / "config.toml").open("a", encoding="utf-8") as fh:
        fh.write(f'\n[media_host]\nkind = "sandbox"\nurl = "{platform.base_url}"\n')
    added = run("account", "add", "instagram", "--instagram-login", "--token",
                platform.creds["instagram"]["login_token"], "--app-secret", "s3cret-app")
    assert added.exit_code == 0, added.output
    assert "[media_host]" not in added.output  # a media host is there: no note about it
    photo = tmp_path / "robbia.jpg"
    Image.new("RGB", (1080, 1350), (196, 160, 120)).save(photo, "JPEG", quality=85)
    post = run("post", "add", "Gomitoli tinti con la robbia", "--photo", str(photo), "--alt",
               "Gomitoli rossi", "--to", "instagram")
    assert post.exit_code == 0, post.output
    assert run("post", "now", "1").exit_code == 0

    once = run("daemon", "--once")

    assert once.exit_code == 0, once.output
    [published] = platform.control.posts("instagram")
    assert published["text"] == "Gomitoli tinti con la robbia"
    assert published["permalink"] in run("log").output
    user = platform.creds["instagram"]["ig_user_id"]
    paths = [r["path"] for r in platform.control.requests() if r.get("network") == "instagram"]
    assert f"/ig-graph/v26.0/{user}/media_publish" in paths
    assert not [p for p in paths if p.startswith(f"/v26.0/{user}")]  # not graph.facebook.com
