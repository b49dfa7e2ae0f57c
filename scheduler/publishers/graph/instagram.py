"""Posting to an Instagram professional account: photo, carousel, Reel, first comment.

Two steps with a container in between: create the container, wait until
Instagram has processed it, then ``media_publish`` it. The container id is
checkpointed the moment it is known: after a crash its ``status_code`` tells
whether the post went out (``PUBLISHED``) or can still be published
(``FINISHED``), so nothing is lost or posted twice.

Progress keys: ``item_containers`` / ``item_uploaded`` (carousel items),
``container_id``, ``upload_uri`` / ``uploaded`` (Reel bytes), ``media_id``,
``first_comment_tried`` / ``first_comment_id``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from config.errors import (
    AuthExpired,
    OutcomeUnknown,
    PublishError,
    PublishFailed,
    RateLimited,
    RetryLater,
)
from scheduler.http.routing import redact
from scheduler.publishers.base import (
    Checkpoint,
    MediaFile,
    PublishRequest,
    PublishResult,
    Reconciled,
)
from scheduler.publishers.checks import check_media_files
from scheduler.publishers.graph.client import GRAPH_VERSION, GraphClient, account_id, open_client
from scheduler.publishers.matching import after_intent, doubles_note, same_text
from scheduler.publishers.progress import Progress

_COMMENT_UNSURE = ("The post is out, but Costanza is not sure the first comment was added. "
                   "Check the post on Instagram and add it by hand if missing.")


class _Expired(Exception):
    """The container was not published within 24 hours: make a new one."""


class InstagramPublisher:
    """Publishes to one Instagram account per request (``account.remote_id`` is its id)."""

    network = "instagram"

    def __init__(
        self,
        base_url: str | None = None,
        *,
        timeout: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        poll_interval: float = 3.0,
        photo_timeout: float = 120.0,
        video_timeout: float = 900.0,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.base_url = base_url
        self.timeout = timeout
        self.sleep = sleep
        self.poll_interval = poll_interval
        self.photo_timeout = photo_timeout
        self.video_timeout = video_timeout
        self.now = now or (lambda: datetime.now(UTC))

    def _client(self, request: PublishRequest) -> GraphClient:
        return open_client(request, ("token", "access_token", "page_token"),
                           network=self.network, token_name="token",
                           base_url=self.base_url, timeout=self.timeout, now=self.now)

    @staticmethod
    def _user(request: PublishRequest) -> str:
        return account_id(request, "ig_user_id", network="instagram", id_name="id",
                          code="no_account")

    # -- publish -----------------------------------------------------------

    def publish(self, request: PublishRequest, checkpoint: Checkpoint) -> PublishResult:
        client = self._client(request)
        with client.session:
            return self._publish(client, request, Progress(request.progress, checkpoint))

    def _publish(self, client: GraphClient, request: PublishRequest,
                 progress: Progress) -> PublishResult:
        user = self._user(request)
        if not progress.get("media_id"):
            check_media_files(request)
        if not request.media:
            raise PublishFailed("Instagram needs at least one photo or video; this post has "
                                f"only text. Add one with `costanza post edit {request.post_id}`"
                                " or leave Instagram out.", code="no_media")
        media_id = progress.get("media_id")
        if not media_id:
            media_id = self._publish_container(client, user, request, progress)
        warning = None
        extra: dict[str, Any] = {"container_id": progress.get("container_id")}
        if request.first_comment:
            comment_id, warning = self._first_comment(client, media_id, request, progress)
            if comment_id:
                extra["first_comment_id"] = comment_id
        return PublishResult(remote_id=media_id, permalink=self._permalink(client, media_id),
                             extra=extra, warning=warning)

    def _publish_container(self, client: GraphClient, user: str, request: PublishRequest,
                           progress: Progress) -> str:
        limit = self._processing_limit(request)
        container = progress.get("container_id")
        if container and progress.get("uploaded") is False:
            if not self._upload_complete(client, container):
                self._upload(client, request.media[0], progress.get("upload_uri"), container)
            progress.save_now(uploaded=True)
        if container:
            try:
                state = self._wait(client, container, limit, request, progress)
            except _Expired:
                progress.drop("container_id", "upload_uri", "uploaded",
                              "item_containers", "item_uploaded")
                container = None
            else:
                if state == "PUBLISHED":
                    media_id = self._find_media(client, user, request) or container
                    progress.save(media_id=media_id)
                    return media_id
        self._check_quota(client, user)
        if not container:
            container = self._create(client, user, request, progress)
            self._wait(client, container, limit, request, progress)
        return self._media_publish(client, user, container, request, progress)

    def _processing_limit(self, request: PublishRequest) -> float:
        """How long Instagram may take to process the post's media (longer with a video)."""
        video = any(m.kind == "video" for m in request.media)
        return self.video_timeout if video else self.photo_timeout

    def _create(self, client: GraphClient, user: str, request: PublishRequest,
                progress: Progress) -> str:
        media = request.media
        if len(media) > 1:
            if len(media) > 10:
                raise PublishFailed(
                    f"Instagram takes at most 10 photos or videos in one post; this one has "
                    f"{len(media)}. Remove some with `costanza post edit {request.post_id}`.",
                    code="too_many")
            children = self._carousel_items(client, user, request, progress)
            try:
                reply = self._carousel(client, user, children, request)
            except PublishFailed as exc:
                if "another carousel" not in exc.message:
                    raise
                # A carousel container was made from these items before an interruption,
                # and its id was lost: the items are spent. Make new ones (the lost
                # container was never published, and expires unused).
                progress.save(item_containers=[], item_uploaded=[])
                children = self._carousel_items(client, user, request, progress)
                reply = self._carousel(client, user, children, request)
            progress.save_now(container_id=_id(reply))
            return _id(reply)
        item = media[0]
        if item.kind == "video":
            reply = client.post(f"{user}/media", {
                "media_type": "REELS", "upload_type": "resumable", "caption": request.text,
                "share_to_feed": True,
            }, creates=False, media=media, post_id=request.post_id)
            progress.save(container_id=_id(reply), upload_uri=reply.get("uri"), uploaded=False)
            self._upload(client, item, reply.get("uri"), _id(reply))
            progress.save_now(uploaded=True)
            return _id(reply)
        reply = client.post(f"{user}/media", {
            "image_url": _public_url(item, request), "caption": request.text,
            "alt_text": item.alt_text,
        }, creates=False, media=media, post_id=request.post_id)
        progress.save_now(container_id=_id(reply))
        return _id(reply)

    @staticmethod
    def _carousel(client: GraphClient, user: str, children: list[str],
                  request: PublishRequest) -> dict[str, Any]:
        return client.post(f"{user}/media", {
            "media_type": "CAROUSEL", "children": ",".join(children), "caption": request.text,
        }, creates=False, media=request.media, post_id=request.post_id)

    def _carousel_items(self, client: GraphClient, user: str, request: PublishRequest,
                        progress: Progress) -> list[str]:
        count = len(request.media)
        ids: list[str | None] = list(progress.get("item_containers") or [])
        ids += [None] * (count - len(ids))
        uploaded: list[bool] = list(progress.get("item_uploaded") or [])
        uploaded += [False] * (count - len(uploaded))
        for index, item in enumerate(request.media):
            if ids[index] and (item.kind != "video" or uploaded[index]):
                continue
            resuming = bool(ids[index])
            if not resuming:
                if item.kind == "video":
                    data: dict[str, Any] = {"media_type": "VIDEO", "is_carousel_item": True}
                    if item.public_url:
                        data["video_url"] = item.public_url
                    else:
                        data["upload_type"] = "resumable"
                else:
                    data = {"image_url": _public_url(item, request), "is_carousel_item": True,
                            "alt_text": item.alt_text}
                reply = client.post(f"{user}/media", data, creates=False, media=[item],
                                    post_id=request.post_id)
                ids[index] = _id(reply)
                uploaded[index] = item.kind != "video" or bool(item.public_url)
                progress.save(item_containers=list(ids), item_uploaded=list(uploaded),
                              **({f"item_uri_{index}": reply["uri"]} if reply.get("uri")
                                 else {}))
            if not uploaded[index]:
                uri = progress.get(f"item_uri_{index}")
                if not (resuming and self._upload_complete(client, str(ids[index]))):
                    self._upload(client, item, uri, str(ids[index]))
                uploaded[index] = True
                progress.save(item_uploaded=list(uploaded))
        # Each item's id is committed before the next call that sends anything; commit
        # the last ones now, before waiting (reads only) for Instagram to process them.
        progress.save_now()
        limit = self._processing_limit(request)
        for child in ids:
            try:
                self._wait(client, str(child), limit, request, progress)
            except _Expired:
                progress.drop("item_containers", "item_uploaded")
                raise RetryLater("Instagram let the prepared photos expire before they were "
                                 "posted. Costanza will prepare them again.",
                                 code="expired") from None
        return [str(i) for i in ids]

    def _upload(self, client: GraphClient, item: MediaFile, uri: str | None,
                container: str) -> None:
        url = uri or f"https://rupload.facebook.com/ig-api-upload/{GRAPH_VERSION}/{container}"
        size = os.path.getsize(item.path)
        with open(item.path, "rb") as fh:
            client.upload(url, fh, size)

    def _upload_complete(self, client: GraphClient, container: str) -> bool:
        """Did the bytes of a resumable upload arrive before an interruption?"""
        reply = client.get(container, fields="status_code,video_status")
        phase = ((reply.get("video_status") or {}).get("uploading_phase") or {})
        return phase.get("status") == "complete" or reply.get("status_code") in (
            "FINISHED", "PUBLISHED")

    def _wait(self, client: GraphClient, container: str, limit: float,
              request: PublishRequest, progress: Progress) -> str:
        """Poll the container until it can be published (or was); return its status code."""
        waited = 0.0
        while True:
            reply = client.get(container, fields="status_code,status")
            code = str(reply.get("status_code") or "").upper()
            if code in ("FINISHED", "PUBLISHED"):
                return code
            if code == "EXPIRED":
                raise _Expired(container)
            if code == "ERROR":
                progress.drop("container_id", "upload_uri", "uploaded")
                said = redact(reply.get("status") or "no reason given", client.secrets)
                raise PublishFailed(
                    f"Instagram could not process the {_what(request)}: {said}. Check it "
                    f"with `costanza post show {request.post_id}`; a different photo or "
                    f"video, chosen with `costanza post edit {request.post_id}`, usually "
                    "fixes it.", code="container_error")
            if waited >= limit:
                raise RetryLater(
                    f"Instagram is still processing the {_what(request)} after "
                    f"{int(waited)} seconds. Costanza will check again later; nothing is "
                    "posted twice.", code="processing")
            self.sleep(self.poll_interval)
            waited += self.poll_interval

    def _check_quota(self, client: GraphClient, user: str) -> None:
        try:
            reply = client.get(f"{user}/content_publishing_limit", fields="config,quota_usage")
        except (RetryLater, PublishFailed):
            return  # unreadable cap: media_publish itself will say if it is reached
        rows = reply.get("data") or [reply]
        row = rows[0] if rows else {}
        usage = row.get("quota_usage")
        total = (row.get("config") or {}).get("quota_total")
        if isinstance(usage, int) and isinstance(total, int) and usage >= total:
            raise RateLimited(
                f"Instagram's limit of {total} posts a day for this account is reached. "
                "Nothing was posted; Costanza will try again in an hour.",
                retry_at=self.now() + timedelta(hours=1), code="daily_limit")

    def _media_publish(self, client: GraphClient, user: str, container: str,
                       request: PublishRequest, progress: Progress) -> str:
        try:
            reply = client.post(f"{user}/media_publish", {"creation_id": container},
                                post_id=request.post_id)
        except AuthExpired:
            raise
        except PublishError as exc:
            # A rate-limit or server error can come back after the publish happened:
            # the container knows.
            try:
                state = client.get(container, fields="status_code").get("status_code")
            except PublishError:
                raise exc from None
            if str(state).upper() != "PUBLISHED":
                raise
            media_id = self._find_media(client, user, request) or container
        else:
            media_id = reply.get("id")
            if not media_id:
                raise OutcomeUnknown("Instagram accepted the post but did not say its id. "
                                     "Costanza will check whether it went out.", code="no_id")
        progress.save(media_id=str(media_id))
        return str(media_id)

    def _first_comment(self, client: GraphClient, media_id: str, request: PublishRequest,
                       progress: Progress) -> tuple[str | None, str | None]:
        done = progress.get("first_comment_id")
        if done:
            return done, None
        if progress.get("first_comment_tried"):
            return None, _COMMENT_UNSURE
        progress.save(first_comment_tried=True)
        try:
            reply = client.post(f"{media_id}/comments", {"message": request.first_comment})
        except OutcomeUnknown:
            return None, _COMMENT_UNSURE  # it may be there: "not added" would be wrong
        except PublishError as exc:
            # Costanza does not retry the comment: say so, and give the reason without the
            # error's own advice (which may promise a retry that will not happen).
            if isinstance(exc, AuthExpired):
                why = "Instagram no longer accepts Costanza for this account"
            elif isinstance(exc, RetryLater):
                why = "Instagram asked to wait, and comments are not tried again"
            else:
                why = f"Instagram refused it: {exc}"
            return None, (f"The post is out, but the first comment was not added ({why}). "
                          "Add it by hand on Instagram.")
        comment_id = str(reply.get("id") or "") or None
        if comment_id:
            progress.save(first_comment_id=comment_id)
        return comment_id, None

    def _permalink(self, client: GraphClient, media_id: str) -> str | None:
        try:
            return client.get(media_id, fields="permalink").get("permalink")
        except PublishError:
            return None

    def _find_media(self, client: GraphClient, user: str,
                    request: PublishRequest) -> str | None:
        """The published media's id, found among the account's recent posts by caption."""
        found = self._find_all_media(client, user, request)
        return found[0] if found else None

    def _find_all_media(self, client: GraphClient, user: str,
                        request: PublishRequest) -> list[str]:
        """The ids of the recent posts with this caption since the first attempt, oldest
        first (Instagram lists the newest first)."""
        try:
            reply = client.get(f"{user}/media", fields="id,caption,timestamp,permalink",
                               limit=25)
        except PublishError:
            return []
        return [str(item.get("id")) for item in reversed(reply.get("data", []))
                if same_text(request.text, item.get("caption"))
                and after_intent(item.get("timestamp"), request.intent_at)]

    # -- reconcile ---------------------------------------------------------

    def reconcile(self, request: PublishRequest) -> Reconciled:
        """Settle an unknown outcome from the container's ``status_code``.

        Raises ``AuthExpired`` or ``RetryLater`` when Instagram cannot be read now.
        """
        client = self._client(request)
        with client.session:
            return self._reconcile(client, request)

    def _reconcile(self, client: GraphClient, request: PublishRequest) -> Reconciled:
        media_id = request.progress.get("media_id")
        if media_id:
            return Reconciled(True, remote_id=media_id,
                              permalink=self._permalink(client, media_id))
        container = request.progress.get("container_id")
        if not container:
            return Reconciled(False, reason="No Instagram container was made, so nothing "
                                            "can have been published.")
        state = str(client.get(container, fields="status_code,status")
                    .get("status_code") or "").upper()
        if state == "PUBLISHED":
            matches = self._find_all_media(client, self._user(request), request)
            found = matches[0] if matches else None
            return Reconciled(True, remote_id=found or container,
                              permalink=self._permalink(client, found) if found else None,
                              note=doubles_note("instagram", matches))
        if state in ("FINISHED", "IN_PROGRESS"):
            return Reconciled(False, reason="The container is ready but was not published; "
                                            "publishing it now is safe.")
        return Reconciled(False, reason=f"The container is {state.lower() or 'gone'}; "
                                        "it was not published.")



def _id(reply: dict[str, Any]) -> str:
    value = reply.get("id")
    if not value:
        raise RetryLater("Instagram did not give the new container's id. Costanza will "
                         "try again.", code="no_id")
    return str(value)


def _public_url(item: MediaFile, request: PublishRequest) -> str:
    if not item.public_url:
        raise PublishFailed(
            "Instagram needs each photo at a public web address, and this one has none. "
            "Set up a media host in the settings (`[media_host]`) and check it with "
            "`costanza account check`.", code="no_public_url")
    return item.public_url


def _what(request: PublishRequest) -> str:
    if len(request.media) > 1:
        return "carousel"
    return "video" if request.media and request.media[0].kind == "video" else "photo"
