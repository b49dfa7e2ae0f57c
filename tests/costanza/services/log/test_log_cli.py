"""`costanza log` on a store filled by a real worker: text, filters, JSON, CSV, colours."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime
from typing import Any

from tests.costanza.services.log.conftest import Filled

ANSI = re.compile(r"\x1b\[[0-9;]*m")
SINCE = ("--since", "2026-11-01")


def test_log_shows_one_entry_per_delivery_in_local_time(filled: Filled, cli: Any) -> None:
    result = cli("log", *SINCE)
    assert result.exit_code == 0, result.output
    out = result.stdout
    # Post 1 went out on Mon 30 Nov at 09:30 in Rome (08:30 UTC), on both networks.
    assert re.search(r"^\s+1  Mon 30 Nov 09:30  Facebook   published     post 1     La lana "
                     r"arriva", out, re.M)
    assert re.search(r"^\s+2  Mon 30 Nov 09:30  X          published     post 1 ", out, re.M)
    assert "       https://fake.invalid/x/x-1" in out
    # Rate-limited at 18:00, out 15 minutes later.
    assert re.search(r"^\s+3  Wed 02 Dec 18:15  X          published     post 2     Il telaio",
                     out, re.M)
    # The delivery number (for `retry`) and the post number (for `post show`) differ.
    assert re.search(r"^\s+13  Mon 28 Dec 09:30  Facebook   on hold       post 12    Auguri", out,
                     re.M)
    lines = [line for line in out.splitlines() if re.match(r"^\s+\d+  ", line)]
    assert [int(line.split()[0]) for line in lines] == list(range(1, 14))


def test_problems_show_their_reason_and_the_fixing_command(filled: Filled, cli: Any) -> None:
    out = cli("log", *SINCE).stdout
    failed = out.split("\n    5  ", 1)[1]
    assert failed.startswith("Mon 07 Dec 09:30  X          failed")
    assert "       X refused the post: the text is too long.\n       To fix: costanza retry 5" \
        in failed
    review = out.split("\n    6  ", 1)[1]
    assert "needs review" in review.splitlines()[0]
    assert "       To check once more: costanza retry 6\n" in review
    assert "       To publish it anyway: costanza retry 6 --force\n" in review
    held = out.split("\n   13  ", 1)[1]
    assert "on hold" in held.splitlines()[0]
    assert "       Facebook says the Page token expired" in held
    assert "To fix: reconnect the account, then run costanza account check" in held


def test_log_fits_an_80_column_terminal(filled: Filled, cli: Any) -> None:
    out = cli("log", *SINCE).stdout
    assert max(len(line) for line in out.splitlines()) <= 80
    assert "post 1     La lana arriva dal…" in out  # the excerpt is cut, not the line


def test_failed_keeps_what_needs_attention(filled: Filled, cli: Any) -> None:
    out = cli("log", *SINCE, "--failed").stdout
    numbers = [int(m) for m in re.findall(r"^\s+(\d+)  ", out, re.M)]
    assert numbers == [5, 6, 13]
    # Without --since, every open problem is shown, however old.
    rows = json.loads(cli("log", "--failed", "--json").stdout)
    assert [(r["delivery_id"], r["state"]) for r in rows] == [
        (5, "failed"), (6, "needs_review"), (13, "held")]
    rows = json.loads(cli("log", "--failed", "--since", "7d", "--json").stdout)
    assert [r["delivery_id"] for r in rows] == [13]


def test_network_and_post_filters(filled: Filled, cli: Any) -> None:
    rows = json.loads(cli("log", *SINCE, "--network", "facebook", "--json").stdout)
    assert {r["network"] for r in rows} == {"facebook"}
    assert [r["delivery_id"] for r in rows] == [1, 4, 10, 11, 12, 13]
    # --post shows the post's whole history, whatever the default --since is.
    rows = json.loads(cli("log", "--post", str(filled.posts["wool"]), "--json").stdout)
    assert [(r["network"], r["state"]) for r in rows] == [("facebook", "published"),
                                                         ("x", "published")]


def test_since_and_until_are_read_in_the_local_zone(filled: Filled, cli: Any) -> None:
    # The default is the last 7 days: from Tue 22 Dec 13:00 in Rome.
    rows = json.loads(cli("log", "--json").stdout)
    assert [r["delivery_id"] for r in rows] == [11, 12, 13]
    rows = json.loads(cli("log", "--since", "2026-12-07", "--until", "2026-12-09",
                          "--json").stdout)
    assert [r["delivery_id"] for r in rows] == [5, 6]
    # A date and time: up to (not including) Mon 30 Nov 09:30 in Rome.
    rows = json.loads(cli("log", *SINCE, "--until", "2026-11-30 09:30", "--json").stdout)
    assert rows == []
    rows = json.loads(cli("log", "--since", "2w", "--json").stdout)
    assert [r["delivery_id"] for r in rows] == [8, 9, 10, 11, 12, 13]


def test_json_shape_is_stable(filled: Filled, cli: Any) -> None:
    rows = json.loads(cli("log", *SINCE, "--json").stdout)
    assert set(rows[0]) == {
        "delivery_id", "post_id", "network", "account", "state", "status", "at",
        "local_time", "timezone", "text", "excerpt", "permalink", "remote_id",
        "published_at", "next_try_at", "attempts", "reason", "fix", "last_attempt"}
    first = rows[0]
    assert first["at"] == "2026-11-30T08:30:00+00:00"
    assert first["local_time"] == "Mon 30 Nov 09:30" and first["timezone"] == "Europe/Rome"
    assert first["account"] == "my-facebook" and first["fix"] is None
    assert first["last_attempt"]["outcome"] == "published"
    loom = next(r for r in rows if r["delivery_id"] == 3)
    assert loom["attempts"] == 2 and loom["last_attempt"]["action"] == "publish"
    failed = next(r for r in rows if r["delivery_id"] == 5)
    assert failed["state"] == "failed" and failed["fix"] == "costanza retry 5"
    assert failed["last_attempt"]["http_status"] == 400
    assert failed["permalink"] is None and "too long" in failed["reason"]


def test_csv_opens_in_a_spreadsheet(filled: Filled, cli: Any) -> None:
    result = cli("log", *SINCE, "--csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 13
    assert list(rows[0]) == ["delivery_id", "post_id", "network", "account", "state", "status",
                             "local_time", "at", "excerpt", "permalink", "reason", "fix",
                             "attempts", "text"]
    assert rows[0]["permalink"] == "https://fake.invalid/facebook/facebook-1"
    assert rows[0]["text"].startswith("La lana arriva dalla Val di Fiemme, filata a mano")
    assert rows[4]["fix"] == "costanza retry 5" and rows[4]["reason"].startswith("X refused")


def test_colours_on_a_terminal_only_and_never_with_no_color(filled: Filled, cli: Any) -> None:
    plain = cli("log", *SINCE).stdout
    assert not ANSI.search(plain)
    coloured = cli("log", *SINCE, color=True).stdout
    assert "\x1b[32mpublished" in coloured  # green
    assert "\x1b[31m\x1b[1mfailed" in coloured or "\x1b[1m\x1b[31mfailed" in coloured
    assert ANSI.sub("", coloured) == plain
    no_color = cli("log", *SINCE, color=True, env={"NO_COLOR": "1"}).stdout
    assert not ANSI.search(no_color)
    assert no_color == plain


def test_nothing_in_the_log_says_so(filled: Filled, cli: Any) -> None:
    result = cli("log", "--since", "1h")
    assert result.exit_code == 0
    assert "Nothing in the log" in result.stdout


def test_bad_choices_are_plain_errors(filled: Filled, cli: Any) -> None:
    result = cli("log", "--json", "--csv")
    assert result.exit_code == 2 and "Choose one of --json and --csv" in result.output
    result = cli("log", "--since", "last tuesday")
    assert result.exit_code == 1
    assert "'last tuesday' is not a date and time Costanza understands for --since" \
        in result.output
    assert cli("log", "--network", "mastodon").exit_code == 2


def test_a_delivery_waiting_to_retry_says_when(filled: Filled, cli: Any) -> None:
    from sqlalchemy import update

    from posts.models import Delivery

    with filled.app.store.write() as db:
        db.execute(update(Delivery).where(Delivery.id == 5).values(
            state="retry_wait", reason="X is busy; it asked to wait.",
            due_at=datetime(2026, 12, 29, 13, 45, tzinfo=UTC)))
    out = cli("log", "--post", str(filled.posts["long"])).stdout
    assert "    5  Mon 07 Dec 09:30  X          will retry    post 4     Una storia" in out
    assert "       Will try again Tue 29 Dec 14:45. X is busy; it asked to wait." in out
    assert "To fix" not in out
    result = cli("retry", "5")
    assert result.exit_code == 1
    assert "is waiting to be tried again, not failed: nothing to retry. It will be tried " \
        "again by itself Tue 29 Dec 14:45." in result.output
