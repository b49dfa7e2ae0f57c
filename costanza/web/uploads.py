"""Reading a form with photos and videos in it, within limits.

The body is read as it arrives, never whole into memory: each file goes straight to
a file of its own in a temporary folder of the media store's (``.upload-*``), under the
name it had on the artisan's computer (so messages name it as she knows it). Over a
limit (a file, the whole request, the number of files or fields) reading stops, the
folder is removed and a plain message says what to do. The folder is removed too when
the form is closed: a refused form, or a post queued (the media store has then copied
what it keeps). Nothing here trusts a name or a type: the files are probed afterwards,
exactly as `costanza post add` probes them.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from starlette.requests import Request

from config.errors import InputError
from config.i18n import _
from posts.media.formats import human_size
from posts.media.probe import MAX_BYTES

MAX_FILE_BYTES = MAX_BYTES  # 1 GB: what `costanza post add` takes, no more
MAX_REQUEST_BYTES = MAX_BYTES + 512 * 1024**2  # all the files of one post together
MAX_FILES = 12  # 10 photos (Instagram's most) and a video, with room to spare
MAX_FIELD_BYTES = 64 * 1024  # one text field
MAX_PARTS = 40
FOLDER_PREFIX = ".upload-"
STALE_SECONDS = 24 * 3600  # a folder left by a page that was stopped mid-way
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:]")


class UploadRefused(InputError):
    """An upload over a limit: answered with 413, before anything else runs."""

    status = 413


@dataclass
class Upload:
    """One file received: the form field it came in, its name, where it is now."""

    field: str
    name: str
    path: Path
    size: int = 0


@dataclass
class Received:
    """A form read by ``read_upload_form``: its text fields, its files, their folder."""

    folder: Path | None
    fields: dict[str, list[str]] = field(default_factory=dict)
    files: list[Upload] = field(default_factory=list)

    def get(self, name: str, default: str | None = None) -> str | None:
        values = self.fields.get(name)
        return values[-1] if values else default

    def getlist(self, name: str) -> list[str]:
        return list(self.fields.get(name, []))

    def files_of(self, name: str) -> list[Upload]:
        return [f for f in self.files if f.field == name]

    def discard(self) -> None:
        """Remove the files received (the folder and all in it)."""
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None
            self.files = []

    async def close(self) -> None:
        self.discard()


def safe_name(raw: str, number: int) -> str:
    """The file's own name, without any folder, control character or separator."""
    name = _UNSAFE.sub("_", raw.replace("\\", "/").rsplit("/", 1)[-1]).strip(" .")
    if not name:
        return f"file-{number}"
    stem, dot, suffix = name.rpartition(".")
    if dot and len(suffix) <= 10 and len(name) > 120:
        return stem[:100] + "." + suffix
    return name[:120]


def remove_stale(media_root: Path, now: float | None = None) -> None:
    """Remove the upload folders a stopped page left behind (older than a day)."""
    if not media_root.is_dir():
        return
    oldest = (time.time() if now is None else now) - STALE_SECONDS
    for folder in media_root.glob(FOLDER_PREFIX + "*"):
        try:
            if folder.is_dir() and folder.stat().st_mtime < oldest:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue


def too_large_request() -> UploadRefused:
    return UploadRefused(_(
        "The photos and video sent together are too big: at most {limit} at a time. Send "
        "fewer or smaller files, then try again. Nothing was added.").format(
            limit=human_size(MAX_REQUEST_BYTES)))


def _too_large_file(name: str) -> UploadRefused:
    return UploadRefused(_(
        "{name} is too big: Costanza takes files up to {limit}. Shorten the video or export "
        "it at a lower quality, then try again. Nothing was added.").format(
            name=name, limit=human_size(MAX_FILE_BYTES)))


def _too_many() -> UploadRefused:
    return UploadRefused(_(
        "This form has too many files or fields: at most {n} photos and videos for one "
        "post. Nothing was added.").format(n=MAX_FILES))


class _Reader:
    """python-multipart's callbacks, writing each file to its own file as it arrives."""

    def __init__(self, media_root: Path) -> None:
        self.media_root = media_root
        self.received = Received(folder=None)
        self.headers: dict[bytes, bytes] = {}
        self.header_field = b""
        self.header_value = b""
        self.parts = 0
        self.value = bytearray()
        self.skip = False  # a file input left empty: no file and no field
        self.current: tuple[str, Upload | None] | None = None
        self.out: IO[bytes] | None = None

    def callbacks(self) -> dict[str, Any]:
        return {"on_part_begin": self.part_begin, "on_part_data": self.part_data,
                "on_part_end": self.part_end, "on_header_field": self.header_field_data,
                "on_header_value": self.header_value_data, "on_header_end": self.header_end,
                "on_headers_finished": self.headers_finished}

    def part_begin(self) -> None:
        self.parts += 1
        if self.parts > MAX_PARTS:
            raise _too_many()
        self.headers, self.value, self.current, self.skip = {}, bytearray(), None, False

    def header_field_data(self, data: bytes, start: int, end: int) -> None:
        self.header_field += data[start:end]

    def header_value_data(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def header_end(self) -> None:
        self.headers[self.header_field.lower()] = self.header_value
        self.header_field, self.header_value = b"", b""

    def headers_finished(self) -> None:
        from python_multipart.multipart import parse_options_header

        _kind, options = parse_options_header(self.headers.get(b"content-disposition", b""))
        name = options.get(b"name", b"").decode("utf-8", "replace")
        filename = options.get(b"filename")
        if filename is None:
            self.current = (name, None)
            return
        raw = filename.decode("utf-8", "replace")
        if not raw:  # a file input left empty: no file, and nothing to keep
            self.current, self.skip = (name, None), True
            return
        if len(self.received.files) >= MAX_FILES:
            raise _too_many()
        number = len(self.received.files) + 1
        folder = self._folder() / str(number)
        folder.mkdir()
        upload = Upload(field=name, name=safe_name(raw, number),
                        path=folder / safe_name(raw, number))
        self.out = open(upload.path, "xb")
        self.received.files.append(upload)
        self.current = (name, upload)

    def _folder(self) -> Path:
        if self.received.folder is None:
            self.media_root.mkdir(parents=True, exist_ok=True)
            self.received.folder = Path(tempfile.mkdtemp(dir=self.media_root,
                                                         prefix=FOLDER_PREFIX))
        return self.received.folder

    def part_data(self, data: bytes, start: int, end: int) -> None:
        assert self.current is not None
        upload = self.current[1]
        if upload is None:
            if self.skip:
                return
            self.value += data[start:end]
            if len(self.value) > MAX_FIELD_BYTES:
                raise UploadRefused(_("A text of this form is too long. Shorten it, then "
                                      "try again. Nothing was added."))
            return
        upload.size += end - start
        if upload.size > MAX_FILE_BYTES:
            raise _too_large_file(upload.name)
        assert self.out is not None
        self.out.write(data[start:end])

    def part_end(self) -> None:
        assert self.current is not None
        name, upload = self.current
        if upload is not None:
            self.close_file()
            if upload.size == 0:  # an empty file: as if none was chosen
                self.received.files.remove(upload)
        elif not self.skip:
            self.received.fields.setdefault(name, []).append(
                self.value.decode("utf-8", "replace"))

    def close_file(self) -> None:
        if self.out is not None:
            self.out.close()
            self.out = None


async def read_upload_form(request: Request, media_root: Path) -> Received:
    """The form of ``request`` (multipart or not), files kept in a temporary folder of
    ``media_root``; raises ``UploadRefused`` over a limit, with nothing left behind."""
    from python_multipart.exceptions import MultipartParseError
    from python_multipart.multipart import MultipartParser, parse_options_header

    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > MAX_REQUEST_BYTES:
        raise too_large_request()
    kind, options = parse_options_header(request.headers.get("content-type", ""))
    if kind != b"multipart/form-data" or b"boundary" not in options:
        form = await request.form(max_files=0, max_fields=MAX_PARTS)
        fields: dict[str, list[str]] = {}
        for key, value in form.multi_items():
            if isinstance(value, str):
                fields.setdefault(key, []).append(value)
        return Received(folder=None, fields=fields)
    reader = _Reader(media_root)
    parser = MultipartParser(options[b"boundary"], reader.callbacks())
    total = 0
    try:
        async for chunk in request.stream():
            total += len(chunk)
            if total > MAX_REQUEST_BYTES:
                raise too_large_request()
            parser.write(chunk)
        parser.finalize()
    except BaseException as exc:
        reader.close_file()
        reader.received.discard()
        if isinstance(exc, MultipartParseError):
            raise InputError(_("The form arrived incomplete or damaged, so nothing was "
                               "added. Reload the page and try once more.")) from None
        raise
    if reader.received.folder is not None:
        os.utime(reader.received.folder)
    return reader.received
