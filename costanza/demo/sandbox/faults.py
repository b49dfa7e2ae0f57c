"""Faults on demand: how the next N matching calls should go wrong.

A fault matches by network (``x``, ``facebook``, ``instagram``) and optionally
by endpoint, either a route name or a path pattern with ``*`` wildcards
(``/2/tweets``, ``/v26.0/*/media_publish``), and optionally by HTTP method.
Route names:

- X: ``tweets`` (POST /2/tweets), ``tweet`` (GET/DELETE /2/tweets/{id}),
  ``search_recent`` (GET /2/tweets/search/recent), ``hide_reply`` (PUT
  /2/tweets/{id}/hidden), ``users_me``, ``user_tweets``, ``media_upload`` (initialize, append,
  finalize, one-shot), ``media_status``, ``media_metadata``, ``v1``,
  ``oauth_request_token``, ``oauth_authorize``, ``oauth_access_token``.
- Facebook: ``feed`` (POST), ``posts`` (GET feed/posts), ``photos``,
  ``videos``, ``post``, ``photo``, ``video``, ``page``, ``me``, ``accounts``,
  ``comments`` (POST a post's first comment), ``fb_comments`` (GET a post's comments or
  a comment's replies), ``fb_comment`` (GET one), ``fb_reply`` (POST a reply),
  ``comment_hide`` (POST ``is_hidden``), ``oauth_access_token``, ``debug_token``,
  ``unknown``.
- Instagram: ``media`` (POST: a container), ``media_list`` (GET),
  ``media_publish``, ``container`` (status), ``ig_media``, ``comments`` (POST the first
  comment), ``ig_comments`` (GET a media's comments), ``ig_comment`` (GET one),
  ``ig_replies`` (GET a comment's replies), ``ig_reply`` (POST one), ``comment_hide``
  (POST ``hide``), ``content_publishing_limit``, ``ig_user``, ``ig_upload``.

What it does, checked in this order:

- ``expire_token``: the credentials used become expired for good; the call
  then fails as the network fails an expired token.
- ``latency_ms``: an extra delay before anything else.
- ``timeout``: hold the connection without answering (``hold_secs``), then drop it.
- ``drop``: close the connection without an answer; nothing happened.
- ``rate_limit_reset``: answer 429 (X) or a Graph rate-limit error
  (code 4/17/32/613, see ``rate_limit_code``) with reset headers.
- ``status``/``body``: answer with that status and body; nothing happened.
- ``after_effect``: the call takes effect (the post is created), then the reply
  is replaced by ``status`` (default 500) or, with ``drop``, a dropped connection.
- ``commit_delay_secs``: the request is accepted and held this long before it takes
  effect (the post is created late, as checked when it arrived: a duplicate made in
  the meantime does not stop it), then answered, or dropped with ``drop``; a client
  whose timeout is shorter has given up by then.
"""

from __future__ import annotations

import fnmatch
import itertools
import threading
from dataclasses import asdict, dataclass, field
from typing import Any

_ids = itertools.count(1)


@dataclass
class Fault:
    network: str
    endpoint: str | None = None
    method: str | None = None
    status: int | None = None
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    times: int = 1
    latency_ms: int | None = None
    timeout: bool = False
    hold_secs: float = 30.0
    drop: bool = False
    after_effect: bool = False
    rate_limit_reset: float | None = None
    rate_limit_code: int = 4
    expire_token: bool = False
    commit_delay_secs: float | None = None
    id: int = field(default_factory=lambda: next(_ids))

    def matches(self, network: str, endpoint: str, method: str, path: str) -> bool:
        if self.network not in (network, "*", "any"):
            return False
        if self.method and self.method.upper() != method.upper():
            return False
        if not self.endpoint:
            return True
        if self.endpoint == endpoint:
            return True
        pattern = self.endpoint
        return fnmatch.fnmatchcase(path, pattern) or fnmatch.fnmatchcase(path, "*" + pattern)

    def describe(self) -> dict[str, Any]:
        return asdict(self)


FAULT_FIELDS = {name for name in Fault.__dataclass_fields__ if name != "id"}


class FaultBook:
    """The armed faults; ``take`` consumes one use of the first that matches."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, spec: dict[str, Any]) -> Fault:
        unknown = set(spec) - FAULT_FIELDS
        if unknown:
            raise ValueError(f"unknown fault fields: {sorted(unknown)}")
        if spec.get("network") not in ("x", "facebook", "instagram", "*", "any"):
            raise ValueError("network must be x, facebook or instagram")
        fault = Fault(**spec)
        if fault.times < 1:
            raise ValueError("times must be at least 1")
        with self._lock:
            self._faults.append(fault)
        return fault

    def take(self, network: str, endpoint: str, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.matches(network, endpoint, method, path):
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def list(self) -> list[dict[str, Any]]:
        with self._lock:
            return [fault.describe() for fault in self._faults]
