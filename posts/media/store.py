"""The content-addressed media store: every photo and video Costanza queues.

A file is stored once under its SHA-256 (``ab/cd/<sha256>.<ext>``), so the
queue never depends on the original staying put and the same file added twice
takes the room of one. Copies stream through a temporary file in the store,
are flushed to disk and renamed into place atomically; if anything goes wrong
(a full disk, Ctrl-C) the temporary file is removed and nothing is left behind.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from config.clock import Clock, SystemClock
from config.errors import MediaRejected, os_reason
from config.i18n import _
from posts.media.probe import ProbeResult, display_name, human_size, probe

CHUNK_SIZE = 1024 * 1024
EXTENSIONS = {"jpeg": "jpg"}
_SHA = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class StoredMedia:
    """A file in the media store. ``store_path`` is relative to the store's root."""

    sha256: str
    kind: str
    format: str
    mime: str
    size_bytes: int
    width: int
    height: int
    store_path: str
    original_name: str
    probe: dict[str, Any]
    created: bool  # False when the same content was already stored
    path: Path = field(compare=False)  # absolute path of the stored copy
    duration: float | None = None

    @property
    def result(self) -> ProbeResult:
        return ProbeResult.from_dict(self.probe)


def sha256_of(path: Path) -> str:
    """The SHA-256 hex digest of a file, read a megabyte at a time."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(CHUNK_SIZE), b""):
            h.update(chunk)
    return h.hexdigest()


def _write_chunk(dst: BinaryIO, data: bytes) -> None:
    dst.write(data)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def no_space(name: str, size: int) -> MediaRejected:
    return MediaRejected(_(
        "There is not enough free disk space to store {name} ({size}). "
        "Free some space on this computer and add it again."
    ).format(name=name, size=human_size(size)))


def _copy_failed(name: str, size: int, exc: OSError) -> MediaRejected:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return no_space(name, size)
    return MediaRejected(_(
        "{name} could not be copied into the media folder ({reason}). "
        "Check the disk and the folder's permissions, then try again."
    ).format(name=name, reason=os_reason(exc)))


def write_atomically(final: Path, fill: Any, *, tmp_dir: Path, name: str, size: int) -> None:
    """Create ``final`` by calling ``fill(temp_path)`` then renaming; never leave a partial file."""
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=tmp_dir, prefix=".part-", suffix=final.suffix)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        fill(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, final)
        _fsync_dir(final.parent)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise no_space(name, size) from exc
        raise


class MediaStore:
    """The media folder inside COSTANZA_HOME.

    ``clock`` dates what the store itself records in file times (when a converted copy
    was last made or used), so that the housekeeping that reads them back compares like
    with like: the same clock on both sides, whatever day it is.
    """

    def __init__(self, root: Path | str, clock: Clock | None = None) -> None:
        self.root = Path(root)
        self.clock: Clock = clock or SystemClock()

    def _ensure_root(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise MediaRejected(_(
                "The media folder {folder} could not be created "
                "({reason}). Check that Costanza may write in its home folder."
            ).format(folder=display_name(self.root), reason=os_reason(exc))) from exc

    @staticmethod
    def relative_path(sha256: str, fmt: str) -> str:
        ext = EXTENSIONS.get(fmt, fmt)
        return f"{sha256[:2]}/{sha256[2:4]}/{sha256}.{ext}"

    def intake(self, path: Path | str, expect: str | None = None,
               probed: ProbeResult | None = None) -> StoredMedia:
        """Check a photo or video and copy it into the store (once per content).

        ``probed`` is what ``probe(path)`` already said about the file; the copy is
        still refused if the file's size changed since.
        """
        path = Path(path)
        result = probed if probed is not None else probe(path, expect=expect)
        self._ensure_root()
        name = result.name
        try:
            fd, tmp_name = tempfile.mkstemp(dir=self.root, prefix=".intake-", suffix=".part")
        except OSError as exc:
            raise _copy_failed(name, result.size_bytes, exc) from exc
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as dst:
                sha, copied = self._copy(path, dst, name)
                dst.flush()
                os.fsync(dst.fileno())
            if copied != result.size_bytes:
                raise MediaRejected(_(
                    "{name} changed while it was being added. Wait until it is fully "
                    "copied or saved, then add it again."
                ).format(name=name))
            rel = self.relative_path(sha, result.format)
            final = self.root / rel
            created = not final.exists()
            if created:
                final.parent.mkdir(parents=True, exist_ok=True)
                os.replace(tmp, final)
                _fsync_dir(final.parent)
            else:
                tmp.unlink()
        except BaseException as exc:
            tmp.unlink(missing_ok=True)
            if isinstance(exc, OSError):
                raise _copy_failed(name, result.size_bytes, exc) from exc
            raise
        return StoredMedia(
            sha256=sha, kind=result.kind, format=result.format, mime=result.mime,
            size_bytes=result.size_bytes, width=result.width, height=result.height,
            store_path=rel, original_name=name, probe=result.to_dict(), created=created,
            path=final, duration=result.duration,
        )

    @staticmethod
    def _copy(path: Path, dst: BinaryIO, name: str) -> tuple[str, int]:
        hasher = hashlib.sha256()
        copied = 0
        try:
            src = open(path, "rb")
        except OSError as exc:
            raise MediaRejected(_(
                "{name} could not be read ({reason}). Check that you may read it."
            ).format(name=name, reason=os_reason(exc))) from exc
        with src:
            while True:
                try:
                    data = src.read(CHUNK_SIZE)
                except OSError as exc:
                    raise MediaRejected(_(
                        "{name} could not be read to the end ({reason}). "
                        "Copy it again from its source, then add it again."
                    ).format(name=name, reason=os_reason(exc))) from exc
                if not data:
                    break
                hasher.update(data)
                _write_chunk(dst, data)
                copied += len(data)
        return hasher.hexdigest(), copied

    def path_of(self, ref: str) -> Path:
        """The stored file for a SHA-256 or a relative ``store_path``."""
        if _SHA.match(ref):
            folder = self.root / ref[:2] / ref[2:4]
            matches = sorted(folder.glob(f"{ref}.*")) if folder.is_dir() else []
            if not matches:
                raise self._missing()
            return matches[0]
        candidate = (self.root / ref).resolve()
        if not candidate.is_relative_to(self.root.resolve()):
            raise MediaRejected(_("That media path is outside the media folder."))
        if not candidate.is_file():
            raise self._missing()
        return candidate

    @staticmethod
    def _missing() -> MediaRejected:
        return MediaRejected(_(
            "A photo or video of this post is missing from the media folder. "
            "Add it to the post again with `costanza post edit`."
        ))

    def discard(self, stored: StoredMedia) -> None:
        """Remove a file this store's intake just created (when the database write failed)."""
        if not stored.created:
            return
        (self.root / stored.store_path).unlink(missing_ok=True)

    def fitted_dir(self, network: str) -> Path:
        return self.root / "fitted" / network
