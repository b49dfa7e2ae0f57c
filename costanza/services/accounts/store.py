"""Saving an account: the database row and its secrets."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from config.errors import InputError
from config.i18n import _
from config.secrets import SecretStore
from costanza.app import DEFAULT_PROFILE, App
from costanza.services.accounts.common import NAME, RESERVED_NAMES
from posts.deliveries import attach_account, release_account
from posts.models import Account, Profile
from posts.networks import network_label
from posts.profiles import get_profile


@dataclass
class Connection:
    network: str
    remote_id: str
    display_name: str
    secrets: dict[str, str]
    notes: list[str] = field(default_factory=list)


def secret_store(app: App) -> SecretStore:
    return SecretStore(app.settings.home.secrets_file)


def make_account_name(app: App, network: str, name: str | None) -> str:
    if name is None:
        return network if app.profile_name == DEFAULT_PROFILE else \
            f"{app.profile_name}-{network}"
    name = name.strip()
    if not NAME.match(name) or name in RESERVED_NAMES:
        if name in RESERVED_NAMES:
            raise InputError(_(
                "'{name}' cannot be an account name: use letters, digits, dots, dashes or "
                "underscores (up to 64), starting with a letter or digit, and not "
                "'media_host', which Costanza uses for the media host's keys.")
                .format(name=name))
        raise InputError(_(
            "'{name}' cannot be an account name: use letters, digits, dots, dashes or "
            "underscores (up to 64), starting with a letter or digit.").format(name=name))
    return name


def find_account(db: Session, profile: Profile, name: str) -> Account | None:
    return db.scalars(select(Account).where(Account.profile_id == profile.id,
                                            Account.name == name)).one_or_none()


def save_connection(app: App, name: str, found: Connection) -> dict[str, Any]:
    """Store the secrets (keeping the ones not given again) and the account row, as one
    unit: when the database refuses the row, the secrets file is put back as it was."""
    now = app.clock.now()
    store = secret_store(app)
    before = store.saved(name)
    try:
        with app.store.write() as db:
            reconnected, resumed = _save_rows(db, app, store, name, found, before, now)
    except BaseException:
        if store.saved(name) != before:
            _restore(store, name, before)
        raise
    return {"name": name, "network": found.network, "remote_id": found.remote_id,
            "display_name": found.display_name, "reconnected": reconnected,
            "resumed": resumed, "notes": found.notes,
            "secrets_file": str(store.path)}


def _restore(store: SecretStore, name: str, before: dict[str, str]) -> None:
    if before:
        store.put(name, before)
    else:
        store.remove(name)


def _save_rows(db: Session, app: App, store: SecretStore, name: str, found: Connection,
               before: dict[str, str], now: datetime) -> tuple[bool, int]:
    """The account row and its secrets, inside the caller's transaction."""
    profile = get_profile(db, app.profile_name)
    account = find_account(db, profile, name)
    if account is not None and account.network != found.network:
        raise InputError(_(
            "An account called '{name}' is already connected to "
            "{network}. Choose another name with --name, or "
            "remove it first with `costanza account remove {name}`.").format(
            name=name, network=network_label(account.network)))
    other = db.scalars(select(Account).where(Account.name == name,
                                             Account.profile_id != profile.id)).first()
    if other is not None:
        raise InputError(_(
            "Another profile already has an account called '{name}' (account secrets "
            "are kept by name). Choose another name with --name.").format(name=name))
    store.put(name, {**before, **found.secrets})
    reconnected = account is not None
    if account is None:
        account = Account(profile_id=profile.id, network=found.network, name=name,
                          created_at=now)
        db.add(account)
    account.remote_id = found.remote_id
    account.display_name = found.display_name
    db.flush()
    resumed = release_account(db, account.id, now)
    attached = attach_account(db, account, now)
    return reconnected, resumed + attached


# -- account add ---------------------------------------------------------------------------
