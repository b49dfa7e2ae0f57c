from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from config.errors import InputError
from costanza.app import App
from posts import queue
from posts.profiles import get_profile
from tests.factories import queue as posts
from tests.factories.media import make_jpeg


def _edit(app: App, post_id: int, changes: dict) -> None:
    with app.store.write() as db:
        profile = get_profile(db, "default")
        queue.edit_post(db, profile, post_id, changes, None, app.clock.now())


def test_edit_to_a_past_time_says_how_to_give_one(app: App) -> None:
    post_id = posts.add(app, "Dal filo alla sciarpa", ["facebook"])
    with pytest.raises(InputError) as e:
        _edit(app, post_id, {"at": app.clock.now() - timedelta(hours=1)})
    week_ahead = (app.clock.now() + timedelta(days=7)).strftime("%Y-%m-%d")
    assert e.value.message == (
        "The time given with --at has already passed. Give a time in the future, "
        f'for example --at "{week_ahead} 10:00".')


def test_edit_that_empties_a_post_says_what_to_do(app: App) -> None:
    post_id = posts.add(app, "Dal filo alla sciarpa", ["facebook"])
    with pytest.raises(InputError) as e:
        _edit(app, post_id, {"text": "  "})
    assert e.value.message == (
        f"Post {post_id} would be left with no text, photo or video, so nothing was changed. "
        f'Give it a text, for example `costanza post edit {post_id} --text "..."`.')
    with app.store.read() as db:
        assert queue.get_post(db, get_profile(db, "default"), post_id).text == (
            "Dal filo alla sciarpa")


def test_add_post_probes_each_photo_once(app: App, tmp_path: Path, monkeypatch) -> None:
    from posts.media import probe
    from posts.media import store as media_store

    calls = []
    real = probe.probe

    def counting(path, *args, **kwargs):
        calls.append(Path(path).name)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(probe, "probe", counting)
    monkeypatch.setattr(media_store, "probe", counting)
    photo = make_jpeg(tmp_path / "telaio.jpg")
    post_id = posts.add(app, "Il telaio", ["facebook"], photos=[photo])
    assert calls == ["telaio.jpg"]
    with app.store.read() as db:
        post = queue.get_post(db, get_profile(db, "default"), post_id)
        assert [m.item.original_name for m in post.media] == ["telaio.jpg"]


def _failed_add(app: App, photo: Path) -> list:
    """An add of ``photo`` whose transaction fails after the copy: the files it copied."""
    created: list = []
    with pytest.raises(RuntimeError), app.store.write() as db:
        profile = get_profile(db, "default")
        queue.add_post(db, app.media, profile,
                       queue.PostDraft(text="Il telaio", photos=[photo], targets=["facebook"]),
                       app.clock.now(), created)
        raise RuntimeError("the commit failed")
    assert [item.created for item in created] == [True]
    return created


def _media_file_of(app: App, post_id: int) -> Path:
    with app.store.read() as db:
        post = queue.get_post(db, get_profile(db, "default"), post_id)
        return app.media.path_of(post.media[0].item.store_path)


def test_a_failed_add_keeps_the_file_another_post_took_up_meanwhile(
        backend: str, make_app: Any, tmp_path: Path) -> None:
    """Two adds of the same photo (two terminals): the first copies it and fails; the
    second, finding the file there, uses it and commits before the first cleans up.
    The file must stay; only a file no post uses is removed."""
    app = make_app()
    photo = make_jpeg(tmp_path / "telaio.jpg")
    created = _failed_add(app, photo)
    post_id = posts.add(app, "Il telaio, di nuovo", ["facebook"], photos=[photo])
    queue.discard_new_media(app.store, app.media, created)
    assert _media_file_of(app, post_id).is_file()
    lone = _failed_add(app, make_jpeg(tmp_path / "fuso.jpg", size=(90, 70)))
    queue.discard_new_media(app.store, app.media, lone)
    assert not lone[0].path.exists()  # nobody uses this one


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)  # SQLite: writes take turns
def test_an_add_copies_the_file_again_if_a_failed_add_removed_it_meanwhile(
        backend: str, make_app: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On PostgreSQL two adds run side by side: the second finds the file copied by the
    first, which then fails and removes it before the second holds the file's lock. The
    second copies it again, and its post has its photo."""
    app = make_app()
    photo = make_jpeg(tmp_path / "telaio.jpg")
    created = _failed_add(app, photo)
    real_hold = queue.hold_media

    def first_cleans_up_now(db: Any, sha256: str) -> None:
        monkeypatch.setattr(queue, "hold_media", real_hold)
        queue.discard_new_media(app.store, app.media, created)  # between copy and lock
        assert not created[0].path.exists()
        real_hold(db, sha256)

    monkeypatch.setattr(queue, "hold_media", first_cleans_up_now)
    post_id = posts.add(app, "Il telaio, di nuovo", ["facebook"], photos=[photo])
    assert _media_file_of(app, post_id).is_file()


def test_a_clean_up_that_cannot_reach_the_database_keeps_the_files_and_says_why(
        app: App, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Whether another post took up a file cannot be checked: the file stays (a spare
    file is harmless, a missing one stops a post), and the log says so."""
    from posts.store import Store

    created = _failed_add(app, make_jpeg(tmp_path / "telaio.jpg"))
    unreachable = Store("postgresql+psycopg://postgres@127.0.0.1:9/nowhere", migrate=False)
    try:
        with caplog.at_level("WARNING", logger="costanza.media"):
            queue.discard_new_media(unreachable, app.media, created)
    finally:
        unreachable.dispose()
    assert created[0].path.exists()
    assert "stay in the media folder" in caplog.text
