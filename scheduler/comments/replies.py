"""Sending the artisan's replies, with a post's guarantees.

The intent is committed (``posts.comments.mark_intent``) in ``before_send``, right before
the one call that creates the answer. After an unknown outcome, or a reply left
"sending" by a process that vanished, the answer is looked up on the network first
(``find_reply``): found, it is sent; not found while a request may still land (the
network's settle period since the last send, ``[networks] settle_seconds_<network>``),
it waits; not found after that, it is sent again. So an answer is never sent twice.
On X the lookup reads the post's conversation, and those reads are charged in the X
ledger (``posts.x_ledger.record_lookup``), one row per lookup.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from config.clock import Clock
from config.errors import AuthExpired, CostanzaError, OutcomeUnknown, RetryLater
from config.i18n import _
from config.secrets import SecretStore
from config.settings import Settings, settle_seconds
from posts import comments as cm
from posts import x_ledger
from posts.comment_tables import Comment, CommentReply
from posts.outcomes import backoff
from posts.store import Store
from scheduler.comments import x_budget
from scheduler.comments.base import ClientFactory, CommentClient, Target
from scheduler.comments.targets import comment_target

log = logging.getLogger("costanza.comments")


@dataclass(frozen=True)
class ReplyOutcome:
    """Where a reply stands after a try: its state, its id on the network when sent,
    and the reason in plain words when it is not (yet) sent."""

    state: str
    remote_id: str | None = None
    reason: str | None = None


@dataclass
class _Try:
    """One claimed reply being worked on."""

    reply: CommentReply
    comment: Comment
    target: Target
    intent: bool = False  # mark_intent ran in this try


class ReplySender:
    def __init__(self, store: Store, settings: Settings, clock: Clock,
                 clients: ClientFactory, secrets: SecretStore, owner: str) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        self.clients = clients
        self.secrets = secrets
        self.owner = owner
        self.lease = timedelta(seconds=settings.lease_seconds)
        self._clients: dict[str, CommentClient] = {}

    def client(self, network: str) -> CommentClient:
        if network not in self._clients:
            self._clients[network] = self.clients(network)
        return self._clients[network]

    # -- entry points ---------------------------------------------------------
    def run_due(self, limit: int = 20) -> int:
        """Send (or look up) the replies that are due; how many were tried."""
        with self.store.read() as db:
            due = cm.due_reply_ids(db, self.clock.now(), limit)
        tried = 0
        for reply_id in due:
            try:
                outcome = self.send(reply_id)
            except Exception:  # one reply's bug must not stop the others
                log.exception(_("reply {id}: unexpected error").format(id=reply_id))
                continue
            tried += outcome.state != "busy"
        return tried

    def send(self, reply_id: int) -> ReplyOutcome:
        """Send the reply now if it is due (or look it up first when its outcome is
        unknown); what happened. "busy": another process holds it."""
        now = self.clock.now()
        with self.store.write() as db:
            if not cm.claim_reply(db, reply_id, self.owner, now, self.lease):
                return self._as_is(db, reply_id)
        problem: CostanzaError | None = None
        with self.store.read() as db:
            reply = db.get(CommentReply, reply_id)
            assert reply is not None  # just claimed
            try:
                target, comment = comment_target(db, reply.profile_id, reply.comment_id,
                                                 self.secrets)
            except CostanzaError as exc:
                problem = exc
        if problem is not None:
            return self._unprepared(reply, problem)
        work = _Try(reply, comment, target)
        held = self._over_budget(work)
        if held is not None:
            return held
        try:
            if work.reply.state == "unknown":
                outcome = self._look_up(work)
                if outcome is not None:
                    return outcome
            return self._send(work)
        except cm.ReplyLost as exc:
            log.warning(_("{problem}; this process leaves it alone").format(problem=exc))
            with self.store.read() as db:
                return self._as_is(db, reply_id)

    # -- the steps ------------------------------------------------------------
    def _as_is(self, db: Any, reply_id: int) -> ReplyOutcome:
        reply = db.get(CommentReply, reply_id)
        if reply is None:
            from config.errors import NotFound

            raise NotFound(_("There is no reply {id}.").format(id=reply_id))
        if reply.state in ("sent", "failed") or reply.due_at > self.clock.now():
            return ReplyOutcome(reply.state, reply.remote_id, reply.reason)
        return ReplyOutcome("busy", None, _("Another Costanza process is sending this "
                                            "answer right now."))

    def _unprepared(self, reply: CommentReply, exc: CostanzaError) -> ReplyOutcome:
        """The reply could not be prepared (its post or account is gone): nothing is sent.
        One that may have gone out already stays unknown, to be looked up later."""
        if reply.state != "unknown":
            return self._end(reply.id, "failed", exc.message)
        due = backoff(max(1, reply.attempts), self.clock.now(),
                      base=self.settings.retry_base_seconds, cap=self.settings.retry_max_seconds)
        return self._end(reply.id, "unknown", exc.message, due)

    def _over_budget(self, work: _Try) -> ReplyOutcome | None:
        """The month's X budget is reached: the reply waits for the next month, nothing
        sent or looked up, no try counted (one to look up stays unknown)."""
        reply, now = work.reply, self.clock.now()
        with self.store.read() as db:
            status = x_budget.blocking(db, self.settings, reply.network, reply.profile_id,
                                       now)
        if status is None:
            return None
        state = "unknown" if reply.state == "unknown" else "retry"
        return self._end(reply.id, state, x_budget.waiting_reason(status), status.until,
                         hold_code=x_budget.BUDGET_CODE)

    def _look_up(self, work: _Try) -> ReplyOutcome | None:
        """An unknown outcome: is the answer on the network? None: send it (again)."""
        reply, now = work.reply, self.clock.now()
        after = reply.intent_at or reply.created_at
        try:
            found = self._find(work, after)
        except CostanzaError as exc:  # cannot tell: never send blindly
            retry_at = exc.retry_at if isinstance(exc, RetryLater) else None
            due = backoff(max(1, reply.attempts), now, _when(retry_at),
                          base=self.settings.retry_base_seconds,
                          cap=self.settings.retry_max_seconds)
            return self._end(reply.id, "unknown", _(
                "Costanza cannot tell yet whether your answer went out ({problem}); it "
                "checks again before sending anything.").format(problem=exc.message), due)
        if found is not None:
            return self._sent(work, found)
        settled = (reply.last_send_at or after) + timedelta(
            seconds=settle_seconds(self.settings, reply.network))
        if now < settled:
            return self._end(reply.id, "unknown", _(
                "Checking whether your answer went out: the network did not answer "
                "clearly. Costanza looks again shortly and sends it only if it is still "
                "missing."), settled)
        return None

    def _find(self, work: _Try, after: datetime) -> str | None:
        """``find_reply``; on X the posts it read are charged (once, as one lookup),
        found or not, even when the lookup fails part way."""
        reads: list[int] = []
        try:
            return self.client(work.reply.network).find_reply(
                work.target, work.comment.remote_id, work.reply.text, after,
                on_reads=reads.append)
        finally:
            if work.reply.network == "x" and sum(reads) > 0:
                comment = work.comment
                with self.store.write() as db:
                    x_ledger.record_lookup(db, profile_id=comment.profile_id,
                                           post_id=comment.post_id,
                                           delivery_id=comment.delivery_id,
                                           reads=sum(reads), settings=self.settings,
                                           now=self.clock.now())

    def _send(self, work: _Try) -> ReplyOutcome:
        reply = work.reply
        if reply.attempts >= self.settings.max_attempts:
            return self._end(reply.id, "failed", _(
                "Tried {n} times without success; the last answer was: {problem} Send it "
                "again with `costanza reply {comment} \"...\"`.").format(
                n=reply.attempts, problem=reply.reason or "-", comment=reply.comment_id))

        def before_send() -> None:
            with self.store.write() as db:
                cm.mark_intent(db, reply.id, self.owner, self.clock.now())
            work.intent = True

        try:
            remote_id = self.client(reply.network).reply(
                work.target, work.comment.remote_id, reply.text, before_send)
        except cm.ReplyLost:
            raise
        except CostanzaError as exc:
            return self._refused(work, exc)
        except Exception as exc:
            log.exception(_("reply {id}: unexpected error while sending").format(id=reply.id))
            if work.intent:
                return self._refused(work, OutcomeUnknown(_(
                    "Something unexpected happened while sending ({error}); Costanza "
                    "checks whether the answer went out.").format(error=type(exc).__name__)))
            return self._refused(work, RetryLater(_(
                "Something unexpected happened before the answer was sent ({error}); "
                "Costanza tries again later.").format(error=type(exc).__name__)))
        return self._sent(work, remote_id)

    def _refused(self, work: _Try, exc: CostanzaError) -> ReplyOutcome:
        """The send did not end with an answer on the network: record why."""
        reply, now = work.reply, self.clock.now()
        attempts = reply.attempts + 1  # this try (mark_intent counted it in the row)
        if isinstance(exc, OutcomeUnknown):
            log.warning(_("reply {id}: outcome unknown ({problem}); looking it up").format(
                id=reply.id, problem=exc.message))
            return self._end(reply.id, "unknown", exc.message, now)
        if isinstance(exc, AuthExpired):
            return self._end(reply.id, "failed", _(
                "{problem} Connect the account again with `costanza account add {network}`, "
                "then send the answer again with `costanza reply {comment} \"...\"`.").format(
                problem=exc.message, network=reply.network, comment=reply.comment_id))
        if isinstance(exc, RetryLater):
            if attempts >= self.settings.max_attempts:
                return self._end(reply.id, "failed", _(
                    "Tried {n} times without success; the last answer was: {problem} Send "
                    "it again with `costanza reply {comment} \"...\"`.").format(
                    n=attempts, problem=exc.message, comment=reply.comment_id),
                    attempts=None if work.intent else attempts)
            due = backoff(attempts, now, _when(exc.retry_at),
                          base=self.settings.retry_base_seconds,
                          cap=self.settings.retry_max_seconds)
            return self._end(reply.id, "retry", exc.message, due,
                             attempts=None if work.intent else attempts)
        return self._end(reply.id, "failed", exc.message)  # PublishFailed: refused for good

    # -- recording ------------------------------------------------------------
    def _sent(self, work: _Try, remote_id: str) -> ReplyOutcome:
        """The answer is on the network; on X it is a post, charged (once) with it."""
        reply, comment, now = work.reply, work.comment, self.clock.now()
        with self.store.write() as db:
            cm.reply_sent(db, reply.id, self.owner, now, remote_id)
            if reply.network == "x":
                x_ledger.record_reply(db, profile_id=comment.profile_id,
                                      post_id=comment.post_id,
                                      delivery_id=comment.delivery_id, reply_id=reply.id,
                                      text=reply.text, settings=self.settings,
                                      remote_id=remote_id, now=now)
        log.info(_("reply {id}: sent").format(id=reply.id))
        return ReplyOutcome("sent", remote_id, None)

    def _end(self, reply_id: int, state: str, reason: str, due_at: datetime | None = None,
             attempts: int | None = None, hold_code: str | None = None) -> ReplyOutcome:
        with self.store.write() as db:
            cm.finish_reply(db, reply_id, self.owner, self.clock.now(), state, reason=reason,
                            due_at=due_at, attempts=attempts, hold_code=hold_code)
        if state == "failed":
            log.warning(_("reply {id}: not sent: {reason}").format(id=reply_id, reason=reason))
        return ReplyOutcome(state, None, reason)


def _when(value: object) -> datetime | None:
    return value if isinstance(value, datetime) else None
