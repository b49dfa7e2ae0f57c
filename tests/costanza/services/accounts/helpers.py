"""Checks shared by the account tests: where secrets may be, and where they must never be."""

from __future__ import annotations

import stat
import tomllib
from pathlib import Path
from typing import Any

from sqlalchemy import select

from costanza.app import App
from posts.models import Account, Delivery


def assert_no_leak(home: Path, output: str, secrets: list[str]) -> None:
    """No secret in the command's output, the settings, the database (and its WAL)."""
    assert secrets
    for value in secrets:
        assert value not in output, "a secret was printed"
    for path in home.rglob("*"):
        if path.is_file() and path.name != "secrets.toml":
            data = path.read_bytes()
            for value in secrets:
                assert value.encode() not in data, f"a secret is in {path.name}"


def stored_secrets(home: Path, name: str) -> dict[str, str]:
    path = home / "secrets.toml"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    return dict(tomllib.loads(path.read_text(encoding="utf-8")).get(name, {}))


def account_row(app: App, name: str) -> Account | None:
    with app.store.read() as db:
        return db.scalars(select(Account).where(Account.name == name)).one_or_none()


def delivery(app: App, delivery_id: int) -> Delivery:
    with app.store.read() as db:
        found = db.get(Delivery, delivery_id)
        assert found is not None
        return found


def set_state(app: App, delivery_id: int, **values: Any) -> None:
    with app.store.write() as db:
        found = db.get(Delivery, delivery_id)
        assert found is not None
        for key, value in values.items():
            setattr(found, key, value)
