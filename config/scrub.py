"""Keeping tokens out of logs and messages.

- ``redact(text, secrets)`` hides known secrets and anything shaped like a token.
- ``remember_secrets(...)``: every secret a ``SecretStore`` hands out (and those the
  publishers use) is remembered, and a logging filter on the libraries that log request
  details at DEBUG (oauthlib, requests-oauthlib, tweepy, urllib3, facebook-sdk,
  botocore/boto3/s3transfer) scrubs them from every record.

At the bottom of the house (no HTTP here), so that the secrets file can hand what it
reads straight to it; ``scheduler.http.hygiene`` adds the quiet HTTP transport.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from urllib.parse import quote

HIDDEN = "[hidden]"

_PATTERNS = [
    re.compile(r"(access_token|input_token|oauth_token|oauth_signature|oauth_consumer_key"
               r"|client_secret|fb_exchange_token|app_secret)"
               r"(=|\"?\s*[:=]\s*\"?|'\s*,\s*')([^&\s\"',}\]]+)", re.IGNORECASE),
    re.compile(r"\b(OAuth|Bearer)\s+(?!realm)([A-Za-z0-9._~+/|%=-]{8,})"),
    # AWS signature version 4 (botocore's Authorization header and presigned addresses):
    # the access key id before the first "/" of the credential scope, and the signature.
    re.compile(r"(Credential|Signature|Security-Token)(=)([^/&\s\"',;}\]]+)", re.IGNORECASE),
]

_secrets: set[str] = set()
# The same, longest first (a secret containing another is hidden whole): rebuilt when a
# secret is added, not on every log record (a daemon with many accounts knows thousands).
_longest_first: tuple[str, ...] = ()
# With many, they are looked up by their first characters at each place in the text,
# instead of searching the text once per secret.
_PREFIX = 6  # the shortest secret remembered
_INDEX_FROM = 32  # secrets known before the index is used
_by_prefix: dict[str, tuple[str, ...]] = {}
_lock = threading.Lock()


def remember_secrets(*values: str | None) -> None:
    """Secrets to scrub from the log records of the HTTP libraries (kept in memory only)."""
    global _longest_first
    with _lock:
        before = len(_secrets)
        for value in values:
            if value and len(value) >= 6 and value not in _secrets:
                _secrets.add(value)
                _secrets.add(quote(value, safe=""))
        if len(_secrets) != before:
            longest_first = tuple(sorted(_secrets, key=len, reverse=True))
            # The index first: a thread redacting meanwhile that sees the new list (and
            # so may use the index) sees the new index too.
            _rebuild_index(longest_first)
            _longest_first = longest_first


def _rebuild_index(longest_first: tuple[str, ...]) -> None:
    global _by_prefix
    index: dict[str, list[str]] = {}
    for secret in longest_first:
        index.setdefault(secret[:_PREFIX], []).append(secret)
    _by_prefix = {k: tuple(v) for k, v in index.items()}


def _remembered_in(text: str) -> tuple[str, ...]:
    """The remembered secrets that occur in ``text``, longest first."""
    secrets = _longest_first
    if len(secrets) < _INDEX_FROM:
        return tuple(s for s in secrets if s in text)
    index = _by_prefix
    found: set[str] = set()
    for i in range(len(text) - _PREFIX + 1):
        group = index.get(text[i:i + _PREFIX])
        if group:
            found.update(s for s in group if text.startswith(s, i))
    return tuple(sorted(found, key=len, reverse=True))


def redact(text: object, secrets: Iterable[str | None] = ()) -> str:
    """``text`` with every known secret and anything that looks like a token hidden."""
    out = str(text)
    found: Iterable[str] = _remembered_in(out)
    extra = {s for s in secrets if s and len(s) >= 4 and s in out}
    if extra:
        # Longest first over both, so that no secret is cut by a shorter one it contains.
        found = sorted(extra.union(found), key=len, reverse=True)
    for secret in found:
        out = out.replace(secret, HIDDEN)
    out = _PATTERNS[0].sub(lambda m: f"{m.group(1)}{m.group(2)}{HIDDEN}", out)
    out = _PATTERNS[1].sub(lambda m: f"{m.group(1)} {HIDDEN}", out)
    out = _PATTERNS[2].sub(lambda m: f"{m.group(1)}{m.group(2)}{HIDDEN}", out)
    return out


class _RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken record is not ours to fix
            return True
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, ()
        return True


# The loggers (by exact name: a filter acts on records its own logger creates).
NOISY_LOGGERS = (
    "oauthlib.oauth1.rfc5849",
    "oauthlib.oauth1.rfc5849.signature",
    "oauthlib.oauth1.rfc5849.endpoints.base",
    "requests_oauthlib.oauth1_auth",
    "requests_oauthlib.oauth1_session",
    "tweepy.client",
    "tweepy.auth",
    "urllib3.connectionpool",
    "urllib3.connection",
    "facebook",
    "botocore.endpoint",
    "botocore.auth",
    "botocore.httpsession",
    "botocore.parsers",
    "botocore.hooks",
    "botocore.retryhandler",
    "botocore.credentials",
    "s3transfer",
)
# Every logger under these names gets the filter too (botocore and boto3 have dozens,
# created when they are first imported): a new one in a later release is covered.
NOISY_FAMILIES = ("botocore", "boto3", "s3transfer")
_FILTER = _RedactingFilter()


def redacting_filter() -> logging.Filter:
    """The filter that scrubs remembered secrets from a record (for handlers too)."""
    return _FILTER


def install_log_filters() -> None:
    """Put the scrubbing filter on the loggers that may print request details. Call it
    again after importing a library (boto3) to cover the loggers it created."""
    known = [name for name in list(logging.root.manager.loggerDict)
             if name.split(".", 1)[0] in NOISY_FAMILIES]
    for name in (*NOISY_LOGGERS, *known):
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
