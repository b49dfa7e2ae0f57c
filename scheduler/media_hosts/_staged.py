"""The record of photos staged on a Facebook Page, so that none is left behind.

A small JSON file in Costanza's data folder lists every photo the
``facebook_page`` host put on a Page and has not deleted yet: its id, the
account whose Page token deletes it, its content hash, its address and when
it was staged. An entry is written as soon as Facebook names the photo and
removed once the photo is deleted, so a crash in between leaves the entry,
and the next use (or the daemon's hourly housekeeping) deletes the photo.

The file is rewritten atomically (written aside, then renamed); a lock
serialises the threads of one process, and ``flock`` on a lock file the
processes (the daemon and a command run beside it). No token is kept here.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

FILE_NAME = "staged-photos.json"

_locks: dict[Path, threading.Lock] = {}
_locks_guard = threading.Lock()


@dataclass(frozen=True)
class Staged:
    photo_id: str
    account: str  # the Facebook account (its secrets hold the Page token)
    page_id: str
    sha256: str
    url: str
    staged_at: str  # ISO 8601, UTC

    @property
    def staged(self) -> datetime:
        return datetime.fromisoformat(self.staged_at)


class StagedRecord:
    """The photos staged and not yet deleted, kept in ``folder``/staged-photos.json."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / FILE_NAME
        with _locks_guard:
            self._lock = _locks.setdefault(self.path.resolve(), threading.Lock())

    @contextlib.contextmanager
    def _locked(self) -> Iterator[dict[str, Staged]]:
        """The entries, changed in place and written back when the block ends."""
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path.with_suffix(".lock"), "a") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                try:
                    entries = self._read()
                    before = dict(entries)
                    yield entries
                    if entries != before:
                        self._write(entries)
                finally:
                    fcntl.flock(lock, fcntl.LOCK_UN)

    def _read(self) -> dict[str, Staged]:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            return {}  # a damaged record: start again (at worst a test photo stays)
        photos = raw.get("photos", {}) if isinstance(raw, dict) else {}
        entries = {}
        for photo_id, values in photos.items():
            try:
                entries[photo_id] = Staged(photo_id=photo_id, **{
                    k: str(values[k]) for k in ("account", "page_id", "sha256", "url",
                                                "staged_at")})
            except (KeyError, TypeError):
                continue
        return entries

    def _write(self, entries: dict[str, Staged]) -> None:
        data = {"photos": {k: {f: v for f, v in asdict(e).items() if f != "photo_id"}
                           for k, e in sorted(entries.items())}}
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".staged-", suffix=".part")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(data, out, indent=1, sort_keys=True)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def add(self, entry: Staged) -> None:
        with self._locked() as entries:
            entries[entry.photo_id] = entry

    def drop(self, photo_id: str) -> None:
        with self._locked() as entries:
            entries.pop(photo_id, None)

    def all(self) -> list[Staged]:
        with self._locked() as entries:
            return sorted(entries.values(), key=lambda e: e.staged_at)
