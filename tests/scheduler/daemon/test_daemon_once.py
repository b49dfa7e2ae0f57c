"""`costanza daemon --once`: what is due goes out, then the daemon stops by itself; a post
the network asked to wait for is left for later, and said so."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import Result

from costanza.demo.sandbox.control import SandboxClient
from costanza.demo.sandbox.server import SandboxServer


@pytest.fixture
def control(home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxClient]:
    with SandboxServer() as server:
        monkeypatch.setenv("COSTANZA_PLATFORM_URL", server.base_url)
        yield SandboxClient(server.base_url)


def test_once_leaves_a_rate_limited_post_for_later_and_says_so(
        run: Callable[..., Result], control: SandboxClient) -> None:
    assert run("init", "--timezone", "Europe/Rome").exit_code == 0
    assert run("sandbox", "connect").exit_code == 0
    control.fault("facebook", "feed", rate_limit_reset=600)  # "wait ten minutes"
    assert run("post", "add", "Il telaio di nonna", "--to", "facebook,x").exit_code == 0
    assert run("post", "now", "1").exit_code == 0

    started = time.monotonic()
    result = run("daemon", "--once")
    assert result.exit_code == 0, result.output
    assert time.monotonic() - started < 60  # it did not wait the ten minutes
    assert "1 post waits to be tried again later" in result.output
    assert [p["text"] for p in control.posts("x")] == ["Il telaio di nonna"]
    assert control.posts("facebook") == []
    shown = run("post", "show", "1", "--json")
    assert '"retry_wait"' in shown.output


def test_once_with_nothing_due_stops_at_once(run: Callable[..., Result],
                                             control: SandboxClient) -> None:
    assert run("init", "--timezone", "Europe/Rome").exit_code == 0
    assert run("sandbox", "connect").exit_code == 0
    assert run("pause").exit_code == 0  # no slot is ever due, whatever day the test runs
    assert run("post", "add", "Quando riapriamo", "--to", "x").exit_code == 0
    started = time.monotonic()
    result = run("daemon", "--once")
    assert result.exit_code == 0, result.output
    assert time.monotonic() - started < 30
    assert "Nothing more is due now" in result.output
    assert control.posts() == []
    assert '"queued"' in run("post", "show", "1", "--json").output


def test_once_holds_x_at_its_budget_and_charges_what_went_out(
        run: Callable[..., Result], control: SandboxClient, home: Path) -> None:
    import json

    assert run("init", "--timezone", "Europe/Rome").exit_code == 0
    assert run("sandbox", "connect").exit_code == 0
    config = home / "config.toml"
    text = config.read_text(encoding="utf-8").replace("[x]\n", "[x]\nmonthly_budget = 0.015\n")
    config.write_text(text, encoding="utf-8")
    assert run("post", "add", "Il telaio di nonna", "--to", "facebook,x").exit_code == 0
    assert run("post", "now", "1").exit_code == 0
    assert run("daemon", "--once").exit_code == 0
    assert [p["text"] for p in control.posts("x")] == ["Il telaio di nonna"]
    assert run("post", "add", "La lana", "--to", "facebook,x").exit_code == 0
    assert run("post", "now", "2").exit_code == 0
    assert run("daemon", "--once").exit_code == 0
    assert len(control.posts("x")) == 1 and len(control.posts("facebook")) == 2
    shown = json.loads(run("post", "show", "2", "--json").output)
    (x,) = [d for d in shown["deliveries"] if d["network"] == "x"]
    assert x["state"] == "held" and "The X budget of $0.015 is reached" in x["reason"]
    costs = json.loads(run("costs", "--json").output)
    assert (costs["count"], costs["total_usd"], costs["blocked"]) == (1, "0.015", True)
    config.write_text(text.replace("monthly_budget = 0.015", "monthly_budget = 1"),
                      encoding="utf-8")
    assert run("daemon", "--once").exit_code == 0
    assert len(control.posts("x")) == 2
    assert json.loads(run("costs", "--json").output)["count"] == 2
