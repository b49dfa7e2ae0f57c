"""The week page: every slot of this week and the next three, with the posts' thumbnails."""

from __future__ import annotations

import io
import re
from pathlib import Path

from PIL import Image

from costanza.app import App
from tests.costanza.web.conftest import Page, Publishing
from tests.factories.media import make_jpeg, make_mp4
from tests.factories.queue import add, connect


def _thumb_sources(html: str) -> list[str]:
    return re.findall(r'<img class="thumb" src="(/thumbs/[0-9a-f]{64}\.jpg)"', html)


def _sha_of(app: App, post_id: int) -> str:
    from costanza.services.posts import show_post

    return show_post(app, post_id)["media"][0]["sha256"]


def test_the_week_shows_queued_posts_with_the_thumbnails_of_a_photo_and_a_video(
        page: Page, tmp_path: Path) -> None:
    photo = add(page.app, "La lana arriva dalla Val di Fiemme", ["facebook", "x"],
                photos=[make_jpeg(tmp_path / "lana.jpg", size=(800, 600))])
    video = add(page.app, "Il telaio al lavoro", ["facebook"],
                video=make_mp4(tmp_path / "telaio.mp4", size=(320, 240)))
    html = page.login().get("/").text
    assert "La lana arriva dalla Val di Fiemme" in html and "Il telaio al lavoro" in html
    assert "Facebook, X" in html
    sources = _thumb_sources(html)
    assert sources == [f"/thumbs/{_sha_of(page.app, photo)}.jpg",
                       f"/thumbs/{_sha_of(page.app, video)}.jpg"]
    assert 'alt="The photo of post 1"' in html and 'alt="The video of post 2"' in html
    for source, size in zip(sources, [(360, 270), (320, 240)], strict=True):
        answer = page.client.get(source)
        assert answer.status_code == 200
        assert answer.headers["content-type"] == "image/jpeg"
        picture = Image.open(io.BytesIO(answer.content))
        assert picture.format == "JPEG" and picture.size == size
    # The video's first frame: dark all across (the red bar grows over the frames, to
    # cover the whole width at the end).
    first = Image.open(io.BytesIO(page.client.get(sources[1]).content)).convert("RGB")
    assert all(first.getpixel((x, 120))[0] < 70 for x in (80, 160, 300))


def test_a_thumbnail_is_made_once_and_kept_in_the_media_store(page: Page,
                                                             tmp_path: Path) -> None:
    post_id = add(page.app, "Gomitoli", ["x"], photos=[make_jpeg(tmp_path / "g.jpg")])
    sha = _sha_of(page.app, post_id)
    client = page.login()
    kept = page.app.settings.media_dir / "thumbs" / f"{sha}.jpg"
    assert not kept.exists()
    first = client.get(f"/thumbs/{sha}.jpg").content
    assert kept.read_bytes() == first
    kept.write_bytes(first + b"kept")  # the file kept is what is served from now on
    assert client.get(f"/thumbs/{sha}.jpg").content == first + b"kept"


def test_an_unknown_picture_is_a_plain_404(page: Page, tmp_path: Path) -> None:
    client = page.login()
    for path in ("/thumbs/" + "0" * 64 + ".jpg", "/thumbs/..%2F..%2Fsecrets.jpg",
                 "/thumbs/ABC.jpg"):
        answer = client.get(path)
        assert answer.status_code == 404, path
        assert "Traceback" not in answer.text


def test_empty_slots_and_the_runway_warning_stand_out(page: Page) -> None:
    add(page.app, "Una sola storia", ["x"])
    html = page.login().get("/").text
    assert 'class="warning" role="alert"' in html
    assert "Add a few stories soon" in html
    # Four weeks of three slots: one post, and at least eight free slots after it.
    assert html.count('class="item empty"') >= 8
    assert html.count("Free slot: no post yet.") == html.count('class="item empty"')
    assert len(re.findall(r'<h2 id="week-\d">Week of ', html)) == 4


def test_paused_slots_say_so(page: Page) -> None:
    from costanza.services.schedule import pause

    add(page.app, "Una storia", ["x"])
    pause(page.app, start=None, until=None)  # from now, with no end
    html = page.login().get("/").text
    assert 'class="item paused"' in html and "Paused: nothing goes out." in html
    assert 'class="item empty"' not in html


def test_published_and_failed_posts_show_their_links_and_reasons(
        page: Page, publishing: Publishing) -> None:
    from config.errors import PublishFailed

    connect(page.app, "facebook", "x")
    first = add(page.app, "La lana arriva", ["facebook", "x"])
    second = add(page.app, "Il bottone di corno", ["x"])
    publishing.run_slot(first)
    publishing.fakes["x"].fail_next(PublishFailed("X refused the post: the text is too long.",
                                                  http_status=400))
    publishing.run_slot(second)
    html = page.login().get("/").text
    post = html.split("La lana arriva", 1)[1].split("</li>\n", 3)
    assert "Published" in html
    assert 'href="https://fake.invalid/x/x-1" rel="noopener noreferrer"' in html
    assert "see the post on Facebook" in "".join(post)
    assert "X refused the post: the text is too long." in html
    assert "Needs you" in html
