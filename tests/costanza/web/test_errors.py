"""Every error page is plain, in the language Costanza speaks, with no traceback or secret."""

from __future__ import annotations

import pytest

from config import i18n
from tests.costanza.web.conftest import Page


def _plain(html: str) -> None:
    assert "Traceback" not in html and 'File "' not in html
    assert html.startswith("<!doctype html>")


def test_an_unknown_address_is_a_plain_404(page: Page) -> None:
    client = page.login()
    answer = client.get("/nowhere")
    assert answer.status_code == 404
    _plain(answer.text)
    assert "There is no page at this address" in answer.text


def test_a_wrong_method_is_a_plain_page(page: Page) -> None:
    answer = page.login().get("/log/retry/1")
    assert answer.status_code == 405
    _plain(answer.text)


def test_an_unexpected_problem_is_a_plain_500_without_its_details(
        page: Page, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    import costanza.services.week as week

    def broken(app: object) -> None:
        raise RuntimeError("canary-4f1c details that must stay hidden")

    monkeypatch.setattr(week, "week_view", broken)
    client = page.login()
    answer = client.get("/")
    assert answer.status_code == 500
    _plain(answer.text)
    assert "unexpected problem (RuntimeError)" in answer.text
    assert "canary-4f1c" not in answer.text
    # What the page logs (the test client logs its own requests, token and all).
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("costanza"))
    assert "unexpected problem (RuntimeError)" in logged
    assert "canary-4f1c" not in logged and page.sessions.login_token not in logged


def test_the_page_speaks_the_language_chosen_for_costanza(page: Page) -> None:
    client = page.login()
    i18n.set_language("it")
    html = client.get("/").text
    assert '<html lang="it">' in html
    # A sentence the catalog already holds, as the command line says it.
    assert "Aggiungi presto qualche storia, così il tuo ritmo non si ferma." in html
    missing = client.get("/nowhere")
    assert missing.status_code == 404 and '<html lang="it">' in missing.text
