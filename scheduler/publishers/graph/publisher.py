"""What the Facebook and Instagram publishers share: the token, the account id, the session.

``GraphPublisher`` opens a ``GraphClient`` on the account's token for each
``publish`` and ``reconcile``, closes its session afterwards, and hands the
network's own steps (``_publish``, ``_reconcile``) the client and the saved
progress. A subclass names its network, which secret keys may hold its token
and the token's name in the message when none is saved.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from scheduler.publishers.base import Checkpoint, PublishRequest, PublishResult, Reconciled
from scheduler.publishers.graph.client import GRAPH_HOST, GRAPH_VERSION, GraphClient, open_client
from scheduler.publishers.progress import Progress


class GraphPublisher:
    """Base of the Graph API publishers (one account per request)."""

    network: str
    token_keys: tuple[str, ...]  # the secrets that may hold the token, first saved wins
    token_name: str  # the token as the user knows it ("Page token")
    graph_version: str = GRAPH_VERSION  # [networks] graph_api_version, set by the registry

    def __init__(
        self,
        base_url: str | None = None,
        *,
        timeout: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.base_url = base_url
        self.timeout = timeout
        self.sleep = sleep
        self.now = now or (lambda: datetime.now(UTC))

    def _host(self, request: PublishRequest) -> str:
        """The Graph host that the account's token belongs to."""
        return GRAPH_HOST

    def _client(self, request: PublishRequest) -> GraphClient:
        return open_client(request, self.token_keys, network=self.network,
                           token_name=self.token_name, base_url=self.base_url,
                           timeout=self.timeout, now=self.now, host=self._host(request),
                           version=self.graph_version)

    def publish(self, request: PublishRequest, checkpoint: Checkpoint) -> PublishResult:
        """Publish (or resume publishing) one delivery."""
        client = self._client(request)
        with client.session:
            return self._publish(client, request, Progress(request.progress, checkpoint))

    def reconcile(self, request: PublishRequest) -> Reconciled:
        """After an unknown outcome: did the post go out?

        Raises ``AuthExpired`` or ``RetryLater`` when the account cannot be read now.
        """
        client = self._client(request)
        with client.session:
            return self._reconcile(client, request)

    def _publish(self, client: GraphClient, request: PublishRequest,
                 progress: Progress) -> PublishResult:
        raise NotImplementedError

    def _reconcile(self, client: GraphClient, request: PublishRequest) -> Reconciled:
        raise NotImplementedError
