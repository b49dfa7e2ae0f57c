"""The queue page: the queued posts in publishing order; move, edit the text per network,
remove after a confirmation, pin to a time, pause and resume, each re-planning at once."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from costanza.app import App
from costanza.services.posts import list_posts, profile_zone, show_post
from tests.costanza.web.conftest import Page
from tests.factories.media import make_jpeg
from tests.factories.queue import add


def _order(app: App) -> list[int]:
    return [row["id"] for row in list_posts(app)]


def _post(client: TestClient, page: Page, path: str, **data: Any) -> Any:
    return client.post(path, data={"csrf": page.csrf(), **data}, follow_redirects=False)


def _followed(client: TestClient, answer: Any) -> str:
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"].startswith("/queue")
    return client.get(answer.headers["location"]).text


def _shown_order(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<li class="queued[^"]*" id="post-(\d+)"', html)]


def test_the_queue_lists_posts_in_publishing_order_with_thumbnail_networks_and_times(
        page: Page, tmp_path: Path) -> None:
    first = add(page.app, "La lana arriva dalla Val di Fiemme", ["facebook", "x"],
                photos=[make_jpeg(tmp_path / "lana.jpg")])
    second = add(page.app, "Il telaio al lavoro", ["instagram"],
                 photos=[make_jpeg(tmp_path / "telaio.jpg")])
    html = page.login().get("/queue").text
    assert _shown_order(html) == [first, second]
    assert "La lana arriva dalla Val di Fiemme" in html and "Facebook, X" in html
    sha = show_post(page.app, first)["media"][0]["sha256"]
    assert f'src="/thumbs/{sha}.jpg"' in html
    for row in list_posts(page.app):
        assert row["planned_local"] and row["planned_local"] in html
    assert f"Times in {profile_zone(page.app).key}." in html
    # The first cannot go up, the last cannot go down.
    assert f'action="/queue/{first}/up"' not in html
    assert f'action="/queue/{first}/down"' in html and f'action="/queue/{second}/up"' in html
    assert f'action="/queue/{second}/down"' not in html
    assert '<a href="/queue" aria-current="page">The queue</a>' in html


def test_move_down_and_up_change_the_order_and_the_plan_at_once(page: Page) -> None:
    first = add(page.app, "Prima storia", ["x"])
    second = add(page.app, "Seconda storia", ["x"])
    third = add(page.app, "Terza storia", ["x"])
    times = [row["planned_local"] for row in list_posts(page.app)]
    client = page.login()
    html = _followed(client, _post(client, page, f"/queue/{first}/down"))
    assert _order(page.app) == [second, first, third]
    assert _shown_order(html) == [second, first, third]
    assert f"Post {first} moved. Here is the new plan." in html
    # The slots stay; the posts take them in the new order.
    assert [row["planned_local"] for row in list_posts(page.app)] == times
    assert show_post(page.app, first)["planned_local"] == times[1]
    _followed(client, _post(client, page, f"/queue/{third}/up"))
    assert _order(page.app) == [second, third, first]


def test_moving_passes_over_a_pinned_post(page: Page) -> None:
    first = add(page.app, "Prima storia", ["x"])
    pinned = add(page.app, "Il giorno della fiera", ["x"])
    last = add(page.app, "Ultima storia", ["x"])
    client = page.login()
    week_ahead = page.app.clock.now().astimezone(profile_zone(page.app)) + timedelta(days=9)
    _followed(client, _post(client, page, f"/queue/{pinned}/pin",
                            at=week_ahead.strftime("%Y-%m-%dT10:00")))
    _followed(client, _post(client, page, f"/queue/{last}/up"))
    assert [r["id"] for r in list_posts(page.app) if not r["pinned_at"]] == [last, first]
    refused = _post(client, page, f"/queue/{pinned}/up")
    assert refused.status_code == 400 and "has its own time" in refused.text


def test_the_text_is_changed_per_network_on_its_own_page(page: Page) -> None:
    post_id = add(page.app, "La lana arriva", ["facebook", "x"])
    client = page.login()
    form = client.get(f"/queue/{post_id}/edit").text
    assert '<label for="text-facebook">Text for Facebook</label>' in form
    assert '<label for="text-x">Text for X</label>' in form
    assert 'name="text_instagram"' not in form
    answer = _post(client, page, f"/queue/{post_id}/edit",
                   text_facebook="La lana arriva dalla Val di Fiemme,\r\nfilata a mano.",
                   text_x="La lana arriva")
    html = _followed(client, answer)
    assert f"The text of post {post_id} was saved." in html
    row = show_post(page.app, post_id)
    assert row["text"] == "La lana arriva"
    assert row["texts"] == {"facebook": "La lana arriva dalla Val di Fiemme,\nfilata a mano."}
    # The same words in every box: one text again, for every network.
    _followed(client, _post(client, page, f"/queue/{post_id}/edit",
                            text_facebook="Il telaio", text_x="Il telaio"))
    row = show_post(page.app, post_id)
    assert row["text"] == "Il telaio" and row["texts"] == {}
    same = _post(client, page, f"/queue/{post_id}/edit", text_facebook="Il telaio",
                 text_x="Il telaio")
    assert "Nothing was changed" in _followed(client, same)


def test_remove_asks_first_then_takes_the_post_out(page: Page) -> None:
    keep = add(page.app, "Resta in coda", ["x"])
    gone = add(page.app, "Da togliere", ["x"])
    client = page.login()
    confirm = client.get(f"/queue/{gone}/remove")
    assert confirm.status_code == 200 and f"Remove post {gone}?" in confirm.text
    assert "Da togliere" in confirm.text
    assert _order(page.app) == [keep, gone]  # asking changes nothing
    html = _followed(client, _post(client, page, f"/queue/{gone}/remove"))
    assert _order(page.app) == [keep]
    assert "Da togliere" not in html and f"Post {gone} was taken out of the queue." in html


def test_a_pinned_time_is_shown_in_the_profile_zone(page: Page) -> None:
    post_id = add(page.app, "Il giorno della fiera", ["x"])
    tz = profile_zone(page.app)
    day = (page.app.clock.now().astimezone(tz) + timedelta(days=10)).date()
    client = page.login()
    html = _followed(client, _post(client, page, f"/queue/{post_id}/pin",
                                   at=f"{day.isoformat()}T10:15"))
    row = show_post(page.app, post_id)
    at = datetime.fromisoformat(row["pinned_at"]).astimezone(tz)
    assert (at.date(), at.hour, at.minute) == (day, 10, 15)
    assert row["planned_local"] in html and "10:15" in row["planned_local"]
    assert "Pinned: it goes out at its own time." in html
    assert f'value="{day.isoformat()}T10:15"' in html
    html = _followed(client, _post(client, page, f"/queue/{post_id}/unpin"))
    assert show_post(page.app, post_id)["pinned_at"] is None
    assert "Pinned: it goes out" not in html


def test_pause_with_dates_shows_on_the_queue_and_the_week_and_resume_ends_it(
        page: Page) -> None:
    add(page.app, "Una storia", ["x"])
    tz = profile_zone(page.app)
    today = page.app.clock.now().astimezone(tz).date()
    client = page.login()
    html = _followed(client, _post(client, page, "/queue/pause", first=today.isoformat(),
                                   last=(today + timedelta(days=6)).isoformat()))
    assert "The queue is paused" in html and "Paused now: " in html
    week = client.get("/").text
    assert 'class="item paused"' in week
    html = _followed(client, _post(client, page, "/queue/resume"))
    assert "The queue goes on" in html and "Paused now" not in html
    assert 'class="item paused"' not in client.get("/").text
    html = _followed(client, _post(client, page, "/queue/resume"))
    assert "The queue was not paused now" in html


def _state(app: App) -> list[tuple[Any, ...]]:
    from costanza.services.views import queue_view

    view = queue_view(app)
    return [(r["id"], r["text"], r["texts"], r["pinned_at"], r["position"])
            for r in list_posts(app)] + [tuple(p.values()) for p in view["pauses"]]


@pytest.mark.parametrize(("path", "data", "words"), [
    ("/queue/99/up", {}, "There is no post 99"),
    ("/queue/99/remove", {}, "There is no post 99"),
    ("/queue/99/edit", {"text_x": "Nuovo"}, "There is no post 99"),
    ("/queue/99/pin", {"at": "{future}T10:00"}, "There is no post 99"),
    ("/queue/{id}/pin", {"at": "domani forse"}, "is not a date and time"),
    ("/queue/{id}/pin", {"at": "{past}T10:00"}, "That time has already passed"),
    ("/queue/{id}/pin", {"at": ""}, "Choose the day and the time"),
    ("/queue/{id}/edit", {"text_x": "  "}, "would be left with no text"),
    ("/queue/{id}/edit", {"text_x": "x" * 300}, "The change was not saved"),
    ("/queue/{id}/up", {}, "already the first in line"),
    ("/queue/pause", {"first": "2099-02-10", "last": "2099-02-01"}, "comes before"),
    ("/queue/pause", {"first": "", "last": "{past}"}, "entirely in the past"),
    ("/queue/pause", {"first": "presto", "last": ""}, "is not a date"),
])
def test_bad_input_is_a_plain_400_page_and_changes_nothing(
        page: Page, path: str, data: dict[str, str], words: str) -> None:
    post_id = add(page.app, "La lana arriva", ["x"])
    add(page.app, "Il telaio", ["x"])
    before = _state(page.app)
    client = page.login()
    today = page.app.clock.now().astimezone(profile_zone(page.app)).date()
    days = {"future": (today + timedelta(days=30)).isoformat(),
            "past": (today - timedelta(days=30)).isoformat()}
    answer = _post(client, page, path.format(id=post_id),
                   **{k: v.format(**days) for k, v in data.items()})
    status = 404 if "There is no post" in words else 400
    assert answer.status_code == status, answer.text
    assert words in answer.text and "Traceback" not in answer.text
    assert _state(page.app) == before


def test_the_edit_form_comes_back_with_her_words_and_the_reason(page: Page) -> None:
    post_id = add(page.app, "La lana arriva", ["facebook", "x"])
    client = page.login()
    answer = _post(client, page, f"/queue/{post_id}/edit", text_facebook="Lana filata",
                   text_x="")
    assert answer.status_code == 400
    assert "The text for X is empty." in answer.text
    assert "Lana filata</textarea>" in answer.text
    assert show_post(page.app, post_id)["texts"] == {}


@pytest.mark.parametrize(("path", "data"), [
    ("/queue/{id}/down", {}), ("/queue/{id}/remove", {}), ("/queue/{id}/unpin", {}),
    ("/queue/{id}/to", {"target": "{other}"}), ("/queue/{id}/now", {}),
    ("/queue/{id}/edit", {"text_x": "Cambiato"}),
    ("/queue/{id}/pin", {"at": "2099-01-01T10:00"}),
    ("/queue/pause", {"first": "", "last": ""}), ("/queue/resume", {}),
])
def test_a_post_without_the_csrf_token_changes_nothing(
        page: Page, path: str, data: dict[str, str]) -> None:
    from costanza.services.schedule import pause

    post_id = add(page.app, "La lana arriva", ["x"])
    other = add(page.app, "Il telaio", ["x"])
    data = {k: v.format(other=other) for k, v in data.items()}
    if path == "/queue/resume":
        pause(page.app, start=None, until=None)
    before = _state(page.app)
    client = page.login()
    for token in ({}, {"csrf": "not-the-token"}):
        answer = client.post(path.format(id=post_id), data={**data, **token},
                             follow_redirects=False)
        assert answer.status_code == 403 and "nothing was changed" in answer.text
    assert _state(page.app) == before


def test_a_planned_pause_is_shown_and_can_be_cancelled(page: Page) -> None:
    add(page.app, "Una storia", ["x"])
    today = page.app.clock.now().astimezone(profile_zone(page.app)).date()
    client = page.login()
    html = _followed(client, _post(client, page, "/queue/pause",
                                   first=(today + timedelta(days=20)).isoformat(), last=""))
    assert "Pause planned: from " in html and "with no end date" in html
    assert "Paused now" not in html and "Cancel the planned pauses" in html
    html = _followed(client, _post(client, page, "/queue/resume", everything="yes"))
    assert "The planned pauses were cancelled." in html
    assert "The queue is not paused." in html


def test_different_texts_for_each_network_keep_one_text_for_the_post(page: Page) -> None:
    post_id = add(page.app, "Il bottone", ["facebook", "x"], texts={"x": "Corno"})
    client = page.login()
    form = client.get(f"/queue/{post_id}/edit").text
    assert "\nIl bottone</textarea>" in form and "\nCorno</textarea>" in form
    _followed(client, _post(client, page, f"/queue/{post_id}/edit",
                            text_facebook="Il bottone di corno", text_x="Bottone, X"))
    row = show_post(page.app, post_id)
    assert row["text"] == "Il bottone di corno" and row["texts"] == {"x": "Bottone, X"}


def test_a_post_dragged_onto_another_takes_its_place(page: Page) -> None:
    first = add(page.app, "Prima storia", ["x"])
    second = add(page.app, "Seconda storia", ["x"])
    third = add(page.app, "Terza storia", ["x"])
    client = page.login()
    html = client.get("/queue").text
    # The drag is an extra of a vendored script; its form carries the page's CSRF token.
    assert '<script src="/static/queue.js"></script>' in html and 'id="drag-form"' in html
    assert "script-src 'self'" in client.get("/queue").headers["content-security-policy"]
    assert "form.submit()" in client.get("/static/queue.js").text
    html = _followed(client, _post(client, page, f"/queue/{third}/to", target=str(first)))
    assert _order(page.app) == [third, first, second] == _shown_order(html)
    _followed(client, _post(client, page, f"/queue/{third}/to", target=str(second)))
    assert _order(page.app) == [first, second, third]


@pytest.mark.parametrize("target", ["itself", "unknown", "word"])
def test_a_drag_to_nowhere_changes_nothing(page: Page, target: str) -> None:
    first = add(page.app, "Prima storia", ["x"])
    add(page.app, "Seconda storia", ["x"])
    before = _order(page.app)
    client = page.login()
    value = {"itself": str(first), "unknown": "999", "word": "su"}[target]
    answer = _post(client, page, f"/queue/{first}/to", target=value)
    assert answer.status_code == 400 and "Traceback" not in answer.text
    assert _order(page.app) == before


def test_publish_now_sends_it_at_the_daemons_next_round(page: Page) -> None:
    first = add(page.app, "Prima storia", ["x"])
    second = add(page.app, "Seconda storia", ["x"])
    client = page.login()
    html = _followed(client, _post(client, page, f"/queue/{second}/now"))
    assert f"Post {second} goes out as soon as the daemon sends it." in html
    shown = show_post(page.app, second)
    assert shown["pinned_at"] is not None and _shown_order(html)[0] == second
    assert _order(page.app)[0] == second and first in _order(page.app)
