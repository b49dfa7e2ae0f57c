from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from costanza.app import App
from costanza.errors import InputError
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
    assert e.value.message == (
        "The time given with --at has already passed. Give a time in the future, "
        'for example --at "2026-12-24 10:00".')


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
    from posts import media_store, probe

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
