"""``kind = "sandbox"``: the sandbox keeps the photos and serves them itself.

For trying Costanza against the sandbox (``costanza sandbox``) without a web
server of one's own: each photo is sent to the sandbox (``POST
/_sandbox/media``), which stores it by content hash and answers with the
address it serves it at (``/_sandbox/media/<sha256>.jpg``); the sandbox's
Instagram fetches it from there, as the real one fetches from a web server.
``costanza sandbox connect`` writes this section.

    [media_host]
    kind = "sandbox"
    url = "http://127.0.0.1:8787"     # default: the address in COSTANZA_PLATFORM_URL

Only the sandbox can use these addresses: real Instagram cannot reach a
sandbox on this computer, so ``check`` warns when Costanza talks to the real
networks.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import requests

from config.errors import PublishFailed, RetryLater, SettingsError
from config.i18n import _
from config.settings import Settings
from scheduler.media_hosts.base import MediaHost, Table, checked_hash, register

TIMEOUT = 60.0


@register
class SandboxHost(MediaHost):
    kind = "sandbox"
    local_only = True  # the sandbox on this computer is the only one fetching from it

    def __init__(self, url: str, platform_url: str | None = None) -> None:
        self.url = url.rstrip("/")
        self.platform_url = platform_url.rstrip("/") if platform_url else None

    @classmethod
    def from_settings(cls, table: Mapping[str, Any], settings: Settings) -> SandboxHost:
        read = Table(table, settings, {"url"})
        if "url" not in table and not settings.networks_base_url:
            raise SettingsError(
                _("In {file}, [media_host] kind = \"sandbox\" needs the "
                  "sandbox's address: add url = \"http://127.0.0.1:8787\" (or set "
                  "COSTANZA_PLATFORM_URL to it).").format(file=settings.home.config_file))
        url = read.url("url") if "url" in table else str(settings.networks_base_url)
        return cls(url, settings.networks_base_url)

    def describe(self) -> str:
        return _("the sandbox at {url}").format(url=self.url)

    def public_url(self, path: Path, sha256: str, mime: str) -> str:
        checked_hash(sha256, path)  # a bad hash is recomputed, as the other hosts do
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise PublishFailed(
                _("Costanza could not read the photo to send to the sandbox "
                  "({error}). Check that the disk holding Costanza's media "
                  "folder is working, then add the photo again with `costanza post edit`."
                  ).format(error=exc.strerror or exc)) from None
        try:
            response = requests.post(f"{self.url}/_sandbox/media", data=data, timeout=TIMEOUT,
                                     headers={"Content-Type": mime or "application/octet-stream"})
        except requests.RequestException:
            raise RetryLater(
                _("The sandbox at {url} did not answer, so the photo could not be put "
                  "there. Start it with `costanza sandbox`; Costanza will try again.").format(
                      url=self.url)) from None
        if response.status_code != 200:
            raise PublishFailed(
                _("The sandbox at {url} refused the photo (it answered "
                  "{status}). Check `media_host.url` in your settings.").format(
                      url=self.url, status=response.status_code),
                http_status=response.status_code)
        try:
            return str(response.json()["url"])
        except (ValueError, KeyError, TypeError):
            raise PublishFailed(
                _("{url} answered, but not as Costanza's sandbox does. Check "
                  "`media_host.url` in your settings: it should be the address "
                  "`costanza sandbox` prints.").format(url=self.url)) from None

    def remove(self, sha256: str, mime: str) -> None:
        """The sandbox keeps what it was sent (it forgets it on `reset`): nothing to do."""

    def fix_hint(self) -> str:
        return _("Check that the sandbox is running at {url} (`costanza sandbox`) and "
                 "that `media_host.url` in your settings is its address.").format(url=self.url)

    def warnings(self, url: str) -> list[str]:
        if self.platform_url is None:
            return [_("The media host is the sandbox, but Costanza is talking to the real "
                      "Facebook, Instagram and X: real Instagram cannot fetch photos from it. "
                      "Set up a folder or s3 media host before publishing for real (see the "
                      "README).")]
        return []
