"""Run as a separate process: append one try to a delivery, as the daemon would.

    python -m tests.log.writer DATABASE_URL DELIVERY_ID OUTCOME [MESSAGE]
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime

from posts.models import Delivery
from posts.store import Store
from scheduler.delivery import record_attempt


def main(argv: list[str]) -> None:
    url, delivery_id, outcome = argv[0], int(argv[1]), argv[2]
    message = argv[3] if len(argv) > 3 else None
    store = Store(url)
    now = datetime.now(UTC)
    with store.write() as db:
        delivery = db.get(Delivery, delivery_id)
        assert delivery is not None
        record_attempt(db, delivery, action="publish", outcome=outcome, started=now, now=now,
                       owner="other-process", message=message, http_status=503)
    store.dispose()


if __name__ == "__main__":
    main(sys.argv[1:])
