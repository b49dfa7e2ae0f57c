"""What a delivery must have on record before anything is sent, committed as late as is safe.

Before the first call that sends something, the intent to publish must be committed:
from then on an interruption means "unknown: ask the network", never "try again".
Before each later send, every remote id learnt so far (the progress) must be too, so
that a restart resumes instead of sending again. Committing each the moment it is
known costs one transaction per step; here they wait in memory and are committed
together, right before the next send or with the outcome, whichever comes first.

A crash while something waits here loses nothing that matters: if nothing was sent
yet, nothing is on record and the post simply goes back to the queue; if something
was, the intent is on record, so the post's fate is "unknown" and reconciliation
asks the network before anything else is done.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from config.clock import Clock
from posts import deliveries as dl

Write = Callable[..., Any]  # Worker.write: (fn(session), one_statement=...) -> fn's result


class WriteAhead:
    """The checkpoint a publisher is given, and the hook run before each of its sends."""

    def __init__(self, write: Write, claim: dl.Claim, clock: Clock, attempts: int,
                 intent_at: Any, progress: dict[str, Any],
                 lease_check: Callable[[], None]) -> None:
        self._write = write
        self._claim = claim
        self._clock = clock
        self._attempts = attempts
        self._intent_at = intent_at
        self._lease_check = lease_check
        self.progress: dict[str, Any] = dict(progress)
        self.begun = False  # the intent is committed
        # When the last call that sends something left (see posts.settle): an
        # unanswered one may still create the post for a while after.
        self.last_send: Any = None
        self._dirty = False  # progress changed since it was last committed

    def __call__(self, progress: dict[str, Any]) -> None:
        """The publisher's checkpoint: the whole progress, kept until the next commit."""
        self.progress = dict(progress)
        self._dirty = True

    def before_send(self) -> None:
        """Right before a call that sends something: all on record, and still ours (the
        lease is checked last, as close to the send as can be)."""
        self.flush()
        self._lease_check()
        self.last_send = self._clock.now()

    def flush(self) -> None:
        """Commit what waits (the intent, the progress), if anything does."""
        if self.begun and not self._dirty:
            return
        claim, now = self._claim, self._clock.now()
        saved = dict(self.progress) if self._dirty else None
        if not self.begun:
            self._write(lambda db: dl.begin_publish(db, claim, now, self._attempts,
                                                    self._intent_at, progress=saved),
                        one_statement=True)
            self.begun = True
        else:
            self._write(lambda db: dl.save_progress(db, claim, now, saved or {}),
                        one_statement=True)
        self._dirty = False

    def attempts_to_record(self) -> int | None:
        """With the outcome: the attempt count, when no intent was committed to raise it."""
        return None if self.begun else self._attempts + 1
