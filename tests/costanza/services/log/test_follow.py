"""`costanza log --follow` sees tries appended by another process."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO, Any

from costanza.services import log as publog
from tests.costanza.services.log.conftest import Filled

ROOT = Path(__file__).resolve().parents[4]
GUARD = 60  # seconds: only a guard against a hang, never a measured expectation


def write_attempts(filled: Filled, *tries: tuple[int, str, str]) -> None:
    """Append tries (delivery id, outcome, message) from a separate Python process, the
    way the daemon does."""
    args = [str(part) for one in tries for part in one]
    subprocess.run([sys.executable, "-m", "tests.costanza.services.log.writer",
                    filled.app.settings.database_url, *args],
                   cwd=ROOT, check=True, env=_env(filled), timeout=GUARD)


def _env(filled: Filled) -> dict[str, str]:
    env = dict(os.environ)
    env["COSTANZA_HOME"] = str(filled.app.settings.home.config_file.parent)
    env["PYTHONPATH"] = str(ROOT)
    env.pop("NO_COLOR", None)
    return env


def test_follow_yields_what_another_process_appends(filled: Filled) -> None:
    polls: list[int] = []

    def sleep(_seconds: float) -> None:
        # Between two polls, the "daemon" (another process) records a try.
        polls.append(1)
        if len(polls) == 1:
            write_attempts(filled, (5, "failed", "X refused the post again."))

    seen = list(publog.follow(filled.app, interval=0, max_polls=3, sleep=sleep))
    assert len(polls) == 2
    assert [(e["delivery_id"], e["state"], e["reason"]) for e in seen] == [
        (5, "failed", "X refused the post again.")]
    assert seen[0]["fix"] == "costanza retry 5" and seen[0]["http_status"] == 503


def test_follow_ends_at_the_poll_after_it_is_told_to_stop(filled: Filled) -> None:
    # Ctrl-C in `log --follow` only raises a flag: the loop ends between two polls.
    naps: list[int] = []

    def sleep(_seconds: float) -> None:
        naps.append(1)
        if len(naps) == 1:
            write_attempts(filled, (5, "failed", "X refused the post again."))

    seen = list(publog.follow(filled.app, interval=0, sleep=sleep,
                              stopped=lambda: len(naps) >= 2))
    assert len(naps) == 2
    assert [e["delivery_id"] for e in seen] == [5]


def test_follow_filters_apply_to_new_tries(filled: Filled) -> None:
    start = publog.last_attempt_id(filled.app)
    write_attempts(filled, (1, "published", ""), (5, "failed", "Refused."))
    last, entries = publog.new_attempts(filled.app, start, network="x")
    assert last == start + 2
    assert [e["delivery_id"] for e in entries] == [5]
    _, entries = publog.new_attempts(filled.app, start, failed=True)
    assert [e["delivery_id"] for e in entries] == [5]
    _, entries = publog.new_attempts(filled.app, start, post_id=filled.posts["wool"])
    assert [(e["delivery_id"], e["permalink"]) for e in entries] == [
        (1, "https://fake.invalid/facebook/facebook-1")]


def _reader(stream: IO[str], lines: queue.Queue[str]) -> None:
    for line in stream:
        lines.put(line)


def _wait_for(lines: queue.Queue[str], text: str) -> list[str]:
    got = []
    while True:
        line = lines.get(timeout=GUARD)
        got.append(line)
        if text in line:
            return got


def test_follow_command_tails_the_daemon_until_ctrl_c(filled: Filled) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "costanza", "log", "--follow", "--json", "--until", "2026-01-01",
         "--interval", "0.05"],
        cwd=ROOT, env=_env(filled), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True)
    out: queue.Queue[str] = queue.Queue()
    err: queue.Queue[str] = queue.Queue()
    threads = [threading.Thread(target=_reader, args=(proc.stdout, out), daemon=True),
               threading.Thread(target=_reader, args=(proc.stderr, err), daemon=True)]
    for t in threads:
        t.start()
    try:
        _wait_for(err, "Watching for new entries")
        write_attempts(filled, (6, "needs_review", "Costanza cannot tell whether it went out."))
        line = _wait_for(out, "needs_review")[-1]
        entry: dict[str, Any] = json.loads(line)
        assert entry["delivery_id"] == 6 and entry["status"] == "needs review"
        assert entry["reason"] == "Costanza cannot tell whether it went out."
        assert entry["fix"] == "costanza retry 6"
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=GUARD) == 0
        assert "Stopped watching." in "".join(_wait_for(err, "Stopped watching."))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_follow_prints_text_lines(filled: Filled, cli: Any) -> None:
    # No new tries: the command prints the log, then watches for the polls it is given.
    result = cli("log", "--follow", "--since", "1d", "--max-polls", "2", "--interval", "0")
    assert result.exit_code == 0
    assert "Watching for new entries (Ctrl-C stops)..." in result.output
