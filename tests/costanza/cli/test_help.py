"""Every command has help that ends with an example (sqlite-utils' rule)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest

from costanza.cli.main import COMMANDS, CostanzaGroup, cli


def _all_commands() -> list[tuple[str, click.Command]]:
    found: list[tuple[str, click.Command]] = []
    for name in COMMANDS:
        command = CostanzaGroup._load(name)
        if command is None:
            continue
        found.append((name, command))
        if isinstance(command, click.Group):
            for sub_name, sub in command.commands.items():
                found.append((f"{name} {sub_name}", sub))
    return found


def test_the_contract_commands_exist() -> None:
    names = {name for name, _ in _all_commands()}
    for required in ("init", "post add", "post list", "post show", "post edit", "post remove",
                     "post move", "post now", "queue", "cadence show", "cadence set", "pause",
                     "resume", "daemon", "status"):
        assert required in names


@pytest.mark.parametrize(("name", "command"), _all_commands(), ids=lambda v: str(v))
def test_command_has_help_with_an_example(name: str, command: click.Command) -> None:
    text = command.help or ""
    assert text.strip(), f"`costanza {name}` has no help"
    assert "Example:" in text, f"`costanza {name}` help has no Example: block"
    example = text.split("Example:", 1)[1]
    assert "costanza " in example


def test_top_level_help_lists_commands(run) -> None:  # type: ignore[no-untyped-def]
    result = run("--help")
    assert result.exit_code == 0
    assert "post" in result.output and "daemon" in result.output
    assert cli.help and "Example:" in cli.help


def test_top_level_help_starts_without_the_database_libraries(tmp_path: Path) -> None:
    """`costanza --help` loads every command module to list them: none of them may
    import SQLAlchemy (or anything heavier) at module level."""
    root = Path(__file__).resolve().parents[3]
    env = dict(os.environ, COSTANZA_HOME=str(tmp_path), PYTHONPATH=str(root))
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "costanza", "--help"],
                            cwd=root, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    loaded = {m.split(".")[0] for m in re.findall(r"\|\s+([\w.]+)\s*$", result.stderr, re.M)}
    assert loaded, "python -X importtime printed nothing"
    assert not loaded & {"sqlalchemy", "scheduler", "posts", "PIL"}, sorted(loaded)
