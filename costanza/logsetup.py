"""Logging for the daemon: readable lines by default, JSON on request (journald-friendly).

Third-party loggers that print headers or URLs at DEBUG (urllib3, requests_oauthlib,
oauthlib, tweepy, botocore/boto3/s3transfer) are kept at WARNING, so that no secret reaches a log.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

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


def setup_logging(fmt: str = "text", verbose: bool = False) -> None:
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s",
                                               "%Y-%m-%d %H:%M:%S"))
    # Every record that reaches the handler is scrubbed of known secrets, whichever
    # library logged it (the per-logger filters cover the libraries we know of).
    from scheduler.publishers.hygiene import redacting_filter

    handler.addFilter(redacting_filter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for name in NOISY:
        logging.getLogger(name).setLevel(logging.WARNING)


def setup_cli_logging() -> None:
    """``--verbose`` for the other commands: INFO on stderr, the same scrubbing filter and
    the same quiet third-party loggers as the daemon."""
    from scheduler.publishers.hygiene import redacting_filter

    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    for handler in logging.getLogger().handlers:
        if redacting_filter() not in handler.filters:
            handler.addFilter(redacting_filter())
    for name in NOISY:
        logging.getLogger(name).setLevel(logging.WARNING)
