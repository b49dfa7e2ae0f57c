"""A round of reading comments: watch what was published, then look under each post that
is due, and store what the network shows (``posts.comments``).

What the network says changes only the comments' own schedule: a limit makes every
post of that account wait (publishing's own limit, ``Account.rate_limited_until``, is
left alone), a lost permission is kept in plain words and looked at again about twice a
day, an expired login is noted (publishing finds out on its own and holds the account).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from config.clock import Clock
from config.errors import AuthExpired, CostanzaError, PublishFailed, RateLimited, RetryLater
from config.i18n import _, ngettext
from config.secrets import SecretStore
from config.settings import Settings
from posts import comments as cm
from posts import x_ledger
from posts.comment_tables import CommentWatch
from posts.store import Store
from scheduler.comments import x_budget
from scheduler.comments.base import ClientFactory, CommentClient
from scheduler.comments.targets import Watched, delivery_target
from scheduler.x_costs import BUDGET_CODE

log = logging.getLogger("costanza.comments")

# A post taken for a fetch is not taken by another daemon for this long (if the fetcher
# vanishes, the post is due again after it).
TAKEN_FOR = timedelta(minutes=5)
# Why a post was not read (``Looked.left``): another fetcher moved its watch first, it
# became too old while the X budget held it, or the budget holds it (``BUDGET_CODE``).
MOVED, AGED_OUT = "moved", "aged_out"


@dataclass
class Looked:
    """One post looked under: what the fetch found (None: not read), the problem met in
    plain words, why it was left alone (``left``) and until when."""

    watch: CommentWatch
    summary: cm.FetchSummary | None = None
    problem: str | None = None
    left: str | None = None
    until: datetime | None = None


class CommentFetcher:
    def __init__(self, store: Store, settings: Settings, clock: Clock,
                 clients: ClientFactory, secrets: SecretStore) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        self.clients = clients
        self.secrets = secrets
        self._clients: dict[str, CommentClient] = {}
        self.stopping: Callable[[], bool] = lambda: False  # the daemon is stopping

    def client(self, network: str) -> CommentClient:
        if network not in self._clients:
            self._clients[network] = self.clients(network)
        return self._clients[network]

    def run_round(self, limit: int = 20) -> dict[str, Any]:
        """Watch the newly published posts, then look under up to ``limit`` due ones.
        Returns what was done: ``watched`` (posts added), ``looked`` (posts read),
        ``new``, ``changed``, ``deleted`` (comments) and ``problems`` (plain words)."""
        now = self.clock.now()
        done: dict[str, Any] = {"watched": 0, "looked": 0, "new": 0, "changed": 0,
                                "deleted": 0, "problems": []}
        with self.store.write() as db:
            done["watched"] = cm.watch_published(db, now, self.settings)
        for looked in self.look_due(limit):
            if looked.summary is not None:
                done["looked"] += 1
                for key in ("new", "changed", "deleted"):
                    done[key] += getattr(looked.summary, key)
            if looked.problem is not None and not (looked.left == BUDGET_CODE
                                                   and looked.problem in done["problems"]):
                done["problems"].append(looked.problem)
        return done

    def look_due(self, limit: int, profile_id: int | None = None) -> list[Looked]:
        """Look under up to ``limit`` due posts (of one profile, with ``profile_id``)."""
        now = self.clock.now()
        with self.store.read() as db:
            due = cm.due_watches(db, now, limit, profile_id)
        budgets = x_budget.Budgets(self.settings, now)
        looked: list[Looked] = []
        for watch in due:
            if self.stopping():
                break
            looked.append(self.look(watch, budgets))
        return looked

    def look(self, watch: CommentWatch, budgets: x_budget.Budgets | None = None) -> Looked:
        """Read the comments under one post, unless another fetcher moved it first
        (``left`` "moved") or the month's X budget is reached (``left`` "x_budget": it
        waits for the next month)."""
        now = self.clock.now()
        budgets = budgets or x_budget.Budgets(self.settings, now)
        with self.store.write() as db:
            if not cm.take_watch(db, watch, now + TAKEN_FOR):
                return Looked(watch, left=MOVED)
            if x_budget.aged_out(watch, now, self.settings):
                x_budget.close_watch(db, watch)
                return Looked(watch, left=AGED_OUT)
            status = budgets.blocking(db, watch.network, watch.profile_id)
            if status is not None:
                x_budget.hold_watch(db, watch, status)
        if status is not None:
            reason = x_budget.reading_reason(status)
            log.info(_("comments of delivery {delivery} on X are not read: "
                       "{problem}").format(delivery=watch.delivery_id, problem=reason))
            return Looked(watch, problem=reason, left=BUDGET_CODE, until=status.until)
        try:
            with self.store.read() as db:
                watched = delivery_target(db, watch.delivery_id, self.secrets)
            fetched = self.client(watch.network).fetch(watched.target, watch.last_fetch_at)
        except CostanzaError as exc:
            return Looked(watch, problem=self._failed(watch, exc))
        except Exception as exc:  # a bug or a library error: the next look tries again
            log.exception(_("comments of delivery {delivery}: unexpected error while "
                            "reading them").format(delivery=watch.delivery_id))
            problem = _("Something unexpected happened while reading the comments "
                        "({error}); Costanza tries again later.").format(
                error=type(exc).__name__)
            return Looked(watch, problem=self._failed(watch, RetryLater(problem)))
        summary = self._record(watch, watched, fetched)
        if summary.new:
            log.info(ngettext("delivery {delivery} on {network}: {n} new comment",
                              "delivery {delivery} on {network}: {n} new comments",
                              summary.new).format(delivery=watch.delivery_id,
                                                  network=watch.network, n=summary.new))
        return Looked(watch, summary=summary)

    def _record(self, watch: CommentWatch, watched: Watched, fetched: Any) -> cm.FetchSummary:
        now = self.clock.now()
        with self.store.write() as db:
            summary = cm.record_fetch(db, watch, fetched, now, self.settings)
            if watch.network == "x" and fetched.reads:
                # record_fetch counted this fetch: watch.fetches is its number (1, 2...)
                x_ledger.record_reads(db, profile_id=watched.profile_id,
                                      post_id=watched.post_id, delivery_id=watch.delivery_id,
                                      fetch_number=watch.fetches, reads=fetched.reads,
                                      settings=self.settings, now=now)
        return summary

    def _failed(self, watch: CommentWatch, exc: CostanzaError) -> str:
        """Keep the problem on the watch and say when it is looked at again."""
        now = self.clock.now()
        code = getattr(exc, "code", None)
        again = cm.next_fetch_at(watch.network, watch.published_at, now, now, self.settings)
        account_id: int | None = None
        if isinstance(exc, RateLimited):
            code = code or "rate_limited"
            retry_at = exc.retry_at if isinstance(exc.retry_at, datetime) else None
            again = max(retry_at or now + timedelta(seconds=self.settings.retry_base_seconds),
                        now)
            account_id = self._account_of(watch)
        elif isinstance(exc, RetryLater) and isinstance(exc.retry_at, datetime) and again:
            again = max(again, exc.retry_at)
        elif isinstance(exc, PublishFailed):
            # Refused for good (a lost permission, a post gone): about twice a day.
            again = _capped(watch, now + timedelta(hours=self.settings.comments_old_hours),
                            self.settings)
        elif isinstance(exc, AuthExpired):
            code = code or "auth"
        with self.store.write() as db:
            cm.fetch_failed(db, watch, exc.message, code, again, now)
            if account_id is not None and again is not None:
                cm.pause_account_watches(db, account_id, again)
        log.warning(_("comments of delivery {delivery} on {network} could not be read: "
                      "{problem}").format(delivery=watch.delivery_id, network=watch.network,
                                          problem=exc.message))
        return exc.message

    def _account_of(self, watch: CommentWatch) -> int | None:
        from posts.models import Delivery

        with self.store.read() as db:
            delivery = db.get(Delivery, watch.delivery_id)
            return delivery.account_id if delivery is not None else None


def _capped(watch: CommentWatch, when: datetime, settings: Settings) -> datetime | None:
    """``when``, unless the post is past its network's max age by then (None)."""
    end = watch.published_at + timedelta(days=cm.max_age_days(watch.network, settings))
    return when if when < end else None
