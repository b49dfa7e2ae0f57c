"""Requests and replies as the sandbox's handlers see them.

``Request`` is parsed once from the raw HTTP message: query string, form
fields (url-encoded or multipart), uploaded files and JSON. A handler returns
a ``Reply`` or raises ``ApiError`` carrying one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qsl


@dataclass(frozen=True)
class Upload:
    """One file part of a multipart body."""

    name: str
    filename: str | None
    content_type: str
    data: bytes


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: Message
    body: bytes
    base_url: str  # scheme://host:port as the client addressed this server
    form: dict[str, str] = field(default_factory=dict)
    files: dict[str, Upload] = field(default_factory=dict)
    json: Any = None
    json_error: bool = False
    query_pairs: list[tuple[str, str]] = field(default_factory=list)
    form_pairs: list[tuple[str, str]] = field(default_factory=list)
    args: dict[str, Any] = field(default_factory=dict)  # path parameters, set by routing
    parts: dict[str, bytes] = field(default_factory=dict)  # every multipart part, raw
    # Set for a request held before it takes effect (``commit_delay_secs``): the sandbox
    # time it arrived, when the network checked it (duplicates made later do not count).
    received_at: float | None = None

    def part_bytes(self, name: str) -> bytes | None:
        """A multipart part's raw bytes, whether it came as a file or as a plain field."""
        if name in self.files:
            return self.files[name].data
        return self.parts.get(name)

    @property
    def content_type(self) -> str:
        return (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()

    def param(self, name: str, default: str | None = None) -> str | None:
        """A Graph-style parameter: form body first, then query string."""
        if name in self.form:
            return self.form[name]
        return self.query.get(name, default)


@dataclass
class Reply:
    status: int
    body: Any = None  # dict/list -> JSON; bytes/str -> as is
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json; charset=utf-8"

    def encoded(self) -> bytes:
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode()
        return json.dumps(self.body).encode()


class ApiError(Exception):
    """Raised by a handler to answer with ``reply``."""

    def __init__(self, reply: Reply) -> None:
        super().__init__(reply.status)
        self.reply = reply


def parse_request(method: str, target: str, headers: Message, body: bytes,
                  base_url: str) -> Request:
    path, _, query_string = target.partition("?")
    query_pairs = parse_qsl(query_string, keep_blank_values=True)
    request = Request(method=method, path=path, query=dict(query_pairs), headers=headers,
                      body=body, base_url=base_url, query_pairs=query_pairs)
    kind = request.content_type
    if kind == "application/x-www-form-urlencoded":
        request.form_pairs = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
        request.form = dict(request.form_pairs)
    elif kind == "multipart/form-data":
        _parse_multipart(request)
    elif kind == "application/json" or (kind == "" and body[:1] in (b"{", b"[")):
        try:
            request.json = json.loads(body.decode("utf-8")) if body else None
        except (UnicodeDecodeError, ValueError):
            request.json_error = True
    return request


def _parse_multipart(request: Request) -> None:
    """Split a multipart/form-data body on its boundary (fast for large uploads)."""
    header = Message()
    header["Content-Type"] = request.headers.get("Content-Type") or ""
    boundary = header.get_param("boundary")
    if not isinstance(boundary, str) or not boundary:
        return
    delimiter = b"--" + boundary.encode("latin-1")
    body = request.body
    # Walk the body by index and copy each part's data once (uploads can be large).
    start = body.find(delimiter)
    while start != -1:
        start += len(delimiter)
        if body.startswith(b"--", start):
            break
        if body.startswith(b"\r\n", start):
            start += 2
        end = body.find(b"\r\n" + delimiter, start)
        if end == -1:
            end = body.find(delimiter, start)
        stop = end if end != -1 else len(body)
        split = body.find(b"\r\n\r\n", start, stop)
        if split == -1:
            head, data = body[start:stop], b""
        else:
            head, data = body[start:split], body[split + 4:stop]
        start = body.find(delimiter, stop) if end != -1 else -1
        part = BytesParser(policy=HTTP).parsebytes(head + b"\r\n\r\n", headersonly=True)
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        request.parts[name] = data
        filename = part.get_filename()
        declared = part.get("Content-Type")
        if filename is None and (declared is None or part.get_content_type() == "text/plain"):
            request.form[name] = data.decode("utf-8", "replace")
        else:
            request.files[name] = Upload(name, filename, part.get_content_type(), data)
