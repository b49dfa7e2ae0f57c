"""The dialogue's "done when", through the real command line against a real sandbox:
a post goes out to all three networks, someone comments on each through the sandbox's
control API, `costanza comments fetch` reads them in one round, `costanza comments
--json` lists the three, `costanza reply ID "Grazie"` answers each, the sandbox's own
record shows each answer under the right comment exactly once, and `costanza comments`
no longer lists them as waiting. (On the real clock: the sandbox keeps its own.)"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from costanza.demo.sandbox.control import SandboxClient
from costanza.demo.sandbox.server import SandboxServer

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
NETWORKS = ("facebook", "instagram", "x")
Run = Callable[..., Result]


@pytest.fixture
def sandbox(home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxClient]:
    with SandboxServer(latency_ms=0) as server:
        monkeypatch.setenv("COSTANZA_PLATFORM_URL", server.base_url)
        yield SandboxClient(server.base_url)


@pytest.fixture
def costanza(sandbox: SandboxClient) -> Run:
    """`costanza ARGS...` in-process, on the real clock; exit 0 expected."""
    from costanza.cli.main import cli

    def invoke(*args: str) -> Result:
        result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
        assert result.exit_code == 0, (args, result.output)
        return result

    return invoke


def _json(result: Result) -> Any:
    return json.loads(result.output)


def test_three_comments_fetched_answered_once_and_no_longer_waiting(
        sandbox: SandboxClient, costanza: Run) -> None:
    costanza("init", "--timezone", "Europe/Rome")
    costanza("sandbox", "connect")
    costanza("post", "add", "La lana arriva dalla Val di Fiemme", "--photo",
             str(ROOT / "examples" / "gomitoli.jpg"), "--to", ",".join(NETWORKS))
    costanza("post", "now", "1")
    costanza("daemon", "--once")
    posts = {p["network"]: p["id"] for p in sandbox.posts()}
    assert sorted(posts) == list(NETWORKS)
    written = {n: sandbox.add_comment(n, posts[n], f"Bellissima! ({n})",
                                      author="Giulia Rossi") for n in NETWORKS}

    fetched = _json(costanza("comments", "fetch", "--json"))
    assert (fetched["looked"], fetched["new"], fetched["skipped"]) == (3, 3, [])
    assert [(r["network"], r["new"]) for r in fetched["networks"]] == [
        (n, 1) for n in NETWORKS]
    listed = _json(costanza("comments", "--json"))
    assert listed["count"] == 3 and listed["waiting"]["total"] == 3
    waiting = {c["network"]: c for p in listed["posts"] for c in p["comments"]}
    assert {n: c["text"] for n, c in waiting.items()} == {
        n: f"Bellissima! ({n})" for n in NETWORKS}

    for network in NETWORKS:
        said = _json(costanza("reply", str(waiting[network]["id"]), "Grazie", "--json"))
        assert said["result"] == "sent", said
    answers = [c for c in sandbox.comments() if c["by_account"] and c["text"] == "Grazie"]
    assert sorted((c["network"], c["parent"]) for c in answers) == sorted(
        (n, written[n]["id"]) for n in NETWORKS)  # each under its comment, once

    after = _json(costanza("comments", "--json"))
    assert (after["count"], after["waiting"]["total"]) == (0, 0)
    again = _json(costanza("comments", "fetch", "--json"))  # the answers are known already
    assert (again["looked"], again["new"]) == (3, 0)
    assert _json(costanza("comments", "--json"))["count"] == 0
    assert [c for c in sandbox.comments() if c["by_account"] and c["text"] == "Grazie"] == \
        answers
