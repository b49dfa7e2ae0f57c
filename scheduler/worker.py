"""One round of the daemon's work, against the database: the truth.

``Worker.tick()`` dispatches posts whose slot has come, recovers deliveries
whose worker vanished, claims due deliveries, publishes or reconciles them,
and returns when it next needs to wake. It reads time from the clock it is
given, so tests drive it with a fake clock and never sleep. Each claim is run,
on a publishing thread, by ``scheduler.attempt.Attempt``; the round keeps the
pool full, the leases renewed and the rows read with each claim.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from config.clock import Clock, utc
from config.i18n import _, ngettext
from config.localtime import local_with_zone
from config.secrets import SecretStore
from config.settings import Settings
from posts import deliveries as dl
from posts.group_commit import GroupCommit
from posts.media.store import MediaStore
from posts.models import Delivery, Post
from posts.store import Store
from scheduler import x_costs
from scheduler.attempt import MAX_ABSENT, Attempt
from scheduler.planning.plans import ProfilePlan, profile_plans
from scheduler.prepare import Fetched, MediaHost, fetch_deliveries
from scheduler.publishers.base import Publisher

__all__ = ["MAX_ABSENT", "PublisherFactory", "Worker"]

log = logging.getLogger("costanza.daemon")

PublisherFactory = Callable[[str], Publisher]
# How many due posts one profile dispatches at a time (more follow as the pool frees up).
DISPATCH_BATCH = 64
DISPATCH_EVERY = 1.0  # seconds between dispatches while the pool is busy
# Seconds between claims of retries and reconciliations within one round: a round lasts as
# long as its slowest post (an Instagram video being processed can take minutes), and the
# other posts' retries must not wait for it.
FULL_CLAIM_EVERY = 5.0
# Deliveries claimed ahead, waiting for a publishing thread, per 8 threads: a thread that
# finishes takes the next one at once instead of waiting for the next claim. A claim costs
# the same for one delivery as for several (its lock, its queries, reading the posts),
# so a busy daemon claims again only once half of those ahead have started.
PREFETCH_PER_8 = 4


class Worker:
    def __init__(self, store: Store, settings: Settings, clock: Clock,
                 publishers: PublisherFactory, owner: str,
                 media_store: MediaStore | None = None, secrets: SecretStore | None = None,
                 media_host: MediaHost | None = None, concurrency: int = 4,
                 on_event: Callable[[str, dict[str, Any]], None] | None = None) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        self.publishers = publishers
        self.owner = owner
        self.media_store = media_store or MediaStore(settings.media_dir, clock)
        self.secrets = secrets or SecretStore(settings.home.secrets_file)
        self.media_host = media_host
        self.concurrency = max(1, concurrency)
        self.prefetch = max(1, self.concurrency * PREFETCH_PER_8 // 8)
        self.claim_batch = max(1, self.prefetch // 2)
        self.lease = timedelta(seconds=settings.lease_seconds)
        self.on_event = on_event or (lambda kind, data: None)
        self.accepting = True
        self._inflight: dict[int, dl.Claim] = {}  # claimed: publishing, or waiting for a thread
        # What each claim needs from the database, read with the claim (on PostgreSQL right
        # after it commits); a claim missing here is read when it starts.
        self._fetched: dict[int, Fetched] = {}
        # When each lease held runs out, as far as this daemon knows (claim or last renewal).
        self._lease_ends: dict[int, datetime] = {}
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(self.concurrency, thread_name_prefix="publish")
        # On SQLite, where writers take turns anyway, the publishing threads' small writes
        # (intent, remote ids, outcome) are committed together: one turn and one sync to
        # disk for many. (On PostgreSQL they run side by side, each on its connection;
        # one committing thread would make them wait in line.) A fenced write that finds
        # the lease gone wrote nothing, so the others in its group go on.
        self._commits = GroupCommit(store, clean=(dl.LeaseLost,)) if store.is_sqlite else None
        self._publishers: dict[str, Publisher] = {}
        self._next_slot: datetime | None = None

    # -- the round ------------------------------------------------------------
    def tick(self) -> datetime:
        """Do what is due now; return when the next wake is needed."""
        now = self.clock.now()
        with self.store.write() as db:
            for delivery_id in dl.expire_leases(db, now):
                log.warning(_("delivery {delivery}: outcome unknown after an interrupted "
                              "publish; it will be reconciled").format(delivery=delivery_id))
        x_costs.release_holds(self.store, self.settings, now)  # a new month, a higher budget
        self.dispatch_due(now)
        if self.accepting:
            self.run_due()
        return self._wake_after(self._next_slot)

    def dispatch_due(self, now: datetime) -> int:
        """Dispatch the posts whose time has come.

        Every profile is planned in a read transaction; only the profiles with a post
        due are planned again, under the write lock, and dispatched. The earliest slot
        still to come is kept for ``tick`` (no second planning pass to find it).
        """
        due_profiles: list[int] = []
        next_slot: datetime | None = None
        with self.store.read() as db:
            for p in profile_plans(db, now, self.settings.grace_period, limit=DISPATCH_BATCH):
                entries = p.plan.entries
                if entries and entries[0].at <= now:
                    due_profiles.append(p.profile_id)
                later = next((e.at for e in entries if e.at > now), None)
                if later is not None and (next_slot is None or later < next_slot):
                    next_slot = later
        self._next_slot = next_slot
        count = 0
        if not due_profiles:
            return count
        with self.store.write() as db:
            for p in profile_plans(db, now, self.settings.grace_period, limit=DISPATCH_BATCH,
                                   profile_ids=due_profiles):
                count += self._dispatch_profile(db, p, now)
        return count

    def _dispatch_profile(self, db: Any, p: ProfilePlan, now: datetime) -> int:
        count = 0
        for entry in p.plan.entries:
            if entry.at > now:
                break
            # Locked, so that two daemons never dispatch the same post; one that
            # another daemon is dispatching right now is skipped (it is done).
            post = db.get(Post, entry.post_id, with_for_update={"skip_locked": True})
            if post is None or post.state != "queued":
                continue
            if not entry.pinned and post.pinned_at is not None:
                # Its pinned time was missed beyond the grace period: it took a
                # cadence slot instead, which now counts as used.
                post.pinned_at = None
                post.asap = False
            dl.dispatch_post(db, post, entry.at, now)
            count += 1
            slot = local_with_zone(entry.at, ZoneInfo(p.timezone))
            log.info((_("post {post}: its slot {slot} has come (late, within the grace period)")
                      if entry.late else _("post {post}: its slot {slot} has come")).format(
                post=post.id, slot=slot))
        if count and p.plan.skipped:
            log.info(ngettext(
                # English said "slot(s)" for any number: kept word for word.
                "profile {profile}: {n} slot(s) were missed while Costanza was stopped; the "
                "queue moved on instead of sending them all at once",
                "profile {profile}: {n} slot(s) were missed while Costanza was stopped; the "
                "queue moved on instead of sending them all at once",
                len(p.plan.skipped)).format(profile=p.name, n=len(p.plan.skipped)))
        return count

    def run_due(self) -> int:
        """Publish what is due, keeping the pool busy: as deliveries finish, fresh ones
        are claimed, a few at a time (and newly due posts dispatched), until none is left.
        Retries and reconciliations are taken at the start and every FULL_CLAIM_EVERY
        seconds; while every post in flight is slow, the pool is looked at again every
        DISPATCH_EVERY seconds, so that a slow post never holds the others up."""
        pending: set[Future[None]] = set()
        total = 0
        fresh_only = False
        last_dispatch = last_full = time.monotonic()
        while True:
            with self._lock:
                free = self.concurrency + self.prefetch - len(self._inflight)
            claims: list[dl.Claim] = []
            if free >= self.claim_batch and self.accepting:
                claims = self._claim(free, fresh_only)
                if (len(claims) < free and fresh_only
                        and time.monotonic() - last_dispatch >= DISPATCH_EVERY):
                    last_dispatch = time.monotonic()
                    if self.dispatch_due(self.clock.now()):
                        claims += self._claim(free - len(claims), fresh_only)
            if not fresh_only:
                last_full = time.monotonic()
            fresh_only = time.monotonic() - last_full < FULL_CLAIM_EVERY
            for c in claims:
                with self._lock:
                    self._inflight[c.delivery_id] = c
                pending.add(self._pool.submit(self._run_claim, c))
            total += len(claims)
            if not pending:
                return total
            _, pending = wait(pending, timeout=DISPATCH_EVERY, return_when=FIRST_COMPLETED)

    def _claim(self, limit: int, fresh_only: bool) -> list[dl.Claim]:
        now = self.clock.now()
        ids: list[int] = []
        fetched: dict[int, Fetched] = {}
        with self.store.write() as db:
            claims = dl.claim(db, self.owner, now, self.lease, limit,
                              skip_locked=not self.store.is_sqlite,
                              per_network=self.settings.per_network_concurrency,
                              fresh_only=fresh_only)
            ids = [c.delivery_id for c in claims]
            if ids and self.store.is_sqlite:  # in the same turn of the write lock
                fetched = fetch_deliveries(db, ids)
        if ids and not self.store.is_sqlite:
            # After the claim's commit: other daemons wait for its lock, not for this read.
            # The claims are ours either way: if it fails, each is read when it starts.
            try:
                with self.store.one_statement() as db:
                    fetched = fetch_deliveries(db, ids)
            except Exception as exc:
                log.warning(_("the posts just claimed could not be read together ({error}); "
                              "each is read when its turn comes").format(
                    error=type(exc).__name__))
        with self._lock:
            for c in claims:
                self._lease_ends[c.delivery_id] = now + self.lease
            self._fetched.update(fetched)
        return claims

    def renew_leases(self) -> None:
        """Extend the lease of every delivery in flight, in one transaction."""
        now = self.clock.now()
        with self._lock:
            claims = list(self._inflight.values())
        if not claims:
            return
        renewed = []
        try:
            with self.store.write() as db:
                for c in claims:
                    try:
                        dl.renew(db, c, now, self.lease)
                        renewed.append(c.delivery_id)
                    except dl.LeaseLost as exc:
                        log.warning(_("{problem}; this daemon stops renewing its lease")
                                    .format(problem=exc))
        except Exception as exc:
            # The heartbeat goes on (a database that does not answer must not stop it):
            # leases not renewed in time run out, and those posts are checked again.
            log.error(_("the leases of the posts being published could not be renewed "
                        "({error}); Costanza tries again at the next heartbeat").format(
                error=type(exc).__name__))
            return
        with self._lock:
            for delivery_id in renewed:
                if delivery_id in self._lease_ends:
                    self._lease_ends[delivery_id] = now + self.lease

    def still_ours(self, delivery_id: int) -> None:
        """Raise ``LeaseLost`` unless this daemon's lease on the delivery is safely alive.

        Checked by the clock alone, right before each call that sends something: a
        daemon frozen (or cut off from the database) past its lease, whose work another
        daemon may have taken over, must not publish when it wakes. A quarter of the
        lease is kept as a margin for clocks that disagree a little.
        """
        with self._lock:
            ends = self._lease_ends.get(delivery_id)
        if ends is None or self.clock.now() >= ends - self.lease / 4:
            raise dl.LeaseLost(_("delivery {delivery}: its lease ran out before the network "
                                 "call, so another daemon took it over or soon will").format(
                                     delivery=delivery_id))

    def _wake_after(self, next_slot: datetime | None) -> datetime:
        now = self.clock.now()
        candidates = [now + timedelta(seconds=self.settings.poll_seconds)]
        if next_slot is not None:
            candidates.append(max(now, next_slot))
        with self.store.read() as db:
            due = db.scalar(select(func.min(Delivery.due_at)).where(
                Delivery.state.in_(("queued", "retry_wait", "unknown"))))
        if due is not None:
            candidates.append(max(now, utc(due)))
        return min(candidates)

    def shutdown(self, wait: bool = True) -> None:
        """Stop taking work; with ``wait``, finish what is being published and give back
        the claims still waiting for a thread (another daemon may take them at once)."""
        self.accepting = False
        self._pool.shutdown(wait=wait)  # the waiting ones start only to be given back
        if wait and self._commits is not None:
            self._commits.close()

    def _give_back(self, c: dl.Claim) -> None:
        """A claim no thread started before the daemon stopped taking work: back to the
        queue (or to reconciliation), unleased, so that any daemon may take it at once."""
        try:
            self.write(lambda db: dl.release(db, c, self.clock.now()))
        except dl.LeaseLost:
            pass  # another daemon has it already
        except Exception as exc:  # its lease runs out instead; nothing is lost
            log.warning(_("delivery {delivery}: claimed but not started, and could not be "
                          "given back ({error}); it is taken again once its lease runs out"
                          ).format(delivery=c.delivery_id, error=type(exc).__name__))

    def write(self, fn: Callable[[Any], Any], one_statement: bool = False) -> Any:
        """Run ``fn(session)`` in a write transaction, committed (possibly together with
        other threads' writes) before this returns. ``one_statement``: ``fn`` runs a
        single statement, which on PostgreSQL needs no transaction around it."""
        if self._commits is not None:
            return self._commits.run(fn)
        with self.store.one_statement() if one_statement else self.store.write() as db:
            return fn(db)

    # -- one delivery ---------------------------------------------------------
    def warm_up(self) -> None:
        """Load the publishers (and their libraries) and read the secrets file now, so
        that the first posts due do not wait for them."""
        from posts.networks import NETWORKS

        for network in NETWORKS:
            self.publisher(network)
        self.secrets.load()

    def publisher(self, network: str) -> Publisher:
        if network not in self._publishers:
            self._publishers[network] = self.publishers(network)
        return self._publishers[network]

    def claimed_rows(self, db: Any, delivery_id: int) -> Fetched:
        """The delivery, post and account of a claim: those read with the claim, or (if
        they were not) read now in ``db``."""
        with self._lock:
            found = self._fetched.pop(delivery_id, None)
        if found is None:  # not read with the claim
            found = fetch_deliveries(db, [delivery_id])[delivery_id]
        return found

    def _run_claim(self, c: dl.Claim) -> None:
        try:
            if self.accepting:
                Attempt(self, c).run()
            else:
                self._give_back(c)
        except dl.LeaseLost as exc:
            log.warning(_("{problem}; this daemon stops touching it").format(problem=exc))
        except Exception:
            log.exception(_("delivery {delivery}: unexpected error").format(
                delivery=c.delivery_id))
        finally:
            with self._lock:
                self._inflight.pop(c.delivery_id, None)
                self._lease_ends.pop(c.delivery_id, None)
                self._fetched.pop(c.delivery_id, None)
