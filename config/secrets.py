"""Where account secrets live: never in config.toml, never in the database.

Looked up in this order, for an account NAME and a KEY (e.g. ``page_token``):

1. a systemd credentials directory (``$CREDENTIALS_DIRECTORY``): a file
   named ``NAME.KEY``, or one TOML file ``NAME.toml`` holding all its keys;
   (a copy of the whole secrets file as ``costanza-secrets.toml``, as
   `costanza service install` hands it over, is read last of all: the file itself wins);
2. environment variables ``COSTANZA_SECRET_NAME_KEY`` (upper case, ``-`` as ``_``);
3. ``secrets.toml`` in the data folder, written with mode 0600.
"""

from __future__ import annotations

import contextlib
import os
import re
import tomllib
from collections.abc import Iterable
from pathlib import Path

from config.errors import SettingsError
from config.i18n import _

# The credential name under which the whole secrets file may be handed over.
BUNDLE_CREDENTIAL = "costanza-secrets.toml"
_BARE = re.compile(r"^[A-Za-z0-9_-]+$")
_CACHE: dict[str, tuple[tuple[str, int, int], dict[str, dict[str, str]]]] = {}


# Kept beside an account's secrets but not secret: which login it is ("instagram") and when
# its token was issued and ends. The log scrubber is not given them (it would hide the word
# "instagram", or a date, from every log line).
NOT_SECRET = frozenset({"login", "token_expires_at", "token_issued_at",
                        "user_token_expires_at"})


def _env_name(account: str, key: str) -> str:
    return f"COSTANZA_SECRET_{account}_{key}".upper().replace("-", "_")


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _scrub_from_logs(values: Iterable[str]) -> None:
    """Every secret Costanza loads, from any of the three places, is given to the log
    scrubber: a library that logs a request at DEBUG (botocore's Authorization header,
    an OAuth signature) must not print it, whichever publisher or host used it."""
    from config.scrub import remember_secrets

    remember_secrets(*values)


class SecretStore:
    def __init__(self, path: Path, env: dict[str, str] | None = None) -> None:
        self.path = path
        self.env = dict(os.environ) if env is None else env

    def _cached(self) -> dict[str, dict[str, str]]:
        """The parsed file, shared: read it, never change it. Parsed once per change of
        the file (the daemon reads it for every delivery)."""
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return {}
        key = (str(self.path), stat.st_mtime_ns, stat.st_size)
        cached = _CACHE.get(key[0])
        if cached is not None and cached[0] == key:
            return cached[1]
        parsed = self._parse()
        _CACHE[key[0]] = (key, parsed)
        return parsed

    def _file(self) -> dict[str, dict[str, str]]:
        """A copy of the parsed file, to change and write back."""
        return {k: dict(v) for k, v in self._cached().items()}

    def _parse(self) -> dict[str, dict[str, str]]:
        try:
            data = tomllib.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            # Never echo the file's content: it holds secrets.
            raise SettingsError(_(
                "The secrets file {path} cannot be read. Check its permissions, or "
                "remove it and connect your accounts again with `costanza account add`."
            ).format(path=self.path)) from None
        return {k: {kk: str(vv) for kk, vv in v.items()} for k, v in data.items()
                if isinstance(v, dict)}

    def _bundle(self, account: str) -> dict[str, str]:
        folder = self.env.get("CREDENTIALS_DIRECTORY")
        bundle = Path(folder) / BUNDLE_CREDENTIAL if folder else None
        if bundle is None or not bundle.is_file():
            return {}
        try:
            data = tomllib.loads(bundle.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            raise SettingsError(_(
                "The credential file {path} cannot be read. Check that Costanza may read "
                "it and that it is a copy of secrets.toml.").format(path=bundle)) from None
        table = data.get(account)
        return {k: str(v) for k, v in table.items()} if isinstance(table, dict) else {}

    def _credentials(self, account: str) -> dict[str, str]:
        folder = self.env.get("CREDENTIALS_DIRECTORY")
        found: dict[str, str] = {}
        if not folder:
            return found
        base = Path(folder)
        bundle = base / f"{account}.toml"
        if bundle.is_file():
            try:
                found.update({k: str(v) for k, v in
                              tomllib.loads(bundle.read_text(encoding="utf-8")).items()})
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
                raise SettingsError(_(
                    "The credential file {path} cannot be read. Check that Costanza may "
                    'read it and that it holds lines like key = "value".').format(
                    path=bundle)) from None
        for item in base.glob(f"{account}.*"):
            key = item.name[len(account) + 1:]
            if key != "toml" and item.is_file():
                try:
                    found[key] = item.read_text(encoding="utf-8").strip()
                except (OSError, UnicodeDecodeError):
                    raise SettingsError(_(
                        "The credential file {path} cannot be read. Check that Costanza may "
                        "read it and that it holds the secret as plain text.").format(
                        path=item)) from None
        return found

    def get(self, account: str) -> dict[str, str]:
        """All secrets of one account, merged from the three places."""
        # The whole file handed over as a credential (`costanza service install`) comes
        # first, so that the file itself, changed by `account add` since the service
        # started, wins over that copy.
        merged = {**self._bundle(account), **self._cached().get(account, {})}
        prefix = _env_name(account, "")
        for name, value in self.env.items():
            if name.startswith(prefix) and value:
                merged[name[len(prefix):].lower()] = value
        merged.update(self._credentials(account))
        _scrub_from_logs(v for k, v in merged.items() if k not in NOT_SECRET)
        return merged

    def load(self) -> None:
        """Read the secrets file now (a daemon at start), not at the first post; a file
        that cannot be read is reported then, post by post, in plain words."""
        with contextlib.suppress(Exception):
            self._cached()

    def saved(self, account: str) -> dict[str, str]:
        """What secrets.toml holds for one account (not the environment's or systemd's)."""
        return dict(self._cached().get(account, {}))

    def put(self, account: str, values: dict[str, str]) -> None:
        """Save an account's secrets in secrets.toml (mode 0600), replacing what was there."""
        self.put_many({account: values})

    def put_many(self, accounts: dict[str, dict[str, str]]) -> None:
        """``put`` for several accounts, writing the file once."""
        data = self._file()
        for account, values in accounts.items():
            data[account] = {k: v for k, v in values.items() if v}
        self._write(data)

    def remove(self, account: str) -> None:
        data = self._file()
        if data.pop(account, None) is not None:
            self._write(data)

    def check_writable(self) -> None:
        """Raise SettingsError now if the file cannot be read or replaced, so that a
        command can refuse before it changes anything else."""
        self._cached()
        folder = self.path.parent
        if (self.path.exists() or folder.is_dir()) and not os.access(folder, os.W_OK):
            raise SettingsError(_(
                "The secrets file {path} cannot be changed: Costanza may not write in "
                "{folder}. Check the folder's permissions.").format(path=self.path,
                                                                    folder=folder))

    def _write(self, data: dict[str, dict[str, str]]) -> None:
        lines = ["# " + _("Costanza account secrets. Keep this file private (mode 0600)."), ""]
        for account, values in sorted(data.items()):
            section = account if _BARE.match(account) else _quote(account)
            lines.append(f"[{section}]")
            for key, value in sorted(values.items()):
                lines.append(f"{key} = {_quote(value)}")
            lines.append("")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write("\n".join(lines))
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, self.path)
        _CACHE.pop(str(self.path), None)
