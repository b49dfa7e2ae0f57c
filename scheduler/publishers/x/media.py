"""X API v2 media upload (tweepy 4.17 only speaks the retired v1.1 upload).

- small images: one ``POST /2/media/upload`` (multipart ``media`` + ``media_category``);
- videos (and big images): ``initialize`` (JSON), ``append`` (multipart chunks of
  1-4 MB read one at a time from disk), ``finalize``, then ``STATUS`` polled as
  often as ``processing_info.check_after_secs`` says;
- alt text: ``POST /2/media/metadata``.

Calls are signed with OAuth 1.0a (``requests_oauthlib.OAuth1``). JSON and
multipart bodies are not part of the signature, only the URL and query are.
Uploading is never "creating a post": a failure here is always safe to retry.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import requests
from requests_oauthlib import OAuth1

from config.errors import PublishFailed, RetryLater
from config.i18n import N_, _
from scheduler.http.multipart import FileSlice, MultipartBody
from scheduler.http.routing import RoutingSession, redact
from scheduler.http.transport import transport_error
from scheduler.publishers.base import MediaFile
from scheduler.publishers.x.errors import REFUSED, classify_x_response, x_body, x_detail

INCOMPLETE = {
    "media": N_("X gave an incomplete answer while the media was being uploaded, so nothing "
                "was posted. Costanza will try again."),
    "photo": N_("X gave an incomplete answer while the photo was being uploaded, so nothing "
                "was posted. Costanza will try again."),
    "video": N_("X gave an incomplete answer while the video was being uploaded, so nothing "
                "was posted. Costanza will try again."),
}

API = "https://api.x.com/2"
ONE_SHOT_MAX = 5 * 1024 * 1024
DEFAULT_CHUNK = 4 * 1024 * 1024
DEFAULT_EXPIRY = 24 * 3600


@dataclass(frozen=True)
class UploadedMedia:
    media_id: str
    expires_at: datetime


def media_category(item: MediaFile) -> str:
    if item.kind == "video":
        return "tweet_video"
    if item.mime == "image/gif":
        return "tweet_gif"
    return "tweet_image"


class XMediaUploader:
    """Uploads one account's media to X; ``sleep`` is injectable so tests never wait."""

    def __init__(
        self,
        session: RoutingSession,
        auth: OAuth1,
        *,
        now: Callable[[], datetime],
        sleep: Callable[[float], None] = time.sleep,
        chunk_bytes: int = DEFAULT_CHUNK,
        max_wait: float = 900.0,
        secrets: tuple[str, ...] = (),
        post_id: int | None = None,
    ) -> None:
        if not 1024 <= chunk_bytes <= 5 * 1024 * 1024:
            raise ValueError("X media chunks must be between 1 KB and 5 MB")
        self.session = session
        self.auth = auth
        self.now = now
        self.sleep = sleep
        self.chunk_bytes = chunk_bytes
        self.max_wait = max_wait
        self.secrets = secrets
        self.post_id = post_id
        self._what = "media"

    def upload(self, item: MediaFile) -> UploadedMedia:
        """Upload ``item`` and wait until X can attach it; set its alt text."""
        size = os.path.getsize(item.path)
        self._what = "video" if item.kind == "video" else "photo"
        if item.kind == "photo" and item.mime != "image/gif" and size <= ONE_SHOT_MAX:
            data = self._one_shot(item)
        else:
            data = self._chunked(item, size)
        media_id = self._media_id(data)
        data = self._wait(media_id, data)
        if item.alt_text:
            self._call("POST", f"{API}/media/metadata", json={
                "id": media_id, "metadata": {"alt_text": {"text": item.alt_text[:1000]}},
            })
        expires = int(data.get("expires_after_secs") or DEFAULT_EXPIRY)
        return UploadedMedia(media_id, self.now() + timedelta(seconds=expires))

    def _one_shot(self, item: MediaFile) -> dict[str, Any]:
        with open(item.path, "rb") as fh:
            return self._call("POST", f"{API}/media/upload",
                              data={"media_category": media_category(item)},
                              files={"media": (item.path.name, fh, item.mime)})

    def _chunked(self, item: MediaFile, size: int) -> dict[str, Any]:
        init = self._call("POST", f"{API}/media/upload/initialize", json={
            "media_type": item.mime, "total_bytes": size, "media_category": media_category(item),
        })
        media_id = self._media_id(init)
        for index, offset in enumerate(range(0, size, self.chunk_bytes)):
            part = FileSlice(Path(item.path), offset, min(self.chunk_bytes, size - offset))
            body = MultipartBody({"segment_index": index},
                                 {"media": ("chunk", part, "application/octet-stream")})
            try:
                self._call("POST", f"{API}/media/upload/{media_id}/append", data=body,
                           headers={"Content-Type": body.content_type})
            finally:
                body.close()
        return self._call("POST", f"{API}/media/upload/{media_id}/finalize")

    def _media_id(self, data: dict[str, Any]) -> str:
        """The media id of an upload reply; without it the upload cannot go on (nothing is out)."""
        value = data.get("id") or data.get("media_id_string") or data.get("media_id")
        if not value:
            raise RetryLater(_(INCOMPLETE.get(self._what, INCOMPLETE["media"])),
                             code="bad_upload_reply")
        return str(value)

    def _wait(self, media_id: str, data: dict[str, Any]) -> dict[str, Any]:
        waited = 0.0
        while True:
            info = data.get("processing_info") or {}
            state = info.get("state")
            if not info or state == "succeeded":
                return data
            if state == "failed":
                error = info.get("error") or {}
                said = redact(error.get("message") or error.get("name") or _("no reason given"),
                              self.secrets)
                raise PublishFailed(
                    _("X could not process the video: {said}. X takes MP4 videos (H.264 and "
                      "AAC) from 0.5 to 140 seconds; change it with `costanza post edit "
                      "{post}`.").format(
                        said=said, post=self.post_id if self.post_id is not None else "ID"),
                    code="media_failed")
            if waited >= self.max_wait:
                raise RetryLater(_("X is still processing the video. Costanza will try again "
                                   "later."), code="processing")
            delay = max(1.0, float(info.get("check_after_secs") or 1))
            self.sleep(delay)
            waited += delay
            data = self._call("GET", f"{API}/media/upload",
                              params={"command": "STATUS", "media_id": media_id})

    def _call(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = self.session.request(method, url, auth=self.auth, **kwargs)
        except requests.RequestException as exc:
            raise transport_error(exc, network="x", creates=False,
                                  secrets=self.secrets) from None
        if response.status_code >= 400:
            raise classify_x_response(response, creates=False, secrets=self.secrets,
                                      post_id=self.post_id, what=self._what)
        body = x_body(response)
        if body.get("errors") and not body.get("data"):
            said = redact(x_detail(body), self.secrets).strip() or _("no reason given")
            post = self.post_id if self.post_id is not None else "ID"
            raise PublishFailed(
                _(REFUSED.get(self._what, REFUSED["media"])).format(
                    said=said, post=post, command=f"`costanza post edit {post}`"),
                http_status=response.status_code, code="media_refused")
        data = body.get("data", body)
        return data if isinstance(data, dict) else {}
