"""Setting Costanza up: the settings file, the database, the first profile."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from config import i18n
from config.errors import InputError, SettingsError, TimezoneNeeded, os_reason
from config.i18n import _
from config.template import template
from costanza.app import App
from costanza.services.tzdetect import detect_timezone, is_utc

DEFAULT_SLOTS = "mon 09:30, wed 18:00, fri 12:00"


@dataclass
class InitResult:
    config_file: Path
    timezone: str
    slots: str
    zone_source: str = "given"  # or "kept", "computer", "asked"


def _choose_zone(timezone: str | None, known: bool, ask: Callable[[str | None], str] | None,
                 detect: Callable[[], str | None]) -> tuple[str | None, str]:
    """The zone to use and where it came from: 'given', 'kept' (None: the profile's own),
    'computer' or 'asked'. A clock on UTC is a server's, not the artisan's: every slot
    would be an hour or two off, so Costanza asks, or refuses without a terminal."""
    from scheduler.planning.cadence import parse_timezone

    if timezone:
        return parse_timezone(timezone).key, "given"
    if known:
        return None, "kept"
    found = detect()
    if found is not None and not is_utc(found):
        return found, "computer"
    if ask is not None:
        return parse_timezone(ask(found)).key, "asked"
    if found:
        raise TimezoneNeeded(_(
            "This computer's clock is set to UTC, which is rarely where you live, and your "
            "slots would be planned in it. Nothing was set up. Say where you are: run "
            "`costanza init --timezone Europe/Rome` (with your own zone)."))
    raise TimezoneNeeded(_(
        "Costanza could not tell this computer's time zone, and your slots would be "
        "planned in it. Nothing was set up. Say where you are: run "
        "`costanza init --timezone Europe/Rome` (with your own zone)."))


def _profile_exists(app: App) -> bool:
    from sqlalchemy import select

    from posts.models import Profile

    with app.store.read() as db:
        return db.scalar(select(Profile.id).where(Profile.name == app.profile_name)) is not None


def initialise(app: App, timezone: str | None, slots: str | None, force: bool,
               ask_zone: Callable[[str | None], str] | None = None,
               detect: Callable[[], str | None] = detect_timezone) -> InitResult:
    """Write the settings file (if there is none, or with ``force``) and create or update
    the current profile. With an existing profile, what is not given is kept. Without a
    zone, this computer's is used; when that is UTC (or unknown: ``ask_zone`` is given
    what was found, or None), ``ask_zone`` asks for one; without it, it refuses."""
    from posts.profiles import create_or_update_profile
    from scheduler.planning.cadence import WeeklySlot, format_slots, parse_slots, parse_timezone

    cfg = app.settings.home.config_file
    known = cfg.exists() and _profile_exists(app)
    if known and not force:
        raise InputError(_(
            "Costanza is already set up here ({file}) for the profile "
            "'{profile}'. Nothing was changed. To change your "
            "slots use `costanza cadence set`; to write a fresh settings file run "
            "`costanza init --force` (your queue and accounts are kept)."
        ).format(file=cfg, profile=app.profile_name))
    # Check what was typed, and settle the zone, before anything is written.
    if timezone is not None:
        parse_timezone(timezone)
    chosen, source = _choose_zone(timezone, known, ask_zone, detect)
    parsed = parse_slots(slots or DEFAULT_SLOTS) if (slots or not known) else None
    if not cfg.exists() or force:
        _write_template(cfg, app)
    from sqlalchemy import select

    from posts.models import Profile

    with app.store.write() as db:
        existing = db.scalars(select(Profile).where(Profile.name == app.profile_name)).first()
        zone_name = chosen or (existing.timezone if existing else "")
        parse_timezone(zone_name)
        profile = create_or_update_profile(
            db, app.profile_name, zone_name, app.clock.now(),
            [(s.weekday, s.minute) for s in parsed] if parsed is not None else None)
        current = [WeeklySlot(s.weekday, s.minute) for s in profile.slots]
    return InitResult(config_file=cfg, timezone=zone_name, slots=format_slots(current),
                      zone_source=source)


def _write_template(cfg: Path, app: App) -> None:
    try:
        cfg.parent.mkdir(parents=True, exist_ok=True)
        app.settings.home.data_dir.mkdir(parents=True, exist_ok=True)
        tmp = cfg.with_name(cfg.name + ".tmp")
        tmp.write_text(template(i18n.language()), encoding="utf-8")
        os.replace(tmp, cfg)
    except OSError as exc:
        raise SettingsError(_(
            "Costanza could not write its settings file {file} ({reason}). "
            "Check that the folder exists and that you may write there."
        ).format(file=cfg, reason=os_reason(exc))) from None
