"""A delivery's progress: every remote id, saved through ``checkpoint`` the moment it is known.

The whole progress dict is passed to ``checkpoint`` each time, so it does not
matter whether the daemon merges or replaces what it stored.
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

    def drop(self, *keys: str) -> None:
        for key in keys:
            self.data.pop(key, None)
        self._checkpoint(dict(self.data))
