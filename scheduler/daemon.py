"""The daemon: APScheduler is only the clock; the database is the truth.

APScheduler 3 cannot share a job store between processes and by default
drops runs missed by more than a second, so nothing is kept in its job
store. The rounds run on a thread of their own, one after the other: each
sleeps until the time the database says is next (a slot, a retry, a lease
running out), capped by ``poll_seconds`` so that edits made with the command
line are seen within seconds. APScheduler runs the periodic jobs: heartbeats
and leases, notifications, the comments (``scheduler.comments.rounds``), housekeeping.

Signals: the first SIGTERM/SIGINT stops taking new work, lets what is being
published finish, and exits; a second one exits at once (anything cut short
is reconciled on the next start).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from types import FrameType
from typing import Any, Protocol

from config.clock import Clock
from config.i18n import _, ngettext
from config.settings import Settings
from posts.deliveries import release_dead_leases
from posts.media.store import MediaStore
from posts.store import Store
from scheduler import liveness
from scheduler.comments.base import ClientFactory
from scheduler.comments.rounds import EVERY_SECONDS as COMMENTS_EVERY
from scheduler.comments.rounds import FIRST_AFTER as COMMENTS_FIRST
from scheduler.comments.rounds import CommentRounds
from scheduler.sdnotify import notify, watchdog_interval
from scheduler.worker import PublisherFactory, Worker

log = logging.getLogger("costanza.daemon")


class DaemonParts(Protocol):
    """What the daemon is handed by whoever starts it (the command line's ``App``): the
    engine never reaches up for the application itself."""

    @property
    def settings(self) -> Settings: ...
    @property
    def store(self) -> Store: ...
    @property
    def clock(self) -> Clock: ...
    @property
    def media(self) -> MediaStore: ...


# The readiness check the command line hands in (`costanza check`, as plain findings):
# the daemon runs it once a day and tells the artisan what expires or blocks the week.
ReadinessCheck = Callable[[], list[dict[str, Any]]]
READINESS_EVERY = timedelta(days=1)


@contextlib.contextmanager
def signal_handlers(handler: Any) -> Iterator[None]:
    """Install handlers for SIGTERM and SIGINT, and restore the old ones after."""
    old = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    for sig in old:
        signal.signal(sig, handler)
    try:
        yield
    finally:
        for sig, previous in old.items():
            signal.signal(sig, previous)


class Daemon:
    def __init__(self, app: DaemonParts, publishers: PublisherFactory | None = None,
                 concurrency: int = 4, readiness: ReadinessCheck | None = None,
                 comment_clients: ClientFactory | None = None) -> None:
        from config.settings import MAX_CONCURRENCY

        if not 1 <= concurrency <= MAX_CONCURRENCY:
            from config.errors import InputError

            raise InputError(_("The daemon cannot send {n} posts at a time: use "
                               "--concurrency from 1 to {most}, such as 4.").format(
                n=concurrency, most=MAX_CONCURRENCY))
        self.app = app
        self.store: Store = app.store
        # One connection per publishing thread, and some for the round, the heartbeat,
        # the notifier and housekeeping, so that no thread waits for another's.
        self.store.use_connections(concurrency + 4)
        self.id = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        if publishers is None:
            from scheduler.publishers.registry import make_publisher

            base = app.settings.networks_base_url

            def publishers(network: str) -> Any:
                return make_publisher(network, base,
                                      timeout=app.settings.networks_timeout_seconds,
                                      facebook_chunk_bytes=app.settings.facebook_chunk_mb
                                      * 1024 * 1024,
                                      graph_version=app.settings.graph_api_version)
        from scheduler.media_hosts import default_media_host

        # With no [media_host] section, Instagram's photos go through the profile's
        # Facebook Page (when one is connected; otherwise the delivery says what to do).
        media_host = default_media_host(app.settings, app.clock)
        from scheduler.notify.outbox import Notifier

        # Events are only remembered here; the notifier writes and sends them on its own
        # schedule, so a mail server that is down never slows publishing.
        self.notifier = Notifier(self.store, app.settings, app.clock)
        self.worker = Worker(self.store, app.settings, app.clock, publishers, self.id,
                             app.media, media_host=media_host, concurrency=concurrency,
                             on_event=self.notifier.on_event)
        self.stop_event = threading.Event()
        # The dialogue (replies, then comments) on a job of its own; publishing wins.
        self.comments = CommentRounds(self.store, app.settings, app.clock, comment_clients,
                                      self.worker.secrets, self.id, self.stop_event.is_set)
        self._signals = 0
        self.lock_ttl = liveness.lock_ttl(app.settings.poll_seconds)
        self._scheduler: Any = None
        self._settings_mtime = self._config_mtime()
        self.settings_problem: str | None = None
        self._last_prune: datetime | None = None
        self.readiness = readiness
        self._last_readiness: datetime | None = None
        self._last_version_note: datetime | None = None  # graph_version_warning's last look
        self._next_wake: datetime | None = None  # the round's next wake, for the heartbeat
        self._rounds: threading.Thread | None = None
        self.once = False  # stop after the first round that finds nothing due

    # -- life ----------------------------------------------------------------
    def start(self) -> None:
        from scheduler.notify.channels import load_notify_config

        load_notify_config(self.app.settings)  # a bad [notify] section stops us at start
        now = self.app.clock.now()
        with self.store.write() as db:
            if self.store.is_sqlite:
                liveness.acquire_singleton(db, self.id, now, self.lock_ttl)
                released = release_dead_leases(db, self.id, now)
                if released:
                    log.warning(ngettext(
                        # English said "deliveries" for any number: kept word for word.
                        "{n} deliveries were in flight when the previous daemon stopped; they "
                        "are checked first",
                        "{n} deliveries were in flight when the previous daemon stopped; they "
                        "are checked first", released).format(n=released))
            liveness.register(db, self.id, now)
        self.worker.warm_up()
        from apscheduler.schedulers.background import BackgroundScheduler

        self._scheduler = BackgroundScheduler(timezone=UTC)
        # The rounds run on a thread of their own, one after the other, each sleeping until
        # the time the last one asked for. (They once ran as a one-off APScheduler job that
        # each round armed again: a round armed while the last was still counted as
        # running was skipped, or removed with the job it replaced, and the daemon slept
        # for good with posts queued.) APScheduler keeps the periodic jobs.
        self._rounds = threading.Thread(target=self._run_rounds, name="rounds", daemon=True)
        beat_every = min(self.lock_ttl.total_seconds() / 3, self.app.settings.lease_seconds / 3)
        watchdog = watchdog_interval()
        if watchdog:
            beat_every = min(beat_every, watchdog)
        self._scheduler.add_job(self._beat, "interval", seconds=max(0.5, beat_every),
                                id="beat", misfire_grace_time=None, coalesce=True,
                                max_instances=1)
        self._scheduler.add_job(self.notifier.run_round, "interval", seconds=15, id="notify",
                                misfire_grace_time=None, coalesce=True, max_instances=1)
        self._scheduler.add_job(self.comments.run, "interval", seconds=COMMENTS_EVERY,
                                id="comments", misfire_grace_time=None, coalesce=True,
                                max_instances=1,  # the first one soon after the start
                                next_run_time=datetime.now(UTC) + COMMENTS_FIRST)
        self._scheduler.add_job(self.housekeeping, "interval", hours=1, id="housekeeping",
                                next_run_time=datetime.now(UTC) + timedelta(seconds=5),
                                misfire_grace_time=None, coalesce=True, max_instances=1)
        self._scheduler.start()
        self._rounds.start()
        notify("READY=1\nSTATUS=" + _("Publishing at your weekly slots"))
        log.info(_("daemon {id} started").format(id=self.id))

    def run(self, once: bool = False) -> None:
        """Run in the foreground until a signal (or ``stop()``). With ``once``: publish
        what is due now (retries and reconciliations due included), then stop, as soon as
        a round ends with nothing left due; what comes due later waits for the next run."""
        self.once = once
        with signal_handlers(self._on_signal):
            self.start()
            try:
                while not self.stop_event.wait(0.5):
                    pass
            finally:
                self.shutdown()

    # The signal that stopped the daemon, if one did (SIGINT: the command exits 130).
    stopped_by: int | None = None

    def stop(self) -> None:
        self.stop_event.set()

    def shutdown(self) -> None:
        notify("STOPPING=1")
        self.worker.accepting = False
        if self._rounds is not None and self._rounds.is_alive():
            self._rounds.join()  # the round under way finishes what is being published
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=True)
        self.worker.shutdown(wait=True)
        self.notifier.stop()
        with self.store.write() as db:
            liveness.release(db, self.id, self.app.clock.now())
        log.info(_("daemon {id} stopped").format(id=self.id))

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        self._signals += 1
        if self._signals > 1:
            log.warning(_("second signal: stopping at once"))
            os._exit(128 + signum)  # the shell's convention: 130 after Ctrl-C
        self.stopped_by = signum
        log.info(_("stopping: finishing what is being published (press Ctrl-C again to stop "
                   "at once)"))
        self.stop_event.set()

    # -- settings edited while running ----------------------------------------
    def _config_mtime(self) -> float | None:
        try:
            return self.app.settings.home.config_file.stat().st_mtime
        except OSError:
            return None

    def check_settings(self) -> str | None:
        """Re-read the settings file when it changed. A broken file is reported in plain
        words and the daemon keeps the settings it started with; a good one is noted
        (restart the daemon to apply it). Returns the problem, if any."""
        mtime = self._config_mtime()
        if mtime == self._settings_mtime:
            return self.settings_problem
        self._settings_mtime = mtime
        from config.errors import SettingsError
        from config.settings import load_settings

        try:
            load_settings(str(self.app.settings.home.config_file),
                          today=self.app.clock.now().date())
        except SettingsError as exc:
            self.settings_problem = exc.message
            log.error(_("the settings file was changed and now has a problem: {problem} The "
                        "daemon keeps running with the settings it started with.").format(
                problem=exc.message))
            return self.settings_problem
        if self.settings_problem or mtime is not None:
            log.info(_("the settings file was changed; restart the daemon to use the new "
                       "settings (it keeps the ones it started with until then)"))
        self.settings_problem = None
        return None

    # -- jobs ----------------------------------------------------------------
    def _wake(self) -> float:
        """One round; returns how many seconds (real time) to sleep before the next."""
        try:
            next_wake = self.worker.tick()
        except Exception:
            log.exception(_("the daemon's round failed; trying again shortly"))
            next_wake = self.app.clock.now() + timedelta(seconds=self.app.settings.poll_seconds)
        self._next_wake = next_wake  # written with the next heartbeat (the beat job)
        if self.once and next_wake > self.app.clock.now():
            log.info(_("nothing more is due now: stopping (run once)"))
            self.stop_event.set()
        # The (possibly fake) clock's wait, as a wait in real time.
        return max(0.0, (next_wake - self.app.clock.now()).total_seconds())

    def _run_rounds(self) -> None:
        """One round after the other until the daemon stops, each sleeping until the time
        the one before asked for."""
        while not self.stop_event.is_set():
            self.stop_event.wait(self._wake())

    def waiting_retries(self) -> int:
        """Deliveries that will be tried (or checked) again later: what a run once left."""
        from sqlalchemy import func, select

        from posts.models import Delivery

        with self.store.read() as db:
            return int(db.scalar(select(func.count()).select_from(Delivery).where(
                Delivery.state.in_(("retry_wait", "unknown")))) or 0)

    def housekeeping(self) -> None:
        """Hourly: warn when a queue is about to run dry; once a day, warn when the Graph
        API version retires soon, trim old attempts and remove the converted copies of
        photos and videos no post needs any more."""
        now = self.app.clock.now()
        try:
            self.runway_warnings(now)
            self.readiness_round(now)
            from scheduler.notify.comment_digest import digest_round

            digest_round(self.notifier, now)  # comments waiting: once a day, when new
            self.graph_version_warning(now)
            sweep = getattr(self.worker.media_host, "sweep", None)
            if sweep is not None:
                sweep()  # photos staged for Instagram and left behind by a crash
            if self._last_prune is None or now - self._last_prune >= timedelta(days=1):
                from posts.attempts import prune_attempts
                from posts.media.tidy import tidy_fitted

                with self.store.write() as db:
                    removed = prune_attempts(db, now, self.app.settings.log_keep_days)
                self._last_prune = now
                if removed:
                    log.info(ngettext("removed {n} attempt records older than {days} days",
                                      "removed {n} attempt records older than {days} days",
                                      removed).format(n=removed,
                                                      days=self.app.settings.log_keep_days))
                with self.store.read() as db:
                    tidy_fitted(db, self.app.media, now)
                from posts.media.retention import tidy_originals

                tidy_originals(self.store, self.app.media, now, self.app.settings.keep_originals)
        except Exception:
            log.exception(_("housekeeping failed; it runs again in an hour"))

    def readiness_round(self, now: datetime, force: bool = False) -> int:
        """Once a day: run the readiness check and notify what expires within 7 days or
        will stop a post this week (once per thing and day). Returns how many were new."""
        if self.readiness is None or (not force and self._last_readiness is not None
                                      and now - self._last_readiness < READINESS_EVERY):
            return 0
        from scheduler.notify.outbox import readiness_messages

        self._last_readiness = now
        try:
            return self.notifier.tell(readiness_messages(self.readiness(), now))
        except Exception:
            log.exception(_("the daily readiness check failed; it runs again tomorrow"))
            return 0

    def runway_warnings(self, now: datetime) -> list[str]:
        """A plain warning per profile whose queue runs dry within the warning period."""
        from zoneinfo import ZoneInfo

        from scheduler.planning.planner import runway_days, runway_sentence
        from scheduler.planning.plans import profile_plans

        warnings = []
        days_limit = self.app.settings.runway_warning_days
        with self.store.read() as db:
            plans = profile_plans(db, now, self.app.settings.grace_period)
        for p in plans:
            days = runway_days(p.plan, now)
            if days is not None and days < days_limit:
                sentence = runway_sentence(p.plan, ZoneInfo(p.timezone), now)
                text = _("profile {profile}: {sentence} Fewer than {days} days of posts are "
                         "left: add a few stories with `costanza post add`.").format(
                    profile=p.name, sentence=sentence, days=days_limit)
                warnings.append(text)
                log.warning("%s", text)
                self.worker.on_event("runway", {"profile_id": p.profile_id,
                                                "message": text, "days": days})
        return warnings

    def graph_version_warning(self, now: datetime) -> str | None:
        """Once a day, the Graph API version's coming (or past) retirement in the log."""
        last = self._last_version_note
        if last is not None and now - last < timedelta(days=1):
            return None
        self._last_version_note = now
        from scheduler.graph_version import graph_version_problem

        problem = graph_version_problem(self.app.settings, now)
        if problem is None:
            return None
        log.log(logging.ERROR if problem.level == "error" else logging.WARNING, "%s",
                problem.message)
        return problem.message

    def _beat(self) -> None:
        self.worker.renew_leases()
        self.check_settings()
        self._heartbeat(self._next_wake)
        notify("WATCHDOG=1")

    def _heartbeat(self, next_wake: datetime | None) -> None:
        try:
            with self.store.write() as db:
                ok = liveness.heartbeat(db, self.id, self.app.clock.now(),
                                        self.lock_ttl if self.store.is_sqlite else None,
                                        next_wake)
        except Exception:
            log.exception(_("could not write the heartbeat"))
            return
        if not ok:
            log.error(_("another daemon took over this database; stopping"))
            self.worker.accepting = False
            self.stop_event.set()
