"""A network that does not answer in time, in the words of what was asked: a read of the
comments says Costanza reads them again later (nothing was posted, nothing to check), an
answer says it may be there and is looked up before it is ever sent again. The comment
clients against the sandbox, which holds the connection past the client's timeout."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from config.errors import OutcomeUnknown, RetryLater
from scheduler.comments.base import Target
from scheduler.comments.registry import make_comment_client
from scheduler.http.transport import transport_error
from tests.scheduler.comments.conftest import Sends

NETWORKS = ("facebook", "instagram", "x")
# The sandbox's routes of a comments read and of an answer (and its method, on X).
READS = {"facebook": "fb_comments", "instagram": "ig_comments", "x": "search_recent"}
LOOKUPS = {"facebook": "fb_comment", "instagram": "ig_comment", "x": "search_recent"}
ANSWERS = {"facebook": ("fb_reply", None), "instagram": ("ig_reply", None),
           "x": ("tweets", "POST")}
TIMEOUT = 0.5  # the client gives up after this; the sandbox holds the request longer
NAMES = {"facebook": "Facebook", "instagram": "Instagram", "x": "X"}


def client(sandbox: Any, network: str) -> Any:
    return make_comment_client(network, sandbox.base_url, timeout=TIMEOUT,
                               graph_version=None)


def hold(sandbox: Any, network: str, endpoint: str, method: str | None = None) -> None:
    """The next such request is held 3 s, then dropped: it has no effect."""
    sandbox.control.fault(network, endpoint, timeout=True, hold_secs=3,
                          **({"method": method} if method else {}))


@pytest.mark.parametrize("network", NETWORKS)
def test_a_read_that_times_out_is_read_again_later(
        sandbox: Any, publish: Callable[..., Target], network: str) -> None:
    target = publish(network)
    comment = sandbox.control.add_comment(network, target.remote_id, "Quanto costa?")
    hold(sandbox, network, READS[network])
    with pytest.raises(RetryLater) as fetch:
        client(sandbox, network).fetch(target, None)
    message = fetch.value.message
    assert message.startswith(f"{NAMES[network]} did not answer in time while Costanza "
                              "read the comments. Costanza tries again later.")
    assert "ReadTimeout" in message and "posted" not in message
    # Looking an answer up reads too: the same words.
    hold(sandbox, network, LOOKUPS[network])
    with pytest.raises(RetryLater) as lookup:
        client(sandbox, network).find_reply(target, comment["id"], "40 euro",
                                            datetime.now(UTC) - timedelta(minutes=1))
    assert "while Costanza read the comments" in lookup.value.message
    # Nothing held: the comment is read.
    fetched = client(sandbox, network).fetch(target, None)
    assert [c.remote_id for c in fetched.comments] == [comment["id"]]


@pytest.mark.parametrize("network", NETWORKS)
def test_an_answer_that_times_out_may_be_there_and_is_looked_up(
        sandbox: Any, publish: Callable[..., Target], network: str) -> None:
    target = publish(network)
    comment = sandbox.control.add_comment(network, target.remote_id, "Quanto costa?")
    hold(sandbox, network, *ANSWERS[network])
    sends = Sends()
    with pytest.raises(OutcomeUnknown) as info:
        client(sandbox, network).reply(target, comment["id"], "40 euro", sends)
    assert sends.count == 1
    message = info.value.message
    assert message.startswith(f"Your answer was sent to {NAMES[network]} but no answer came "
                              "back (it took too long), so it may or may not be there.")
    assert "Costanza looks for it before sending it again: it is never sent twice." in message
    assert "post" not in message


def test_an_answer_that_never_left_says_it_was_not_sent() -> None:
    refused = None
    try:
        requests.get("http://127.0.0.1:9/", timeout=2)
    except requests.ConnectionError as exc:
        refused = exc
    assert refused is not None
    answer = transport_error(refused, network="instagram", creates=True, what="reply")
    assert isinstance(answer, RetryLater) and answer.code == "not_sent"
    assert "so your answer was not sent. Costanza tries again later" in answer.message
    read = transport_error(refused, network="x", creates=False, what="comments")
    assert "so the comments were not read. Costanza tries again later" in read.message
    post = transport_error(refused, network="x", creates=True)  # a post: as before
    assert "so nothing was sent" in post.message
    dropped = transport_error(requests.ConnectionError("reset"), network="facebook",
                              creates=False, what="comments")
    assert dropped.message.startswith("The connection to Facebook dropped while Costanza "
                                      "read the comments.")
