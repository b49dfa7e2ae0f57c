"""``kind = "folder"``: your own web server.

Costanza copies each photo into ``path`` (a folder your web server serves),
named by its content hash (``<sha256>.jpg``), and gives Instagram the address
``base_url`` + that name. A file already there is not copied again. Copies
are atomic (written aside, then renamed), so the web server never serves
half a photo.

    [media_host]
    kind = "folder"
    path = "/srv/www/costanza-media"
    base_url = "https://www.example.it/costanza-media/"
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from config.errors import PublishFailed
from config.i18n import _
from config.settings import Settings
from scheduler.media_hosts.base import MediaHost, Table, checked_hash, file_name, register


def encode_base_url(url: str) -> str:
    """``url`` with its path percent-encoded (spaces, accents) and a final slash."""
    parts = urlsplit(url)
    path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
    if not path.endswith("/"):
        path += "/"
    host = parts.hostname or ""
    try:
        host.encode("ascii")
    except UnicodeEncodeError:
        host = host.encode("idna").decode("ascii")
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    if parts.username:
        netloc = parts.netloc.rsplit("@", 1)[0] + "@" + netloc
    return urlunsplit((parts.scheme, netloc, path, "", ""))


@register
class FolderHost(MediaHost):
    kind = "folder"

    def __init__(self, path: Path, base_url: str) -> None:
        self.path = path
        self.base_url = encode_base_url(base_url)

    @classmethod
    def from_settings(cls, table: Mapping[str, Any], settings: Settings) -> FolderHost:
        read = Table(table, settings, {"path", "base_url"})
        path = read.text("path", 'the folder your web server serves, such as '
                                 '"/srv/www/costanza-media"')
        return cls(Path(path).expanduser(), read.url("base_url"))

    def describe(self) -> str:
        return _("the folder {path}, published at {url}").format(path=self.path,
                                                                 url=self.base_url)

    def public_url(self, path: Path, sha256: str, mime: str) -> str:
        name = file_name(checked_hash(sha256, path), mime, path)
        target = self.path / name
        try:
            if not (target.is_file() and target.stat().st_size == path.stat().st_size):
                self._copy(path, target)
        except OSError as exc:
            raise PublishFailed(
                _("Costanza could not copy a photo into the media folder {path} ({error}). "
                  "Check that the folder exists and that Costanza may write in it, then run "
                  "`costanza account check`.").format(path=self.path,
                                                      error=exc.strerror or exc)) from None
        return self.base_url + quote(name)

    def _copy(self, source: Path, target: Path) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".costanza-", suffix=".part", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as out, source.open("rb") as src:
                shutil.copyfileobj(src, out, 1 << 20)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(tmp, 0o644)  # the web server must be able to read it
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def remove(self, sha256: str, mime: str) -> None:
        target = self.path / file_name(sha256, mime, Path(""))
        target.unlink(missing_ok=True)

    def fix_hint(self) -> str:
        return _("Check that base_url in [media_host] ({url}) is the web address of the "
                 "folder {path}: a file copied into that folder must be readable at base_url "
                 "followed by its name.").format(url=self.base_url, path=self.path)
