"""Where Costanza keeps its files.

``COSTANZA_HOME`` names one folder that holds everything: ``config.toml``,
the SQLite database, the media store and ``secrets.toml``. Without it, the
config file lives in the platform's config directory and the rest in the
platform's data directory (platformdirs). ``--config FILE`` picks another
config file; its ``[storage] data_dir`` may move the data folder too.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

APP = "costanza"


@dataclass(frozen=True)
class Home:
    config_file: Path
    data_dir: Path

    @property
    def database_file(self) -> Path:
        return self.data_dir / "costanza.db"

    @property
    def media_dir(self) -> Path:
        return self.data_dir / "media"

    @property
    def secrets_file(self) -> Path:
        return self.data_dir / "secrets.toml"

    @property
    def default_database_url(self) -> str:
        return f"sqlite:///{self.database_file}"


def resolve_home(config_file: str | os.PathLike[str] | None = None,
                 env: dict[str, str] | None = None) -> Home:
    """Work out the config file and data folder from the options and environment."""
    env = dict(os.environ) if env is None else env
    home_env = env.get("COSTANZA_HOME")
    if home_env:
        home = Path(home_env).expanduser()
        cfg = Path(config_file).expanduser() if config_file else home / "config.toml"
        return Home(config_file=cfg, data_dir=home)
    import platformdirs

    data_dir = Path(platformdirs.user_data_dir(APP))
    if config_file:
        return Home(config_file=Path(config_file).expanduser(), data_dir=data_dir)
    return Home(config_file=Path(platformdirs.user_config_dir(APP)) / "config.toml",
                data_dir=data_dir)
