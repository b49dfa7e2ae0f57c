"""Heartbeats and the one-daemon-per-SQLite-database rule."""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from config.errors import DaemonRunning
from config.i18n import _
from posts.models import DaemonBeat, Lock

SQLITE_LOCK = "sqlite-daemon"


def lock_ttl(poll_seconds: float) -> timedelta:
    """How long the one-daemon lock lasts without a heartbeat (renewed three times as often)."""
    return timedelta(seconds=max(5.0, poll_seconds * 5))


def stale_after(poll_seconds: float) -> timedelta:
    """A daemon whose heartbeat is older than this is taken for dead."""
    return lock_ttl(poll_seconds) * 2


def register(db: Session, daemon_id: str, now: datetime) -> DaemonBeat:
    beat = DaemonBeat(id=daemon_id, hostname=socket.gethostname(), pid=os.getpid(),
                      started_at=now, heartbeat_at=now)
    db.add(beat)
    db.flush()
    return beat


def _dead_here(beat: DaemonBeat | None) -> bool:
    """True when the lock holder ran on this machine and its process is gone."""
    if beat is None or beat.hostname != socket.gethostname():
        return False
    try:
        os.kill(beat.pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def acquire_singleton(db: Session, daemon_id: str, now: datetime, ttl: timedelta) -> None:
    """Take the SQLite daemon lock, or say plainly who holds it."""
    lock = db.get(Lock, SQLITE_LOCK)
    if (lock is not None and lock.owner != daemon_id and lock.expires_at > now
            and not _dead_here(db.get(DaemonBeat, lock.owner))):
        beat = db.get(DaemonBeat, lock.owner)
        rest = _("Only one may run at a time with SQLite. Stop it first (`systemctl stop "
                 "costanza` or Ctrl-C in its terminal), or use `costanza status` to see it.")
        if beat:
            first = _("Another Costanza daemon is already running on this database (process "
                      "{pid} on {host}).").format(pid=beat.pid, host=beat.hostname)
        else:
            first = _("Another Costanza daemon is already running on this database.")
        raise DaemonRunning(f"{first} {rest}")
    if lock is None:
        db.add(Lock(name=SQLITE_LOCK, owner=daemon_id, expires_at=now + ttl))
    else:
        lock.owner = daemon_id
        lock.expires_at = now + ttl
    db.flush()


def heartbeat(db: Session, daemon_id: str, now: datetime, ttl: timedelta | None,
              next_wake: datetime | None = None) -> bool:
    """Refresh the heartbeat (and the lock); False if the lock was taken over."""
    beat = db.get(DaemonBeat, daemon_id)
    if beat is not None:
        beat.heartbeat_at = now
        beat.last_wake_at = now
        if next_wake is not None:
            beat.next_wake_at = next_wake
    if ttl is not None:
        lock = db.get(Lock, SQLITE_LOCK)
        if lock is None or lock.owner != daemon_id:
            return False
        lock.expires_at = now + ttl
    return True


def release(db: Session, daemon_id: str, now: datetime) -> None:
    beat = db.get(DaemonBeat, daemon_id)
    if beat is not None:
        beat.stopped_at = now
    lock = db.get(Lock, SQLITE_LOCK)
    if lock is not None and lock.owner == daemon_id:
        db.delete(lock)


def live_daemons(db: Session, now: datetime, stale_after: timedelta) -> list[DaemonBeat]:
    rows = db.scalars(select(DaemonBeat).where(DaemonBeat.stopped_at.is_(None))).all()
    return [b for b in rows if b.heartbeat_at >= now - stale_after]
