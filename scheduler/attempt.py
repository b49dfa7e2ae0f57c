"""One attempt at a claimed delivery: prepare it, publish or reconcile it, record the outcome.

The round (``scheduler.worker.Worker``) claims deliveries and hands each claim, on a
publishing thread, to an ``Attempt``. The attempt reads the delivery, fits its media,
then either publishes it (a fresh or retried delivery) or asks the network whether it
went out (a delivery whose outcome is unknown), and writes what happened: published,
waiting for a retry, still unknown, held, failed or left for the artisan to look at.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from functools import partial
from typing import Any, Protocol

from config.clock import Clock
from config.errors import (
    AuthExpired,
    CostanzaError,
    OutcomeUnknown,
    PublishFailed,
    RetryLater,
)
from config.i18n import _
from config.secrets import SecretStore
from config.settings import Settings, settle_seconds
from posts import deliveries as dl
from posts.media.store import MediaStore
from posts.models import Delivery
from posts.settle import checking_reason, sent_extra, still_settling
from posts.store import Store
from scheduler import x_costs
from scheduler.prepare import Fetched, MediaHost, load_request, prepare_request
from scheduler.publishers.base import Publisher, PublishRequest, Reconciled
from scheduler.write_ahead import WriteAhead

log = logging.getLogger("costanza.daemon")

# How many unclear answers from the network (each followed by "not found") a delivery
# may get before Costanza stops and asks the artisan instead of publishing again.
MAX_ABSENT = 5


class AttemptParts(Protocol):
    """What an attempt is handed by the round that claimed the delivery (the Worker):
    read when the attempt needs them, so a part swapped on the round takes effect."""

    store: Store
    settings: Settings
    clock: Clock
    media_store: MediaStore
    secrets: SecretStore
    media_host: MediaHost | None
    on_event: Callable[[str, dict[str, Any]], None]

    def publisher(self, network: str) -> Publisher: ...
    def still_ours(self, delivery_id: int) -> None: ...
    def write(self, fn: Callable[[Any], Any], one_statement: bool = False) -> Any: ...
    def claimed_rows(self, db: Any, delivery_id: int) -> Fetched: ...


class Attempt:
    """One claimed delivery, run once from start to recorded outcome."""

    def __init__(self, parts: AttemptParts, claim: dl.Claim) -> None:
        self.parts = parts
        self.c = claim
        self.started: datetime = parts.clock.now()

    def run(self) -> None:
        """Prepare the delivery, then publish it or (outcome unknown) reconcile it."""
        c = self.c
        prepared = self._prepare()
        if prepared is None:
            return
        request, attempts, intent_at = prepared
        lease_check = partial(self.parts.still_ours, c.delivery_id)
        try:
            if c.state == "unknown":
                self._reconcile(replace(request, before_send=lease_check))
                return
            self._publish(request, attempts, intent_at, lease_check)
        finally:
            self._fetched(request)

    def _fetched(self, request: PublishRequest) -> None:
        """Instagram has fetched the photos by now (or never will on this try): a media
        host that only staged them for the fetch takes them off."""
        urls = [m.public_url for m in request.media if m.public_url]
        fetched = getattr(self.parts.media_host, "fetched", None)
        if urls and fetched is not None:
            try:
                fetched(urls)
            except Exception:  # staged photos left behind are swept later
                log.warning(_("delivery {delivery}: the photos staged for Instagram could "
                              "not be taken off yet; Costanza tries again later").format(
                                  delivery=self.c.delivery_id))

    # -- preparing ------------------------------------------------------------
    def _prepare(self) -> tuple[PublishRequest, int, Any] | None:
        """The request to publish, with the attempts and intent on record; None when it
        could not be prepared (the outcome is recorded then)."""
        p, c = self.parts, self.c
        with p.store.read() as db:
            delivery, post, account = p.claimed_rows(db, c.delivery_id)
            over = (x_costs.over_budget(db, p.settings, delivery, self.started)
                    if c.state != "unknown" else None)
            attempts = delivery.attempts
            intent_at = delivery.intent_at
            loaded, problem = self._preparing(delivery.post_id,
                                              lambda: load_request(db, delivery, post, account))
        if over is not None:  # the month's X budget is reached: it waits, nothing is spent
            p.write(lambda db: x_costs.hold(db, c, p.clock.now(), self.started, over))
            return None
        request = None
        if loaded is not None:  # media are fitted outside any transaction
            request, problem = self._preparing(delivery.post_id, lambda: prepare_request(
                loaded, p.media_store, p.secrets, p.settings.fit, p.media_host))
        if request is not None:
            return request, attempts, intent_at
        assert problem is not None
        if c.state == "unknown" and not isinstance(problem, AuthExpired):
            # It may have gone out: never turn that into "failed" blindly.
            message = _("Costanza cannot check whether this post went out: "
                        "{problem} Look at the account, then run "
                        "`costanza retry {delivery}`.").format(
                problem=problem.message, delivery=c.delivery_id)
            p.write(lambda db: dl.finish(
                db, c, p.clock.now(), "needs_review", started=self.started,
                action="reconcile", message=message))
            p.on_event("needs_review", {"delivery_id": c.delivery_id})
            return None
        self._finish_error(problem, action="prepare", attempts=attempts)
        return None

    def _preparing(self, post_id: int, step: Callable[[], Any]
                   ) -> tuple[Any, CostanzaError | None]:
        """Run one step of preparing a delivery: (its result, None) or (None, the problem
        in plain words)."""
        c = self.c
        try:
            return step(), None
        except CostanzaError as exc:
            return None, exc
        except Exception:  # a row that no longer makes sense, a broken file...
            log.exception(_("delivery {delivery}: could not be prepared").format(
                delivery=c.delivery_id))
            return None, PublishFailed(
                _("Costanza could not prepare this post, so nothing was sent (the technical "
                  "details are in the daemon's log). Look at it with `costanza post show "
                  "{post}`; once it is fixed, run `costanza retry {delivery}`.").format(
                    post=post_id, delivery=c.delivery_id))

    # -- publishing -----------------------------------------------------------
    def _publish(self, request: PublishRequest, attempts: int, intent_at: Any,
                 lease_check: Callable[[], None]) -> None:
        p, c, started = self.parts, self.c, self.started
        # The intent and every checkpoint are committed right before the next send, or
        # with the outcome: not one transaction each (see scheduler.write_ahead).
        record = WriteAhead(p.write, c, p.clock, attempts, intent_at,
                            request.progress, lease_check)
        request = replace(request, before_send=record.before_send)
        publisher = p.publisher(request.network)
        try:
            result = publisher.publish(request, record)
        except CostanzaError as exc:
            self._finish_error(exc, action="publish", attempts=attempts + 1, record=record,
                               request=request)
            return
        except dl.LeaseLost:
            raise  # a write was refused: another daemon holds it now (the round says so)
        except Exception as exc:  # a bug or a library error mid-call: outcome unknown
            log.exception(_("delivery {delivery}: unexpected error while publishing").format(
                delivery=c.delivery_id))
            if not record.begun:  # nothing was sent, and nothing is on record: try again
                exc = RetryLater(
                    _("Something unexpected happened before the post was sent "
                      "({error}); Costanza will try again later.").format(
                        error=type(exc).__name__))
            else:
                exc = OutcomeUnknown(
                    _("Something unexpected happened while publishing ({error}); Costanza "
                      "will check with the network whether the post went out.").format(
                        error=type(exc).__name__))
            self._finish_error(exc, action="publish", attempts=attempts + 1, record=record,
                               request=request)
            return
        extra = dict(result.extra or {})
        if result.warning:
            extra["warning"] = result.warning
        def published(db: Any) -> None:
            now = p.clock.now()
            dl.finish(db, c, now, "published", started=started, action="publish",
                      message=result.warning, remote_id=result.remote_id,
                      permalink=result.permalink, extra=extra, progress=record.progress,
                      attempts=record.attempts_to_record())
            x_costs.charge_sent(db, request, now, p.settings, {**record.progress, **extra},
                                result.remote_id, everything=not extra.get("unsent_parts"))

        # With progress given, finish is one statement (not so with an X charge after it).
        p.write(published, one_statement=request.network != "x")
        p.on_event("published", {"delivery_id": c.delivery_id, "network": request.network,
                                 "permalink": result.permalink})

    # -- reconciling ----------------------------------------------------------
    def _reconcile(self, request: PublishRequest) -> None:
        """Ask the network whether the post went out, and record what it says."""
        p, c = self.parts, self.c
        publisher = p.publisher(request.network)
        try:
            found = publisher.reconcile(request)
        except RetryLater as exc:
            now = p.clock.now()
            with p.store.write() as db:
                dl.finish(db, c, now, "unknown", started=self.started, action="reconcile",
                          message=exc.message,
                          due_at=dl.backoff(1, now, exc.retry_at if isinstance(
                              exc.retry_at, datetime) else None,
                              base=p.settings.retry_base_seconds,
                              cap=p.settings.retry_max_seconds))
            return
        except CostanzaError as exc:
            found = Reconciled(published=None, reason=exc.message)
        now = p.clock.now()
        if found.published is False:
            # Not found proves nothing while a request sent for it can still land.
            until = still_settling(request.progress, self._settle(request.network), now)
            if until is not None:
                self._keep_checking(request, until)
                return
        self._record_reconciled(found, request, now)

    def _record_reconciled(self, found: Reconciled, request: PublishRequest,
                           now: datetime) -> None:
        """Record the network's answer: it went out, it did not, or nobody can tell."""
        p, c, started = self.parts, self.c, self.started
        absent = int(request.progress.get("reconciled_absent", 0)) + 1
        # Only answers the network itself left unclear count towards giving up; an
        # interruption on our side (a crash, a restart) is not the network's doing.
        unclear = int(request.progress.get("unclear_replies", 0))
        with p.store.write() as db:
            if found.published:
                message = _("It had gone out: found on the network after the interruption.")
                if found.note:
                    message = f"{message} {found.note}"
                    log.warning(_("delivery {delivery}: {note}").format(
                        delivery=c.delivery_id, note=found.note))
                dl.finish(db, c, now, "published", started=started, action="reconcile",
                          message=message, remote_id=found.remote_id,
                          permalink=found.permalink)
                x_costs.charge_sent(db, request, now, p.settings, request.progress,
                                    found.remote_id, everything=True)
            elif found.published is False and unclear >= MAX_ABSENT:
                # Published, then not found, again and again (e.g. the network calls it a
                # duplicate but will not show it): stop and ask rather than loop.
                dl.finish(db, c, now, "needs_review", started=started, action="reconcile",
                          message=(
                              _("The network's answers disagree: {n} times it gave no "
                                "clear answer, yet the post cannot be found. Look at the "
                                "account; then run `costanza retry {delivery}` to check "
                                "again, or `costanza retry {delivery} --force` to publish "
                                "it.").format(n=unclear, delivery=c.delivery_id)),
                          extra={"reconciled_absent": absent})
                p.on_event("needs_review", {"delivery_id": c.delivery_id})
            elif found.published is False:
                dl.finish(db, c, now, "retry_wait", started=started, action="reconcile",
                          message=_("It had not gone out; it will be published again."),
                          due_at=dl.backoff(absent, now, base=p.settings.retry_base_seconds,
                              cap=p.settings.retry_max_seconds)
                          if absent > 1 else now,
                          extra={"reconciled_absent": absent})
            else:
                reason = (found.reason or _("the network gave no clear answer"))
                dl.finish(db, c, now, "needs_review", started=started, action="reconcile",
                          message=_("Costanza cannot tell whether this post went out "
                                    "({reason}). Look at the account; then run "
                                    "`costanza retry {delivery}` to check again, or "
                                    "`costanza retry {delivery} --force` to publish it."
                                    ).format(reason=reason, delivery=c.delivery_id))
                p.on_event("needs_review", {"delivery_id": c.delivery_id})

    def _settle(self, network: str) -> timedelta:
        return timedelta(seconds=settle_seconds(self.parts.settings, network))

    def _keep_checking(self, request: PublishRequest, until: datetime) -> None:
        """Not found, but a request may still land: look again once the period ends
        (the delivery stays "unknown", due then; other posts go on meanwhile)."""
        p, c = self.parts, self.c
        with p.store.write() as db:
            dl.finish(db, c, p.clock.now(), "unknown", started=self.started,
                      action="reconcile",
                      message=checking_reason(db, c.delivery_id, request.network, until),
                      due_at=until)
        log.info(_("delivery {delivery}: not found on {network} yet, but a request sent for "
                   "it may still land; looking again at {time}").format(
            delivery=c.delivery_id, network=request.network, time=until.isoformat()))

    # -- a step that failed ---------------------------------------------------
    def _finish_error(self, exc: CostanzaError, *, action: str, attempts: int,
                      record: WriteAhead | None = None,
                      request: PublishRequest | None = None) -> None:
        """Record a failed step. With ``record`` (a publish), the progress it holds is
        stored with the outcome, so a retry resumes from it."""
        p, c = self.parts, self.c
        now = p.clock.now()
        status = getattr(exc, "http_status", None)
        code = getattr(exc, "code", None)
        kwargs: dict[str, Any] = {"started": self.started, "action": action,
                                  "http_status": status,
                                  "error_code": str(code) if code is not None else None}
        if record is not None:
            kwargs["progress"] = record.progress
            kwargs["attempts"] = record.attempts_to_record()
        with p.store.write() as db:
            if record is not None and request is not None:  # a thread's parts already out
                x_costs.charge_sent(db, request, now, p.settings, record.progress)
            if isinstance(exc, OutcomeUnknown):
                self._unknown(db, exc, now, record, kwargs)
                return
            if isinstance(exc, RetryLater):
                self._retry_later(db, exc, now, attempts, kwargs)
                return
            if isinstance(exc, AuthExpired):
                delivery = db.get(Delivery, c.delivery_id)
                assert delivery is not None
                dl.finish(db, c, now, "held", message=exc.message, **kwargs)
                if delivery.account_id is not None:
                    dl.hold_account(db, delivery.account_id, exc.message, now)
                p.on_event("held", {"delivery_id": c.delivery_id, "reason": exc.message})
                return
            dl.finish(db, c, now, "failed", message=exc.message, **kwargs)
            p.on_event("failed", {"delivery_id": c.delivery_id, "reason": exc.message})

    def _unknown(self, db: Any, exc: OutcomeUnknown, now: datetime,
                 record: WriteAhead | None, kwargs: dict[str, Any]) -> None:
        """The network left it unclear whether the post went out: reconcile it at once."""
        c = self.c
        if record is not None:
            progress = record.progress
        else:
            delivery = db.get(Delivery, c.delivery_id)
            progress = (delivery.progress if delivery else None) or {}
        unclear = int(progress.get("unclear_replies", 0)) + 1
        # The settle period counts from the last request sent (not known: now).
        sent = sent_extra(progress, record.last_send if record is not None else now)
        dl.finish(db, c, now, "unknown", message=exc.message, due_at=now,
                  extra={"unclear_replies": unclear, **sent}, **kwargs)
        log.warning(_("delivery {delivery}: outcome unknown ({problem}); reconciling").format(
            delivery=c.delivery_id, problem=exc.message))

    def _retry_later(self, db: Any, exc: RetryLater, now: datetime, attempts: int,
                     kwargs: dict[str, Any]) -> None:
        """Wait and try again, unless the attempts are used up (then it failed)."""
        p, c = self.parts, self.c
        if attempts >= p.settings.max_attempts:
            dl.finish(db, c, now, "failed", message=(
                _("Tried {n} times without success; the last answer was: "
                  "{problem} Run `costanza retry {delivery}` to try again.").format(
                    n=attempts, problem=exc.message, delivery=c.delivery_id)),
                **kwargs)
            p.on_event("failed", {"delivery_id": c.delivery_id})
            return
        retry_at = exc.retry_at if isinstance(exc.retry_at, datetime) else None
        due = dl.backoff(attempts, now, retry_at, base=p.settings.retry_base_seconds,
                         cap=p.settings.retry_max_seconds)
        dl.finish(db, c, now, "retry_wait", message=exc.message, due_at=due, **kwargs)
        delivery = db.get(Delivery, c.delivery_id)
        if retry_at is not None and delivery is not None and delivery.account_id:
            # The whole account waits, for every daemon: not only this post.
            dl.rate_limit_account(db, delivery.account_id, retry_at)
