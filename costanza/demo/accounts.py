"""Connect a profile to the sandbox: its three accounts and its media host.

``connect_sandbox`` is `costanza sandbox connect`: with a sandbox running at
the platform address (``COSTANZA_PLATFORM_URL``), it connects the sandbox's X
account, Facebook Page and Instagram account to the current profile and makes
the sandbox Instagram's media host, so that trying Costanza needs no accounts
and no web server. Running it again changes nothing (or repairs what a
restarted sandbox forgot). ``connect_sandbox_accounts`` is the part the demo,
the tests and the benchmarks use.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from config.errors import CostanzaError, InputError
from config.i18n import N_, _
from config.secrets import SecretStore
from costanza.app import DEFAULT_PROFILE, App

WAIT_SECONDS = 10.0  # a sandbox started a moment ago in the background gets this long


class NoSandbox(CostanzaError):
    """No sandbox answers at the platform address."""

    default = N_("No sandbox answers at the platform address.")


@dataclass
class Connected:
    """One account as `sandbox connect` left it."""

    name: str
    network: str
    display_name: str
    status: str  # "connected", "reconnected" or "already connected"


@dataclass
class SandboxConnection:
    base_url: str
    profile: str
    config_file: Path
    accounts: list[Connected] = field(default_factory=list)
    media_host: str = "set"  # "set", "changed", "already set" or "kept"
    media_host_kind: str = "sandbox"

    @property
    def changed(self) -> bool:
        return self.media_host in ("set", "changed") or any(
            a.status != "already connected" for a in self.accounts)


def connect_sandbox(app: App, wait: float | None = None) -> SandboxConnection:
    """Connect the running sandbox's accounts and media host to the current profile.

    Everything is checked before anything is written: the platform address, the
    profile, and that a sandbox answers there.
    """
    from posts.profiles import get_profile

    base = _platform_url(app)
    with app.store.read() as db:  # NotSetUp without a settings file
        get_profile(db, app.profile_name)
    _wait_for_sandbox(base, WAIT_SECONDS if wait is None else wait)
    media_values, media_status = _media_host_plan(app, base)
    result = SandboxConnection(base_url=base, profile=app.profile_name,
                               config_file=app.settings.home.config_file,
                               media_host=media_status,
                               media_host_kind=str(app.settings.media_host.get("kind",
                                                                               "sandbox")))
    from costanza.demo.sandbox.control import SandboxClient

    creds = SandboxClient(base).create_accounts(sandbox_name(app.profile_name))
    result.accounts = _save_accounts(app, sandbox_name(app.profile_name), creds)
    if media_values:
        from config.edit import set_values

        set_values(app.settings.home.config_file, "media_host", media_values)
    return result


def sandbox_name(profile: str) -> str:
    """The sandbox account a profile uses: 'sandbox', or 'sandbox-NAME' for other profiles
    (each artisan gets a Page of their own; account names stay unique across profiles)."""
    return "sandbox" if profile == DEFAULT_PROFILE else f"sandbox-{profile}"


def _platform_url(app: App) -> str:
    base = app.settings.networks_base_url
    if not base:
        raise InputError(_(
            "COSTANZA_PLATFORM_URL is not set, so Costanza would talk to the real Facebook, "
            "Instagram and X, not to the sandbox. Start the sandbox (`costanza sandbox &`), "
            "then tell Costanza its address with `export "
            "COSTANZA_PLATFORM_URL=http://127.0.0.1:8787` (the port `costanza sandbox` "
            "printed) and run `costanza sandbox connect` again. Nothing was changed."))
    return base.rstrip("/")


def _wait_for_sandbox(base: str, wait: float) -> None:
    """Ask ``base`` for the sandbox's settings, for up to ``wait`` seconds while nothing
    listens there yet (a sandbox just started in the background)."""
    deadline = time.monotonic() + max(0.0, wait)
    while True:
        try:
            response = requests.get(f"{base}/_sandbox/settings", timeout=10)
            break
        except requests.RequestException:
            if time.monotonic() >= deadline:
                raise NoSandbox(_(
                    "No sandbox answers at {address} (COSTANZA_PLATFORM_URL). Start it with "
                    "`costanza sandbox --port {port} &` (or in another window), or "
                    "set COSTANZA_PLATFORM_URL to the address it printed; then run "
                    "`costanza sandbox connect` again. Nothing was changed.").format(
                    address=base, port=_port(base))) from None
            time.sleep(0.2)
    try:
        body = response.json() if response.status_code == 200 else None
    except ValueError:
        body = None
    if not isinstance(body, dict) or "latency_ms" not in body:
        raise NoSandbox(_(
            "Something answers at {address} (COSTANZA_PLATFORM_URL), but it is not Costanza's "
            "sandbox. Start the sandbox with `costanza sandbox --port PORT &` on a free port "
            "and set COSTANZA_PLATFORM_URL to the address it prints. Nothing was changed.")
            .format(address=base))


def _port(base: str) -> str:
    from urllib.parse import urlsplit

    return str(urlsplit(base).port or 8787)


def _media_host_plan(app: App, base: str) -> tuple[dict[str, str] | None, str]:
    """What to write in [media_host]: the sandbox, unless another host is set up (kept:
    it is the artisan's own, and the sandbox's Instagram can fetch from it too)."""
    table = app.settings.media_host
    if not table:
        return {"kind": "sandbox", "url": base}, "set"
    if table.get("kind") != "sandbox":
        return None, "kept"
    if str(table.get("url") or base).rstrip("/") == base:
        return None, "already set"
    return {"url": base}, "changed"


def connect_sandbox_accounts(app: App, base_url: str, name: str = "bottega",
                             env: dict[str, str] | None = None) -> dict[str, Any]:
    """Create ``name`` on the sandbox and connect its three accounts to the current profile.

    Returns the sandbox credentials. The account names are NAME-x, NAME-page and NAME-ig.
    """
    from costanza.demo.sandbox.control import SandboxClient

    creds = SandboxClient(base_url).create_accounts(name)
    _save_accounts(app, name, creds, env)
    return creds


def _rows(name: str, creds: dict[str, Any]) -> list[tuple[str, str, str, str, dict[str, str]]]:
    """(network, account name, remote id, display name, secrets) for each network."""
    return [
        ("x", f"{name}-x", str(creds["x"]["user_id"]), "@" + creds["x"]["username"],
         {k: str(v) for k, v in creds["x"].items()}),
        ("facebook", f"{name}-page", str(creds["facebook"]["page_id"]), f"{name} (Page)",
         {"page_token": creds["facebook"]["page_token"]}),
        ("instagram", f"{name}-ig", str(creds["instagram"]["ig_user_id"]),
         f"{name} (Instagram)", {"token": creds["instagram"]["token"]}),
    ]


def _save_accounts(app: App, name: str, creds: dict[str, Any],
                   env: dict[str, str] | None = None) -> list[Connected]:
    """Add the accounts missing from the profile, bring up to date those whose sandbox
    keys changed (a sandbox restarted without --data forgets them), leave the rest."""
    from sqlalchemy import select

    from posts.deliveries import attach_account, release_account
    from posts.models import Account
    from posts.networks import network_label
    from posts.profiles import get_profile

    secrets = SecretStore(app.settings.home.secrets_file, env)
    now = app.clock.now()
    done: list[Connected] = []
    to_save: dict[str, dict[str, str]] = {}
    with app.store.write() as db:
        profile = get_profile(db, app.profile_name)
        for network, account_name, remote_id, display, values in _rows(name, creds):
            account = db.scalars(select(Account).where(
                Account.profile_id == profile.id, Account.name == account_name)).one_or_none()
            if account is not None and account.network != network:
                raise InputError(_(
                    "An account called '{name}' is already connected to "
                    "{network}. Remove it with `costanza account "
                    "remove {name}` and run the command again. Nothing was changed.").format(
                    name=account_name, network=network_label(account.network)))
            saved = secrets.saved(account_name)
            if account is not None and account.remote_id == remote_id and all(
                    saved.get(k) == v for k, v in values.items() if v):
                done.append(Connected(account_name, network, display, "already connected"))
                continue
            status = "connected" if account is None else "reconnected"
            if account is None:
                account = Account(profile_id=profile.id, network=network, name=account_name,
                                  created_at=now)
                db.add(account)
            account.remote_id = remote_id
            account.display_name = display
            db.flush()
            release_account(db, account.id, now)
            attach_account(db, account, now)
            to_save[account_name] = values
            done.append(Connected(account_name, network, display, status))
        if to_save:
            secrets.put_many(to_save)
    return done
