"""The facebook_page media host against a real sandbox: photos staged as unpublished Page
photos, read back from their CDN address, deleted afterwards, swept after a crash."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from config.clock import FakeClock
from config.errors import MediaHostUnreachable, PublishFailed, SettingsError
from config.paths import Home
from config.secrets import SecretStore
from config.settings import Settings
from costanza.demo.sandbox.control import SandboxClient
from costanza.demo.sandbox.server import SandboxServer
from scheduler.media_hosts import default_media_host, make_media_host
from scheduler.media_hosts.facebook_page import FacebookPageHost, cdn_expiry
from scheduler.media_hosts.folder import FolderHost
from tests.factories.media import make_jpeg


@pytest.fixture
def sandbox() -> Iterator[tuple[str, dict[str, Any]]]:
    with SandboxServer() as server:
        yield server.base_url, SandboxClient(server.base_url).create_accounts("demo")


def _settings(tmp_path: Path, platform: str, **media_host: Any) -> Settings:
    home = Home(config_file=tmp_path / "home" / "config.toml", data_dir=tmp_path / "home")
    return Settings(home=home, database_url="sqlite://", networks_base_url=platform,
                    media_host=dict(media_host))


def _host(tmp_path: Path, sandbox: tuple[str, dict[str, Any]], clock: FakeClock,
          token: str | None = None) -> FacebookPageHost:
    base_url, creds = sandbox
    settings = _settings(tmp_path, base_url)
    SecretStore(settings.home.secrets_file).put(
        "facebook", {"page_token": token or creds["facebook"]["page_token"]})
    host = default_media_host(settings, clock)
    assert isinstance(host, FacebookPageHost)
    bound = host.for_page("facebook", creds["facebook"]["page_id"])
    assert isinstance(bound, FacebookPageHost)
    return bound


def _graph_photo(base_url: str, photo_id: str, token: str) -> requests.Response:
    return requests.get(f"{base_url}/v26.0/{photo_id}", params={"fields": "id,images"},
                        headers={"Authorization": f"OAuth {token}"}, timeout=10)


def _staged(tmp_path: Path) -> dict[str, Any]:
    path = tmp_path / "home" / "staged-photos.json"
    return json.loads(path.read_text())["photos"] if path.exists() else {}


def test_a_photo_is_staged_unpublished_and_read_back_from_its_cdn_address(
        tmp_path: Path, sandbox: tuple[str, dict[str, Any]], clock: FakeClock) -> None:
    base_url, creds = sandbox
    host = _host(tmp_path, sandbox, clock)
    photo = make_jpeg(tmp_path / "vaso.jpg", (64, 48))
    digest = hashlib.sha256(photo.read_bytes()).hexdigest()

    url = host.public_url(photo, digest, "image/jpeg")

    assert url.startswith(f"{base_url}/_sandbox/cdn/")
    assert cdn_expiry(url) is not None
    assert requests.get(url, timeout=10).content == photo.read_bytes()
    [(photo_id, entry)] = _staged(tmp_path).items()
    assert entry["url"] == url and entry["sha256"] == digest
    assert creds["facebook"]["page_token"] not in json.dumps(entry)
    feed = requests.get(f"{base_url}/_sandbox/posts", params={"network": "facebook"},
                        timeout=10).json()
    assert feed == []  # unpublished: nothing on the Page's feed

    host.fetched([url])

    assert _staged(tmp_path) == {}
    assert requests.get(url, timeout=10).status_code == 404
    gone = _graph_photo(base_url, photo_id, creds["facebook"]["page_token"])
    assert gone.json()["error"]["code"] == 100


def test_the_token_never_travels_in_a_url(tmp_path: Path, sandbox: tuple[str, dict[str, Any]],
                                          clock: FakeClock) -> None:
    base_url, creds = sandbox
    host = _host(tmp_path, sandbox, clock)
    url = host.public_url(make_jpeg(tmp_path / "a.jpg", (32, 32)), "x", "image/jpeg")
    host.fetched([url])
    log = requests.get(f"{base_url}/_sandbox/requests", timeout=10).json()
    assert log, "the sandbox keeps a log of the calls"
    assert creds["facebook"]["page_token"] not in json.dumps([r.get("path") for r in log]
                                                             + [r.get("query") for r in log])


def test_a_crash_between_staging_and_deleting_is_swept_later(
        tmp_path: Path, sandbox: tuple[str, dict[str, Any]], clock: FakeClock) -> None:
    url = _host(tmp_path, sandbox, clock).public_url(
        make_jpeg(tmp_path / "b.jpg", (32, 32)), "x", "image/jpeg")
    # The process dies here. A new one, an hour later, sweeps what was left.
    later = _host(tmp_path, sandbox, clock)
    later.sweep()
    assert len(_staged(tmp_path)) == 1  # too recent: it may be an attempt under way
    clock.advance(hours=1, minutes=1)
    later.sweep()
    assert _staged(tmp_path) == {}
    assert requests.get(url, timeout=10).status_code == 404


def test_check_stages_a_test_photo_fetches_it_and_deletes_it(
        tmp_path: Path, sandbox: tuple[str, dict[str, Any]], clock: FakeClock) -> None:
    checked = _host(tmp_path, sandbox, clock).check()
    assert checked.warnings == []
    assert requests.get(checked.url, timeout=10).status_code == 404
    assert _staged(tmp_path) == {}


def test_a_page_without_photo_permission_gives_a_plain_message(
        tmp_path: Path, sandbox: tuple[str, dict[str, Any]], clock: FakeClock) -> None:
    base_url, _creds = sandbox
    SandboxClient(base_url).fault("facebook", "photos", status=403, body={"error": {
        "message": "(#200) Requires pages_manage_posts permission", "type": "OAuthException",
        "code": 200}})
    with pytest.raises(PublishFailed) as caught:
        _host(tmp_path, sandbox, clock).public_url(make_jpeg(tmp_path / "c.jpg", (32, 32)),
                                                   "x", "image/jpeg")
    assert "pages_manage_posts" in caught.value.message
    assert "costanza account add facebook" in caught.value.message
    assert _staged(tmp_path) == {}


def test_an_unbound_host_names_the_simplest_way(tmp_path: Path,
                                                sandbox: tuple[str, dict[str, Any]]) -> None:
    host = default_media_host(_settings(tmp_path, sandbox[0]))
    with pytest.raises(MediaHostUnreachable) as caught:
        host.check()
    assert "costanza account add facebook" in caught.value.message


def test_explicit_media_host_settings_win(tmp_path: Path, sandbox: tuple[str, dict[str, Any]]
                                          ) -> None:
    settings = _settings(tmp_path, sandbox[0], kind="folder", path=str(tmp_path / "www"),
                         base_url="https://www.example.it/m/")
    assert isinstance(default_media_host(settings), FolderHost)
    chosen = make_media_host(_settings(tmp_path, sandbox[0], kind="facebook_page"))
    assert isinstance(chosen, FacebookPageHost)


def test_no_media_host_section_mentions_the_facebook_page(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as caught:
        make_media_host(_settings(tmp_path, "http://127.0.0.1:9"))
    assert "costanza account add facebook" in caught.value.message


def test_an_unknown_key_is_named(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as caught:
        make_media_host(_settings(tmp_path, "http://127.0.0.1:9", kind="facebook_page",
                                  page="x"))
    assert "media_host.page" in caught.value.message


def test_the_record_is_safe_across_threads(tmp_path: Path, sandbox: tuple[str, dict[str, Any]],
                                           clock: FakeClock) -> None:
    host = _host(tmp_path, sandbox, clock)
    photos = [make_jpeg(tmp_path / f"p{i}.jpg", (32, 32 + i)) for i in range(6)]
    urls: list[str] = []

    def stage(path: Path) -> None:
        urls.append(host.public_url(path, "x", "image/jpeg"))

    threads = [threading.Thread(target=stage, args=(p,)) for p in photos]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(_staged(tmp_path)) == 6
    host.fetched(urls)
    assert _staged(tmp_path) == {}
