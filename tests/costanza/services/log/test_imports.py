"""Commands that do not publish never load the publishers' heavy libraries."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.costanza.services.log.conftest import Filled

ROOT = Path(__file__).resolve().parents[4]
HEAVY = ("tweepy", "facebook", "av", "apscheduler")


@pytest.mark.parametrize("args", [("log", "--since", "60d"), ("log", "--csv"),
                                  ("report", "--out", "{tmp}/steady.svg"), ("retry", "5")])
def test_command_does_not_import_publishing_libraries(filled: Filled, tmp_path: Path,
                                                      args: tuple[str, ...]) -> None:
    env = dict(os.environ, COSTANZA_HOME=str(filled.app.settings.home.config_file.parent),
               PYTHONPATH=str(ROOT))
    command = [a.format(tmp=tmp_path) for a in args]
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "costanza", *command],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    modules = set(re.findall(r"\|\s+([\w.]+)\s*$", result.stderr, re.M))
    assert modules, "python -X importtime printed nothing"
    loaded = {m.split(".")[0] for m in modules}
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))
