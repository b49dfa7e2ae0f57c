"""The accounts page against the real sandbox: each account's health and what to do, from
the same service as `costanza account check`, and never a key or token of the secret
store in the HTML."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.costanza.web.live import Live, live_page


@pytest.fixture
def live(home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Live]:
    with live_page(monkeypatch) as page:
        yield page


def _secrets(live: Live) -> list[str]:
    data = tomllib.loads(live.app.settings.home.secrets_file.read_text(encoding="utf-8"))
    values = [str(v) for keys in data.values() for v in keys.values() if len(str(v)) >= 8]
    assert len(values) >= 3  # the sandbox's keys and tokens are there to be looked for
    return values


def _no_secret(live: Live, html: str) -> None:
    for value in _secrets(live):
        assert value not in html


def test_the_accounts_and_their_check_never_show_a_secret(live: Live) -> None:
    client = live.login()
    html = client.get("/accounts").text
    for label in ("X", "Facebook", "Instagram"):
        assert f"<strong>{label}</strong>" in html
    assert "works, as far as Costanza last knew" in html
    _no_secret(live, html)
    checked = client.post("/accounts/check", data={"csrf": live.csrf()})
    assert checked.status_code == 200
    assert "What the networks said just now" in checked.text
    assert checked.text.count("Works.") == 3 and "Every account works." in checked.text
    _no_secret(live, checked.text)


def test_an_expired_login_is_said_with_what_to_do(live: Live) -> None:
    live.sandbox.expire_token("facebook")
    client = live.login()
    checked = client.post("/accounts/check", data={"csrf": live.csrf()})
    assert checked.status_code == 200
    assert "Some accounts need you: see what to do under each." in checked.text
    assert "Has a problem." in checked.text and "What to do:" in checked.text
    assert "costanza account add facebook" in checked.text
    _no_secret(live, checked.text)
    # Held now: the list says so, with the reason, on the next visit too.
    html = client.get("/accounts").text
    assert "needs you: its posts wait until it is connected again" in html
    _no_secret(live, html)


def test_checking_needs_the_form_token(live: Live) -> None:
    client = live.login()
    refused = client.post("/accounts/check", data={"csrf": "not-it"})
    assert refused.status_code == 403 and "nothing was changed" in refused.text
