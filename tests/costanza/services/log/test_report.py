"""`costanza report`: kept and missed slots, the streak, per network, failures, pictures."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from costanza.services.heatmap import PALETTE, Layout, colour_for
from costanza.services.report import build_report
from posts.profiles import add_pause, get_profile
from tests.costanza.services.log.conftest import Filled

# Fixed dates of their own on the fake clock, the week of tests.conftest.DEFAULT_START;
# they touch no real clock or file time (see tests/conftest.py).
pytestmark = pytest.mark.pinned_dates

# Worked out by hand from the story in conftest.py (slots Mon, Wed, Fri; Rome).
EXPECTED = [
    # week, slots, kept, missed, steady, published, days
    ("2026-W48", 0, 0, 0, None, 0, [None] * 5 + [0, 0]),  # set up on Saturday evening
    ("2026-W49", 3, 3, 0, True, 3, [1, 0, 1, 0, 1, 0, 0]),
    ("2026-W50", 3, 0, 3, False, 0, [0] * 7),  # failed, needs review, queue empty
    ("2026-W51", 3, 3, 0, True, 3, [1, 0, 1, 0, 1, 0, 0]),
    ("2026-W52", 3, 3, 0, True, 3, [1, 0, 1, 0, 1, 0, 0]),
    ("2026-W53", 1, 0, 1, None, 0, [0, 0] + [None] * 5),  # Tuesday noon: Monday missed
]


def test_report_numbers(filled: Filled, cli: Any) -> None:
    data = json.loads(cli("report", "--json").stdout)
    got = [(w["week"], w["slots"], w["kept"], w["missed"], w["steady"], w["published"],
            w["days"]) for w in data["weeks"]]
    assert got == EXPECTED
    assert data["weeks"][2]["missed_days"] == [0, 2, 4]
    assert [w["complete"] for w in data["weeks"]] == [True] * 5 + [False]
    assert data["streak"] == 2 and data["streak_from"] == "2026-W51"
    assert data["per_network"] == {"facebook": 5, "instagram": 0, "x": 5}
    assert data["totals"] == {"slots": 13, "kept": 9, "missed": 4, "published": 9}
    assert data["failures"] == [
        {"network": "facebook", "outcome": "held", "count": 1,
         "reason": "Facebook says the Page token expired: connect the Page again."},
        {"network": "x", "outcome": "failed", "count": 1,
         "reason": "X refused the post: the text is too long."},
        {"network": "x", "outcome": "needs_review", "count": 1,
         "reason": "Costanza cannot tell whether this post went out (the account's posts "
                   "could not be read)."},
    ]


def test_report_table(filled: Filled, cli: Any) -> None:
    result = cli("report")
    assert result.exit_code == 0
    out = result.stdout
    assert "Week                 Slots   Kept  Missed   Posts  Steady" in out
    assert "7 Dec - 13 Dec           3      0       3       0  no" in out
    assert "28 Dec - 3 Jan 2027      1      0       1       0  (this week, so far)" in out
    assert "Steady weeks in a row: 2, since the week of 14 Dec - 20 Dec. Keep it up!" in out
    assert "W5" not in out  # no ISO week numbers for a person to decode
    assert "Posts published per network: Facebook 5, Instagram 0, X 5" in out
    assert "1 x X (failed): X refused the post: the text is too long." in out
    assert max(len(line) for line in out.splitlines()) <= 80


def test_fewer_weeks_shown_but_the_streak_still_counts_back(filled: Filled) -> None:
    data = build_report(filled.app, weeks=2)
    assert [w["week"] for w in data["weeks"]] == ["2026-W52", "2026-W53"]
    assert data["streak"] == 2
    assert data["per_network"] == {"facebook": 3, "instagram": 0, "x": 0}
    assert [f["outcome"] for f in data["failures"]] == ["held"]


def test_paused_slots_are_not_missed(filled: Filled) -> None:
    # A pause over the bad week: its slots were not the artisan's to keep.
    with filled.app.store.write() as db:
        profile = get_profile(db, "default")
        add_pause(db, profile, datetime(2026, 12, 6, 23, tzinfo=UTC),
                  datetime(2026, 12, 13, 23, tzinfo=UTC))
    data = build_report(filled.app)
    w50 = data["weeks"][2]
    assert (w50["slots"], w50["missed"], w50["paused"], w50["steady"]) == (0, 0, 3, None)
    # The paused week neither breaks nor extends the streak.
    assert data["streak"] == 3 and data["streak_from"] == "2026-W49"


def test_streak_ends_with_the_last_complete_week(filled: Filled) -> None:
    filled.clock.set(datetime(2027, 1, 4, 12, tzinfo=UTC))  # W53 is complete, and missed
    data = build_report(filled.app)
    assert data["weeks"][-2]["week"] == "2026-W53" and data["weeks"][-2]["steady"] is False
    assert data["streak"] == 0 and data["streak_from"] is None
    filled.clock.set(datetime(2026, 12, 28, 8, 0, tzinfo=UTC) + timedelta(minutes=31))
    # Monday's slot is 1 minute old: within the grace period, not missed yet.
    assert build_report(filled.app)["weeks"][-1]["missed"] == 0


def test_svg_picture_has_a_cell_per_day(filled: Filled, cli: Any, tmp_path: Path) -> None:
    out = tmp_path / "steady.svg"
    result = cli("report", "--out", str(out))
    assert result.exit_code == 0 and f"Picture saved to {out}." in result.stdout
    assert out.stat().st_size > 0
    root = ET.parse(out).getroot()
    ns = "{http://www.w3.org/2000/svg}"
    layout = Layout(6)
    assert (int(root.get("width", 0)), int(root.get("height", 0))) == (layout.width,
                                                                       layout.height)
    cells = [r for r in root.iter(f"{ns}rect") if r.get("class") == "cell"]
    assert len(cells) == 6 * 7
    fills = [c.get("fill") for c in cells]
    # Week 2026-W49 (second column): Monday, Wednesday, Friday had one post each.
    assert fills[7:14] == [PALETTE[1], PALETTE[0], PALETTE[1], PALETTE[0], PALETTE[1],
                           PALETTE[0], PALETTE[0]]
    assert [c.get("stroke") for c in cells[14:21]].count("#d73a49") == 3  # W50 missed
    assert "Mon 30 Nov 2026: 1 post" in cells[7].findtext(f"{ns}title", "")
    title = next(t.text for t in root.iter(f"{ns}text"))
    assert title == "Posts published per day, 23 Nov 2026 to 3 Jan 2027 (streak: 2 steady weeks)"
    weeks = [t.text for t in root.iter(f"{ns}text") if t.get("class") == "week"]
    assert weeks == ["23", "30", "7", "14", "21", "28"]  # each column's Monday


def test_png_picture_cells_sampled_at_their_centres(filled: Filled, cli: Any,
                                                     tmp_path: Path) -> None:
    from PIL import Image

    out = tmp_path / "steady.png"
    assert cli("report", "--out", str(out), "--json").exit_code == 0
    report = build_report(filled.app)
    layout = Layout(len(report["weeks"]))
    with Image.open(out) as image:
        assert image.format == "PNG"
        assert image.size == (layout.width, layout.height)
        assert len(image.getcolors(maxcolors=100_000) or []) > 2  # not blank
        rgb = image.convert("RGB")
        sampled = 0
        for col, week in enumerate(report["weeks"]):
            for row, count in enumerate(week["days"]):
                want = colour_for(count)
                expected = tuple(int(want[i:i + 2], 16) for i in (1, 3, 5))
                assert rgb.getpixel(layout.centre(col, row)) == expected, (col, row)
                sampled += 1
    assert sampled == 6 * 7
    # Under each column, the day its Monday falls on: ink, where the grid ends.
    for col in range(len(report["weeks"])):
        x0, _, x1, _ = layout.box(col, 0)
        top = layout.height - layout.bottom
        under = [rgb.getpixel((x, y)) for x in range(x0, x1 + 1) for y in range(top, top + 16)]
        assert any(max(p) < 128 for p in under), col


def test_weeks_are_named_by_their_dates() -> None:
    from datetime import date

    from costanza.services.report import week_dates

    assert week_dates(date(2026, 11, 30), 2026) == "30 Nov - 6 Dec"
    assert week_dates(date(2026, 12, 28), 2026) == "28 Dec - 3 Jan 2027"
    assert week_dates(date(2025, 12, 1), 2026) == "1 Dec - 7 Dec 2025"


def test_picture_needs_a_known_suffix(filled: Filled, cli: Any, tmp_path: Path) -> None:
    result = cli("report", "--out", str(tmp_path / "steady.jpg"))
    assert result.exit_code == 1
    assert "give a file name ending in .png or .svg" in result.output
    assert not (tmp_path / "steady.jpg").exists()
