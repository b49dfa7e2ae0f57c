"""The failing cases of test_failed_commands_change_nothing, under ``--lang it``.

Each case runs first in English, then in Italian, against the same home: the exit code
is the same, what the Italian refusal says has no English left (the checker of
tests/costanza/cli/english.py, with the English refusal's words as vocabulary), and the
home is still byte-identical afterwards.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.costanza.cli.english import english_left
from tests.costanza.cli.test_failed_commands_change_nothing import (  # noqa: F401
    _SPOIL,
    CASES,
    Case,
    _refused,
    sandbox_url,
    snapshot,
    world,
)


@pytest.mark.parametrize(("path", "case"), [(path, case) for path, cases in CASES.items()
                                            for case in cases],
                         ids=lambda v: " ".join(v) if isinstance(v, tuple) else
                         (" ".join(v.args) + (f" [{v.before}]" if v.before else "")))
def test_a_failed_command_in_italian(world: dict[str, Any], run, home: Path,  # noqa: F811
                                     tmp_path: Path,
                                     path: tuple[str, ...], case: Case) -> None:
    if case.before:
        _SPOIL[case.before](home, tmp_path)
    args = [a.format(**world) for a in case.args]
    before = snapshot(tmp_path, world["database_url"])
    english = run("--lang", "en", *args)
    _refused(english)
    italian = run("--lang", "it", *args)
    said = _refused(italian)
    assert italian.exit_code == english.exit_code, (english.output, said)
    assert snapshot(tmp_path, world["database_url"]) == before, args
    left = english_left(said, english.output)
    assert not left, (f"English left in `costanza --lang it {' '.join(args)}`:\n"
                      + "\n".join(left))
