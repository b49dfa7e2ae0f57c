"""Keeping tokens out of what the HTTP libraries print.

- ``QuietAdapter``: a transport adapter whose connections ignore
  ``http.client``'s debug printing (which would print headers and bodies,
  tokens included, to stdout).
- The log scrubber itself (``redact``, ``remember_secrets``, the logging filter) lives in
  ``config.scrub`` and is re-exported here for the publishers.
"""

from __future__ import annotations

from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from config.scrub import (
    HIDDEN,
    NOISY_FAMILIES,
    NOISY_LOGGERS,
    install_log_filters,
    redact,
    redacting_filter,
    remember_secrets,
)

__all__ = ["HIDDEN", "NOISY_FAMILIES", "NOISY_LOGGERS", "QuietAdapter", "install_log_filters",
           "redact", "redacting_filter", "remember_secrets"]


class _QuietHTTPConnection(HTTPConnection):
    debuglevel = 0

    def set_debuglevel(self, level: int) -> None:
        pass


class _QuietHTTPSConnection(HTTPSConnection):
    debuglevel = 0

    def set_debuglevel(self, level: int) -> None:
        pass


class _QuietHTTPPool(HTTPConnectionPool):
    ConnectionCls = _QuietHTTPConnection


class _QuietHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _QuietHTTPSConnection


class QuietAdapter(HTTPAdapter):
    """An adapter whose connections never print requests (headers, bodies) to stdout."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _QuietHTTPPool,
                                                   "https": _QuietHTTPSPool}
