"""The one-time login address, the session cookie, CSRF on every form, the Host check."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from config.errors import PublishFailed
from posts.models import Delivery
from tests.costanza.web.conftest import BASE, Page, Publishing
from tests.factories.queue import add, connect


def test_the_login_address_opens_a_session_once(page: Page,
                                                make_page: Callable[..., Page]) -> None:
    answer = page.client.get(f"/login?token={page.sessions.login_token}",
                             follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/"
    cookie = answer.headers["set-cookie"]
    parts = [p.strip().lower() for p in cookie.split(";")]
    assert parts[0].startswith("costanza_session=") and len(parts[0]) > 40
    assert "httponly" in parts and "samesite=strict" in parts and "path=/" in parts
    assert page.sessions.login_token not in cookie  # the session is not the token
    assert page.client.get("/").status_code == 200
    # The same address again, from another browser: refused, plainly.
    other = make_page(sessions=page.sessions)
    other.client.cookies.clear()
    again = other.client.get(f"/login?token={page.sessions.login_token}",
                             follow_redirects=False)
    assert again.status_code == 403
    assert "already used" in again.text and "costanza web" in again.text
    assert "set-cookie" not in again.headers
    assert other.client.get("/").status_code == 403
    # The browser that has the session may follow the address again: it just goes on.
    assert page.client.get(f"/login?token={page.sessions.login_token}",
                           follow_redirects=False).headers["location"] == "/"


def test_a_wrong_token_opens_nothing_and_spends_nothing(page: Page) -> None:
    for token in ("", "nope", page.sessions.login_token[:-1]):
        answer = page.client.get(f"/login?token={token}", follow_redirects=False)
        assert answer.status_code == 403
        assert "set-cookie" not in answer.headers
    assert page.client.get("/login", follow_redirects=False).status_code == 403
    page.login()  # the real one still works


def test_without_a_session_every_page_says_to_open_the_printed_address(page: Page) -> None:
    for path in ("/", "/log", "/thumbs/" + "a" * 64 + ".jpg"):
        answer = page.client.get(path)
        assert answer.status_code == 403, path
        assert "costanza web" in answer.text and "address" in answer.text
        assert "What went out" not in answer.text  # no navigation, no data
    page.client.cookies.set("costanza_session", "made-up")
    assert page.client.get("/").status_code == 403


def _failed_delivery(app: object, publishing: Publishing) -> int:
    connect(publishing.app, "x")
    post_id = add(publishing.app, "Il telaio di nonna Lucia", ["x"])
    publishing.fakes["x"].fail_next(PublishFailed("X refused the post: the text is too long.",
                                                  http_status=400))
    publishing.run_slot(post_id)
    with publishing.app.store.read() as db:
        delivery = db.scalars(select(Delivery).where(Delivery.post_id == post_id)).one()
        assert delivery.state == "failed"
        return delivery.id


def _state(publishing: Publishing, delivery_id: int) -> str:
    with publishing.app.store.read() as db:
        delivery = db.get(Delivery, delivery_id)
        assert delivery is not None
        return delivery.state


def test_a_form_without_the_right_csrf_token_is_refused_and_changes_nothing(
        page: Page, publishing: Publishing) -> None:
    number = _failed_delivery(page.app, publishing)
    client = page.login()
    good = page.csrf()
    refused = [
        client.post(f"/log/retry/{number}", data={}),
        client.post(f"/log/retry/{number}", data={"csrf": "wrong"}),
        client.post(f"/log/retry/{number}", data={"csrf": good[:-1]}),
        # The right token, from a page of another site.
        client.post(f"/log/retry/{number}", data={"csrf": good},
                    headers={"origin": "http://evil.example"}),
        client.post(f"/log/retry/{number}", data={"csrf": good}, headers={"origin": "null"}),
        client.post(f"/log/retry/{number}", data={"csrf": good},
                    headers={"referer": "http://evil.example/page"}),
    ]
    for answer in refused:
        assert answer.status_code == 403
        assert "nothing was changed" in answer.text
    assert _state(publishing, number) == "failed"
    # Another session's token is no good either.
    assert not page.sessions.csrf_matches("another-session", good)
    done = client.post(f"/log/retry/{number}", data={"csrf": good},
                       headers={"origin": BASE})
    assert done.status_code == 200
    assert _state(publishing, number) == "queued"


def test_a_post_without_a_session_changes_nothing(page: Page, publishing: Publishing) -> None:
    number = _failed_delivery(page.app, publishing)
    answer = page.client.post(f"/log/retry/{number}", data={"csrf": "x"})
    assert answer.status_code == 403
    assert _state(publishing, number) == "failed"


def test_only_this_computers_names_reach_a_page_bound_to_it(page: Page,
                                                          make_page: Callable[..., Page]
                                                          ) -> None:
    client = page.login()
    assert client.get("/", headers={"host": "localhost:8765"}).status_code == 200
    other_name = client.get("/", headers={"host": "evil.example:8765"})
    assert other_name.status_code == 400
    assert "costanza web" in other_name.text
    # Served for other computers (behind a reverse proxy), the name is the proxy's.
    open_page = make_page(loopback=False)
    open_page.login()
    assert open_page.client.get("/", headers={"host": "costanza.example.it"}).status_code == 200


def test_pages_send_no_referrer_and_allow_nothing_from_elsewhere(page: Page) -> None:
    answer = page.login().get("/")
    assert answer.headers["referrer-policy"] == "same-origin"
    assert "default-src 'none'" in answer.headers["content-security-policy"]
    assert answer.headers["cache-control"] == "no-store"
