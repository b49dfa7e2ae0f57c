"""Connect a profile to sandbox accounts (the demo, tests and benchmarks use it)."""

from __future__ import annotations

from typing import Any

from config.secrets import SecretStore
from costanza.app import App


def connect_sandbox_accounts(app: App, base_url: str, name: str = "bottega",
                             env: dict[str, str] | None = None) -> dict[str, Any]:
    """Create ``name`` on the sandbox and connect its three accounts to the current profile.

    Returns the sandbox credentials. The account names are NAME-x, NAME-page and NAME-ig.
    """
    from posts.models import Account
    from posts.profiles import get_profile
    from scheduler.delivery import attach_account
    from scheduler.sandbox.control import SandboxClient

    creds = SandboxClient(base_url).create_accounts(name)
    secrets = SecretStore(app.settings.home.secrets_file, env)
    now = app.clock.now()
    rows = [
        ("x", f"{name}-x", creds["x"]["user_id"], "@" + creds["x"]["username"],
         {k: str(v) for k, v in creds["x"].items()}),
        ("facebook", f"{name}-page", creds["facebook"]["page_id"], f"{name} (Page)",
         {"page_token": creds["facebook"]["page_token"]}),
        ("instagram", f"{name}-ig", creds["instagram"]["ig_user_id"], f"{name} (Instagram)",
         {"token": creds["instagram"]["token"]}),
    ]
    with app.store.write() as db:
        profile = get_profile(db, app.profile_name)
        for network, account_name, remote_id, display, values in rows:
            account = Account(profile_id=profile.id, network=network, name=account_name,
                              remote_id=str(remote_id), display_name=display, created_at=now)
            db.add(account)
            db.flush()
            attach_account(db, account, now)
            secrets.put(account_name, values)
    return creds
