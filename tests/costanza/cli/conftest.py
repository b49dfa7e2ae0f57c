"""Every command-line test runs on SQLite and again on PostgreSQL."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _every_backend(backend: str) -> str:
    return backend


@pytest.fixture(autouse=True)
def _no_editor_of_this_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """`post add` without text opens VISUAL or EDITOR: tests set their own or none."""
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
