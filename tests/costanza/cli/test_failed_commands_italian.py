"""The failing cases of test_failed_commands_change_nothing and test_bad_input, under
``--lang it``.

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
from tests.costanza.cli.test_bad_input import HUGE, ready, refused  # noqa: F401
from tests.costanza.cli.test_bad_input import snapshot as bad_input_snapshot
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
    left = english_left(said, english.output, tuple(args))
    assert not left, (f"English left in `costanza --lang it {' '.join(args)}`:\n"
                      + "\n".join(left))


# --- the bad input of test_bad_input, under --lang it ----------------------------------------

BAD_INPUT = [
    ("post", "edit", HUGE, "--text", "x"), ("post", "remove", HUGE), ("post", "show", HUGE),
    ("post", "move", HUGE, "--to", "1"), ("post", "now", HUGE), ("retry", HUGE),
    ("log", "--post", HUGE),
    ("post", "add", "x", "--at", "0001-01-01 00:00"), ("log", "--since", "99999999999999999999d"),
    ("pause", "--until", "9999-12-31"), ("sandbox", "--port", "99999"),
    ("daemon", "--concurrency", "0"), ("post", "add", "x", "--at", ""),
    ("cadence", "set", "mon 10:00", "--timezone", ""),
    ("post", "add", "x", "--at", "2030-01-01 10:00", "--top"),
    ("post", "edit", "1", "--at", "2030-01-01 10:00", "--unpin"),
    ("post", "add", "\udced\udca0\udc80"), ("--profile", "a" * 5000, "post", "list"),
    ("post", "show", "uno"), ("post", "nope"), ("queue", "--limit", "many"),
]
BAD_SETTINGS = [
    "[daemon]\npoll_seconds = nan\n", "[daemon]\npoll_seconds = inf\n",
    "[daemon]\npoll_seconds = 1e400\n", "[daemon]\nper_network_concurrency = 100000000000\n",
    '[database]\nurl = "not a url"\n', '[daemon]\ngrace_period = "99999999999999999999d"\n',
    '[ui]\nlanguage = "klingon"\n',
]


def _in_both_languages(run, home: Path, args: tuple[str, ...],
                       typed: tuple[str, ...] = ()) -> None:
    before = bad_input_snapshot(home)
    english = run("--lang", "en", *args)
    refused(english)
    italian = run("--lang", "it", *args)
    said = refused(italian)
    assert italian.exit_code == english.exit_code, (english.output, said)
    assert bad_input_snapshot(home) == before
    left = english_left(said, english.output, (*args, *typed))
    assert not left, "English left:\n" + "\n".join(left)


@pytest.mark.parametrize("args", BAD_INPUT, ids=lambda a: " ".join(a)[:60])
def test_bad_input_in_italian(ready: Path, run, args: tuple[str, ...]) -> None:  # noqa: F811
    _in_both_languages(run, ready, args)


@pytest.mark.parametrize("line", BAD_SETTINGS, ids=lambda line: line.split("\n")[1])
def test_bad_settings_in_italian(ready: Path, run, line: str,  # noqa: F811
                                 backend: str) -> None:
    if backend == "postgres" and "[database]" in line:
        pytest.skip("COSTANZA_DATABASE_URL names the database on this backend")
    (ready / "config.toml").write_text(line, encoding="utf-8")
    _in_both_languages(run, ready, ("status",), typed=(line,))
