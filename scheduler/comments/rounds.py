"""The daemon's comments job: the artisan's replies go out first, then the comments
under the published posts are read, and only while nothing is due to be published.

It runs on APScheduler's thread every ``EVERY_SECONDS``, beside the publishing rounds
(not on their thread: a network slow to list comments must never hold a post back).
Publishing wins: a round does nothing while a delivery is due now, and the fetcher
leaves alone accounts that are about to publish (``posts.comments.due_watches``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import or_, select

from config.clock import Clock
from config.i18n import _
from config.secrets import SecretStore
from config.settings import Settings
from posts.models import Account, Delivery
from posts.store import Store
from scheduler.comments import x_budget
from scheduler.comments.base import ClientFactory
from scheduler.comments.fetching import CommentFetcher
from scheduler.comments.replies import ReplySender

log = logging.getLogger("costanza.comments")

EVERY_SECONDS = 30
# The first round this long after the daemon starts, not a whole interval later.
FIRST_AFTER = timedelta(seconds=2)


def default_clients(settings: Settings, clock: Clock) -> ClientFactory:
    """The real comment clients, routed like the publishers (``[networks]``), on
    ``clock`` (X's 7 days of recent search are counted on it)."""
    from scheduler.comments.registry import make_comment_client

    def clients(network: str) -> Any:
        return make_comment_client(network, settings.networks_base_url,
                                   timeout=settings.networks_timeout_seconds,
                                   graph_version=settings.graph_api_version, now=clock.now)
    return clients


class CommentRounds:
    def __init__(self, store: Store, settings: Settings, clock: Clock,
                 clients: ClientFactory | None, secrets: SecretStore, owner: str,
                 stopping: Callable[[], bool] = lambda: False) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        factory = clients or default_clients(settings, clock)
        self.replies = ReplySender(store, settings, clock, factory, secrets, owner)
        self.fetcher = CommentFetcher(store, settings, clock, factory, secrets)
        self.stopping = stopping
        self.fetcher.stopping = stopping

    def publishing_due(self) -> bool:
        """A delivery is due now, or being published (and its account is free to)."""
        now = self.clock.now()
        blocked = select(Account.id).where(or_(Account.health != "ok",
                                               Account.rate_limited_until > now))
        with self.store.read() as db:
            return db.scalar(select(Delivery.id).where(
                or_(Delivery.state.in_(("claimed", "publishing")),
                    Delivery.state.in_(("queued", "retry_wait", "unknown"))
                    & (Delivery.due_at <= now)),
                or_(Delivery.account_id.is_(None), Delivery.account_id.not_in(blocked)))
                .limit(1)) is not None

    def run(self) -> dict[str, Any] | None:
        """One round: replies, then (with ``[comments] max_age_days`` above 0) the
        comments. None when publishing had the turn."""
        try:
            if self.stopping() or self.publishing_due():
                return None
            with self.store.write() as db:  # a higher budget, or none: X work goes on
                x_budget.release(db, self.settings, self.clock.now())
            done: dict[str, Any] = {"replies": self.replies.run_due()}
            if self.settings.comments_max_age_days > 0 and not self.stopping():
                done.update(self.fetcher.run_round())
            return done
        except Exception:
            log.exception(_("the comments round failed; it runs again shortly"))
            return None
