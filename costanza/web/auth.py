"""Who may see the page: the one-time login token, the sessions, CSRF and the Host check.

`costanza web` makes one random token and prints it in the address to open. Visiting
that address once turns it into a session: a random id in a cookie (HttpOnly,
SameSite=Strict, Path=/) that only this server knows, kept in memory (restarting
`costanza web` ends every session). Each session has its own CSRF token, put in a
hidden field of every form and compared in constant time on every POST, together
with the browser's Origin header.
"""

from __future__ import annotations

import hmac
import os
import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

COOKIE = "costanza_session"
CSRF_FIELD = "csrf"
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")


def is_loopback(host: str) -> bool:
    return host in LOOPBACK_NAMES or host.startswith("127.")


@dataclass
class Sessions:
    """The login token (spent at its first use) and the sessions it opened. With a
    ``login_file``: also the token written there (by `costanza web`, for the page inside
    the daemon), spent too at its first use (the file is removed)."""

    login_token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    login_file: Path | None = None
    _spent: bool = False
    _csrf: dict[str, str] = field(default_factory=dict)  # session id -> its CSRF token
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def log_in(self, token: str) -> str | None:
        """A new session's id for the right token, used for the first time; else None."""
        with self._lock:
            if not (self._first_use(token) or self._from_file(token)):
                return None
            session = secrets.token_urlsafe(32)
            self._csrf[session] = secrets.token_urlsafe(32)
            return session

    def _first_use(self, token: str) -> bool:
        if self._spent or not hmac.compare_digest(token.encode(), self.login_token.encode()):
            return False
        self._spent = True
        return True

    def _from_file(self, token: str) -> bool:
        """The token of the login file, if it is private to this user (0600) and matches."""
        if self.login_file is None:
            return False
        try:
            if os.stat(self.login_file).st_mode & 0o077:
                return False
            written = self.login_file.read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            return False
        if not written or not hmac.compare_digest(token.encode(), written.encode()):
            return False
        self.login_file.unlink(missing_ok=True)
        return True

    def csrf_for(self, session: str | None) -> str | None:
        """The CSRF token of a live session (None: no such session)."""
        if not session:
            return None
        with self._lock:
            for known, csrf in self._csrf.items():
                if hmac.compare_digest(known.encode(), session.encode()):
                    return csrf
        return None

    def csrf_matches(self, session: str | None, given: str | None) -> bool:
        expected = self.csrf_for(session)
        return bool(expected and given) and hmac.compare_digest(
            expected.encode(), str(given).encode())


def host_allowed(host_header: str | None, bound_to_loopback: bool) -> bool:
    """Bound to this computer only, the page answers only to this computer's own names
    (a web page elsewhere cannot reach it through a name of its own)."""
    if not bound_to_loopback:
        return True
    if not host_header:
        return False
    name = urlsplit(f"//{host_header}").hostname or ""
    return is_loopback(name)


def origin_allowed(origin: str | None, referer: str | None, host_header: str | None) -> bool:
    """A form posted from this very page: its Origin (or, without one, its Referer) names
    the host the browser asked. Neither header: only the CSRF token decides."""
    claimed = origin if origin is not None else referer
    if claimed is None:
        return True
    if claimed == "null" or not host_header:
        return False
    return urlsplit(claimed).netloc.lower() == host_header.lower()
