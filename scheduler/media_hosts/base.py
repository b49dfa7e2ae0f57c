"""What a media host is, and how a kind of host is found.

Instagram fetches photos from a public web address, so before a photo goes to
Instagram it is put on a *media host*, chosen by ``[media_host] kind`` in the
settings. Each kind is one module of this package, named after the kind
(``folder.py`` for ``kind = "folder"``), holding one ``MediaHost`` subclass
decorated with ``@register``. Adding a kind means adding one such file:
nothing else needs to change.

A host must:

- ``public_url(path, sha256, mime)``: make the file readable from the
  internet (once per content hash) and return its address;
- ``check()``: put a small test photo on the host, fetch it back over HTTP
  from its public address, and say in plain words what is wrong if that fails.

A host that only stages a file while Instagram fetches it (``facebook_page``)
also takes it off in ``fetched(urls)`` and ``sweep()``, and is bound to the
profile's Facebook Page by ``for_page``.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import io
import pkgutil
import random
import re
import secrets as _random
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from config.errors import SettingsError
from config.i18n import _, ngettext
from config.settings import Settings, parse_duration
from posts.media.store import sha256_of

SECTION = "media_host"
# The secrets of a media host (S3 keys...) live under this account name.
SECRETS_NAME = "media_host"

_KINDS: dict[str, type[MediaHost]] = {}
_KIND_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_NOT_KINDS = {"base"}



EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "image/gif": ".gif",
    "image/heic": ".heic",
    "video/mp4": ".mp4",
    "video/quicktime": ".mov",
}


@dataclass(frozen=True)
class CheckResult:
    """A successful check: the address that was fetched, and any warnings in plain words."""

    url: str
    warnings: list[str] = field(default_factory=list)


class MediaHost(ABC):
    """A place on the internet where Instagram can fetch Costanza's photos."""

    kind: ClassVar[str]
    # A host only something on this computer reads (the sandbox): its local address is
    # right, so ``check`` does not warn that Instagram cannot reach it.
    local_only: ClassVar[bool] = False
    # A host that stages files on the profile's Facebook Page: ``for_page`` binds it.
    needs_page: ClassVar[bool] = False

    @classmethod
    @abstractmethod
    def from_settings(cls, table: Mapping[str, Any], settings: Settings) -> MediaHost:
        """Build the host from the ``[media_host]`` table; bad values raise ``SettingsError``."""

    @abstractmethod
    def public_url(self, path: Path, sha256: str, mime: str) -> str:
        """Make ``path`` readable at a public address (once per ``sha256``) and return it."""

    @abstractmethod
    def remove(self, sha256: str, mime: str) -> None:
        """Take a file off the host again (used to clean up after ``check``)."""

    def describe(self) -> str:
        """Where the files go, in a few words (for messages)."""
        return self.kind

    def for_page(self, account: str, page_id: str) -> MediaHost:
        """The host for a profile whose Facebook Page is ``page_id`` (account ``account``)."""
        return self

    def fetched(self, urls: Iterable[str]) -> None:
        """Instagram has fetched these addresses: a host that only stages files for the
        fetch takes them off now (the others keep them)."""
        return None

    def sweep(self) -> None:
        """Take off what an earlier run staged and left behind (a crash): most hosts
        keep nothing staged."""
        return None

    def check(self, timeout: float = 20.0) -> CheckResult:
        """Upload a small test photo and fetch it back from its public address.

        Raises ``MediaHostUnreachable`` with what went wrong and what to do.
        """
        from scheduler.media_hosts._fetch import fetch_back

        data = test_photo()
        digest = hashlib.sha256(data).hexdigest()
        with tempfile.TemporaryDirectory(prefix="costanza-check-") as folder:
            path = Path(folder) / "costanza-check.jpg"
            path.write_bytes(data)
            url = self.public_url(path, digest, "image/jpeg")
        try:
            warnings = fetch_back(url, data, self.fix_hint(), timeout=timeout,
                                  warn_private=not self.local_only)
        finally:
            with contextlib.suppress(Exception):  # cleaning up must not hide the answer
                self.remove(digest, "image/jpeg")
        return CheckResult(url=url, warnings=warnings + self.warnings(url))

    def fix_hint(self) -> str:
        """What to check when the test photo cannot be fetched back."""
        return _("Check the [media_host] section of your settings.")

    def warnings(self, url: str) -> list[str]:
        """Things that work here but may not work for Instagram."""
        return []


HostClass = TypeVar("HostClass", bound=type[MediaHost])


def register(cls: HostClass) -> HostClass:
    """Class decorator: make ``cls`` the host for ``[media_host] kind = cls.kind``."""
    _KINDS[cls.kind] = cls
    return cls


def either(options: Iterable[str]) -> str:
    """'"a" or "b" or "c"': the choices, in the language spoken."""
    items = list(options)
    text = items[0] if items else ""
    for item in items[1:]:
        text = _("{one} or {other}").format(one=text, other=item)
    return text


def available_kinds() -> list[str]:
    """The kinds this installation knows: one per module of this package."""
    package = Path(__file__).parent
    names = {m.name for m in pkgutil.iter_modules([str(package)])
             if not m.name.startswith("_") and m.name not in _NOT_KINDS}
    return sorted(names | set(_KINDS))


def host_class(kind: Any, settings_file: Path) -> type[MediaHost]:
    """The class for ``kind``, importing its module on first use."""
    def not_allowed() -> SettingsError:
        allowed = either(f'"{k}"' for k in available_kinds())
        return SettingsError(
            _("In {file}, the setting `media_host.kind` = {value} is not allowed: "
              "use {allowed}.").format(file=settings_file, value=repr(kind), allowed=allowed))

    if not isinstance(kind, str) or not _KIND_NAME.match(kind) or kind in _NOT_KINDS:
        raise not_allowed()
    if kind not in _KINDS:
        try:
            importlib.import_module(f"scheduler.media_hosts.{kind}")
        except ModuleNotFoundError as exc:
            if exc.name != f"scheduler.media_hosts.{kind}":
                raise
    if kind not in _KINDS:
        raise not_allowed()
    return _KINDS[kind]


# -- reading the [media_host] table ---------------------------------------------------


class Table:
    """The ``[media_host]`` table, read key by key with messages that name the key."""

    def __init__(self, table: Mapping[str, Any], settings: Settings, known: set[str]) -> None:
        self.table = dict(table)
        self.file = settings.home.config_file
        unknown = sorted(set(self.table) - known - {"kind"})
        if unknown:
            names = ", ".join(sorted(known | {"kind"}))
            raise SettingsError(
                _("In {file}, the setting `media_host.{key}` is unknown for "
                  "kind = {kind}. Known keys: {names}.").format(
                      file=self.file, key=unknown[0], kind=repr(self.table.get("kind")),
                      names=names))

    def _bad(self, key: str, allowed: str) -> SettingsError:
        value = self.table.get(key)
        if value is None:
            return SettingsError(
                _("In {file}, [media_host] needs `{key}`: {allowed}.").format(
                    file=self.file, key=key, allowed=allowed))
        return SettingsError(
            _("In {file}, the setting `media_host.{key}` = {value} is not allowed: "
              "use {allowed}.").format(file=self.file, key=key, value=repr(value),
                                       allowed=allowed))

    def text(self, key: str, allowed: str, *, default: str | None = None,
             pattern: str | None = None) -> str:
        value = self.table.get(key, default)
        if not isinstance(value, str) or not value.strip() or (
                pattern and not re.fullmatch(pattern, value)):
            if value == default == "":
                return ""
            raise self._bad(key, allowed)
        return value.strip()

    def url(self, key: str, *, default: str | None = None) -> str:
        allowed = _('a web address such as "https://www.example.it/costanza-media/"')
        value = self.table.get(key, default)
        if not isinstance(value, str) or not re.match(r"^https?://[^\s/]+", value.strip()):
            raise self._bad(key, allowed)
        return value.strip()

    def duration(self, key: str, default: str, least: timedelta, most: timedelta) -> timedelta:
        allowed = _('a duration such as "15m" or "1h", between {least} and {most}').format(
            least=_words(least), most=_words(most))
        value = self.table.get(key, default)
        try:
            parsed = parse_duration(value) if isinstance(value, str) else None
        except ValueError:
            parsed = None
        if parsed is None or not least <= parsed <= most:
            raise self._bad(key, allowed)
        return parsed

    def choice(self, key: str, default: str, *options: str) -> str:
        value = self.table.get(key, default)
        if value not in options:
            raise self._bad(key, either(f'"{o}"' for o in options))
        return str(value)


def _words(span: timedelta) -> str:
    seconds = int(span.total_seconds())
    if seconds % 86400 == 0 and seconds >= 86400:
        count = seconds // 86400
        return ngettext("{n} day", "{n} days", count).format(n=count)
    if seconds % 3600 == 0 and seconds >= 3600:
        count = seconds // 3600
        return ngettext("{n} hour", "{n} hours", count).format(n=count)
    if seconds % 60 == 0 and seconds >= 60:
        count = seconds // 60
        return ngettext("{n} minute", "{n} minutes", count).format(n=count)
    return ngettext("{n} second", "{n} seconds", seconds).format(n=seconds)


def file_name(sha256: str, mime: str, path: Path) -> str:
    """The name a file gets on a host: its content hash and an extension."""
    ext = EXTENSIONS.get(mime.lower()) or path.suffix.lower()
    if not re.fullmatch(r"\.[a-z0-9]{1,5}", ext or ""):
        ext = ""
    return f"{sha256}{ext}"


def checked_hash(sha256: str, path: Path) -> str:
    """``sha256`` when it is a hex digest, otherwise the file's own digest."""
    if re.fullmatch(r"[0-9a-f]{64}", sha256 or ""):
        return sha256
    return sha256_of(path)


def test_photo() -> bytes:
    """A small JPEG that differs every time (so no cache can answer for the host)."""
    from PIL import Image

    rng = random.Random(_random.token_bytes(8))
    colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), colour).save(
        buffer, "JPEG", quality=80, comment=f"costanza check {_random.token_hex(8)}".encode())
    return buffer.getvalue()
