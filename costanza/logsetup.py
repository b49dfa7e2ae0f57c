"""Logging for the daemon: readable lines by default, JSON on request (journald-friendly).

Readable lines carry their time in the profile's time zone, with the zone's abbreviation
("2026-12-07 10:18:35 CET"), so that they read like the artisan's clock; JSON lines keep
UTC ISO times for machines.

Third-party loggers that print headers or URLs at DEBUG (urllib3, requests_oauthlib,
oauthlib, tweepy, botocore/boto3/s3transfer) are kept at WARNING, so that no secret reaches a log.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime, tzinfo

from costanza.formatting import zone_name

NOISY = ("urllib3", "requests_oauthlib", "oauthlib", "tweepy", "facebook", "apscheduler",
         "botocore", "boto3", "s3transfer")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data = {"time": datetime.fromtimestamp(record.created, UTC).isoformat(),
                "level": record.levelname.lower(), "logger": record.name,
                "message": record.getMessage()}
        for key in ("delivery_id", "network", "outcome", "duration_ms", "permalink"):
            if hasattr(record, key):
                data[key] = getattr(record, key)
        return json.dumps(data, ensure_ascii=False)


class LocalFormatter(logging.Formatter):
    """Readable lines whose time is the record's own (``record.created``) in ``tz``, with
    the zone's abbreviation or offset: "2026-12-07 10:18:35 CET"."""

    def __init__(self, tz: tzinfo = UTC) -> None:
        super().__init__("%(asctime)s %(levelname)s %(message)s")
        self.tz = tz

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return format_stamp(record.created, self.tz)


def format_stamp(created: float, tz: tzinfo) -> str:
    """A log line's time stamp: the moment ``created`` (seconds since the epoch) in ``tz``,
    with the zone's abbreviation (its offset, when the zone has no abbreviation)."""
    moment = datetime.fromtimestamp(created, tz)
    return moment.strftime("%Y-%m-%d %H:%M:%S ") + zone_name(moment)


def setup_logging(fmt: str = "text", verbose: bool = False, tz: tzinfo = UTC) -> None:
    """The daemon's logging on stderr; readable lines stamp their time in ``tz`` (the
    default profile's time zone)."""
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(LocalFormatter(tz))
    # Every record that reaches the handler is scrubbed of known secrets, whichever
    # library logged it (the per-logger filters cover the libraries we know of).
    from scheduler.http.hygiene import redacting_filter

    handler.addFilter(redacting_filter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for name in NOISY:
        logging.getLogger(name).setLevel(logging.WARNING)


def setup_cli_logging() -> None:
    """``--verbose`` for the other commands: INFO on stderr, the same scrubbing filter and
    the same quiet third-party loggers as the daemon."""
    from scheduler.http.hygiene import redacting_filter

    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    for handler in logging.getLogger().handlers:
        if redacting_filter() not in handler.filters:
            handler.addFilter(redacting_filter())
    for name in NOISY:
        logging.getLogger(name).setLevel(logging.WARNING)
