"""The New post page: "Check" shows `post add`'s verdicts and queues nothing; "Add to the
queue" queues through the same service; uploads are limited, probed, and a refusal
leaves no post and no file behind."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from costanza.web import uploads
from posts.models import Post
from tests.costanza.web.conftest import Page
from tests.factories.media import make_jpeg, make_mp4, make_text
from tests.factories.queue import connect

JPEG = "image/jpeg"


def _media_files(page: Page) -> list[str]:
    """Everything in the media folder (files and folders), to compare before and after."""
    root = page.app.media.root
    return sorted(str(p.relative_to(root)) for p in root.rglob("*")) if root.exists() else []


def _posts(page: Page) -> int:
    with page.app.store.read() as db:
        return db.scalar(select(func.count()).select_from(Post)) or 0


def _form(page: Page, **fields: Any) -> dict[str, Any]:
    return {"csrf": page.csrf(), **fields}


def _files(*items: tuple[str, Path, str]) -> list[tuple[str, tuple[str, bytes, str]]]:
    return [(field, (path.name, path.read_bytes(), kind)) for field, path, kind in items]


def _draft(html: str) -> str:
    found = re.search(r'name="draft" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


def test_the_form_has_a_label_for_every_input_and_the_connected_networks_ticked(
        page: Page) -> None:
    connect(page.app, "facebook", "x")
    html = page.login().get("/new").text
    assert 'enctype="multipart/form-data"' in html and 'action="/new/check"' in html
    assert 'type="file" multiple' in html and 'name="video" type="file"' in html
    ids = re.findall(r'<(?:input|textarea)[^>]* id="([^"]+)"', html)
    assert ids and all(f'<label for="{i}">' in html for i in ids if i not in ("",))
    ticked = re.findall(r'name="to" value="(\w+)" checked', html)
    assert ticked == ["facebook", "x"]
    assert 'formaction="/new/add"' not in html  # only once it was checked
    assert '<a href="/new" aria-current="page">' in html


def test_check_shows_each_networks_verdict_and_queues_nothing(page: Page,
                                                               tmp_path: Path) -> None:
    client = page.login()
    photo = make_jpeg(tmp_path / "telaio.jpg", size=(1200, 400))  # too wide for Instagram
    before = _media_files(page)
    answer = client.post("/new/check", data=_form(
        page, text="Il telaio di nonna", to=["facebook", "instagram", "x"]),
        files=_files(("photos", photo, JPEG)))
    assert answer.status_code == 200, answer.text
    html = answer.text
    assert "<strong>Facebook</strong>:" in html and "<strong>X</strong>:" in html
    assert re.search(r'verdict ok"><strong>Facebook</strong>:\s*ready as it is', html)
    assert re.search(r'verdict fit"><strong>Instagram</strong>:\s*will be adjusted '
                     r'automatically: ', html)
    assert "Add to the queue" in html and 'formaction="/new/add"' in html
    assert "Checked and kept for this post: telaio.jpg." in html
    assert _posts(page) == 0
    # Only the waiting upload folder is new; the store itself has copied nothing.
    new = [p for p in _media_files(page) if p not in before]
    assert new and all(p.startswith(uploads.FOLDER_PREFIX) for p in new)


def test_a_refused_verdict_is_shown_and_nothing_is_kept(page: Page, tmp_path: Path) -> None:
    client = page.login()
    before = _media_files(page)
    answer = client.post("/new/check", data=_form(page, text="x" * 400, to=["x"]),
                         files=_files(("photos", make_jpeg(tmp_path / "a.jpg"), JPEG)))
    assert answer.status_code == 400
    assert "This post cannot go out as it is" in answer.text
    assert re.search(r'verdict refused"><strong>X</strong>:\s*cannot go out: ', answer.text)
    assert 'formaction="/new/add"' not in answer.text
    assert "x" * 400 in answer.text  # the text is shown back, to be shortened
    assert _media_files(page) == before and _posts(page) == 0


@pytest.mark.pinned_dates
def test_check_then_add_queues_the_post_and_the_week_shows_it_with_its_thumbnail(
        page: Page, tmp_path: Path) -> None:
    client = page.login()
    photo = make_jpeg(tmp_path / "lana.jpg", size=(800, 600))
    second = make_jpeg(tmp_path / "fuso.jpg", size=(600, 800))
    checked = client.post("/new/check", data=_form(
        page, text="La lana della Val di Fiemme", to=["facebook"], alts="Gomitoli\n"),
        files=_files(("photos", photo, JPEG), ("photos", second, JPEG)))
    assert checked.status_code == 200, checked.text
    added = client.post("/new/add", data=_form(
        page, text="La lana della Val di Fiemme", to=["facebook"], alts="Gomitoli\n",
        draft=_draft(checked.text)), follow_redirects=False)
    assert added.status_code == 303 and added.headers["location"] == "/"
    from costanza.services.posts import show_post

    post = show_post(page.app, 1)
    assert post["text"] == "La lana della Val di Fiemme" and post["targets"] == ["facebook"]
    assert [(m["kind"], m["original_name"], m["alt"]) for m in post["media"]] == [
        ("photo", "lana.jpg", "Gomitoli"), ("photo", "fuso.jpg", None)]
    assert post["verdicts"]["facebook"]["status"] in ("ok", "fit")
    week = client.get("/").text
    assert "Added post 1. It will go out" in week and "on Facebook." in week
    assert "La lana della Val di Fiemme" in week
    sha = post["media"][0]["sha256"]
    assert f'<img class="thumb" src="/thumbs/{sha}.jpg"' in week
    assert client.get(f"/thumbs/{sha}.jpg").status_code == 200
    assert "Added post 1" not in client.get("/").text  # the notice is shown once
    # The upload folder went once the store had its copies.
    assert not [p for p in _media_files(page) if p.startswith(uploads.FOLDER_PREFIX)]


def test_a_video_is_checked_and_queued(page: Page, tmp_path: Path) -> None:
    client = page.login()
    video = make_mp4(tmp_path / "telaio.mp4", size=(320, 240))
    checked = client.post("/new/check", data=_form(page, text="Il telaio", to=["x"]),
                          files=_files(("video", video, "video/mp4")))
    assert checked.status_code == 200, checked.text
    assert re.search(r'verdict (ok|fit)"><strong>X</strong>:', checked.text)
    added = client.post("/new/add", data=_form(page, text="Il telaio", to=["x"],
                                               draft=_draft(checked.text)))
    assert added.status_code == 200 and "Added post 1." in added.text
    from costanza.services.posts import show_post

    assert [m["kind"] for m in show_post(page.app, 1)["media"]] == ["video"]


def test_add_without_a_check_refused_by_a_network_stores_nothing(page: Page,
                                                                 tmp_path: Path) -> None:
    client = page.login()
    before = _media_files(page)
    answer = client.post("/new/add", data=_form(page, text="x" * 400, to=["x"]),
                         files=_files(("photos", make_jpeg(tmp_path / "a.jpg"), JPEG)))
    assert answer.status_code == 400
    assert "This post cannot go out as it is, so nothing was added." in answer.text
    assert _media_files(page) == before and _posts(page) == 0


def test_a_file_over_the_limit_is_refused_and_nothing_is_stored(
        page: Page, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(uploads, "MAX_FILE_BYTES", 50_000)
    client = page.login()
    big = tmp_path / "grande.jpg"
    big.write_bytes(make_jpeg(tmp_path / "g.jpg").read_bytes() + b"\0" * 60_000)
    before = _media_files(page)
    for step in ("/new/check", "/new/add"):
        answer = client.post(step, data=_form(page, text="Grande", to=["facebook"]),
                             files=_files(("photos", big, JPEG)))
        assert answer.status_code == 413, answer.text
        assert "grande.jpg is too big: Costanza takes files up to 49 KB." in answer.text
        assert "Nothing was added." in answer.text
        assert _media_files(page) == before and _posts(page) == 0


def test_a_request_over_the_limit_is_refused_before_its_body_is_read(
        page: Page, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(uploads, "MAX_REQUEST_BYTES", 100_000)
    client = page.login()
    photos = [make_jpeg(tmp_path / f"{n}.jpg", size=(600, 600)) for n in range(4)]
    for p in photos:
        p.write_bytes(p.read_bytes() + b"\0" * 30_000)
    before = _media_files(page)
    answer = client.post("/new/check", data=_form(page, text="Tante foto"),
                         files=_files(*(("photos", p, JPEG) for p in photos)))
    assert answer.status_code == 413
    assert "The photos and video sent together are too big" in answer.text
    assert _media_files(page) == before and _posts(page) == 0


def test_a_file_that_is_not_a_photo_under_a_photo_name_is_refused(page: Page,
                                                                 tmp_path: Path) -> None:
    client = page.login()
    fake = make_text(tmp_path / "tramonto.jpg", "<html>not a photo</html>\n")
    before = _media_files(page)
    for step in ("/new/check", "/new/add"):
        answer = client.post(step, data=_form(page, text="Il tramonto", to=["facebook"]),
                             files=_files(("photos", fake, JPEG)))
        assert answer.status_code == 400
        assert "tramonto.jpg is a kind of file Costanza cannot use." in answer.text
        assert _media_files(page) == before and _posts(page) == 0


def test_a_video_given_as_a_photo_is_refused(page: Page, tmp_path: Path) -> None:
    client = page.login()
    video = make_mp4(tmp_path / "clip.jpg")
    answer = client.post("/new/check", data=_form(page, text="Un video", to=["facebook"]),
                         files=_files(("photos", video, JPEG)))
    assert answer.status_code == 400 and "clip.jpg" in answer.text
    assert _media_files(page) == [] or not any(
        p.startswith(uploads.FOLDER_PREFIX) for p in _media_files(page))


@pytest.mark.parametrize("step", ["/new/check", "/new/add"])
def test_without_the_csrf_token_nothing_is_stored(page: Page, tmp_path: Path,
                                                   step: str) -> None:
    client = page.login()
    photo = make_jpeg(tmp_path / "lana.jpg")
    before = _media_files(page)
    for data in ({"text": "Senza token"}, {"text": "Token sbagliato", "csrf": "nope"}):
        answer = client.post(step, data=data, files=_files(("photos", photo, JPEG)))
        assert answer.status_code == 403
        assert "nothing was changed" in answer.text
        assert _media_files(page) == before and _posts(page) == 0
    other_site = client.post(step, data=_form(page, text="Da fuori"),
                             files=_files(("photos", photo, JPEG)),
                             headers={"Origin": "https://evil.example"})
    assert other_site.status_code == 403
    assert _media_files(page) == before and _posts(page) == 0


def test_a_checked_post_belongs_to_its_draft_token(page: Page, tmp_path: Path) -> None:
    client = page.login()
    checked = client.post("/new/check", data=_form(page, text="Lana", to=["facebook"]),
                          files=_files(("photos", make_jpeg(tmp_path / "l.jpg"), JPEG)))
    assert checked.status_code == 200
    # A wrong token: the files checked are not taken, the post has only its text.
    added = client.post("/new/add", data=_form(page, text="Lana", to=["facebook"],
                                               draft="not-the-token"),
                        follow_redirects=False)
    assert added.status_code == 303
    from costanza.services.posts import show_post

    assert show_post(page.app, 1)["media"] == []
    assert not [p for p in _media_files(page) if p.startswith(uploads.FOLDER_PREFIX)]


def test_bad_input_is_shown_back_on_the_form(page: Page) -> None:
    client = page.login()
    answer = client.post("/new/check", data=_form(page, text="Domani", to=["facebook"],
                                                  at="ieri alle boh"))
    assert answer.status_code == 400
    assert "is not a date and time Costanza understands" in answer.text
    assert "Domani" in answer.text and _posts(page) == 0
    empty = client.post("/new/check", data=_form(page, text="  "))
    assert empty.status_code == 400 and "A post needs some text, a photo or a video" in empty.text


def test_the_upload_name_keeps_no_folder() -> None:
    assert uploads.safe_name("C:\\Users\\anna\\foto.jpg", 1) == "foto.jpg"
    assert uploads.safe_name("../../etc/passwd", 2) == "passwd"
    assert uploads.safe_name("..", 3) == "file-3"
    assert uploads.safe_name("a\x00b.jpg", 4) == "a_b.jpg"
