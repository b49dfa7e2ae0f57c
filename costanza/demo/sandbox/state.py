"""Everything the sandbox remembers, kept in memory and, with a data folder, on disk.

The state is plain JSON-shaped data (collections of dicts keyed by id) behind
one lock. With a data folder, every change is written to ``sandbox.json``
(atomically: a temporary file renamed over the old one) and media bytes go to
``media/<sha256>`` (unfinished uploads' chunks to ``chunks/``), so a restarted
sandbox remembers accounts, posts, media, containers and upload sessions.

Sandbox time (``now()``) is the wall clock plus an offset that the control
API can advance, so that 24-hour expiries can be tested in a second.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

COLLECTIONS = (
    "accounts",  # name -> credentials and ids
    "tokens",  # token or key -> {"kind", "account", "expired"}
    "nodes",  # Graph object id -> kind ("page", "photo", "ig_user", "container", ...)
    "posts",  # internal key -> published post (all networks)
    "x_media",  # media id -> upload/processing record
    "fb_photos",  # photo id -> record
    "fb_videos",  # video id / upload session -> record
    "ig_containers",  # container id -> record
    "counters",  # rate-limit windows
    "comments",  # comment id -> a comment or reply under a post (see comments.py)
)

DEFAULT_SETTINGS: dict[str, Any] = {
    "latency_ms": 0,
    "ig_processing_secs": 1.0,  # how long a container stays IN_PROGRESS
    "x_processing_secs": 1.0,  # how long an X video stays in_progress
    "ig_publish_limit": 100,  # posts per rolling 24 h
    "ig_reel_min_secs": 0.0,  # unverified (3 s is the third-party figure): off by default
    "ig_reel_max_secs": 900.0,
    "x_tweets_per_window": 100,  # POST /2/tweets per 15 min per user
    "x_tweets_per_day": 100,  # per user per 24 h
    "x_search_per_window": 450,  # GET /2/tweets/search/recent per 15 min per app
    "x_self_replies_allowed": True,  # threads: a reply to one's own post
    "fetch_timeout_secs": 5.0,  # Instagram/Facebook fetching image_url/video_url
    "graph_calls_per_hour": 4800,  # the budget X-App-Usage percentages refer to
    "fb_video_chunk_bytes": 4 * 1024 * 1024,  # the window Facebook asks for per transfer
}

ID_BASES = {
    "x": 1_860_000_000_000_000_000,
    "fb": 100_000_000_000_000,
    "ig_user": 17_841_400_000_000_000,
    "ig": 17_900_000_000_000_000,
    "session": 500_000_000_000_000,
}


class SandboxState:
    """The sandbox's memory. Use ``with state.lock:`` around read-modify-write."""

    def __init__(self, data_dir: Path | None = None) -> None:
        self.data_dir = Path(data_dir) if data_dir else None
        self.lock = threading.RLock()
        # Each account's posts, by (network, account id): a check for a duplicate or a
        # listing reads one account's posts, not every post the sandbox holds.
        self._by_owner: dict[tuple[str, str], list[str]] = {}
        self._media: dict[str, bytes] = {}
        self._chunks: dict[str, bytes] = {}
        self.data: dict[str, Any] = {}
        self.clear()
        if self.data_dir:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            (self.data_dir / "media").mkdir(exist_ok=True)
            path = self.data_dir / "sandbox.json"
            if path.exists():
                loaded = json.loads(path.read_text(encoding="utf-8"))
                self.data.update(loaded)
                for name in COLLECTIONS:
                    self.data.setdefault(name, {})
                self.data["settings"] = {**DEFAULT_SETTINGS, **loaded.get("settings", {})}
                for key, post in self.data["posts"].items():
                    self._index(key, post)

    def clear(self) -> None:
        with self.lock:
            self.data = {name: {} for name in COLLECTIONS}
            self.data["seq"] = 0
            self.data["clock_offset"] = 0.0
            self.data["settings"] = dict(DEFAULT_SETTINGS)
            self._by_owner = {}
            self._media.clear()
            self._chunks.clear()

    def reset(self) -> None:
        """Forget everything, on disk too."""
        with self.lock:
            self.clear()
            if self.data_dir:
                for folder in ("media", "chunks"):
                    if (self.data_dir / folder).exists():
                        for item in (self.data_dir / folder).iterdir():
                            item.unlink()
            self.save()

    # -- collections -----------------------------------------------------

    def __getitem__(self, name: str) -> dict[str, Any]:
        return self.data[name]

    def add_post(self, key: str, post: dict[str, Any]) -> dict[str, Any]:
        """Store a post (posts are never removed: a deleted one is marked)."""
        self.data["posts"][key] = post
        self._index(key, post)
        return post

    def _index(self, key: str, post: dict[str, Any]) -> None:
        self._by_owner.setdefault((post["network"], str(post["account_id"])), []).append(key)

    def posts_of(self, network: str, account_id: str) -> list[dict[str, Any]]:
        """One account's posts on one network, deleted ones included, oldest first."""
        posts = self.data["posts"]
        return [posts[key] for key in self._by_owner.get((network, str(account_id)), ())]

    @property
    def settings(self) -> dict[str, Any]:
        return self.data["settings"]

    def new_id(self, kind: str) -> str:
        with self.lock:
            self.data["seq"] += 1
            return str(ID_BASES[kind] + self.data["seq"] * 7 + 1)

    def now(self) -> float:
        return time.time() + self.data["clock_offset"]

    def advance(self, seconds: float) -> float:
        with self.lock:
            self.data["clock_offset"] += float(seconds)
            self.save()
            return self.now()

    @contextmanager
    def change(self) -> Iterator[SandboxState]:
        """Hold the lock for a change and save it afterwards."""
        with self.lock:
            yield self
            self.save()

    def save(self) -> None:
        if not self.data_dir:
            return
        with self.lock:
            text = json.dumps(self.data, sort_keys=True)
            fd, tmp = tempfile.mkstemp(dir=self.data_dir, prefix=".sandbox-", suffix=".json")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(tmp, self.data_dir / "sandbox.json")

    # -- media bytes -----------------------------------------------------

    def put_media(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        if self.data_dir:
            path = self.data_dir / "media" / digest
            if not path.exists():
                _write_atomically(path, data)
        else:
            with self.lock:
                self._media[digest] = data
        return digest

    # -- upload chunks (until an upload is complete) -----------------------

    def put_chunk(self, upload: str, index: int, data: bytes) -> None:
        if self.data_dir:
            folder = self.data_dir / "chunks"
            folder.mkdir(exist_ok=True)
            _write_atomically(folder / f"{upload}-{index}", data)
        else:
            with self.lock:
                self._chunks[f"{upload}-{index}"] = data

    def join_chunks(self, upload: str, count: int) -> bytes:
        """The upload's chunks 0..count-1 joined; then forget them."""
        parts = []
        for index in range(count):
            key = f"{upload}-{index}"
            if self.data_dir:
                path = self.data_dir / "chunks" / key
                parts.append(path.read_bytes())
                path.unlink()
            else:
                with self.lock:
                    parts.append(self._chunks.pop(key))
        return b"".join(parts)

    def get_media(self, digest: str) -> bytes | None:
        if self.data_dir:
            path = self.data_dir / "media" / digest
            if len(digest) == 64 and path.exists():
                return path.read_bytes()
            return None
        return self._media.get(digest)


def _write_atomically(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)
