"""JSON output never changes with the language (issue 17, part 2).

Every command with --json runs under ``--lang en`` and under ``--lang it``, each on a
home built the same way (same commands, same fake clock): the two outputs are equal byte
for byte, and so are the exit codes. The command tree is walked, so that a new command
with --json gets a case here or a reason in NOT_HERE.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from config.clock import FakeClock
from tests.conftest import START
from tests.costanza.cli.tree import commands

# How each home is filled before the command runs.
SETUP = (
    ("init", "--timezone", "Europe/Rome", "--slots", "mon 09:30, wed 18:00, fri 12:00"),
    ("post", "add", "Gomitoli di lana merino, tinti a mano.", "--to", "x"),
    ("post", "add", "Sciarpe per l'inverno.", "--photo", "{photo}"),
    ("post", "add", "Il mercatino di Natale.", "--to", "x,facebook", "--at", "2027-01-04 10:00"),
    ("pause", "--from", "2027-08-03", "--until", "2027-08-20"),
)
JSON_CASES: dict[tuple[str, ...], list[tuple[str, ...]]] = {
    ("post", "list"): [("post", "list", "--all", "--json"), ("post", "list", "--json")],
    ("post", "show"): [("post", "show", "1", "--json"), ("post", "show", "2", "--json"),
                       ("post", "show", "3", "--json")],
    ("post", "add"): [("post", "add", "Un post nuovo", "--to", "x", "--json")],
    ("queue",): [("queue", "--json"), ("queue", "--limit", "30", "--json")],
    ("cadence", "show"): [("cadence", "show", "--json")],
    ("status",): [("status", "--json")],
    ("check",): [("check", "--json")],
    ("log",): [("log", "--since", "30d", "--json")],
    ("account", "list"): [("account", "list", "--json")],
    ("account", "check"): [("account", "check", "--json")],
    ("report",): [("report", "--weeks", "8", "--json")],
    ("resume",): [("resume", "--json")],
    ("retry",): [("retry", "999", "--json")],
    ("costs",): [("costs", "--json"), ("costs", "--month", "2026-11", "--json")],
    ("comments",): [("comments", "--json"), ("comments", "--all", "--network", "x", "--json")],
    ("comments", "read"): [("comments", "read", "999", "--json")],
    ("comments", "fetch"): [("comments", "fetch", "--json")],
    ("comments", "hide"): [("comments", "hide", "999", "--json")],
    ("reply",): [("reply", "999", "Grazie!", "--json")],
}
# Commands with --json whose output needs a network (the sandbox) to be told apart.
NOT_HERE = {
    ("account", "add", "facebook"): "needs the sandbox's accounts",
    ("account", "add", "instagram"): "needs the sandbox's accounts",
    ("account", "add", "x"): "needs the sandbox's accounts",
}


def with_json(command: click.Command) -> Iterator[tuple[str, ...]]:
    return (path for path, sub in commands(command)
            if any(param.name == "as_json" for param in sub.params))


def test_every_command_with_json_has_a_case() -> None:
    from costanza.cli.main import cli

    paths = set(with_json(cli))
    assert paths
    unlisted = paths - set(JSON_CASES) - set(NOT_HERE)
    assert not unlisted, f"{sorted(unlisted)} print JSON: give each a case in JSON_CASES"
    gone = (set(JSON_CASES) | set(NOT_HERE)) - paths
    assert not gone, f"{sorted(gone)} have no --json any more: drop them here"


@pytest.fixture
def homes(tmp_path: Path,
          monkeypatch: pytest.MonkeyPatch) -> Callable[[str], Callable[..., Result]]:
    """A home per language, filled the same way; returns a runner for a language's home."""
    from PIL import Image

    from costanza.cli.main import cli

    for name in ("COSTANZA_PLATFORM_URL", "COSTANZA_PROFILE", "COSTANZA_CONFIG",
                 "COSTANZA_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    photo = tmp_path / "sciarpa.jpg"
    Image.new("RGB", (1080, 1350), (120, 40, 60)).save(photo, quality=90)

    def runner(language: str) -> Callable[..., Result]:
        folder = tmp_path / f"home {language}"
        clock = FakeClock(START)

        def invoke(*args: str) -> Result:
            monkeypatch.setenv("COSTANZA_HOME", str(folder))
            return CliRunner().invoke(cli, ["--lang", language, *args], obj={"clock": clock},
                                      catch_exceptions=False)

        for step in SETUP:
            done = invoke(*(a.format(photo=photo) for a in step))
            assert done.exit_code == 0, (step, done.output)
        return invoke

    return runner


@pytest.mark.parametrize("args", [args for cases in JSON_CASES.values() for args in cases],
                         ids=" ".join)
def test_json_is_the_same_in_english_and_in_italian(homes, args: tuple[str, ...]) -> None:
    english, italian = homes("en"), homes("it")
    en, it = english(*args), italian(*args)
    assert en.exit_code == it.exit_code, (en.output, it.output)
    if en.exit_code == 0:
        json.loads(en.stdout)  # it is JSON
    assert it.stdout == en.stdout
