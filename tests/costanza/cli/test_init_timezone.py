"""`costanza init` without `--timezone`: this computer's zone, found from sources passed
in (never this machine's own), and a question or a refusal when that zone is UTC."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from config.errors import TimezoneNeeded
from costanza.app import App
from costanza.services import tzdetect
from costanza.services.tzdetect import detect_timezone


def link(tmp_path: Path, target: str) -> Path:
    path = tmp_path / "localtime"
    os.symlink(target, path)
    return path


@pytest.mark.parametrize(("env", "expected"), [
    ({"TZ": "Europe/Rome"}, "Europe/Rome"),
    ({"TZ": ":Asia/Tokyo"}, "Asia/Tokyo"),
    ({"TZ": ":/usr/share/zoneinfo/America/New_York"}, "America/New_York"),
    ({"TZ": "Etc/UTC"}, "Etc/UTC"),
])
def test_tz_variable_comes_first(tmp_path: Path, env: dict[str, str], expected: str) -> None:
    localtime = link(tmp_path, "/usr/share/zoneinfo/Australia/Perth")
    assert detect_timezone(env, localtime, tmp_path / "none") == expected


def test_localtime_link_then_the_timezone_file(tmp_path: Path) -> None:
    localtime = link(tmp_path, "/usr/share/zoneinfo/posix/Europe/Lisbon")
    # A TZ that is a POSIX rule, not a zone name, says nothing storable.
    assert detect_timezone({"TZ": "CET-1CEST"}, localtime, tmp_path / "none") == "Europe/Lisbon"
    copy = tmp_path / "copied-localtime"
    copy.write_bytes(b"TZif")  # a copy, not a link: the name is lost
    named = tmp_path / "timezone"
    named.write_text("Europe/Rome\n", encoding="utf-8")
    assert detect_timezone({}, copy, named) == "Europe/Rome"


def test_nothing_to_go_on_or_nonsense_is_unknown(tmp_path: Path) -> None:
    bogus = tmp_path / "timezone"
    bogus.write_text("../../etc/passwd\n", encoding="utf-8")
    assert detect_timezone({}, tmp_path / "missing", tmp_path / "missing too") is None
    assert detect_timezone({"TZ": "Mars/Olympus"}, link(tmp_path, "/nowhere"), bogus) is None


@pytest.fixture
def machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, home: Path):
    """This computer's zone as the test says it is: TZ only, no zone files."""
    monkeypatch.setattr(tzdetect, "LOCALTIME", tmp_path / "no-localtime")
    monkeypatch.setattr(tzdetect, "TIMEZONE_FILE", tmp_path / "no-timezone")
    monkeypatch.delenv("TZ", raising=False)

    def set_zone(zone: str | None) -> None:
        if zone is None:
            monkeypatch.delenv("TZ", raising=False)
        else:
            monkeypatch.setenv("TZ", zone)

    return set_zone


def test_init_uses_this_computers_zone_and_says_so(run, machine, home: Path) -> None:
    machine("Europe/Rome")
    result = run("init")
    assert result.exit_code == 0, result.output
    assert ("Time zone: Europe/Rome (from this computer); change it with `costanza cadence "
            "set \"Mon 09:30, Wed 18:00, Fri 12:00\" --timezone ZONE`.") in result.output
    assert json.loads(run("cadence", "show", "--json").output)["timezone"] == "Europe/Rome"


@pytest.mark.parametrize("zone", ["UTC", "Etc/UTC", "GMT", None])
def test_init_on_a_utc_machine_without_a_terminal_refuses(run, machine, home: Path,
                                                          zone: str | None) -> None:
    machine(zone)
    result = run("init")
    assert result.exit_code == 1
    start = ("This computer's clock is set to UTC" if zone else
             "Costanza could not tell this computer's time zone")
    assert result.output.startswith(start)
    assert "Nothing was set up" in result.output
    assert "run `costanza init --timezone Europe/Rome`" in result.output
    assert not home.exists() or not any(home.iterdir())


def test_init_on_a_utc_machine_at_a_terminal_asks(run, machine, home: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from costanza.cli import setup as cli_setup

    machine("Etc/UTC")
    monkeypatch.setattr(cli_setup, "at_terminal", lambda: True)  # CliRunner has no tty
    result = run("init", input="Mars/Olympus\nAsia/Kolkata\n")
    assert result.exit_code == 0, result.output
    assert "This computer's clock is set to UTC" in result.output
    assert result.output.count("Your time zone (for example Europe/Rome):") == 2
    assert "'Mars/Olympus' is not a time zone" in result.output  # told why, asked again
    assert "Time zone: Asia/Kolkata (as you typed it)" in result.output
    assert json.loads(run("cadence", "show", "--json").output)["timezone"] == "Asia/Kolkata"


def test_a_given_or_kept_zone_needs_no_detection(run, machine, home: Path) -> None:
    machine("UTC")
    result = run("init", "--timezone", "America/Sao_Paulo")
    assert result.exit_code == 0, result.output
    assert "from this computer" not in result.output
    assert run("init", "--force").exit_code == 0
    assert "America/Sao_Paulo" in run("cadence", "show").output


def test_initialise_takes_the_detection_passed_in(home: Path) -> None:
    from costanza.services.setup import initialise

    app = App.load()
    try:
        with pytest.raises(TimezoneNeeded):
            initialise(app, None, None, False, detect=lambda: "Etc/GMT")
        assert not app.settings.home.config_file.exists()
        asked: list[str | None] = []
        result = initialise(app, None, None, False, detect=lambda: "UTC",
                            ask_zone=lambda found: asked.append(found) or "Europe/Rome")
        assert (result.timezone, result.zone_source, asked) == ("Europe/Rome", "asked", ["UTC"])
    finally:
        app.close()
