"""Pooled PostgreSQL connections that the server closed (a restart, an administrator):
one idle for a while is checked and replaced before use; one in steady use fails once,
and the pool then replaces all it holds."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

import posts.store as store_module
from posts.store import Store


def _backend_pid(store: Store) -> int:
    with store.read() as db:
        return int(db.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _terminate(pg_admin: Any, pid: int) -> None:
    with pg_admin.connect() as conn:
        assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
    time.sleep(0.2)  # the server closes the socket


@contextlib.contextmanager
def _killed(pg_url: str, pg_admin: Any, ping_after_idle: float,
            monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Store, int]]:
    """A store whose one pooled connection the server has just closed; and its pid."""
    monkeypatch.setattr(store_module, "PING_AFTER_IDLE", ping_after_idle)
    store = Store(pg_url)
    try:
        pid = _backend_pid(store)
        _terminate(pg_admin, pid)
        yield store, pid
    finally:
        store.dispose()


def test_a_connection_closed_while_idle_is_replaced_before_use(
        pg_url: str, pg_admin: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    with _killed(pg_url, pg_admin, 0.1, monkeypatch) as (store, pid):
        assert _backend_pid(store) != pid  # checked after its idle time: a new one


def test_a_connection_in_steady_use_is_not_checked_and_fails_once(
        pg_url: str, pg_admin: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    with _killed(pg_url, pg_admin, 3600.0, monkeypatch) as (store, pid):
        with pytest.raises(OperationalError):
            _backend_pid(store)  # no check before use: the dead connection is tried
        assert _backend_pid(store) != pid  # and the pool has replaced it
