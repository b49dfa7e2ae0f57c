"""The Graph API versions the sandbox answers: every version of Costanza's table not yet
retired on the sandbox's clock (``config.graph_versions``), as the real Graph API does.

A retired version is answered with error 2635 ("a deprecated version"), a version the
table does not know with 2500 ("Unknown path components").
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from config import graph_versions

VERSION = graph_versions.DEFAULT  # the version of the sandbox's own links, when none is asked
_FIRST = re.compile(r"^/(v\d+\.\d+)/")


def is_live(version: str, now: float) -> bool:
    """Whether ``version`` answers at ``now`` (the sandbox's clock, seconds since 1970)."""
    today = datetime.fromtimestamp(now, UTC).date()
    return version in graph_versions.VERSIONS and not graph_versions.is_retired(version, today)


def is_known(version: str) -> bool:
    return version in graph_versions.VERSIONS


def version_of(path: str) -> str:
    """The version a request's path names ("/v25.0/123/media" -> "v25.0"), else VERSION."""
    match = _FIRST.match(path)
    return match.group(1) if match else VERSION


LATEST = graph_versions.LATEST
