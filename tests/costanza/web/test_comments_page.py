"""The comments page against the real sandbox: a comment written there is fetched from
the page, shown under its post, answered through the page exactly once in the sandbox's
own record, and no longer listed as waiting; an empty answer is refused plainly."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.costanza.web.live import Live, live_page

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def live(home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Live]:
    with live_page(monkeypatch) as page:
        yield page


def _published_with_comment(live: Live, network: str, text: str) -> dict[str, str]:
    """A post out on ``network``, and someone's comment under it in the sandbox."""
    live.costanza("post", "add", "La lana arriva dalla Val di Fiemme", "--photo",
                  str(ROOT / "examples" / "gomitoli.jpg"), "--to", network)
    live.costanza("post", "now", "1")
    live.costanza("daemon", "--once")
    [post] = live.sandbox.posts(network)
    return live.sandbox.add_comment(network, post["id"], text, author="Giulia Rossi")


def _answers(live: Live, text: str) -> list[dict[str, object]]:
    return [c for c in live.sandbox.comments() if c["by_account"] and c["text"] == text]


def _comment_id(html: str, text: str) -> int:
    found = re.search(r'<li class="comment waiting" id="comment-(\d+)">(?:(?!</li>).)*'
                      + re.escape(text), html, re.S)
    assert found is not None, html
    return int(found.group(1))


def test_a_comment_is_fetched_answered_once_and_no_longer_waits(live: Live) -> None:
    written = _published_with_comment(live, "facebook", "Bellissima! Quanto costa?")
    client = live.login()
    assert "No comment waits for an answer." in client.get("/comments").text
    fetched = client.post("/comments/fetch", data={"csrf": live.csrf()})
    assert fetched.status_code == 200
    assert "Costanza looked under your posts just now: 1 new comment." in fetched.text
    html = client.get("/comments").text
    assert "1 comment waits for your answer." in html
    assert "Post 1 on Facebook" in html and "Giulia Rossi" in html
    number = _comment_id(html, "Bellissima! Quanto costa?")
    assert f'action="/comments/{number}/hide"' in html  # Facebook lets a Page hide it
    assert f'<label for="reply-{number}">' in html

    answer = client.post(f"/comments/{number}/reply",
                         data={"csrf": live.csrf(), "text": "Grazie! 25 euro."})
    assert answer.status_code == 200
    assert f"Your answer to comment {number} is on Facebook." in answer.text
    assert "No comment waits for an answer." in answer.text
    [sent] = _answers(live, "Grazie! 25 euro.")
    assert sent["parent"] == written["id"] and sent["network"] == "facebook"
    # The browser sends the form again (a reload): refused, nothing sent twice.
    again = client.post(f"/comments/{number}/reply",
                        data={"csrf": live.csrf(), "text": "Grazie! 25 euro."})
    assert again.status_code == 400 and "it is not sent twice" in again.text
    assert len(_answers(live, "Grazie! 25 euro.")) == 1
    everything = client.get("/comments?all=1").text
    assert "Bellissima! Quanto costa?" in everything and "answered" in everything
    assert "Grazie! 25 euro." in everything


def test_an_empty_answer_is_refused_and_nothing_is_sent(live: Live) -> None:
    _published_with_comment(live, "instagram", "Che colori!")
    client = live.login()
    client.post("/comments/fetch", data={"csrf": live.csrf()})
    number = _comment_id(client.get("/comments").text, "Che colori!")
    before = len(live.sandbox.comments())
    refused = client.post(f"/comments/{number}/reply", data={"csrf": live.csrf(),
                                                             "text": "   "})
    assert refused.status_code == 400
    assert "The answer is empty." in refused.text and "Nothing was sent." in refused.text
    assert len(live.sandbox.comments()) == before
    assert _comment_id(refused.text, "Che colori!") == number  # still waiting
    # Marked read from the page: it no longer waits, and nothing went to the network.
    read = client.post(f"/comments/{number}/read", data={"csrf": live.csrf()})
    assert read.status_code == 200 and f"Comment {number} is marked read" in read.text
    assert "No comment waits for an answer." in read.text
    assert len(live.sandbox.comments()) == before


def test_x_comments_have_no_hide_button_and_warn_of_the_cost(live: Live) -> None:
    _published_with_comment(live, "x", "Spedite in Germania?")
    client = live.login()
    client.post("/comments/fetch", data={"csrf": live.csrf()})
    html = client.get("/comments").text
    number = _comment_id(html, "Spedite in Germania?")
    assert f'action="/comments/{number}/hide"' not in html
    assert "On X an answer is a post" in html
    bad = client.post(f"/comments/{number}/reply", data={"text": "Sì"})  # no CSRF token
    assert bad.status_code == 403 and _answers(live, "Sì") == []
    answer = client.post(f"/comments/{number}/reply", data={"csrf": live.csrf(),
                                                            "text": "Sì, certo"})
    assert answer.status_code == 200
    assert f"Your answer to comment {number} is on X." in answer.text
    assert "On X an answer is a post, and costs like one: about" in answer.text
    assert len(_answers(live, "Sì, certo")) == 1
