"""The log page: what went out, where, with links; what failed and why, and "Try again"."""

from __future__ import annotations

import re

from sqlalchemy import select

from config.clock import FakeClock
from config.errors import PublishFailed
from posts.models import Delivery
from tests.costanza.web.conftest import Page, Publishing
from tests.factories.queue import add, connect


def test_the_log_shows_a_published_delivery_with_its_permalink(
        page: Page, publishing: Publishing) -> None:
    connect(page.app, "x")
    post_id = add(page.app, "La lana arriva dalla Val di Fiemme", ["x"])
    publishing.run_slot(post_id)
    html = page.login().get("/log").text
    assert "<strong>X</strong>" in html and "published" in html
    assert f"Post {post_id}: La lana arriva dalla Val di Fiemme" in html
    assert '<a href="https://fake.invalid/x/x-1" rel="noopener noreferrer">see the post on X</a>' \
        in html
    assert "What needs you" not in html and "Try again" not in html


def test_a_failed_delivery_shows_its_reason_and_is_tried_again_from_the_page(
        page: Page, publishing: Publishing) -> None:
    connect(page.app, "x")
    post_id = add(page.app, "Il telaio di nonna Lucia", ["x"])
    publishing.fakes["x"].fail_next(PublishFailed("X refused the post: the text is too long.",
                                                  http_status=400))
    publishing.run_slot(post_id)
    client = page.login()
    html = client.get("/log").text
    needs = html.split('<h2 id="needs">What needs you</h2>', 1)[1].split("</section>", 1)[0]
    assert "X refused the post: the text is too long." in needs
    action = re.search(r'<form method="post" action="(/log/retry/(\d+))">\s*'
                       r'<input type="hidden" name="csrf" value="([^"]+)">', needs)
    assert action is not None
    assert action.group(3) == page.csrf()
    done = client.post(action.group(1), data={"csrf": action.group(3)})
    assert done.status_code == 200
    assert "is queued again" in done.text and 'role="status"' in done.text
    with page.app.store.read() as db:
        delivery = db.get(Delivery, int(action.group(2)))
        assert delivery is not None and delivery.state == "queued"
    # The daemon sends it again; the log then shows it published.
    publishing.worker.tick()
    html = client.get("/log").text
    assert "What needs you" not in html
    assert "https://fake.invalid/x/x-1" in html


def test_try_again_on_a_published_delivery_says_why_not_and_changes_nothing(
        page: Page, publishing: Publishing) -> None:
    connect(page.app, "x")
    post_id = add(page.app, "Il bottone di corno", ["x"])
    publishing.run_slot(post_id)
    with page.app.store.read() as db:
        number = db.scalars(select(Delivery.id).where(Delivery.post_id == post_id)).one()
    client = page.login()
    answer = client.post(f"/log/retry/{number}", data={"csrf": page.csrf()})
    assert answer.status_code == 400
    assert "was already published" in answer.text
    missing = client.post("/log/retry/999", data={"csrf": page.csrf()})
    assert missing.status_code == 404 and "There is no delivery number 999" in missing.text
    with page.app.store.read() as db:
        delivery = db.get(Delivery, number)
        assert delivery is not None and delivery.state == "published"


def test_a_post_that_needs_review_is_checked_or_published_anyway_from_the_page(
        page: Page, clock: FakeClock) -> None:
    from tests.costanza.services.log.conftest import fill

    posts = fill(page.app, clock).posts
    with page.app.store.read() as db:
        review = db.scalars(select(Delivery).where(Delivery.state == "needs_review")).first()
        assert review is not None
        number, post_id = review.id, review.post_id
    assert post_id in posts.values()
    client = page.login()
    needs = client.get("/log").text.split('<h2 id="needs">', 1)[1].split("</section>", 1)[0]
    assert f'action="/log/retry/{number}"' in needs and f'action="/log/force/{number}"' in needs
    assert "Check once more" in needs and "Publish it anyway" in needs
    assert "otherwise it appears twice" in needs
    # Without the token: refused, nothing changed.
    assert client.post(f"/log/force/{number}", data={}).status_code == 403
    assert _state(page, number) == ("needs_review", False)
    checked = client.post(f"/log/retry/{number}", data={"csrf": page.csrf()})
    assert checked.status_code == 200 and "check once more whether" in checked.text
    assert _state(page, number) == ("unknown", False)


def test_publish_it_anyway_is_retry_force(page: Page, clock: FakeClock) -> None:
    from tests.costanza.services.log.conftest import fill

    fill(page.app, clock)
    with page.app.store.read() as db:
        number = db.scalars(select(Delivery.id).where(Delivery.state == "needs_review")).first()
    client = page.login()
    forced = client.post(f"/log/force/{number}", data={"csrf": page.csrf()})
    assert forced.status_code == 200 and "will be published again" in forced.text
    assert _state(page, number) == ("queued", True)


def _state(page: Page, number: int) -> tuple[str, bool]:
    with page.app.store.read() as db:
        delivery = db.get(Delivery, number)
        assert delivery is not None
        return delivery.state, bool((delivery.progress or {}).get("forced"))
