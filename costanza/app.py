"""The application context: settings, store, clock and the current profile.

The command line builds one ``App`` and hands it to the core functions; tests
build their own with a fake clock.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from config.clock import Clock, SystemClock
from config.errors import NotSetUp
from config.i18n import _
from config.settings import Settings, load_settings

if TYPE_CHECKING:
    from posts.media.store import MediaStore
    from posts.store import Store

DEFAULT_PROFILE = "default"


@dataclass
class App:
    settings: Settings
    clock: Clock = field(default_factory=SystemClock)
    profile_name: str = DEFAULT_PROFILE
    _store: Store | None = None

    @classmethod
    def load(cls, config_file: str | None = None, profile: str | None = None,
             clock: Clock | None = None, env: dict[str, str] | None = None) -> App:
        env = dict(os.environ) if env is None else env
        clock = clock or SystemClock()
        settings = load_settings(config_file, env, today=clock.now().date())
        name = profile or env.get("COSTANZA_PROFILE") or DEFAULT_PROFILE
        return cls(settings=settings, clock=clock, profile_name=name)

    def is_set_up(self) -> bool:
        return self.settings.home.config_file.exists()

    @property
    def store(self) -> Store:
        """The database; Costanza must have been set up with `costanza init`."""
        if self._store is None:
            if not self.is_set_up():
                raise NotSetUp(_(
                    "Costanza is not set up yet (no settings file at "
                    "{file}). Run `costanza init` first."
                ).format(file=self.settings.home.config_file))
            from posts.store import Store

            self._store = Store(self.settings.database_url, self.settings.busy_timeout_ms)
        return self._store

    @property
    def saved_changes(self) -> bool:
        """Whether this run has committed a change to the database."""
        return self._store is not None and self._store.committed_writes > 0

    @property
    def media(self) -> MediaStore:
        from posts.media.store import MediaStore

        return MediaStore(self.settings.media_dir, self.clock)

    def close(self) -> None:
        if self._store is not None:
            self._store.dispose()
            self._store = None
