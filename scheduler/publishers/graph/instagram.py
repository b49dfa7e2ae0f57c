"""Posting to an Instagram professional account: photo, carousel, Reel, first comment.

Two steps with a container in between: create the container, wait until
Instagram has processed it, then ``media_publish`` it. The container id is
checkpointed the moment it is known: after a crash its ``status_code`` tells
whether the post went out (``PUBLISHED``) or can still be published
(``FINISHED``), so nothing is lost or posted twice. Containers are made in
``ig_containers`` and waited for in ``ig_processing``; this module publishes
them, adds the first comment and settles unknown outcomes.

Progress keys: ``item_containers`` / ``item_uploaded`` (carousel items),
``container_id``, ``upload_uri`` / ``uploaded`` (Reel bytes), ``media_id``,
``first_comment_tried`` / ``first_comment_id``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from config.errors import (
    AuthExpired,
    OutcomeUnknown,
    PublishError,
    PublishFailed,
    RateLimited,
    RetryLater,
)
from config.i18n import N_, _
from scheduler.publishers.base import PublishRequest, PublishResult, Reconciled
from scheduler.publishers.checks import check_media_files
from scheduler.publishers.graph.client import GRAPH_HOST, IG_LOGIN_HOST, GraphClient, account_id
from scheduler.publishers.graph.ig_containers import (
    create_container,
    upload_bytes,
    upload_complete,
)
from scheduler.publishers.graph.ig_processing import (
    ContainerExpired,
    processing_limit,
    wait_until_processed,
)
from scheduler.publishers.graph.publisher import GraphPublisher
from scheduler.publishers.matching import after_intent, doubles_note, same_text
from scheduler.publishers.progress import Progress

# Which login an account was connected with, kept with its secrets (not a secret itself).
LOGIN_KEY = "login"
INSTAGRAM_LOGIN = "instagram"

_COMMENT_UNSURE = N_("The post is out, but Costanza is not sure the first comment was added. "
                     "Check the post on Instagram and add it by hand if missing.")


class InstagramPublisher(GraphPublisher):
    """Publishes to one Instagram account per request (``account.remote_id`` is its id)."""

    network = "instagram"
    token_keys = ("token", "access_token", "page_token")
    token_name = "token"

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
        super().__init__(base_url, timeout=timeout, sleep=sleep, now=now)
        self.poll_interval = poll_interval
        self.photo_timeout = photo_timeout
        self.video_timeout = video_timeout

    def _host(self, request: PublishRequest) -> str:
        """graph.instagram.com for an account connected with Instagram Login (no Page)."""
        login = request.account.secrets.get(LOGIN_KEY)
        return IG_LOGIN_HOST if login == INSTAGRAM_LOGIN else GRAPH_HOST

    @staticmethod
    def _user(request: PublishRequest) -> str:
        return account_id(request, "ig_user_id", network="instagram", id_name="id",
                          code="no_account")

    # -- publish -----------------------------------------------------------

    def _publish(self, client: GraphClient, request: PublishRequest,
                 progress: Progress) -> PublishResult:
        user = self._user(request)
        if not progress.get("media_id"):
            check_media_files(request)
        if not request.media:
            raise PublishFailed(_("Instagram needs at least one photo or video; this post has "
                                  "only text. Add one with `costanza post edit {post}` or leave "
                                  "Instagram out.").format(post=request.post_id),
                                code="no_media")
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
        limit = processing_limit(self, request)
        container = progress.get("container_id")
        if container and progress.get("uploaded") is False:
            if not upload_complete(client, container):
                upload_bytes(client, request.media[0], progress.get("upload_uri"), container)
            progress.save_now(uploaded=True)
        if container:
            try:
                state = wait_until_processed(client, container, limit, request, progress, self)
            except ContainerExpired:
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
            container = create_container(client, user, request, progress, self)
            wait_until_processed(client, container, limit, request, progress, self)
        return self._media_publish(client, user, container, request, progress)

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
                _("Instagram's limit of {total} posts a day for this account is reached. "
                  "Nothing was posted; Costanza will try again in an hour.").format(total=total),
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
                raise OutcomeUnknown(_("Instagram accepted the post but did not say its id. "
                                       "Costanza will check whether it went out."),
                                     code="no_id")
        progress.save(media_id=str(media_id))
        return str(media_id)

    def _first_comment(self, client: GraphClient, media_id: str, request: PublishRequest,
                       progress: Progress) -> tuple[str | None, str | None]:
        done = progress.get("first_comment_id")
        if done:
            return done, None
        if progress.get("first_comment_tried"):
            return None, _(_COMMENT_UNSURE)
        progress.save(first_comment_tried=True)
        try:
            reply = client.post(f"{media_id}/comments", {"message": request.first_comment})
        except OutcomeUnknown:
            return None, _(_COMMENT_UNSURE)  # it may be there: "not added" would be wrong
        except PublishError as exc:
            # Costanza does not retry the comment: say so, and give the reason without the
            # error's own advice (which may promise a retry that will not happen).
            if isinstance(exc, AuthExpired):
                why = _("Instagram no longer accepts Costanza for this account")
            elif isinstance(exc, RetryLater):
                why = _("Instagram asked to wait, and comments are not tried again")
            else:
                why = _("Instagram refused it: {error}").format(error=exc)
            return None, _("The post is out, but the first comment was not added ({why}). "
                           "Add it by hand on Instagram.").format(why=why)
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

    def _reconcile(self, client: GraphClient, request: PublishRequest) -> Reconciled:
        """Settle an unknown outcome from the container's ``status_code``."""
        media_id = request.progress.get("media_id")
        if media_id:
            return Reconciled(True, remote_id=media_id,
                              permalink=self._permalink(client, media_id))
        container = request.progress.get("container_id")
        if not container:
            return Reconciled(False, reason=_("No Instagram container was made, so nothing "
                                              "can have been published."))
        state = str(client.get(container, fields="status_code,status")
                    .get("status_code") or "").upper()
        if state == "PUBLISHED":
            matches = self._find_all_media(client, self._user(request), request)
            found = matches[0] if matches else None
            return Reconciled(True, remote_id=found or container,
                              permalink=self._permalink(client, found) if found else None,
                              note=doubles_note("instagram", matches))
        if state in ("FINISHED", "IN_PROGRESS"):
            return Reconciled(False, reason=_("The container is ready but was not published; "
                                              "publishing it now is safe."))
        if not state:
            return Reconciled(False, reason=_("The container is gone; it was not published."))
        return Reconciled(False, reason=_("The container is {state}; it was not published.")
                          .format(state=state.lower()))
