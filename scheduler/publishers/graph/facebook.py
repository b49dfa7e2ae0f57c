"""Posting to a Facebook Page: text, link, photos, video (Graph API through ``client.py``).

Progress kept through ``checkpoint`` (a restart resumes from it):
``photo_ids`` (unpublished photos of a multi-photo post, by position),
``video_session`` / ``video_id`` / ``video_offset`` / ``video_end`` (chunked
upload), ``post_id`` (the post itself: once it is there, nothing is sent again).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from config.errors import OutcomeUnknown, PublishError, PublishFailed, RetryLater
from config.i18n import N_, _
from scheduler.http.multipart import FileSlice
from scheduler.publishers.base import MediaFile, PublishRequest, PublishResult, Reconciled
from scheduler.publishers.checks import check_media_files
from scheduler.publishers.graph.client import GraphClient, account_id
from scheduler.publishers.graph.publisher import GraphPublisher
from scheduler.publishers.matching import (
    after_intent,
    doubles_note,
    first_url,
    normalise,
    same_text,
)
from scheduler.publishers.progress import Progress

DEFAULT_CHUNK_THRESHOLD = 20 * 1024 * 1024


class FacebookPublisher(GraphPublisher):
    """Publishes to one Facebook Page per request (``account.remote_id`` is the page id)."""

    network = "facebook"
    token_keys = ("page_token", "token", "access_token")
    token_name = "Page token"

    def __init__(
        self,
        base_url: str | None = None,
        *,
        timeout: float = 30.0,
        chunk_threshold: int = DEFAULT_CHUNK_THRESHOLD,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(base_url, timeout=timeout, sleep=sleep, now=now)
        self.chunk_threshold = chunk_threshold

    @staticmethod
    def _page(request: PublishRequest) -> str:
        return account_id(request, "page_id", network="facebook", id_name="Page id",
                          code="no_page")

    # -- publish -----------------------------------------------------------

    def _publish(self, client: GraphClient, request: PublishRequest,
                 progress: Progress) -> PublishResult:
        page = self._page(request)
        post_id = progress.get("post_id")
        if not post_id:
            photos = [m for m in request.media if m.kind == "photo"]
            videos = [m for m in request.media if m.kind == "video"]
            if videos and len(request.media) > 1:
                raise PublishFailed(
                    _("A Facebook post from Costanza carries photos or one video, not both. "
                      "Change the media with `costanza post edit {post}`.").format(
                        post=request.post_id),
                    code="mixed_media")
            check_media_files(request)
            if videos:
                post_id = self._video(client, page, request, videos[0], progress)
            elif len(photos) == 1:
                post_id = self._one_photo(client, page, request, photos[0])
            elif photos:
                post_id = self._photos(client, page, request, photos, progress)
            else:
                post_id = self._feed(client, page, request, [])
            progress.save(post_id=post_id)
        extra = {k: progress.get(k) for k in ("photo_ids", "video_id") if progress.get(k)}
        return PublishResult(remote_id=post_id, permalink=self._permalink(client, post_id),
                             extra=extra)

    def _feed(self, client: GraphClient, page: str, request: PublishRequest,
              attached: list[str]) -> str:
        data: dict[str, Any] = {"message": request.text}
        if attached:
            data["attached_media"] = [{"media_fbid": fbid} for fbid in attached]
        else:
            link = first_url(request.text)
            if link:
                data["link"] = link
        reply = client.post(f"{page}/feed", data, post_id=request.post_id)
        return _id(reply, "post")

    def _one_photo(self, client: GraphClient, page: str, request: PublishRequest,
                   photo: MediaFile) -> str:
        with open(photo.path, "rb") as fh:
            reply = client.post(
                f"{page}/photos",
                {"message": request.text, "alt_text_custom": photo.alt_text},
                files={"source": (_name(photo.path), fh, photo.mime)},
                media=[photo], post_id=request.post_id,
            )
        return str(reply.get("post_id") or _id(reply, "photo"))

    def _photos(self, client: GraphClient, page: str, request: PublishRequest,
                photos: list[MediaFile], progress: Progress) -> str:
        ids: list[str | None] = list(progress.get("photo_ids") or [])
        ids += [None] * (len(photos) - len(ids))
        for index, photo in enumerate(photos):
            if ids[index]:
                continue  # uploaded before a restart: reuse it
            with open(photo.path, "rb") as fh:
                reply = client.post(
                    f"{page}/photos",
                    {"published": False, "alt_text_custom": photo.alt_text},
                    files={"source": (_name(photo.path), fh, photo.mime)},
                    creates=False, media=[photo], post_id=request.post_id,
                )
            ids[index] = _id(reply, "photo")
            progress.save(photo_ids=list(ids))
        return self._feed(client, page, request, [i for i in ids if i])

    def _video(self, client: GraphClient, page: str, request: PublishRequest,
               video: MediaFile, progress: Progress) -> str:
        size = os.path.getsize(video.path)
        if size <= self.chunk_threshold and not progress.get("video_session"):
            reply = client.post_file(
                f"{page}/videos", {"description": request.text}, "source",
                FileSlice(Path(video.path)), filename=_name(video.path), mime=video.mime,
                media=[video], post_id=request.post_id,
            )
            return _id(reply, "video")
        return self._chunked_video(client, page, request, video, size, progress)

    def _chunked_video(self, client: GraphClient, page: str, request: PublishRequest,
                       video: MediaFile, size: int, progress: Progress) -> str:
        path = f"{page}/videos"
        if progress.get("video_session"):
            try:
                self._transfer(client, path, video.path, progress)
            except PublishFailed:
                # The upload session is gone or out of step: start a fresh one.
                progress.drop("video_session", "video_id", "video_offset", "video_end")
        if not progress.get("video_session"):
            reply = client.post(path, {"upload_phase": "start", "file_size": size},
                                creates=False)
            progress.save(
                video_session=_upload_field(reply, "upload_session_id"),
                video_id=_upload_field(reply, "video_id"),
                video_offset=int(reply.get("start_offset", 0)),
                video_end=int(reply.get("end_offset", size)),
            )
            self._transfer(client, path, video.path, progress)
        client.post(path, {"upload_phase": "finish",
                           "upload_session_id": progress.get("video_session"),
                           "description": request.text},
                    post_id=request.post_id)
        return _known_id(progress.get("video_id"), "video")

    def _transfer(self, client: GraphClient, path: str, file: Path,
                  progress: Progress) -> None:
        start, end = int(progress.get("video_offset", 0)), int(progress.get("video_end", 0))
        while start < end:
            reply = client.post_file(
                path,
                {"upload_phase": "transfer", "upload_session_id": progress.get("video_session"),
                 "start_offset": start},
                "video_file_chunk", FileSlice(Path(file), start, end - start),
                filename="chunk", mime="application/octet-stream", creates=False,
            )
            start = int(_upload_field(reply, "start_offset"))
            end = int(_upload_field(reply, "end_offset"))
            progress.save(video_offset=start, video_end=end)

    def _permalink(self, client: GraphClient, post_id: str) -> str | None:
        try:
            reply = client.get(post_id, fields="permalink_url")
        except PublishError:
            return None  # the post is out; a missing link is not worth failing it
        link = reply.get("permalink_url")
        if isinstance(link, str) and link.startswith("/"):
            link = f"https://www.facebook.com{link}"  # video permalinks come relative
        return link

    # -- reconcile ---------------------------------------------------------

    def _reconcile(self, client: GraphClient, request: PublishRequest) -> Reconciled:
        """Look for the post among the Page's recent posts (same text, after the intent)."""
        known = request.progress.get("post_id")
        if known:
            return Reconciled(True, remote_id=known, permalink=self._permalink(client, known))
        page = self._page(request)
        reply = client.get(f"{page}/posts", fields="id,message,created_time,permalink_url",
                           limit=50)
        found = [p for p in reply.get("data", [])
                 if same_text(request.text, p.get("message"))
                 and after_intent(p.get("created_time"), request.intent_at)]
        video_id = request.progress.get("video_id")
        if video_id:
            found = [p for p in found if video_id in str(p.get("id"))] or found
        if not found:
            return Reconciled(False, reason=_("No post with this text is on the Page since "
                                              "the attempt."))
        if len(found) > 1 and not normalise(request.text):
            return Reconciled(None, reason=_("Several posts without text appeared on the Page "
                                             "since the attempt; check which one is this "
                                             "post."))
        best = found[-1]  # the oldest match: newest first is Graph's order
        return Reconciled(True, remote_id=str(best.get("id")),
                          permalink=best.get("permalink_url"),
                          note=doubles_note("facebook",
                                            [str(p.get("id")) for p in reversed(found)]))


def _id(reply: dict[str, Any], what: str) -> str:
    return _known_id(reply.get("id"), what)


# One whole sentence per kind of thing Facebook accepted (the translator sees each).
_NO_ID = {
    "post": N_("Facebook accepted the post but did not say which it is. "
               "Costanza will check whether it went out."),
    "photo": N_("Facebook accepted the photo but did not say which it is. "
                "Costanza will check whether it went out."),
    "video": N_("Facebook accepted the video but did not say which it is. "
                "Costanza will check whether it went out."),
}


def _known_id(value: Any, what: str) -> str:
    if not value:
        raise OutcomeUnknown(_(_NO_ID[what]), code="no_id")
    return str(value)


def _upload_field(reply: dict[str, Any], key: str) -> str:
    """A field of a video-upload reply; without it the upload cannot go on (nothing is out)."""
    value = reply.get(key)
    if value is None or value == "":
        raise RetryLater(_("Facebook gave an incomplete answer while the video was being "
                           "uploaded, so nothing was posted. Costanza will try again."),
                         code="bad_upload_reply")
    return str(value)


def _name(path: Path | str) -> str:
    return Path(path).name

