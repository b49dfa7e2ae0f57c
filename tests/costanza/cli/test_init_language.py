"""`costanza init` says which language it chose, where that came from, and how to change
it; `language_source` tells the five sources apart."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from costanza.cli.i18n import language_source

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(("args", "environ", "expected"), [
    (["--lang", "it", "init"], {"COSTANZA_LANG": "en"}, "--lang"),
    (["--lang=en", "init"], {}, "--lang"),
    (["init"], {"COSTANZA_LANG": "italiano", "LANG": "en_US.UTF-8"}, "COSTANZA_LANG"),
    (["init"], {"LANG": "it_IT.UTF-8"}, "system"),
    (["init"], {"LC_ALL": "C"}, "system"),
    (["init"], {}, "default"),
])
def test_language_source(tmp_path: Path, args: list[str], environ: dict[str, str],
                         expected: str) -> None:
    environ = {"COSTANZA_HOME": str(tmp_path), **environ}
    assert language_source(args, environ) == expected


def test_the_settings_file_is_a_source(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('[ui]\nlanguage = "it"\n', encoding="utf-8")
    assert language_source(["status"], {"COSTANZA_HOME": str(tmp_path),
                                        "LANG": "en_US.UTF-8"}) == "settings"


def _init(home: Path, *args: str, **env: str) -> str:
    environ = {k: v for k, v in os.environ.items()
               if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG", "COSTANZA_LANG")}
    environ.update(COSTANZA_HOME=str(home), PYTHONPATH=str(ROOT), **env)
    result = subprocess.run([sys.executable, "-m", "costanza", *args, "init", "--timezone",
                             "Europe/Rome"], cwd=ROOT, env=environ, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_init_says_the_language_and_how_to_change_it(tmp_path: Path) -> None:
    out = _init(tmp_path / "en", LANG="en_US.UTF-8")
    config = tmp_path / "en" / "config.toml"
    assert (f'Language: English (from your system\'s settings); to change it, set language = '
            f'"it" under [ui] in {config}, or use --lang it.') in out
    assert 'language = "en"' in config.read_text(encoding="utf-8")
    out = _init(tmp_path / "it", "--lang", "it")
    assert "Lingua: italiano (come hai chiesto con --lang)" in out
    assert 'language = "en"' in out and "--lang en" in out
