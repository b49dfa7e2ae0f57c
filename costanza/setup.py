"""Setting Costanza up: the settings file, the database, the first profile."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from config.template import TEMPLATE
from costanza.app import App
from costanza.errors import InputError, SettingsError

DEFAULT_SLOTS = "mon 09:30, wed 18:00, fri 12:00"


@dataclass
class InitResult:
    config_file: Path
    timezone: str
    slots: str


def system_timezone() -> str:
    """This computer's IANA zone name, or UTC when it cannot be told."""
    tz = os.environ.get("TZ", "").lstrip(":")
    if tz and "/" in tz:
        return tz
    try:
        target = os.path.realpath("/etc/localtime")
        if "zoneinfo/" in target:
            return target.split("zoneinfo/", 1)[1]
    except OSError:
        pass
    return "UTC"


def _profile_exists(app: App) -> bool:
    from sqlalchemy import select

    from posts.models import Profile

    with app.store.read() as db:
        return db.scalar(select(Profile.id).where(Profile.name == app.profile_name)) is not None


def initialise(app: App, timezone: str | None, slots: str | None, force: bool) -> InitResult:
    """Write the settings file (if there is none, or with ``force``) and create or update
    the current profile. With an existing profile, what is not given is kept."""
    from posts.profiles import create_or_update_profile
    from scheduler.cadence import WeeklySlot, format_slots, parse_slots, parse_timezone

    cfg = app.settings.home.config_file
    known = cfg.exists() and _profile_exists(app)
    if known and not force:
        raise InputError(
            f"Costanza is already set up here ({cfg}) for the profile "
            f"'{app.profile_name}'. Nothing was changed. To change your "
            "slots use `costanza cadence set`; to write a fresh settings file run "
            "`costanza init --force` (your queue and accounts are kept)."
        )
    # Check what was typed before anything is written.
    if timezone is not None:
        parse_timezone(timezone)
    parsed = parse_slots(slots or DEFAULT_SLOTS) if (slots or not known) else None
    if not cfg.exists() or force:
        _write_template(cfg, app)
    from sqlalchemy import select

    from posts.models import Profile

    with app.store.write() as db:
        existing = db.scalars(select(Profile).where(Profile.name == app.profile_name)).first()
        zone_name = timezone if timezone is not None else (
            existing.timezone if existing else system_timezone())
        parse_timezone(zone_name)
        profile = create_or_update_profile(
            db, app.profile_name, zone_name, app.clock.now(),
            [(s.weekday, s.minute) for s in parsed] if parsed is not None else None)
        current = [WeeklySlot(s.weekday, s.minute) for s in profile.slots]
    return InitResult(config_file=cfg, timezone=zone_name, slots=format_slots(current))


def _write_template(cfg: Path, app: App) -> None:
    try:
        cfg.parent.mkdir(parents=True, exist_ok=True)
        app.settings.home.data_dir.mkdir(parents=True, exist_ok=True)
        tmp = cfg.with_name(cfg.name + ".tmp")
        tmp.write_text(TEMPLATE, encoding="utf-8")
        os.replace(tmp, cfg)
    except OSError as exc:
        raise SettingsError(
            f"Costanza could not write its settings file {cfg} ({exc.strerror}). "
            "Check that the folder exists and that you may write there."
        ) from None
