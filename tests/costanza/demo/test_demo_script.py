"""scripts/demo leaves the user's PATH alone and ends with the exact command to use."""
from __future__ import annotations

from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "demo"


def test_demo_script_ends_by_naming_the_installed_command() -> None:
    lines = [line for line in SCRIPT.read_text().splitlines() if line.strip()]
    assert lines[-1] == 'exit "$status"'
    assert "run it as .venv/bin/costanza" in lines[-2]
    assert "PATH=" not in SCRIPT.read_text()
