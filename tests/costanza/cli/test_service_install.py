"""`costanza service install`: a unit written from this installation's real paths."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from config.secrets import SecretStore
from costanza.services.service import executable

ROOT = Path(__file__).resolve().parents[3]
COSTANZA = Path(sys.executable).with_name("costanza")


def _print_unit(home: Path, *args: str) -> str:
    """The unit as the installed `costanza` prints it, in a real process."""
    env = dict(os.environ, COSTANZA_HOME=str(home))
    result = subprocess.run([str(COSTANZA), "service", "install", "--print", *args],
                            env=env, capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    return result.stdout


def _lines(unit: str, key: str) -> list[str]:
    return [line.split("=", 1)[1] for line in unit.splitlines() if line.startswith(key + "=")]


def test_the_printed_unit_names_the_real_executable_home_and_user(run, home: Path) -> None:
    assert run("init", "--timezone", "Europe/Rome").exit_code == 0
    SecretStore(home / "secrets.toml").put("bottega-page", {"page_token": "t"})
    unit = _print_unit(home)
    command = _lines(unit, "ExecStart")[0].split()
    assert command[0] == str(COSTANZA) and command[1:] == ["daemon"]
    assert os.access(command[0], os.X_OK)
    assert " " in str(home)  # "costanza home": quoted as systemd reads it
    assert _lines(unit, "Environment") == [f'"COSTANZA_HOME={home}"']
    import getpass

    assert _lines(unit, "User") == [getpass.getuser()]
    assert _lines(unit, "LoadCredential") == [
        f'"costanza-secrets.toml:{home / "secrets.toml"}"']
    assert _lines(unit, "ReadWritePaths") == [f'"-{home}"']
    assert _lines(unit, "Type") == ["notify"]
    assert _lines(unit, "WantedBy") == ["multi-user.target"]
    assert not (home / "costanza.service").exists()  # --print writes nothing


def test_a_user_unit_has_no_user_line_and_starts_with_the_session(run, home: Path) -> None:
    assert run("init", "--timezone", "Europe/Rome").exit_code == 0
    unit = _print_unit(home, "--user")
    assert _lines(unit, "User") == []
    assert _lines(unit, "WantedBy") == ["default.target"]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None,
                    reason="systemd-analyze is not installed here")
def test_systemd_analyze_verifies_the_printed_unit(run, home: Path, tmp_path: Path) -> None:
    assert run("init", "--timezone", "Europe/Rome").exit_code == 0
    path = tmp_path / "costanza.service"
    path.write_text(_print_unit(home), encoding="utf-8")
    result = subprocess.run(["systemd-analyze", "verify", str(path)], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "costanza.service" not in result.stderr, result.stderr  # no warning about it


def test_install_user_writes_the_unit_and_says_what_to_type(run, home: Path,
                                                            tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert run("init", "--timezone", "Europe/Rome").exit_code == 0
    result = run("service", "install", "--user")
    assert result.exit_code == 0, result.output
    written = tmp_path / "xdg" / "systemd" / "user" / "costanza.service"
    assert "ExecStart=" in written.read_text(encoding="utf-8")
    assert f"Wrote {written}." in result.output
    assert "systemctl --user daemon-reload" in result.output
    assert "systemctl --user enable --now costanza" in result.output


def test_install_refuses_before_init_and_writes_nothing(run, home: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    result = run("service", "install", "--user")
    assert result.exit_code == 1
    assert "Run `costanza init` first" in result.output
    assert not (tmp_path / "xdg").exists()


def test_a_folder_it_may_not_write_is_refused_plainly(run, home: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = tmp_path / "xdg"
    blocked.write_text("a file where the folder should be", encoding="utf-8")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(blocked))
    assert run("init", "--timezone", "Europe/Rome").exit_code == 0
    result = run("service", "install", "--user")
    assert result.exit_code == 1
    assert "could not be written" in result.output and "Nothing was installed." in result.output


def test_the_command_is_this_python_when_run_as_a_module(tmp_path: Path) -> None:
    assert executable("/some/where/pytest", python="/opt/py/bin/python3") == [
        "/opt/py/bin/python3", "-m", "costanza"]
    script = tmp_path / "bin" / "costanza"
    script.parent.mkdir()
    script.write_text("#!/bin/sh\n", encoding="utf-8")
    assert executable(str(script), python="/opt/py/bin/python3")[1:] == ["-m", "costanza"]
    script.chmod(0o755)
    assert executable(str(script)) == [str(script)]


def test_the_secrets_file_handed_over_as_a_credential_is_read(tmp_path: Path) -> None:
    creds = tmp_path / "creds"
    creds.mkdir()
    (creds / "costanza-secrets.toml").write_text(
        '[bottega-page]\npage_token = "from the credential"\nother = "only here"\n',
        encoding="utf-8")
    file = tmp_path / "secrets.toml"
    store = SecretStore(file, {"CREDENTIALS_DIRECTORY": str(creds)})
    assert store.get("bottega-page") == {"page_token": "from the credential",
                                         "other": "only here"}
    SecretStore(file, {}).put("bottega-page", {"page_token": "reconnected since"})
    store = SecretStore(file, {"CREDENTIALS_DIRECTORY": str(creds)})
    assert store.get("bottega-page")["page_token"] == "reconnected since"  # the file wins
