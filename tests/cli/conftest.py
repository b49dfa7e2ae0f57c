"""Every command-line test runs on SQLite and again on PostgreSQL."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _every_backend(backend: str) -> str:
    return backend
