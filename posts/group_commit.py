"""Group commit: the small write transactions of many threads, committed together.

A daemon publishing with 32 threads writes a few tiny transactions per delivery
(the intent with the remote ids known so far, more ids now and then, the outcome).
Each on its own pays for a transaction: a session, a connection, BEGIN, COMMIT;
on SQLite also a turn at the single write lock and a sync to disk.
``GroupCommit.run(fn)`` hands ``fn`` to one committing thread, which runs every
function waiting at that moment in one transaction and commits once; ``run``
returns (or raises) only after that commit, so a caller that gets its answer
knows its change is durable, exactly as with ``Store.write``.

A function may raise one of the ``clean`` exceptions, promising it wrote
nothing before raising (a fenced update that matched no row): the others in the
batch go on. Any other failure rolls the batch back and each function is run
again alone, in its own transaction, so one bad write never fails the others.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from posts.store import Store

log = logging.getLogger("costanza.store")

T = TypeVar("T")
MAX_BATCH = 64


class _Item:
    __slots__ = ("done", "error", "fn", "result")

    def __init__(self, fn: Callable[[Any], Any]) -> None:
        self.fn = fn
        self.result: Any = None
        self.error: BaseException | None = None
        self.done = threading.Event()


class GroupCommit:
    def __init__(self, store: Store, clean: tuple[type[BaseException], ...] = ()) -> None:
        self.store = store
        self.clean = clean
        self._queue: list[_Item] = []
        self._cv = threading.Condition()
        self._thread: threading.Thread | None = None
        self._closed = False
        self.batches = 0  # how many transactions committed (for tests and benchmarks)
        self.items = 0  # how many functions they held

    def run(self, fn: Callable[[Any], T]) -> T:
        """Run ``fn(session)`` in a write transaction shared with other threads' writes;
        return its result once committed."""
        item = _Item(fn)
        with self._cv:
            if self._closed:
                closed = True
            else:
                closed = False
                self._queue.append(item)
                if self._thread is None:
                    self._thread = threading.Thread(target=self._loop, name="group-commit",
                                                    daemon=True)
                    self._thread.start()
                self._cv.notify()
        if closed:  # shutting down: no committing thread any more, write alone
            return self._alone(fn)
        item.done.wait()
        if item.error is not None:
            raise item.error
        return item.result  # type: ignore[no-any-return]

    def close(self) -> None:
        """Commit what is waiting, then stop the committing thread."""
        with self._cv:
            self._closed = True
            self._cv.notify()
            thread = self._thread
        if thread is not None:
            thread.join()

    # -- the committing thread ---------------------------------------------
    def _loop(self) -> None:
        while True:
            with self._cv:
                while not self._queue and not self._closed:
                    self._cv.wait()
                if not self._queue:
                    return
                batch = self._queue[:MAX_BATCH]
                del self._queue[:MAX_BATCH]
            self._commit(batch)

    def _commit(self, batch: list[_Item]) -> None:
        try:
            with self.store.write() as db:
                for item in batch:
                    try:
                        item.result = item.fn(db)
                    except self.clean as exc:
                        item.error = exc
        except Exception:
            if len(batch) > 1:
                log.debug("a grouped commit failed; writing its %s changes one by one",
                          len(batch))
            for item in batch:
                item.result, item.error = None, None
                try:
                    item.result = self._alone(item.fn)
                except BaseException as exc:  # handed to the caller, who decides
                    item.error = exc
        else:
            self.batches += 1
            self.items += len(batch)
        for item in batch:
            item.done.set()

    def _alone(self, fn: Callable[[Any], T]) -> T:
        with self.store.write() as db:
            return fn(db)
