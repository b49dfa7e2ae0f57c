"""Converted copies no post needs any more are removed; the others stay."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from costanza.app import App
from posts.media.fit import fit_for
from posts.media.tidy import tidy_fitted
from posts.models import Delivery, Media, Post
from tests.factories import queue as posts
from tests.factories.media import make_jpeg

DAY = 24 * 3600


@pytest.fixture
def app(backend: str, make_app: Any) -> App:
    return make_app()


def _wide_photo_post(app: App, tmp_path: Path, name: str, targets: list[str]) -> tuple[int, str]:
    """A 3:1 photo (Instagram gets a padded copy) on a queued post: (post id, its sha256)."""
    photo = make_jpeg(tmp_path / name, size=(300, 100))
    post_id = posts.add(app, "Il telaio", targets, photos=[photo])
    with app.store.read() as db:
        post = db.get(Post, post_id)
        assert post is not None
        return post_id, post.media[0].media_sha256


def _instagram_copy(app: App, sha: str) -> Path:
    with app.store.read() as db:
        media = db.get(Media, sha)
        fitted = fit_for("instagram", media, app.media, "pad")
    assert fitted.path.parent == app.media.fitted_dir("instagram")
    return Path(fitted.path)


def _age(app: App, path: Path, days: float) -> None:
    """Date the copy's last use ``days`` before the app's clock (the clock that marks it)."""
    then = app.clock.now().timestamp() - days * DAY
    for each in (path, path.with_name(path.name + ".json")):
        os.utime(each, (then, then))


def _tidy(app: App) -> tuple[int, int]:
    with app.store.read() as db:
        return tidy_fitted(db, app.media, app.clock.now())


def test_a_copy_stays_until_its_post_has_gone_out_and_a_day_has_passed(
        app: App, tmp_path: Path) -> None:
    post_id, sha = _wide_photo_post(app, tmp_path, "telaio.jpg", ["instagram"])
    copy = _instagram_copy(app, sha)
    sidecar = copy.with_name(copy.name + ".json")
    made = app.clock.now().timestamp()  # made now by the app's clock, whatever day it is
    assert copy.stat().st_mtime == sidecar.stat().st_mtime == made
    _age(app, copy, 2)
    assert _tidy(app) == (0, 0)  # the post is still queued
    posts.dispatched(app, post_id, "instagram", "queued", app.clock.now())
    for state in ("queued", "publishing", "unknown", "failed", "held", "needs_review"):
        with app.store.write() as db:
            db.execute(update(Delivery).values(state=state))
        assert _tidy(app) == (0, 0), state  # may still be sent (again)
        assert copy.exists()
    with app.store.write() as db:
        db.execute(update(Delivery).values(state="published"))
    _age(app, copy, 0.5)
    assert _tidy(app) == (0, 0)  # used less than a day ago
    _age(app, copy, 2)
    size = copy.stat().st_size + sidecar.stat().st_size
    assert _tidy(app) == (2, size)
    assert not copy.exists() and not sidecar.exists()
    with app.store.read() as db:  # the original stays; the copy is made again if needed
        assert app.media.path_of(db.get(Media, sha).store_path).is_file()
    assert _instagram_copy(app, sha) == copy and copy.exists()


def test_a_copy_shared_by_another_post_for_the_same_network_stays(
        app: App, tmp_path: Path) -> None:
    first, sha = _wide_photo_post(app, tmp_path, "telaio.jpg", ["instagram"])
    copy = _instagram_copy(app, sha)
    posts.dispatched(app, first, "instagram", "published", app.clock.now())
    second, same = _wide_photo_post(app, tmp_path, "telaio-again.jpg", ["x", "instagram"])
    assert same == sha  # one file per content in the store
    _age(app, copy, 2)
    assert _tidy(app) == (0, 0)  # the second post will show it on Instagram
    with app.store.write() as db:
        post = db.get(Post, second)
        assert post is not None
        post.targets = ["x"]
    assert _tidy(app)[0] == 2  # on X only: Instagram's copy is no longer needed


def test_using_a_copy_marks_it_used_and_other_files_are_left_alone(
        app: App, tmp_path: Path) -> None:
    post_id, sha = _wide_photo_post(app, tmp_path, "telaio.jpg", ["instagram"])
    copy = _instagram_copy(app, sha)
    posts.dispatched(app, post_id, "instagram", "published", app.clock.now())
    stray = copy.parent / ".part-being-written.jpg"
    stray.write_bytes(b"half a photo")
    for path in (copy, stray):
        os.utime(path, (app.clock.now().timestamp() - 2 * DAY,) * 2)
    _age(app, copy, 2)
    assert _instagram_copy(app, sha) == copy  # taken from the cache: used just now
    assert _tidy(app) == (0, 0)
    assert stray.exists()


def test_the_daemon_tidies_once_a_day(app: App, tmp_path: Path) -> None:
    from scheduler.daemon import Daemon
    from scheduler.publishers.recording import RecordingPublisher

    post_id, sha = _wide_photo_post(app, tmp_path, "telaio.jpg", ["instagram"])
    copy = _instagram_copy(app, sha)
    posts.dispatched(app, post_id, "instagram", "published", app.clock.now())
    _age(app, copy, 2)
    daemon = Daemon(app, publishers=lambda n: RecordingPublisher(n))
    try:
        daemon.housekeeping()
    finally:
        daemon.worker.shutdown()
    assert not copy.exists()
