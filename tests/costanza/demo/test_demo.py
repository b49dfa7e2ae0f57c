"""`costanza demo` end to end: sandbox, daemon, every network and media kind."""

from __future__ import annotations

from pathlib import Path

import pytest

from costanza.demo.dialogue import ANSWER, QUESTION
from costanza.demo.run import STORIES, DemoResult, run_demo
from costanza.demo.sandbox.control import SandboxClient
from costanza.demo.sandbox.server import SandboxServer

pytestmark = pytest.mark.slow


def test_demo_publishes_every_story_once_and_answers_a_comment(tmp_path: Path) -> None:
    lines: list[str] = []
    result = run_demo(lines.append, tmp_path / "demo", timeout=90, spacing=2.0)
    assert result.all_published, result.deliveries
    expected = sum(len(targets) for _, _, targets in STORIES)
    assert len(result.deliveries) == expected
    assert all(d["permalink"] for d in result.deliveries)
    assert any("Queued post 4" in line for line in lines)
    # The sandbox's own record, reopened from its data folder: each delivery once.
    with SandboxServer(data_dir=tmp_path / "demo" / "sandbox") as server:
        posts = SandboxClient(server.base_url).posts()
    roots = [p for p in posts if not p.get("reply_to") and not p.get("in_reply_to")]
    by_network: dict[str, int] = {}
    for post in roots:
        by_network[post["network"]] = by_network.get(post["network"], 0) + 1
    assert by_network == {"facebook": 4, "instagram": 3, "x": 3}
    _a_comment_answered_once(result, lines, tmp_path)


def _a_comment_answered_once(result: DemoResult, lines: list[str], tmp_path: Path) -> None:
    """The demo's end: Giulia's comment under post 4 on Facebook, read, shown and
    answered; the answer under it in the sandbox exactly once."""
    assert result.dialogue is not None and result.dialogue["result"] == "sent"
    shown = "\n".join(lines)
    assert f'Giulia Rossi writes under post 4 on Facebook: "{QUESTION}"' in shown
    assert ("Costanza looks for new comments (`costanza comments fetch`): 1 new on "
            "Facebook.") in shown
    # As `costanza comments` shows it: the post, then her comment with its id.
    assert "Post 4 on Facebook, published " in shown
    assert f"[{result.dialogue['comment_id']}] Giulia Rossi" in shown
    assert f"       {QUESTION}" in shown
    assert "Your answer to comment" in shown and "is on Facebook." in shown
    # The sandbox's own record, reopened from its data folder: the answer, once, under
    # her comment (and nowhere else).
    with SandboxServer(data_dir=tmp_path / "demo" / "sandbox") as server:
        comments = SandboxClient(server.base_url).comments("facebook")
    [question] = [c for c in comments if c["text"] == QUESTION]
    assert question["id"] == result.dialogue["comment"]
    assert question["author"]["name"] == "Giulia Rossi" and not question["by_account"]
    answers = [c for c in comments if c["text"] == ANSWER]
    assert [(a["parent"], a["by_account"]) for a in answers] == [(question["id"], True)]
    assert result.dialogue["answers"] == 1
