"""Posting to X: text, up to 4 photos with alt text, one video, threads (tweepy + ``x_media``).

Progress keys: ``x_media`` (uploaded media ids with their expiry, by position),
``tweet_ids`` (the parts already out, in order), ``x_sending`` (the part whose
creation was sent and not yet confirmed: before sending it again, Costanza
looks for it on the account's timeline).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from config.errors import (
    OutcomeUnknown,
    PublishError,
    PublishFailed,
)
from config.i18n import _, ngettext
from scheduler.publishers.base import (
    Checkpoint,
    PublishRequest,
    PublishResult,
    Reconciled,
)
from scheduler.publishers.checks import check_media_files
from scheduler.publishers.matching import after_intent, doubles_note, parse_time, same_text
from scheduler.publishers.progress import Progress
from scheduler.publishers.x.account import XAccount as _Account
from scheduler.publishers.x.errors import DUPLICATE
from scheduler.publishers.x.media import DEFAULT_CHUNK, XMediaUploader
from scheduler.publishers.x.thread import fits, split_thread

# A stored media id is reused only if it stays valid this long after now.
MEDIA_MARGIN = timedelta(minutes=30)


class XPublisher:
    network = "x"

    def __init__(
        self,
        base_url: str | None = None,
        *,
        timeout: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] | None = None,
        chunk_bytes: int = DEFAULT_CHUNK,
    ) -> None:
        self.base_url = base_url
        self.timeout = timeout
        self.sleep = sleep
        self.now = now or (lambda: datetime.now(UTC))
        self.chunk_bytes = chunk_bytes

    @staticmethod
    def parts(request: PublishRequest) -> list[str]:
        """The texts to post: one, or the numbered parts of a thread."""
        if request.thread:
            return split_thread(request.text)
        if not fits(request.text):
            raise PublishFailed(
                _("The text is too long for X (280 characters, links count 23 and most emoji "
                  "2). Shorten it with `costanza post edit {post} --text-x ...`, "
                  "or post it as a thread.").format(post=request.post_id), code="too_long")
        return [request.text]

    # -- publish -----------------------------------------------------------

    def publish(self, request: PublishRequest, checkpoint: Checkpoint) -> PublishResult:
        account = _Account(request.account, self.base_url, self.timeout,
                           request.before_send)
        with account.session:
            return self._publish(account, request, Progress(request.progress, checkpoint))

    def _publish(self, account: _Account, request: PublishRequest,
                 progress: Progress) -> PublishResult:
        parts = self.parts(request)
        ids: list[str] = list(progress.get("tweet_ids") or [])
        if not ids:
            check_media_files(request)
        media_ids = self._media(account, request, progress) if not ids else []
        while len(ids) < len(parts):
            index = len(ids)
            try:
                tweet_id = self._send_part(account, request, progress, parts, ids, media_ids)
            except PublishFailed as exc:
                if index == 0:
                    raise
                return self._partial(account, parts, ids, exc)
            ids.append(tweet_id)
            progress.save(tweet_ids=list(ids), x_sending=None)
        extra: dict[str, Any] = {}
        if len(ids) > 1:
            extra["tweet_ids"] = ids
        return PublishResult(remote_id=ids[0], permalink=account.permalink(ids[0]), extra=extra)

    def _send_part(self, account: _Account, request: PublishRequest, progress: Progress,
                   parts: list[str], ids: list[str], media_ids: list[str]) -> str:
        index = len(ids)
        text = parts[index]
        tried_before = progress.get("x_sending") == index
        if tried_before:
            found = self._find(account, text, request.intent_at)
            if found:
                return found
        progress.save(x_sending=index)
        kwargs: dict[str, Any] = {"text": text or None}
        if index == 0 and media_ids:
            kwargs["media_ids"] = media_ids
        if index > 0:
            kwargs["in_reply_to_tweet_id"] = ids[-1]
        try:
            reply = account.call(account.client.create_tweet, creates=True,
                                 post_id=request.post_id, **kwargs)
        except PublishFailed as exc:
            if exc.code == DUPLICATE and tried_before:
                found = self._find(account, text, request.intent_at)
                if found:
                    return found
                raise OutcomeUnknown(
                    _("X says this text is already posted, after an attempt whose answer was "
                      "lost, but Costanza could not find the post on the account. Costanza will "
                      "look again; if it stays missing, check the account on X, then run "
                      "`costanza retry {delivery} --force` to post it.").format(
                        delivery=request.delivery_id),
                    http_status=403, code=DUPLICATE) from None
            progress.save(x_sending=None)
            raise
        except OutcomeUnknown:
            raise
        except PublishError:
            progress.save(x_sending=None)  # provably not taken: no timeline lookup needed
            raise
        tweet_id = (reply.get("data") or {}).get("id")
        if not tweet_id:
            raise OutcomeUnknown(_("X accepted the post but did not say its id. Costanza will "
                                   "check whether it went out."), code="no_id")
        return str(tweet_id)

    def _partial(self, account: _Account, parts: list[str], ids: list[str],
                 exc: PublishFailed) -> PublishResult:
        sent, total = len(ids), len(parts)
        left = total - sent
        warning = ngettext(
            "X posted the first {sent} of the {total} parts of the thread, then refused the "
            "next one ({error}). The remaining {n} part was not posted; "
            "you can post it by hand as a reply.",
            "X posted the first {sent} of the {total} parts of the thread, then refused the "
            "next one ({error}). The remaining {n} parts were not posted; "
            "you can post them by hand as replies.", left).format(
                sent=sent, total=total, error=exc.message, n=left)
        return PublishResult(
            remote_id=ids[0], permalink=account.permalink(ids[0]),
            extra={"tweet_ids": ids, "unsent_parts": parts[sent:]}, warning=warning)

    def _media(self, account: _Account, request: PublishRequest,
               progress: Progress) -> list[str]:
        items = request.media
        if not items:
            return []
        videos = [m for m in items if m.kind == "video"]
        if len(items) > 4 or (videos and len(items) > 1):
            raise PublishFailed(
                _("X takes up to 4 photos, or one video, in a post. Change the media with "
                  "`costanza post edit {post}`.").format(post=request.post_id),
                code="too_many_media")
        stored: list[dict[str, Any] | None] = list(progress.get("x_media") or [])
        stored += [None] * (len(items) - len(stored))
        uploader = XMediaUploader(account.session, account.auth, now=self.now,
                                  sleep=self.sleep, chunk_bytes=self.chunk_bytes,
                                  secrets=account.secrets, post_id=request.post_id)
        for index, item in enumerate(items):
            entry = stored[index]
            if entry and self._still_valid(entry):
                continue
            uploaded = uploader.upload(item)
            stored[index] = {"id": uploaded.media_id,
                             "expires_at": uploaded.expires_at.isoformat()}
            progress.save(x_media=list(stored))
        return [str(entry["id"]) for entry in stored if entry]

    def _still_valid(self, entry: dict[str, Any]) -> bool:
        expires = parse_time(entry.get("expires_at"))
        return expires is not None and expires - MEDIA_MARGIN > self.now()

    def _timeline(self, account: _Account) -> list[dict[str, Any]]:
        if not account.user_id:
            raise PublishFailed(_("The X account has no user id saved, so Costanza cannot look "
                                  "at its posts. Connect it again with `costanza account add x`."
                                  ),
                                code="no_user")
        reply = account.call(account.client.get_users_tweets, account.user_id, creates=False,
                             tweet_fields=["created_at", "text"], max_results=100)
        return list(reply.get("data") or [])

    def _find(self, account: _Account, text: str, intent_at: datetime | None,
              timeline: list[dict[str, Any]] | None = None) -> str | None:
        found = self._find_all(account, text, intent_at, timeline)
        return found[0] if found else None

    def _find_all(self, account: _Account, text: str, intent_at: datetime | None,
                  timeline: list[dict[str, Any]] | None = None) -> list[str]:
        """The ids of the posts with this text since the first attempt, oldest first."""
        tweets = self._timeline(account) if timeline is None else timeline
        matches = [t for t in tweets if same_text(text, t.get("text"))
                   and after_intent(t.get("created_at"), intent_at)]
        return [str(t["id"]) for t in reversed(matches)]  # the timeline is newest first

    # -- reconcile ---------------------------------------------------------

    def reconcile(self, request: PublishRequest) -> Reconciled:
        """Look for the post (each missing part of a thread) on the account's timeline.

        Raises ``AuthExpired`` or ``RetryLater`` when X cannot be read now.
        """
        account = _Account(request.account, self.base_url, self.timeout,
                           request.before_send)
        with account.session:
            parts = self.parts(request)
            ids: list[str] = list(request.progress.get("tweet_ids") or [])
            timeline = self._timeline(account) if len(ids) < len(parts) else []
            notes: list[str] = []
            for text in parts[len(ids):]:
                # Every attempt since the first intent counts: the oldest match is the
                # post; a second one is an earlier attempt that landed too, reported.
                found = self._find_all(account, text, request.intent_at, timeline)
                if not found:
                    break
                ids.append(found[0])
                note = doubles_note("x", found)
                if note:
                    notes.append(note)
        if len(ids) == len(parts):
            return Reconciled(True, remote_id=ids[0], permalink=account.permalink(ids[0]),
                              note=" ".join(notes) or None)
        if ids:
            return Reconciled(False, reason=ngettext(
                "{n} of the {total} parts of the thread is out; publishing again sends "
                "the rest.",
                "{n} of the {total} parts of the thread are out; publishing again sends "
                "the rest.", len(ids)).format(n=len(ids), total=len(parts)))
        return Reconciled(False, reason=_("No post with this text is on the account since the "
                                          "attempt."))
