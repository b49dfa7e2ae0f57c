"""This computer's time zone, found the way tzlocal does it, without the dependency.

Costanza stores every time in UTC but plans and shows them in the profile's zone, so a
wrong zone moves every post. The zone is read from (in this order) the ``TZ``
environment variable, the ``/etc/localtime`` link into the zone database, and
``/etc/timezone`` (Debian's plain-text copy). Each source is passed in, so tests never
depend on the machine they run on.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from zoneinfo import ZoneInfo

LOCALTIME = Path("/etc/localtime")
TIMEZONE_FILE = Path("/etc/timezone")

# Names that all mean "the clock is on UTC": typical of servers, rarely where anyone lives.
UTC_NAMES = frozenset({"UTC", "Etc/UTC", "UCT", "Etc/UCT", "GMT", "Etc/GMT", "GMT0", "GMT+0",
                       "GMT-0", "Etc/GMT0", "Etc/GMT+0", "Etc/GMT-0", "Greenwich",
                       "Etc/Greenwich", "Universal", "Etc/Universal", "Zulu", "Etc/Zulu"})


def is_utc(name: str) -> bool:
    return name in UTC_NAMES


def _zone_name(text: str) -> str | None:
    """An IANA name from a TZ value or a path into the zone database, if it is one."""
    text = text.strip().lstrip(":")
    if "zoneinfo/" in text:
        text = text.split("zoneinfo/", 1)[1]
        for prefix in ("posix/", "right/"):
            text = text.removeprefix(prefix)
    if not text or text.startswith("/") or ".." in text:
        return None
    try:
        ZoneInfo(text)
    except (ValueError, KeyError, OSError):  # ZoneInfoNotFoundError is a KeyError
        return None
    return text


def detect_timezone(env: Mapping[str, str] | None = None, localtime: Path | None = None,
                    timezone_file: Path | None = None) -> str | None:
    """This computer's IANA zone name, or None when it cannot be told."""
    env = os.environ if env is None else env
    if env.get("TZ"):
        # A TZ that is set but not a zone name (a POSIX rule like "CET-1CEST") says
        # nothing Costanza can store: fall through to the files.
        found = _zone_name(env["TZ"])
        if found:
            return found
    link = localtime or LOCALTIME
    try:
        if link.is_symlink():
            # The link as the system set it (Europe/Rome), then where it finally leads.
            found = _zone_name(os.readlink(link)) or _zone_name(os.path.realpath(link))
            if found:
                return found
    except OSError:
        pass
    try:
        return _zone_name((timezone_file or TIMEZONE_FILE).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return None
