"""A delivery's progress: every remote id, handed to ``checkpoint`` the moment it is known.

The whole progress dict is passed to ``checkpoint`` each time (a dropped key is
gone from it), so the daemon replaces what it stored. The daemon commits it
before the next call that sends anything, or with the outcome; ``save_now``
commits it at once, for an id that must survive a long wait with nothing sent
(an Instagram container being processed).
"""

from __future__ import annotations

from typing import Any

from scheduler.publishers.base import Checkpoint


class Progress:
    def __init__(self, start: dict[str, Any], checkpoint: Checkpoint) -> None:
        self.data = dict(start)
        self._checkpoint = checkpoint

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    def save(self, **values: Any) -> None:
        self.data.update(values)
        self._checkpoint(dict(self.data))

    def save_now(self, **values: Any) -> None:
        """``save``, then commit at once (when the checkpoint can)."""
        self.save(**values)
        flush = getattr(self._checkpoint, "flush", None)
        if flush is not None:
            flush()

    def drop(self, *keys: str) -> None:
        for key in keys:
            self.data.pop(key, None)
        self._checkpoint(dict(self.data))
