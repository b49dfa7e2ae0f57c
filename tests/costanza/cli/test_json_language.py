"""The JSON of status, queue, cadence, report, log and resume is the same under --lang en
and --lang it: JSON is read by programs, and never changes with the language."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]
COMMANDS = [("status",), ("queue",), ("cadence", "show"), ("report",),
            ("log", "--since", "30d"), ("resume",)]
MOMENT = ("generated_at", "at", "seconds_since_heartbeat", "heartbeat_at", "started_at")


def _run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environ = dict(os.environ, COSTANZA_HOME=str(home), PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "costanza", *args], cwd=ROOT, env=environ,
                          capture_output=True, text=True, timeout=60)


def _steady(data: Any) -> Any:
    """``data`` without the values that change from one second to the next."""
    if isinstance(data, dict):
        return {k: _steady(v) for k, v in data.items() if k not in MOMENT}
    if isinstance(data, list):
        return [_steady(v) for v in data]
    return data


@pytest.fixture(autouse=True)
def _every_backend() -> str:
    """The commands run in their own process, on the SQLite of their COSTANZA_HOME."""
    return "sqlite"


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("costanza")
    for args in (("init", "--timezone", "Europe/Rome"),
                 ("pause", "--from", "2099-08-08", "--until", "2099-08-24")):
        result = _run(home, *args)
        assert result.returncode == 0, result.stderr[-2000:]
    return home


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_json_is_the_same_in_every_language(home: Path, command: tuple[str, ...]) -> None:
    english = _run(home, "--lang", "en", *command, "--json")
    italian = _run(home, "--lang", "it", *command, "--json")
    assert english.returncode == italian.returncode == 0, english.stderr + italian.stderr
    assert _steady(json.loads(english.stdout)) == _steady(json.loads(italian.stdout))
