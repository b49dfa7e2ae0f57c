"""The steadiness page: the report's picture, larger and dated, served as a real PNG, and
the same figures written out as text."""

from __future__ import annotations

import io
from datetime import timedelta
from zoneinfo import ZoneInfo

from PIL import Image

from config.clock import FakeClock
from costanza.services.heatmap import LARGE, PALETTE, Layout
from costanza.services.report import week_dates
from tests.costanza.web.conftest import Page, Publishing
from tests.factories.queue import add, connect


def test_the_page_and_its_picture_answer_with_the_weeks_dated(
        page: Page, publishing: Publishing, clock: FakeClock) -> None:
    rome = ZoneInfo("Europe/Rome")
    created = clock.now().astimezone(rome).date()
    connect(page.app, "x")
    post_id = add(page.app, "Il telaio di nonna Lucia", ["x"])
    publishing.run_slot(post_id)
    published_on = clock.now().astimezone(rome).date()
    clock.advance(days=21)
    client = page.login()

    html = client.get("/steadiness")
    assert html.status_code == 200
    today = clock.now().astimezone(rome).date()
    first = created - timedelta(days=created.weekday())
    mondays = [first + timedelta(weeks=n)
               for n in range((today - first).days // 7 + 1)]
    assert len(mondays) >= 4
    for monday in mondays:  # each week by its dates, as text
        assert f"<th scope=\"row\">{week_dates(monday, today.year)}" in html.text
    assert '<img class="heatmap" src="/steadiness.png" alt="' in html.text
    day = published_on.strftime("%a %d %b %Y")
    assert f"<li>{day}: 1 post" in html.text  # the figures for screen readers

    picture = client.get("/steadiness.png")
    assert picture.status_code == 200 and picture.headers["content-type"] == "image/png"
    assert picture.content.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(picture.content))
    layout = Layout(len(mondays), **LARGE)
    assert image.format == "PNG" and image.size == (layout.width, layout.height)
    assert image.size[0] > Layout(len(mondays)).width  # larger than `costanza report --out` draws
    column = (published_on - first).days // 7
    cell = layout.centre(column, published_on.weekday())
    assert image.convert("RGB").getpixel(cell) == _rgb(PALETTE[1])


def test_the_picture_needs_the_session(page: Page) -> None:
    answer = page.client.get("/steadiness.png")
    assert answer.status_code == 403 and b"PNG" not in answer.content[:8]


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)
