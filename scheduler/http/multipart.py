"""A multipart/form-data body that streams its files from disk.

``requests`` builds multipart bodies in memory (the whole file, then a copy).
``MultipartBody`` is file-like instead: requests sends it block by block and
sets ``Content-Length`` from its length, so a 300 MB video never sits in
memory. Pass it as ``data=`` with ``headers={"Content-Type": body.content_type}``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from config.i18n import _


@dataclass(frozen=True)
class FileSlice:
    """``length`` bytes of the file at ``path`` from ``offset`` (the whole file by default)."""

    path: Path
    offset: int = 0
    length: int | None = None

    def size(self) -> int:
        if self.length is not None:
            return self.length
        return os.path.getsize(self.path) - self.offset


def _quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\r", " ").replace("\n", " ")


class MultipartBody:
    """Text fields first, then file parts read lazily from disk."""

    def __init__(self, fields: Mapping[str, object],
                 files: Mapping[str, tuple[str, FileSlice, str]]) -> None:
        self.boundary = uuid.uuid4().hex
        self._parts: list[bytes | FileSlice] = []
        for name, value in fields.items():
            if value is None:
                continue
            self._parts.append(
                f'--{self.boundary}\r\nContent-Disposition: form-data; name="{_quote(name)}"'
                f"\r\n\r\n{value}\r\n".encode())
        for name, (filename, part, mime) in files.items():
            self._parts.append(
                f'--{self.boundary}\r\nContent-Disposition: form-data; name="{_quote(name)}"; '
                f'filename="{_quote(filename)}"\r\nContent-Type: {mime}\r\n\r\n'.encode())
            self._parts.append(part)
            self._parts.append(b"\r\n")
        self._parts.append(f"--{self.boundary}--\r\n".encode())
        self.len = sum(len(p) if isinstance(p, bytes) else p.size() for p in self._parts)
        self._index = 0
        self._pos = 0  # position inside the current part
        self._fh: BinaryIO | None = None

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"

    def __len__(self) -> int:
        return self.len

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = self.len
        out = bytearray()
        while len(out) < size and self._index < len(self._parts):
            part = self._parts[self._index]
            want = size - len(out)
            if isinstance(part, bytes):
                piece = part[self._pos:self._pos + want]
            else:
                if self._fh is None:
                    self._fh = open(part.path, "rb")
                    self._fh.seek(part.offset)
                piece = self._fh.read(min(want, part.size() - self._pos))
                if not piece and part.size() > self._pos:
                    raise OSError(_("{file} became shorter while it was being sent").format(
                        file=part.path.name))
            out += piece
            self._pos += len(piece)
            total = len(part) if isinstance(part, bytes) else part.size()
            if self._pos >= total:
                if self._fh is not None:
                    self._fh.close()
                    self._fh = None
                self._index += 1
                self._pos = 0
        return bytes(out)

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
