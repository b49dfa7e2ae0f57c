"""``kind = "facebook_page"``: Instagram's photos staged on the connected Facebook Page.

Nothing to set up: each photo is uploaded to the profile's Facebook Page as an
*unpublished* photo (``POST /{page-id}/photos``, multipart ``source``,
``published=false``, ``temporary=true``), so it appears in no feed; its CDN
address is read back (``GET /{photo-id}?fields=images``, the largest
``source``) and handed to the Instagram container as ``image_url``; once the
attempt is over (Instagram fetches ``image_url`` when the container is made)
the photo is deleted (``DELETE /{photo-id}``). Every staged photo is written
down first (``_staged``), so one left by a crash is deleted on the next use or
by the daemon's hourly housekeeping. It is the host Costanza uses when the
settings have no ``[media_host]`` section and the profile has a Facebook Page
connected; an explicit ``[media_host]`` always wins.

    [media_host]
    kind = "facebook_page"

What Meta's documentation says (checked for this host):

- Unpublished Page photos are allowed: "You can upload an unpublished photo
  without publishing a story to the /user-id/photos or /page-id/photos edge"
  (developers.facebook.com/docs/graph-api/photo-uploads); the Page Photos
  reference (developers.facebook.com/docs/graph-api/reference/page/photos)
  lists ``published`` among the parameters of ``POST /{page-id}/photos``, and
  Meta's machine-readable spec of that call (facebook-business-sdk-codegen,
  ``api_specs/specs/Page.json``) lists both ``published`` and ``temporary``
  (bool). The docs do not say more of ``temporary``; it is sent because the
  photo is meant to live for minutes only, and it changes nothing else.
- The Page token needs ``pages_manage_posts`` (with ``pages_read_engagement``)
  to add photos, the same permissions Costanza asks for to publish on the Page.
- How long the CDN address lives is not documented by Meta. Its ``oe`` query
  parameter is the moment it stops working, in hexadecimal Unix seconds
  (third-party write-ups of fbcdn addresses, e.g. dev.to "Pre-Signed URL
  Expiry"); addresses seen in practice live a few days. Instagram fetches the
  photo when the container is created, seconds after the address is read, and
  Costanza never keeps an address: it stages the photo again, and reads a
  fresh address, for every attempt. ``cdn_expiry`` reads ``oe`` for messages.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from config.clock import Clock, SystemClock
from config.errors import MediaHostUnreachable, PublishError, PublishFailed, RetryLater
from config.i18n import _
from config.secrets import SecretStore
from config.settings import Settings
from scheduler.http.hygiene import redact, remember_secrets
from scheduler.http.routing import RoutingSession
from scheduler.http.transport import transport_error
from scheduler.media_hosts._staged import Staged, StagedRecord
from scheduler.media_hosts.base import CheckResult, MediaHost, Table, checked_hash, register
from scheduler.publishers.graph.client import GRAPH_HOST, GRAPH_URL
from scheduler.publishers.graph.errors import classify_graph_error

log = logging.getLogger(__name__)

# A staged photo older than this is no attempt's any more: the sweep deletes it.
GRACE = timedelta(hours=1)
# A photo that could not be deleted for this long (the Page was disconnected) is forgotten.
GIVE_UP = timedelta(days=7)
# Graph error codes that mean "this token may not do that".
PERMISSION_CODES = {3, 10} | set(range(200, 300))


def cdn_expiry(url: str) -> datetime | None:
    """When a CDN address stops working (its ``oe`` parameter), if it says."""
    values = parse_qs(urlsplit(url).query).get("oe") or []
    try:
        return datetime.fromtimestamp(int(values[0], 16), UTC) if values else None
    except (ValueError, OverflowError, OSError):
        return None


@register
class FacebookPageHost(MediaHost):
    kind = "facebook_page"
    local_only = True  # the address is Facebook's own CDN: reachable by Instagram
    needs_page = True

    def __init__(self, data_dir: Path, secrets: SecretStore, base_url: str | None = None,
                 timeout: float = 30.0, clock: Clock | None = None,
                 graph_url: str = GRAPH_URL) -> None:
        self.record = StagedRecord(data_dir)
        self.graph_url = graph_url  # https://graph.facebook.com/<[networks] graph_api_version>
        self.secrets = secrets
        self.base_url = base_url
        self.timeout = timeout
        self.clock: Clock = clock or SystemClock()
        self.account: str | None = None
        self.page_id: str | None = None
        self._token: str | None = None

    @classmethod
    def from_settings(cls, table: Mapping[str, Any], settings: Settings) -> FacebookPageHost:
        Table(table, settings, set())  # no keys: an unknown one is named
        return cls(settings.home.data_dir, SecretStore(settings.home.secrets_file),
                   settings.networks_base_url, settings.networks_timeout_seconds,
                   graph_url=f"https://{GRAPH_HOST}/{settings.graph_api_version}")

    def for_page(self, account: str, page_id: str) -> FacebookPageHost:
        """This host, staging on the Page of the Facebook account ``account``."""
        token = self.secrets.get(account).get("page_token")
        if not token:
            raise PublishFailed(
                _("Costanza puts Instagram's photos on your Facebook Page for a moment, but "
                  "the Facebook account '{name}' has no Page token saved. Connect it again "
                  "with `costanza account add facebook`.").format(name=account))
        remember_secrets(token)
        bound = replace_host(self)
        bound.account, bound.page_id, bound._token = account, page_id, token
        return bound

    def describe(self) -> str:
        if self.page_id is None:
            return _("unpublished photos on your Facebook Page")
        return _("unpublished photos on the Facebook Page {page}").format(page=self.page_id)

    def fix_hint(self) -> str:
        return _("Check that the Facebook Page is still connected (`costanza account list`); "
                 "if it is, connect it again with `costanza account add facebook`.")

    # -- staging -------------------------------------------------------------
    def public_url(self, path: Path, sha256: str, mime: str) -> str:
        account, page_id, token = self._page()
        self.sweep()
        digest = checked_hash(sha256, path)
        photo_id = self._upload(path, mime, page_id, token)
        entry = Staged(photo_id, account, page_id, digest, "",
                       self.clock.now().astimezone(UTC).isoformat())
        self.record.add(entry)  # written down before anything else can go wrong
        try:
            url = self._address(photo_id, token)
        except BaseException:
            with contextlib.suppress(Exception):
                self._delete(entry)
            raise
        self.record.add(replace(entry, url=url))
        return url

    def _page(self) -> tuple[str, str, str]:
        if self.account is None or self.page_id is None or self._token is None:
            raise PublishFailed(no_page_message())
        return self.account, self.page_id, self._token

    def _session(self) -> RoutingSession:
        return RoutingSession(self.base_url, timeout=self.timeout)

    def _upload(self, path: Path, mime: str, page_id: str, token: str) -> str:
        try:
            fh = path.open("rb")
        except OSError as exc:
            raise PublishFailed(
                _("Costanza could not read the photo to put on your Facebook Page ({error}). "
                  "Check that the disk holding Costanza's media folder is working, then add "
                  "the photo again with `costanza post edit`.").format(
                      error=exc.strerror or exc)) from None
        with fh, self._session() as session:
            reply = self._send(session.post, f"{self.graph_url}/{page_id}/photos", token, data={
                "published": "false", "temporary": "true", "access_token": token},
                files={"source": (path.name, fh, mime or "image/jpeg")})
        photo_id = str(reply.get("id") or "")
        if not photo_id:
            raise RetryLater(_("Facebook took the photo but did not say its number; Costanza "
                               "will try again."))
        return photo_id

    def _address(self, photo_id: str, token: str) -> str:
        with self._session() as session:
            reply = self._send(session.get, f"{self.graph_url}/{photo_id}", token,
                               params={"fields": "images"},
                               headers={"Authorization": f"OAuth {token}"})
        images = [i for i in reply.get("images") or [] if isinstance(i, dict) and
                  isinstance(i.get("source"), str)]
        if not images:
            raise RetryLater(_("Facebook did not give an address for the photo yet; Costanza "
                               "will try again."))
        largest = max(images, key=lambda i: int(i.get("width") or 0) * int(i.get("height")
                                                                            or 0))
        return str(largest["source"])

    def _send(self, call: Any, url: str, token: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = call(url, **kwargs)
        except requests.RequestException as exc:
            raise transport_error(exc, network="facebook", creates=False,
                                  secrets=(token,)) from None
        try:
            payload = response.json()
        except ValueError:
            payload = None
        error = payload.get("error") if isinstance(payload, dict) else None
        if response.status_code < 400 and isinstance(payload, dict) and error is None:
            return payload
        raise self._problem(response, error if isinstance(error, dict) else None, token)

    def _problem(self, response: requests.Response, error: dict[str, Any] | None,
                 token: str) -> PublishError:
        code = error.get("code") if error else None
        if isinstance(code, int) and code in PERMISSION_CODES:
            return PublishFailed(permission_message(self.page_id or ""), code="permission")
        return classify_graph_error(response.status_code, error, response.headers,
                                    network="facebook", creates=False, now=self.clock.now(),
                                    secrets=(token,))

    # -- taking photos off again -----------------------------------------------
    def remove(self, sha256: str, mime: str) -> None:
        """Delete what this host staged for ``sha256`` (the test photo of ``check``)."""
        self._delete_all(e for e in self.record.all() if e.sha256 == sha256 and
                         (self.page_id is None or e.page_id == self.page_id))

    def fetched(self, urls: Iterable[str]) -> None:
        wanted = set(urls)
        if wanted:
            self._delete_all(e for e in self.record.all() if e.url in wanted)

    def sweep(self) -> None:
        cutoff = self.clock.now() - GRACE
        self._delete_all(e for e in self.record.all() if e.staged <= cutoff)

    def _delete_all(self, entries: Iterable[Staged]) -> None:
        for entry in list(entries):
            try:
                self._delete(entry)
            except Exception:  # a failed delete is tried again by the next sweep
                log.warning(_("could not delete the staged photo {photo} from the Facebook "
                              "Page; Costanza tries again later").format(photo=entry.photo_id))

    def _delete(self, entry: Staged) -> None:
        token = self.secrets.get(entry.account).get("page_token")
        if not token:
            if entry.staged <= self.clock.now() - GIVE_UP:
                self.record.drop(entry.photo_id)
            return
        remember_secrets(token)
        with self._session() as session:
            try:
                response = session.delete(f"{self.graph_url}/{entry.photo_id}",
                                          headers={"Authorization": f"OAuth {token}"})
            except requests.RequestException as exc:
                raise RuntimeError(redact(str(exc), (token,))) from None
        try:
            payload = response.json()
        except ValueError:
            payload = None
        error = payload.get("error") if isinstance(payload, dict) else None
        gone = isinstance(error, dict) and error.get("code") == 100
        if (response.status_code < 400 and error is None) or gone:
            self.record.drop(entry.photo_id)
            return
        if entry.staged <= self.clock.now() - GIVE_UP:
            self.record.drop(entry.photo_id)
            return
        raise RuntimeError(f"DELETE answered {response.status_code}")

    # -- checking --------------------------------------------------------------
    def check(self, timeout: float = 20.0) -> CheckResult:
        if self.page_id is None:
            raise MediaHostUnreachable(no_page_message())
        return super().check(timeout)


def replace_host(host: FacebookPageHost) -> FacebookPageHost:
    """A copy sharing the record, the secrets and the clock."""
    copy = FacebookPageHost.__new__(FacebookPageHost)
    copy.__dict__.update(host.__dict__)
    return copy


def no_page_message() -> str:
    return _("Instagram needs your photos at a public web address. The simplest way: "
             "connect your Facebook Page with `costanza account add facebook`, and "
             "Costanza puts each photo on the Page for a moment, unseen, while Instagram "
             "fetches it. Or add a [media_host] section to your settings (see the README).")


def permission_message(page: str) -> str:
    return _("Costanza puts Instagram's photos on your Facebook Page {page} for a moment "
             "(unseen, never in the feed), but Facebook does not let this Page's token add "
             "photos: it lacks the pages_manage_posts permission. Connect the Page again "
             "with `costanza account add facebook` and allow that permission, or add a "
             "[media_host] section to your settings (see the README).").format(page=page)
