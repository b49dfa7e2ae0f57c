"""Pooled PostgreSQL connections that the server closed (a restart, an administrator):
one idle for a while is checked and replaced before use; one in steady use fails once,
and the pool then replaces all it holds."""

from __future__ import annotations

import time
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


def test_a_connection_closed_while_idle_is_replaced_before_use(
        pg_url: str, pg_admin: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_module, "PING_AFTER_IDLE", 0.1)
    store = Store(pg_url)
    try:
        pid = _backend_pid(store)
        _terminate(pg_admin, pid)
        assert _backend_pid(store) != pid  # checked after its idle time: a new one
    finally:
        store.dispose()


def test_a_connection_in_steady_use_is_not_checked_and_fails_once(
        pg_url: str, pg_admin: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_module, "PING_AFTER_IDLE", 3600.0)
    store = Store(pg_url)
    try:
        pid = _backend_pid(store)
        _terminate(pg_admin, pid)
        with pytest.raises(OperationalError):
            _backend_pid(store)  # no check before use: the dead connection is tried
        assert _backend_pid(store) != pid  # and the pool has replaced it
    finally:
        store.dispose()
