"""What a readiness check finds, and what every check is handed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from functools import cached_property
from typing import TYPE_CHECKING, Any

from config.clock import utc

if TYPE_CHECKING:
    from costanza.app import App
    from costanza.services.readiness.plan import Week

# How far ahead the check looks, and how early an expiry is a warning.
WEEK = timedelta(days=7)
EXPIRY_WARNING = timedelta(days=30)
SEVERITIES = ("ok", "warning", "problem")


@dataclass(frozen=True)
class Finding:
    """One thing a check found: ``sentence`` says it, ``fix`` says what to do.

    ``blocks_week`` is true when it will stop a post in the next 7 days; ``subject`` names
    the thing it is about (an account, the media host), so that a notification is sent once
    per thing; ``expires_at`` is when something runs out (a token, an API version)."""

    code: str
    severity: str
    sentence: str
    fix: str = ""
    blocks_week: bool = False
    subject: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    expires_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"severity must be one of {SEVERITIES}, not {self.severity!r}")
        if self.blocks_week and self.severity != "problem":
            raise ValueError("only a problem blocks the week")

    def as_data(self) -> dict[str, Any]:
        """The finding as the stable JSON of `costanza check --json`."""
        return {"code": self.code, "severity": self.severity, "blocks_week": self.blocks_week,
                "subject": self.subject, "sentence": self.sentence, "fix": self.fix,
                "expires_at": self.expires_at.isoformat() if self.expires_at else None,
                "data": self.data}


class Context:
    """What every check is handed: the app, the moment, the profile's zone, and what more
    than one check reads (the accounts' check, the week's plan), worked out once."""

    def __init__(self, app: App, now: datetime | None = None) -> None:
        self.app = app
        self.now = utc(now or app.clock.now())
        self.until = self.now + WEEK

    @cached_property
    def tz(self) -> tzinfo:
        from costanza.services.posts import profile_zone

        return profile_zone(self.app)

    @cached_property
    def accounts(self) -> list[dict[str, Any]]:
        """`costanza account check`'s results, one per account."""
        from costanza.services.accounts import checks

        return checks.check_accounts(self.app)

    @cached_property
    def week(self) -> Week:
        from costanza.services.readiness.plan import read_week

        return read_week(self.app, self.now, self.until)
