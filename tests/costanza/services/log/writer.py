"""Run as a separate process: append one try to a delivery, as the daemon would.

    python -m tests.costanza.services.log.writer DATABASE_URL DELIVERY_ID OUTCOME MESSAGE \
        [ID OUTCOME MESSAGE]...

Several tries may be given; each is committed in its own transaction.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime

from posts.deliveries import record_attempt
from posts.models import Delivery
from posts.store import Store


def main(argv: list[str]) -> None:
    store = Store(argv[0])
    rest = argv[1:]
    for i in range(0, len(rest), 3):
        delivery_id, outcome, message = int(rest[i]), rest[i + 1], rest[i + 2] or None
        now = datetime.now(UTC)
        with store.write() as db:
            delivery = db.get(Delivery, delivery_id)
            assert delivery is not None
            record_attempt(db, delivery, action="publish", outcome=outcome, started=now,
                           now=now, owner="other-process", message=message, http_status=503)
    store.dispose()


if __name__ == "__main__":
    main(sys.argv[1:])
