"""The page of `costanza web` on a real SQLite store, through Starlette's TestClient, and a
worker that publishes to a recording publisher on the test's fake clock."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from starlette.testclient import TestClient

from config.clock import FakeClock
from costanza.app import App
from costanza.web.app import create_app
from costanza.web.auth import COOKIE, Sessions
from scheduler.publishers.recording import RecordingPublisher
from scheduler.worker import Worker

BASE = "http://127.0.0.1:8765"


@dataclass
class Page:
    app: App
    sessions: Sessions
    client: TestClient

    def login(self) -> TestClient:
        answer = self.client.get(f"/login?token={self.sessions.login_token}",
                                 follow_redirects=False)
        assert answer.status_code == 303, answer.text
        return self.client

    def csrf(self) -> str:
        csrf = self.sessions.csrf_for(self.client.cookies.get(COOKIE))
        assert csrf
        return csrf


@pytest.fixture
def make_page(app: App) -> Iterator[Callable[..., Page]]:
    clients: list[TestClient] = []

    def build(sessions: Sessions | None = None, **kwargs: Any) -> Page:
        sessions = sessions or Sessions()
        client = TestClient(create_app(app, sessions, **kwargs), base_url=BASE,
                            raise_server_exceptions=False)
        clients.append(client)
        return Page(app, sessions, client)

    yield build
    for client in clients:
        client.close()


@pytest.fixture
def page(make_page: Callable[..., Page]) -> Page:
    return make_page()


@dataclass
class Publishing:
    """A worker of the test's own, publishing to recording publishers."""

    app: App
    clock: FakeClock
    fakes: dict[str, RecordingPublisher]
    worker: Worker

    def run_slot(self, post_id: int) -> None:
        """Move the clock to the post's planned time and let the worker send it."""
        from datetime import datetime

        from costanza.services.views import list_posts

        planned = next(p for p in list_posts(self.app) if p["id"] == post_id)["planned_at"]
        self.clock.set(datetime.fromisoformat(planned) + timedelta(seconds=5))
        self.worker.tick()


@pytest.fixture
def publishing(app: App, clock: FakeClock) -> Iterator[Publishing]:
    fakes = {n: RecordingPublisher(n) for n in ("facebook", "instagram", "x")}
    worker = Worker(app.store, app.settings, clock, lambda n: fakes[n], owner="test-daemon")
    try:
        yield Publishing(app, clock, fakes, worker)
    finally:
        worker.shutdown()
