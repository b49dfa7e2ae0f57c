"""Originals of removed and published posts leave the media store after the retention."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from config.clock import FakeClock
from costanza.app import App
from posts import queue
from posts.media.retention import tidy_originals
from posts.models import Media, Post
from posts.profiles import get_profile
from tests.factories import queue as posts
from tests.factories.media import make_jpeg

KEEP = timedelta(days=30)


@pytest.fixture
def app(backend: str, make_app: Any) -> App:
    return make_app()


def _post(app: App, photo: Path) -> tuple[int, Path]:
    post_id = posts.add(app, "La lana", ["facebook"], photos=[photo])
    with app.store.read() as db:
        post = db.get(Post, post_id)
        assert post is not None
        return post_id, app.media.root / db.get(Media, post.media[0].media_sha256).store_path


def _remove(app: App, post_id: int) -> None:
    with app.store.write() as db:
        queue.remove_post(db, get_profile(db, "default"), post_id, app.clock.now())


def _tidy(app: App, keep: timedelta | None = KEEP) -> tuple[int, int]:
    return tidy_originals(app.store, app.media, app.clock.now(), keep)


def _media_rows(app: App) -> int:
    with app.store.read() as db:
        return len(db.query(Media).all())


def test_a_removed_posts_original_goes_after_30_days_and_not_before(
        app: App, clock: FakeClock, tmp_path: Path) -> None:
    post_id, stored = _post(app, make_jpeg(tmp_path / "lana.jpg"))
    _remove(app, post_id)
    clock.advance(days=29, hours=23)
    assert _tidy(app) == (0, 0)
    assert stored.is_file()
    clock.advance(hours=1)
    files, size = _tidy(app)
    assert files == 1 and size > 0
    assert not stored.exists() and _media_rows(app) == 0


def test_a_published_posts_original_goes_30_days_after_it_settled(
        app: App, clock: FakeClock, tmp_path: Path) -> None:
    post_id, stored = _post(app, make_jpeg(tmp_path / "lana.jpg"))
    posts.dispatched(app, post_id, "facebook", "published", clock.now())
    clock.advance(days=29)
    assert _tidy(app) == (0, 0) and stored.is_file()
    clock.advance(days=1)
    assert _tidy(app)[0] == 1 and not stored.exists()


def test_a_file_another_post_still_uses_stays(app: App, clock: FakeClock,
                                              tmp_path: Path) -> None:
    photo = make_jpeg(tmp_path / "lana.jpg")
    first, stored = _post(app, photo)
    _post(app, photo)
    _remove(app, first)
    clock.advance(days=60)
    assert _tidy(app) == (0, 0) and stored.is_file() and _media_rows(app) == 1


def test_never_keeps_every_original(app: App, clock: FakeClock, tmp_path: Path) -> None:
    post_id, stored = _post(app, make_jpeg(tmp_path / "lana.jpg"))
    _remove(app, post_id)
    clock.advance(days=400)
    assert _tidy(app, None) == (0, 0) and stored.is_file()


def test_an_add_of_the_same_file_during_the_tidy_never_loses_it(
        app: App, clock: FakeClock, tmp_path: Path) -> None:
    photo = make_jpeg(tmp_path / "lana.jpg")
    for _ in range(5):
        post_id, _stored = _post(app, photo)
        _remove(app, post_id)
        clock.advance(days=31)
        added: list[int] = []
        adder = threading.Thread(target=lambda out=added: out.append(_post(app, photo)[0]))
        adder.start()
        _tidy(app)
        adder.join(timeout=60)
        assert added, "the add did not finish"
        with app.store.read() as db:
            post = db.get(Post, added[0])
            media = db.get(Media, post.media[0].media_sha256)
            assert media is not None
            assert (app.media.root / media.store_path).is_file()
        _remove(app, added[0])


def test_the_daemon_housekeeping_removes_due_originals(
        app: App, clock: FakeClock, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from scheduler.daemon import Daemon
    from scheduler.publishers.recording import RecordingPublisher

    post_id, stored = _post(app, make_jpeg(tmp_path / "lana.jpg"))
    _remove(app, post_id)
    clock.advance(days=31)
    daemon = Daemon(app, publishers=lambda n: RecordingPublisher(n))
    try:
        with caplog.at_level("INFO", logger="costanza.media"):
            daemon.housekeeping()
    finally:
        daemon.worker.shutdown()
    assert not stored.exists()
    assert any("removed 1 original" in r.getMessage() and "MB" in r.getMessage()
               for r in caplog.records)


def test_status_shows_the_store_size_and_what_is_due(
        app: App, clock: FakeClock, tmp_path: Path) -> None:
    from costanza.formatting import iso
    from costanza.services.schedule import status

    post_id, stored = _post(app, make_jpeg(tmp_path / "lana.jpg", size=(800, 600)))
    media = status(app)["media_store"]
    assert media["originals_bytes"] == stored.stat().st_size and media["due_count"] == 0
    _remove(app, post_id)
    media = status(app)["media_store"]
    assert media["due_count"] == 1 and media["due_bytes"] == stored.stat().st_size
    assert media["due_at"] == iso(clock.now() + KEEP)
